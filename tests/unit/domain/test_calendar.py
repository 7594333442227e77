"""Working-day calendar: known dates, 调休, the 2027 gap, data files."""

from __future__ import annotations

import warnings
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewkit.domain.calendar import (
    CalendarIncompleteWarning,
    WorkCalendar,
    parse_arrangement,
    parse_date,
)
from reviewkit.errors import ConfigError, InvalidInput

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "templates" / "calendar" / "example-2027.toml.sample"

FILE_2027 = """
year = 2027
source = "测试用安排"
[holidays]
"元旦" = { start = 2027-01-01, end = 2027-01-03 }
"春节" = { start = 2027-02-05, end = 2027-02-13 }
[workdays]
"春节" = [2027-02-14, 2027-02-20]
"""


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture
def cal2027(tmp_path: Path) -> WorkCalendar:
    (tmp_path / "2027.toml").write_text(FILE_2027, encoding="utf-8")
    return WorkCalendar(tmp_path)


def test_five_working_days_after_national_day_eve(cal: WorkCalendar) -> None:
    due = cal.add_working_days(date(2026, 9, 30), 5)
    assert due.due == date(2026, 10, 13)
    assert due.calendar_complete and due.unit == "working" and due.n == 5


def test_make_up_saturday_is_a_working_day(cal: WorkCalendar) -> None:
    assert cal.is_workday(date(2026, 10, 10))  # Saturday, 国庆调休上班
    assert not cal.is_workday(date(2026, 10, 5))  # Monday, 国庆放假
    assert not cal.is_workday(date(2026, 10, 11))  # ordinary Sunday
    assert cal.day(date(2026, 10, 10)).label == "2026-10-10 星期六 工作日（国庆节调休上班）"
    assert "休息日（国庆节）" in cal.day(date(2026, 10, 3)).label


def test_period_starts_the_day_after_the_trigger(cal: WorkCalendar) -> None:
    # Friday trigger: day 1 is the next Monday, not the Friday itself.
    assert cal.add_working_days(date(2026, 3, 6), 1).due == date(2026, 3, 9)
    assert cal.add_working_days(date(2026, 3, 6), 0).due == date(2026, 3, 6)
    assert cal.add_calendar_days(date(2026, 3, 2), 1).due == date(2026, 3, 3)


def test_calendar_period_ending_on_a_holiday_moves_to_next_working_day(cal: WorkCalendar) -> None:
    # 2026-09-01 + 30 days = 2026-10-01 (国庆) → next working day 2026-10-08.
    due = cal.add_calendar_days(date(2026, 9, 1), 30)
    assert due.due == date(2026, 10, 8) and due.unit == "calendar"
    # ending on an ordinary Saturday → Monday
    assert cal.add_calendar_days(date(2026, 3, 4), 3).due == date(2026, 3, 9)
    # ending on a make-up working Saturday stays there
    assert cal.add_calendar_days(date(2026, 9, 30), 10).due == date(2026, 10, 10)


def test_span_into_2027_is_flagged_and_warns(cal: WorkCalendar) -> None:
    with pytest.warns(CalendarIncompleteWarning, match="2027"):
        due = cal.add_working_days(date(2026, 12, 20), 15)
    assert not due.calendar_complete and due.missing_years == (2027,)
    # Legal review 2026-12 K1: the fallback now rests on the statutory holidays (放假办法 第二条), so 1 January 2027
    # is no longer counted as a working day (the old expectation, 2027-01-08, was legally wrong).
    assert due.due == date(2027, 1, 11)
    assert due.as_json()["calendar_complete"] is False
    assert not cal.covers(date(2027, 1, 4)) and cal.covers(date(2026, 12, 31))


def test_with_a_2027_file_the_span_is_exact(cal2027: WorkCalendar) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        due = cal2027.add_working_days(date(2026, 12, 20), 15)
    assert due.calendar_complete and due.due == date(2027, 1, 11)
    assert cal2027.is_workday(date(2027, 2, 14))  # Sunday make-up day
    assert not cal2027.is_workday(date(2027, 2, 8))  # Monday in 春节
    assert cal2027.covers(date(2027, 7, 1))


def test_2026_within_the_package_stays_exact_without_files(cal: WorkCalendar) -> None:
    due = cal.add_working_days(date(2026, 12, 1), 10)
    assert due.calendar_complete and due.due == date(2026, 12, 15)


