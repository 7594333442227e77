"""``reviewkit consult``: record the comments received in 公开征求意见 and how each was handled."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from reviewkit.cli.identity import AS_HELP, PIN_HELP, current_actor
from reviewkit.cli.root import app
from reviewkit.cli.views import console, print_json
from reviewkit.errors import InvalidInput

consult_app = typer.Typer(
    help="征求意见登记：逐条记录意见及采纳情况（生成征求意见采纳情况表）。", no_args_is_help=True
)
app.add_typer(consult_app, name="consult")

AS = typer.Option(None, "--as", help=AS_HELP)
PIN = typer.Option(None, "--pin", help=PIN_HELP)


@consult_app.command("add")
def add(
    case: str = typer.Argument(..., help="案件 id 或编号"),
    commenter: str = typer.Option(..., "--from", help="意见提出人（单位或个人）"),
    content: str = typer.Option(..., "--content", help="意见内容"),
    disposition: str = typer.Option(..., "--disposition", help="采纳、部分采纳、不予采纳 或 待研究"),
    article: str = typer.Option("", "--article", help="针对的条款，如 第四条（空：总体意见）"),
    reason: str = typer.Option("", "--reason", help="理由（部分采纳、不予采纳时必填）"),
    kind: str = typer.Option("", "--kind", help="提出人类别，如 市场主体、行业协会、公众、部门"),
    received: str | None = typer.Option(None, "--received", help="收到日期 YYYY-MM-DD"),
    user: str | None = AS,
    pin: str | None = PIN,
) -> None:
    """登记一条意见。"""
    from reviewkit.services.consultation import NewComment
    from reviewkit.services.consultation import add as record

    try:
        on = date.fromisoformat(received) if received else None
    except ValueError:
        raise InvalidInput("收到日期应为 YYYY-MM-DD") from None
    actor = current_actor(user, pin)
    record(case, [NewComment(commenter, content, disposition, article, reason, kind, on)], actor)
    console.print(f"已登记 {commenter} 对{article or '总体'}的意见（{disposition}）。")


@consult_app.command("import")
def import_(
    case: str = typer.Argument(..., help="案件 id 或编号"),
    path: Path = typer.Argument(..., help="CSV 文件：条款,意见提出人,类别,意见内容,采纳情况,理由,收到日期"),
    user: str | None = AS,
    pin: str | None = PIN,
) -> None:
    """从 CSV 批量登记意见（全部成功或全部不登记）。"""
    from reviewkit.services.consultation import import_csv

    actor = current_actor(user, pin)
    count = import_csv(case, path, actor)
    console.print(f"已从《{path.name}》登记 {count} 条意见。")


@consult_app.command("list")
def list_(
    case: str = typer.Argument(..., help="案件 id 或编号"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出本案登记的意见及采纳情况。"""
    from rich.table import Table

    from reviewkit.services.consultation import list_comments

    rows = list_comments(case)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"征求意见（{len(rows)} 条）", show_lines=True)
    for col in ("序号", "条款", "提出人", "意见内容", "采纳情况", "理由"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            str(r.seq),
            r.article or "总体",
            r.commenter + (f"（{r.kind}）" if r.kind else ""),
            r.content,
            r.disposition_name,
            r.reason,
        )
    console.print(table)
