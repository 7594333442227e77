"""``reviewkit calendar``: working days and due dates on the Chinese calendar."""

from __future__ import annotations

import json
import warnings
from functools import lru_cache

import typer

from reviewkit.cli.root import app
from reviewkit.domain.calendar import CalendarIncompleteWarning, WorkCalendar, parse_date
from reviewkit.errors import InvalidInput

calendar_app = typer.Typer(
    help="工作日与期限计算（含法定节假日、调休；期限自次日起算）。", no_args_is_help=True
)
app.add_typer(calendar_app, name="calendar")


@lru_cache(maxsize=1)
def work_calendar() -> WorkCalendar:
    from reviewkit.settings import get_settings

    return WorkCalendar(get_settings().templates_dir / "calendar")


def _incomplete_note(years: tuple[int, ...]) -> None:
    listed = "、".join(str(y) for y in years)
    typer.secho(
        f"注意：没有 {listed} 年的放假安排数据，已按《全国年节及纪念日放假办法》第二条计入法定节日，"
        f"调休上班日和补假日未知，其余按周一至周五推定；"
        f"公布后请补录 templates/calendar/<年份>.toml",
        fg="yellow",
        err=True,
    )


@calendar_app.command("due")
def due(
    date_text: str = typer.Argument(..., metavar="DATE", help="起算日（触发事件当日），如 2026-09-30"),
    n: int = typer.Argument(..., metavar="N", help="期限天数"),
    calendar_days: bool = typer.Option(False, "--calendar-days", help="按自然日计算（默认按工作日）"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """计算期限届满日：N 个工作日（或自然日）自起算日次日开始计算。"""
    start = parse_date(date_text)
    if n < 0:
        raise InvalidInput(f"期限天数不能为负数：{n}")
    cal = work_calendar()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalendarIncompleteWarning)
        result = cal.add_calendar_days(start, n) if calendar_days else cal.add_working_days(start, n)
    if as_json:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        unit = "个自然日" if calendar_days else "个工作日"
        typer.echo(f"{start.isoformat()} 起 {n} {unit}，届满日：{cal.day(result.due).label}")
    if not result.calendar_complete:
        _incomplete_note(result.missing_years)


@calendar_app.command("is-workday")
def is_workday(
    date_text: str = typer.Argument(..., metavar="DATE", help="日期，如 2026-10-10"),
) -> None:
    """判断某日是工作日还是休息日（含调休上班、法定节假日）。"""
    day_ = parse_date(date_text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalendarIncompleteWarning)
        info = work_calendar().day(day_)
    typer.echo(info.label)
    if not info.covered:
        _incomplete_note((day_.year,))