def test_amend_file_adds_a_local_holiday(tmp_path: Path) -> None:
    (tmp_path / "2026.toml").write_text(
        'year = 2026\nmode = "amend"\n[holidays]\n"地方节日" = 2026-04-20\n', encoding="utf-8"
    )
    cal = WorkCalendar(tmp_path)
    assert not cal.is_workday(date(2026, 4, 20))
    assert cal.is_workday(date(2026, 10, 10))  # package still decides the rest
    assert cal.add_working_days(date(2026, 4, 17), 1).due == date(2026, 4, 21)


def test_amend_file_for_unknown_year_keeps_it_incomplete(tmp_path: Path) -> None:
    (tmp_path / "2027.toml").write_text('year = 2027\nmode = "amend"\n[holidays]\n"元旦" = 2027-01-01\n')
    cal = WorkCalendar(tmp_path)
    assert not cal.covers(date(2027, 3, 1))
    with pytest.warns(CalendarIncompleteWarning):
        assert not cal.is_workday(date(2027, 1, 1))
        assert cal.is_workday(date(2027, 3, 1))


def test_sample_file_parses_and_is_not_loaded(tmp_path: Path) -> None:
    parsed = parse_arrangement(SAMPLE.read_text(encoding="utf-8"), str(SAMPLE))
    assert parsed.year == 2027 and parsed.holidays and parsed.workdays
    assert not WorkCalendar(SAMPLE.parent).covers(date(2027, 6, 1))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("year = 'x'", "year"),
        ("year = 2027\nmode = 'other'", "mode"),
        ("year = 2027\nfoo = 1", "foo"),
        ("year = 2027\n[holidays]\n'元旦' = 2028-01-01", "holidays.元旦"),
        ("year = 2027\n[holidays]\n'元旦' = 'soon'", "holidays.元旦"),
        ("year = 2027\n[workdays]\n'x' = { start = 2027-01-05, end = 2027-01-01 }", "workdays.x"),
        ("year = 2027\n[holidays]\n'a' = 2027-01-02\n[workdays]\n'b' = 2027-01-02", "2027-01-02"),
        ("year = = 2027", "TOML"),
    ],
)
def test_bad_files_name_the_file_and_key(text: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_arrangement(text, "/x/2027.toml")
    assert "/x/2027.toml" in str(info.value) and key in str(info.value)


def test_duplicate_year_files(tmp_path: Path) -> None:
    (tmp_path / "2027.toml").write_text("year = 2027\n")
    (tmp_path / "other.toml").write_text("year = 2027\n")
    with pytest.raises(ConfigError, match="重复"):
        WorkCalendar(tmp_path)


def test_parse_date_forms() -> None:
    assert parse_date("2026-09-30") == date(2026, 9, 30)
    assert parse_date("2026年9月30日") == date(2026, 9, 30)
    assert parse_date("2026/9/3") == date(2026, 9, 3)
    for bad in ("2026-13-01", "2026-02-30", "tomorrow", "", "20260930"):
        with pytest.raises(InvalidInput, match="格式有误"):
            parse_date(bad)


def test_negative_and_huge_periods_are_invalid(cal: WorkCalendar) -> None:
    with pytest.raises(InvalidInput):
        cal.add_working_days(date(2026, 1, 1), -1)
    with pytest.raises(InvalidInput):
        cal.add_calendar_days(date(2026, 1, 1), 10**7)


def test_working_days_between(cal: WorkCalendar) -> None:
    assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 13)) == 5
    assert cal.working_days_between(date(2026, 10, 13), date(2026, 9, 30)) == -5
    assert cal.working_days_between(date(2026, 5, 1), date(2026, 5, 1)) == 0


def test_agrees_with_the_package_for_covered_years(cal: WorkCalendar) -> None:
    import chinese_calendar

    d = date(2024, 1, 1)
    while d.year < 2027:
        assert cal.is_workday(d) == chinese_calendar.is_workday(d)
        d += timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(start=st.dates(date(2020, 1, 1), date(2026, 6, 30)), n=st.integers(0, 60))
def test_working_days_round_trip(start: date, n: int) -> None:
    cal = WorkCalendar()
    due = cal.add_working_days(start, n)
    assert cal.working_days_between(start, due.due) == n
    assert n == 0 or cal.is_workday(due.due)


@settings(max_examples=200, deadline=None)
@given(start=st.dates(date(2020, 1, 1), date(2026, 6, 30)), n=st.integers(0, 90))
def test_calendar_days_land_on_the_first_working_day_at_or_after(start: date, n: int) -> None:
    cal = WorkCalendar()
    due = cal.add_calendar_days(start, n).due
    end = start + timedelta(days=n)
    assert due >= end and cal.is_workday(due)
    assert all(not cal.is_workday(end + timedelta(days=i)) for i in range((due - end).days))
