"""The typer application the command modules attach their commands to. Imported at the top of each
command module; the package imports it only when a command needs typer (``reviewkit.cli.__getattr__``),
so that ``case list`` answers without typer (``reviewkit.cli.fast``)."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="reviewkit",
    help="reviewkit：行政规范性文件合法性审核工作流（起草→征求意见→预审→合法性审核→…→备案）。",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
)
