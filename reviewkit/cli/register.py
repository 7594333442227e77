"""``reviewkit register list|show|expire``: the register of issued normative documents."""

from __future__ import annotations

from datetime import date

import typer
from rich.table import Table

from reviewkit.cli.root import app
from reviewkit.cli.views import console, print_json

register_app = typer.Typer(
    help="规范性文件登记簿：有效期、状态（有效/失效/废止/已修改）、清理提醒。", no_args_is_help=True
)
app.add_typer(register_app, name="register")

ON_HELP = "以哪一天为准（YYYY-MM-DD），默认今天"


def _day(value: str | None) -> date:
    from reviewkit.domain.calendar import parse_date
    from reviewkit.services.kernel import local_today

    return parse_date(value) if value else local_today()


@register_app.command("list")
def list_(
    status: str | None = typer.Option(None, "--status", help="有效 / 失效 / 废止 / 已修改"),
    attention: bool = typer.Option(
        False, "--attention", help="只列需清理评估（届满前6个月内）或依据已变化的"
    ),
    on: str | None = typer.Option(None, "--on", help=ON_HELP),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出登记簿（先登记新印发的文件）。"""
    from reviewkit.services.register import list_register

    rows = list_register(_day(on), status=status, attention=attention)
    if as_json:
        print_json([r.as_json() for r in rows])
        return
    table = Table(title=f"规范性文件登记簿（{len(rows)} 件）")
    for col in ("文号", "标题", "公布", "施行", "有效期至", "状态", "提醒"):
        table.add_column(col, overflow="fold")
    for r in rows:
        notes = (["[yellow]届满前6个月，请清理评估[/yellow]"] if r.cleanup_due else []) + [
            f"[red]{c}[/red]" for c in r.law_changes
        ]
        table.add_row(
            r.doc_number,
            r.title,
            r.published_on,
            r.effective_on,
            r.expires_on + ("" if r.expiry_basis == "document" else "（默认）"),
            r.status_name,
            "\n".join(notes),
        )
    console.print(table)


@register_app.command("show")
def show(
    ref: str = typer.Argument(..., help="文号（如 某财规〔2023〕1号）、登记号或案件编号"),
    on: str | None = typer.Option(None, "--on", help=ON_HELP),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """显示一件登记的文件。"""
    from reviewkit.services.register import show_entry

    r = show_entry(ref, _day(on))
    if as_json:
        print_json(r.as_json())
        return
    basis = "文件载明" if r.expiry_basis == "document" else "未载明，按默认有效期"
    console.print(
        f"[b]{r.doc_number}[/b]  {r.title}\n起草单位：{r.issuer}   案件：{r.case_number or '—'}\n"
        f"公布：{r.published_on}   施行：{r.effective_on}   有效期至：{r.expires_on}（{basis}）\n"
        f"状态：[b]{r.status_name}[/b]" + (f"（{r.status_on}，{r.status_reason}）" if r.status_on else "")
    )
    if r.cleanup_due:
        console.print("[yellow]有效期届满前6个月内：请组织评估，决定修改、废止或继续施行。[/yellow]")
    for c in r.law_changes:
        console.print(f"[red]{c}[/red]")


@register_app.command("expire")
def expire(
    ref: str | None = typer.Argument(None, help="文号等；省略则把有效期已届满的文件全部标为失效"),
    status: str = typer.Option("失效", "--status", help="失效 / 废止 / 已修改"),
    reason: str = typer.Option("", "--reason", help="理由（废止、修改时必填）"),
    on: str | None = typer.Option(None, "--on", help=ON_HELP),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """登记失效、废止或已修改（记入审计链）。"""
    from reviewkit.services.register import expire as apply

    rows = apply(_day(on), ref=ref, status=status, reason=reason, actor="cli", channel="cli")
    if as_json:
        print_json([r.as_json() for r in rows])
        return
    if not rows:
        console.print("没有需要登记失效的文件。")
    for r in rows:
        console.print(f"{r.doc_number}《{r.title}》：{r.status_name}（{r.status_reason}）")
