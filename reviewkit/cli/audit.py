"""``reviewkit audit``: verify the hash chain, read the log, export a case's 全过程记录."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer

from reviewkit.cli.identity import AS_HELP, PIN_HELP, current_actor
from reviewkit.cli.root import app
from reviewkit.cli.views import console, print_json

audit_app = typer.Typer(help="审计记录（全过程记录）：校验、查阅、导出。", no_args_is_help=True)
app.add_typer(audit_app, name="audit")

AS = typer.Option(None, "--as", help=AS_HELP)
PIN = typer.Option(None, "--pin", help=PIN_HELP)


@audit_app.command("verify")
def verify(
    anchor: str | None = typer.Option(
        None, "--anchor", help="先前记录的链头“序号:哈希”（如全过程记录末尾所印），用于发现链尾被删改"
    ),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """校验审计链：完整时退出码 0；否则退出码 1，并指出第一个断裂的事件及其被修改、删除、调换还是插入。"""
    from reviewkit.services.audit_trail import describe, parse_anchor
    from reviewkit.services.audit_trail import verify as run

    report = run(anchor=parse_anchor(anchor) if anchor else None)
    if as_json:
        print_json(
            {
                "intact": report.broken is None,
                "count": report.count,
                "head_seq": report.head_seq,
                "head_hash": report.head_hash,
                "broken": asdict(report.broken) if report.broken else None,
            }
        )
    elif report.broken is None:
        console.print(describe(report), soft_wrap=True)
    if report.broken is not None:
        typer.secho(f"错误：{describe(report)}", fg="red", err=True)
        raise typer.Exit(1)


@audit_app.command("log")
def log(
    case: str | None = typer.Option(None, "--case", help="只看该案件（id 或编号）"),
    action: str | None = typer.Option(None, "--action", help="只看该类事件（前缀，如 decision.）"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="只看最近几条"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
    user: str | None = AS,
    pin: str | None = PIN,
) -> None:
    """查阅审计日志（管理员、科室负责人、法制审核员、领导、备案员）。"""
    from rich.table import Table

    from reviewkit.domain.roles import role_name
    from reviewkit.services.audit_trail import CHANNEL_NAMES, summary
    from reviewkit.services.audit_trail import log as read
    from reviewkit.services.authz import audited_refusals, authorize

    actor = current_actor(user, pin)
    with audited_refusals(actor, "查阅审计日志"):
        authorize(actor, "audit.read")
    events = read(case_ref=case, limit=limit, action=action)
    if as_json:
        print_json(events)
        return
    table = Table(title=f"审计日志（{len(events)} 条）")
    for col in ("序号", "时间", "事项", "办理人", "角色", "渠道", "内容"):
        table.add_column(col)
    for e in events:
        table.add_row(
            str(e.seq),
            e.occurred_local.replace("T", " ")[:19],
            e.action_name,
            e.actor,
            role_name(e.role) if e.role else "",
            CHANNEL_NAMES.get(e.channel, e.channel),
            summary(e.payload),
        )
    console.print(table)


@audit_app.command("export")
def export(
    case: str | None = typer.Option(None, "--case", help="案件 id 或编号（jsonl 省略时导出整条审计链）"),
    fmt: str = typer.Option(
        "docx", "--format", help="jsonl（逐条事件，可独立复核哈希）或 docx（全过程记录，供纸质归档）"
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="输出文件；默认 工作目录/exports/ 下"),
    user: str | None = AS,
    pin: str | None = PIN,
) -> None:
    """导出审计记录：先校验审计链，导出本身也记入审计日志（含文件 SHA-256）。"""
    from reviewkit.services.audit_trail import export as run
    from reviewkit.settings import get_settings

    actor = current_actor(user, pin)
    out = output or get_settings().home / "exports" / f"全过程记录-{case or '全部'}.{fmt}"
    result = run(case, fmt, out, actor)
    console.print(f"已导出 {result.events} 条事件到 {result.path}（SHA-256 {result.sha256}）。")
    if not result.intact:
        typer.secho("错误：导出时审计链校验未通过，请运行 reviewkit audit verify 查看。", fg="red", err=True)
        raise typer.Exit(1)
