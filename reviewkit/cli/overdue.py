"""``reviewkit overdue`` and ``reviewkit daily run|serve``: deadlines, escalation, the daily checks."""

from __future__ import annotations

import typer
from rich.table import Table

from reviewkit.cli.root import app
from reviewkit.cli.views import console, print_json

daily_app = typer.Typer(
    help="每日检查（Prefect 定时部署）：登记簿、期限、超期升级、备案预警、看板。", no_args_is_help=True
)
app.add_typer(daily_app, name="daily")


@app.command("overdue")
def overdue(
    on: str | None = typer.Option(None, "--on", help="以哪一天为准（YYYY-MM-DD），默认今天"),
    all_: bool = typer.Option(False, "--all", help="也列出今日到期、即将到期的事项"),
    notify_: bool = typer.Option(False, "--notify", help="按设置的渠道发送通知（同一事项24小时内不重复）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出超期（及即将到期）的在办事项，含应升级至的领导。"""
    from reviewkit.cli.register import _day
    from reviewkit.services.overdue import open_items

    items = [i for i in open_items(_day(on)) if all_ or i.status == "overdue"]
    sent = []
    if notify_:
        from reviewkit.services.notify import notify

        sent = notify(items)
    if as_json:
        print_json(
            {"items": [i.as_json() for i in items], "notices": sent}
            if notify_
            else [i.as_json() for i in items]
        )
        return
    table = Table(title=f"超期及到期事项（{len(items)} 件）")
    for col in ("案件", "标题", "环节", "期限", "状态", "超期工作日", "经办", "升级至"):
        table.add_column(col, overflow="fold")
    for i in items:
        style = "red" if i.status == "overdue" else "yellow"
        table.add_row(
            i.case_number,
            i.title,
            f"{i.stage_name}（第{i.round}轮）",
            i.due_on,
            f"[{style}]{i.status_name}[/{style}]",
            str(i.days_overdue),
            "、".join(i.responsible),
            "、".join(i.leaders),
        )
    console.print(table)
    for s in sent:
        console.print(
            f"通知 {s['recipient']}（{s['channel']}）：{s['items']} 项，{'已发送' if s['status'] == 'sent' else '失败：' + str(s['error'])}"
        )


@daily_app.command("run")
def run(
    on: str | None = typer.Option(None, "--on", help="检查日期（YYYY-MM-DD），默认今天"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """立即运行一次每日检查（作为 Prefect flow run，看板见 Prefect 界面的 artifact）。"""
    from reviewkit.orchestration import env

    env.apply()
    from flows.daily import daily_checks

    result = daily_checks(today=on)
    if as_json:
        print_json(result)
    else:
        console.print(
            f"{result['today']}：超期 {result['overdue']} 件（升级 {result['escalated']} 件），"
            f"备案预警 {result['filing_warnings']} 件，通知 {len(result['notices'])} 条；"
            f"看板 artifact：reviewkit-dashboard"
        )


@daily_app.command("serve")
def serve() -> None:
    """启动每日检查的定时部署（每天 8:00 北京时间），按 Ctrl-C 停止。"""
    from reviewkit.orchestration import env

    env.apply()
    from flows.daily import serve as start

    start()
