"""Working days on the Chinese calendar: holidays, 调休 make-up working days, and due dates.

Counting (民法典第201条、第203条, applied by analogy):
- a period of N days or N working days starts the day *after* its triggering day;
- a calendar-day period whose last day is a holiday or rest day ends on the next working day.

Data, in order of precedence:
1. ``<dir>/<year>.toml`` files (the official arrangement published by 国务院办公厅, or a local
   amendment); the format is documented in ``templates/calendar/example-2027.toml.sample``;
2. the ``chinese-calendar`` package (covers 2004–2026 in version 1.11);
3. nothing: the fixed statutory holidays of 《全国年节及纪念日放假办法》第二条 (元旦, 春节 除夕–初三, 清明,
   劳动节 5/1–2, 端午, 中秋, 国庆 10/1–3; lunar dates computed, ``statutory_holidays``) are rest days, other
   Monday–Friday are working days; the 调休 make-up working days and the 补假 of 第六条 are unknown, so the
   result says ``calendar_complete=False`` and a ``CalendarIncompleteWarning`` is issued once per year.
   It never raises for a missing year.
"""

from __future__ import annotations

import re
import tomllib
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import chinese_calendar

from reviewkit.domain.statutory_holidays import statutory_holidays
from reviewkit.errors import ConfigError, InvalidInput, ReviewkitWarning

Unit = Literal["working", "calendar"]
MAX_PERIOD_DAYS = 3660
WEEKDAYS = "一二三四五六日"
_HOLIDAY_ZH: dict[str, str] = {h.value: h.chinese for h in chinese_calendar.Holiday}


class CalendarIncompleteWarning(ReviewkitWarning):
    """A date was counted Monday–Friday because no holiday data covers its year."""


@dataclass(frozen=True)
class YearArrangement:
    """One year's official arrangement: rest days (放假) and make-up working days (调休上班).

    ``mode="replace"``: the file is the whole arrangement of the year (the package is ignored).
    ``mode="amend"``: listed days override the package; other days follow the package (or, for a
    year the package does not know, Monday–Friday — and the year still counts as not covered).
    """

    year: int
    holidays: dict[date, str] = field(default_factory=dict)
    workdays: dict[date, str] = field(default_factory=dict)
    mode: Literal["replace", "amend"] = "replace"
    source: str = ""
    origin: str = ""


@dataclass(frozen=True)
class DueDate:
    start: date
    due: date
    n: int
    unit: Unit
    calendar_complete: bool
    missing_years: tuple[int, ...] = ()

    def as_json(self) -> dict[str, object]:
        key = "working_days" if self.unit == "working" else "calendar_days"
        return {
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            key: self.n,
            "calendar_complete": self.calendar_complete,
        }


@dataclass(frozen=True)
class DayInfo:
    day: date
    workday: bool
    name: str | None  # holiday name, or the holiday a make-up working day belongs to
    covered: bool

    @property
    def label(self) -> str:
        week = f"星期{WEEKDAYS[self.day.weekday()]}"
        if self.workday:
            kind = f"工作日（{self.name}调休上班）" if self.name and self.day.weekday() >= 5 else "工作日"
        else:
            kind = f"休息日（{self.name}）" if self.name else "休息日"
        note = "" if self.covered else "（无该年放假安排，按法定节日和周一至周五推定，调休未知）"
        return f"{self.day.isoformat()} {week} {kind}{note}"


_DATE_RE = re.compile(r"^\s*(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*日?\s*$")


def parse_date(text: str) -> date:
    """``2026-09-30``, ``2026/9/30`` or ``2026年9月30日``; anything else is ``InvalidInput``."""
    m = _DATE_RE.match(text)
    try:
        if m is None:
            raise ValueError(text)
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise InvalidInput(f"日期“{text}”格式有误，应为 YYYY-MM-DD（如 2026-09-30）") from None


def _as_dates(value: Any, where: str) -> list[date]:
    """A TOML date, a list of dates, or a table ``{ start = …, end = … }`` (both included)."""
    if isinstance(value, date):
        return [value]
    if isinstance(value, list) and all(isinstance(v, date) for v in value):
        return list(value)
    if isinstance(value, dict) and set(value) == {"start", "end"}:
        start, end = value["start"], value["end"]
        if isinstance(start, date) and isinstance(end, date) and start <= end:
            return [start + timedelta(days=i) for i in range((end - start).days + 1)]
    raise ConfigError(f"{where} 应为日期、日期列表或 {{ start = 日期, end = 日期 }}")


