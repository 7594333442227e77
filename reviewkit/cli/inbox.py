"""``reviewkit inbox --as USER``: my open gates, their deadlines, and one-time codes for the Prefect UI."""

from __future__ import annotations

import typer
from rich.table import Table

from reviewkit.cli.identity import AS_HELP, PIN_HELP, current_actor
from reviewkit.cli.root import app
from reviewkit.cli.views import console, print_json


@app.command("inbox")
def inbox(
    user: str | None = typer.Option(None, "--as", help=AS_HELP),
    pin: str | None = typer.Option(None, "--pin", help=PIN_HELP),
    codes: bool = typer.Option(
        False, "--codes", help="同时为每项待办签发一次性审批码（在 Prefect 界面 Resume 表单中使用）"
    ),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """我的待办：等待我决定的环节及期限；--codes 签发在 Prefect 界面作决定用的一次性审批码。"""
    from dataclasses import asdict

    from reviewkit.orchestration.env import flow_run_page, ui_url
    from reviewkit.services.identity import issue_approval_code
    from reviewkit.services.inbox import inbox as load

    actor = current_actor(user, pin)
    items = load(actor)
    issued = (
        {i.case_id: issue_approval_code(actor, i.case_id, i.stage, i.round) for i in items} if codes else {}
    )
    if as_json:
        print_json(
            [
                {
                    **asdict(i),
                    "code": issued.get(i.case_id),
                    "ui_url": flow_run_page(i.flow_run_id) if i.flow_run_id else None,
                }
                for i in items
            ]
        )
        return
    table = Table(title=f"{actor.label}的待办（{len(items)} 项）", show_lines=True)
    for col in ("案件", "环节", "期限", "可选决定", *(["一次性审批码"] if codes else [])):
        table.add_column(col, overflow="fold")
    for i in items:
        due = i.due_on or "无"
        if i.overdue:
            due = f"[bold red]{due}（已逾期 {-(i.days_left or 0)} 天）[/bold red]"
        elif i.days_left is not None:
            due = f"{due}（剩 {i.days_left} 天）"
        row = [
            f"{i.case_number}\n{i.title}",
            f"{i.stage_name}（第 {i.round} 轮）",
            due,
            " / ".join(i.decisions),
        ]
        if codes:
            row.append(issued[i.case_id])
        table.add_row(*row)
    console.print(table)
    if codes and items:
        console.print(
            f"在 Prefect 界面（{ui_url()}）打开案件的流程运行，点右上角 ⋮ → Resume，填写决定、用户名、审批码和意见。"
            "审批码只能使用一次，72 小时内有效。"
        )
