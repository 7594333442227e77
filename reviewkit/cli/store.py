"""``reviewkit store``: the file store (content-addressed documents and materials)."""

from __future__ import annotations

from datetime import timedelta

import typer

from reviewkit.cli.identity import AS_HELP, PIN_HELP, current_actor
from reviewkit.cli.root import app
from reviewkit.cli.views import console, print_json

store_app = typer.Typer(
    help="文件库（各版本文稿、材料按 SHA-256 存放）：清理无人引用的对象。", no_args_is_help=True
)
app.add_typer(store_app, name="store")


@store_app.command("gc")
def gc(
    older_than_hours: float = typer.Option(
        24.0, "--older-than-hours", help="只清理超过该小时数未被写入、且无人引用的对象（不少于 1）"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="试运行：只列出将清理的对象，不改动文件，不记审计"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
    user: str | None = typer.Option(None, "--as", help=AS_HELP),
    pin: str | None = typer.Option(None, "--pin", help=PIN_HELP),
) -> None:
    """清理文件库（管理员，记入审计）：无人引用的对象先移入隔离区，隔离满 1 小时仍无人引用再删除。"""
    from reviewkit.services.store_gc import collect, describe

    report = collect(current_actor(user, pin), older_than=timedelta(hours=older_than_hours), dry_run=dry_run)
    if as_json:
        print_json(report.as_dict())
    else:
        console.print(describe(report), soft_wrap=True)