def parse_arrangement(text: str, origin: str) -> YearArrangement:
    """Read one ``<year>.toml``; every error names the file and the key."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"日历文件 {origin} 不是有效的 TOML：{err}") from None
    unknown = set(raw) - {"year", "source", "mode", "holidays", "workdays"}
    if unknown:
        raise ConfigError(f"日历文件 {origin} 含未知的键：{'、'.join(sorted(unknown))}")
    year = raw.get("year")
    if not isinstance(year, int) or not 1900 <= year <= 2200:
        raise ConfigError(f"日历文件 {origin} 的 year 应为四位年份")
    mode = raw.get("mode", "replace")
    if mode not in ("replace", "amend"):
        raise ConfigError(f"日历文件 {origin} 的 mode 应为 replace 或 amend")
    tables: dict[str, dict[date, str]] = {"holidays": {}, "workdays": {}}
    for key, table in tables.items():
        section = raw.get(key, {})
        if not isinstance(section, dict):
            raise ConfigError(f"日历文件 {origin} 的 {key} 应为表（名称 = 日期）")
        for name, value in section.items():
            for d in _as_dates(value, f"日历文件 {origin} 的 {key}.{name}"):
                if d.year != year:
                    raise ConfigError(f"日历文件 {origin} 的 {key}.{name} 含不属于 {year} 年的日期 {d}")
                table[d] = name
    both = sorted(set(tables["holidays"]) & set(tables["workdays"]))
    if both:
        raise ConfigError(f"日历文件 {origin} 中 {both[0]} 既是放假日又是调休上班日")
    source = raw.get("source", "")
    return YearArrangement(
        year=year,
        holidays=tables["holidays"],
        workdays=tables["workdays"],
        mode=mode,
        source=str(source),
        origin=origin,
    )


def load_arrangements(directory: Path) -> list[YearArrangement]:
    """Every ``*.toml`` in ``directory`` (``*.sample`` files are documentation and are skipped)."""
    found: dict[int, YearArrangement] = {}
    for path in sorted(directory.glob("*.toml")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(f"无法读取日历文件 {path}：{err}") from None
        arrangement = parse_arrangement(text, str(path))
        if arrangement.year in found:
            raise ConfigError(
                f"日历文件 {path} 与 {found[arrangement.year].origin} 重复定义 {arrangement.year} 年"
            )
        found[arrangement.year] = arrangement
    return list(found.values())


def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """Working days with holiday data from files, the package, or (flagged) Monday–Friday."""

    def __init__(self, extra_dir: Path | None = None, arrangements: Iterable[YearArrangement] = ()) -> None:
        self._years: dict[int, YearArrangement] = {}
        loaded = load_arrangements(extra_dir) if extra_dir is not None and extra_dir.is_dir() else []
        for a in [*loaded, *arrangements]:
            self._years[a.year] = a
        self._package: dict[int, bool] = {}
        self._warned: set[int] = set()

    @property
    def arrangements(self) -> tuple[YearArrangement, ...]:
        return tuple(self._years[y] for y in sorted(self._years))

    def _in_package(self, year: int) -> bool:
        if year not in self._package:
            self._package[year] = _package_covers(year)
        return self._package[year]

    def covers(self, d: date) -> bool:
        """Whether real holiday data (file or package) decides ``d``."""
        extra = self._years.get(d.year)
        if extra is not None and extra.mode == "replace":
            return True
        return self._in_package(d.year)

    def covers_range(self, first: date, last: date) -> bool:
        return all(self.covers(date(y, 1, 1)) for y in range(first.year, last.year + 1))

    def day(self, d: date) -> DayInfo:
        extra = self._years.get(d.year)
        covered = self.covers(d)
        if extra is not None:
            if d in extra.workdays:
                return DayInfo(d, True, extra.workdays[d], covered)
            if d in extra.holidays:
                return DayInfo(d, False, extra.holidays[d], covered)
            if extra.mode == "replace":
                return DayInfo(d, d.weekday() < 5, None, True)
        if self._in_package(d.year):
            rest, name = chinese_calendar.get_holiday_detail(d)
            zh = _HOLIDAY_ZH.get(name, name) if name else None
            return DayInfo(d, not rest, zh, True)
        self._warn(d.year)
        statutory = statutory_holidays(d.year).get(d)
        if statutory is not None:
            return DayInfo(d, False, statutory, False)
        return DayInfo(d, d.weekday() < 5, None, False)

    def is_workday(self, d: date) -> bool:
        return self.day(d).workday

    def _warn(self, year: int) -> None:
        if year in self._warned:
            return
        self._warned.add(year)
        warnings.warn(
            CalendarIncompleteWarning(
                f"没有 {year} 年的放假安排数据：已按《全国年节及纪念日放假办法》第二条计入法定节日，"
                f"调休上班日和补假日未知，其余按周一至周五推定；"
                f"请在 templates/calendar/{year}.toml 补录国务院办公厅公布的安排"
            ),
            stacklevel=3,
        )

    def _missing(self, first: date, last: date) -> tuple[int, ...]:
        return tuple(y for y in range(first.year, last.year + 1) if not self.covers(date(y, 1, 1)))

    def add_working_days(self, start: date, n: int) -> DueDate:
        """The Nth working day after ``start`` (``start`` itself is not counted)."""
        _check_period(n)
        d, counted = start, 0
        while counted < n:
            d += timedelta(days=1)
            if self.is_workday(d):
                counted += 1
        missing = self._missing(start + timedelta(days=1), d) if n else ()
        return DueDate(start, d, n, "working", not missing, missing)

    def add_calendar_days(self, start: date, n: int) -> DueDate:
        """``start`` + N days; a last day that is not a working day moves to the next working day."""
        _check_period(n)
        end = start + timedelta(days=n)
        d = end
        while not self.is_workday(d):
            d += timedelta(days=1)
        missing = self._missing(end, d)
        return DueDate(start, d, n, "calendar", not missing, missing)

    def add(self, start: date, n: int, unit: Unit) -> DueDate:
        return self.add_working_days(start, n) if unit == "working" else self.add_calendar_days(start, n)

    def next_workday(self, d: date) -> date:
        """``d`` itself when it is a working day, else the next one."""
        while not self.is_workday(d):
            d += timedelta(days=1)
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]: so ``working_days_between(s, add_working_days(s, n).due) == n``.

        Negative when ``b`` is before ``a``.
        """
        if b < a:
            return -self.working_days_between(b, a)
        if (b - a).days > MAX_PERIOD_DAYS * 2:
            raise InvalidInput(f"日期区间过长：{a} 至 {b}")
        return sum(1 for i in range(1, (b - a).days + 1) if self.is_workday(a + timedelta(days=i)))


def _check_period(n: int) -> None:
    if n < 0:
        raise InvalidInput(f"期限天数不能为负数：{n}")
    if n > MAX_PERIOD_DAYS:
        raise InvalidInput(f"期限天数过大：{n}（上限 {MAX_PERIOD_DAYS}）")
