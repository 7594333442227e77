"""K1 (legal review 2026-12): a year without the 国务院办公厅 arrangement still rests on the statutory holidays of
《全国年节及纪念日放假办法》(2024年修订) 第二条; only the 调休 and the 补假 of 第六条 are unknown (flagged)."""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path

import chinese_calendar
import pytest

from reviewkit.domain.calendar import CalendarIncompleteWarning, WorkCalendar
from reviewkit.domain.statutory_holidays import statutory_holidays


@pytest.fixture
def cal(tmp_path: Path) -> WorkCalendar:
    return WorkCalendar(tmp_path)  # no files: 2027 is beyond chinese-calendar 1.11


def test_article_2_days_of_2027() -> None:
    days = statutory_holidays(2027)
    assert len(days) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3 (第二条)
    assert days[date(2027, 1, 1)] == "元旦"
    assert [d for d, n in days.items() if n == "春节"] == [
        date(2027, 2, 5),
        date(2027, 2, 6),
        date(2027, 2, 7),
        date(2027, 2, 8),
    ]  # 除夕 and 正月初一至初三 (初一 = 2月6日)
    assert days[date(2027, 4, 5)] == "清明节" and days[date(2027, 6, 9)] == "端午节"
    assert days[date(2027, 9, 15)] == "中秋节"
    assert all(days[date(2027, 5, d)] == "劳动节" for d in (1, 2))
    assert all(days[date(2027, 10, d)] == "国庆节" for d in (1, 2, 3))


@pytest.mark.parametrize("year", [2025, 2026])
def test_computed_holidays_agree_with_the_official_arrangements(year: int) -> None:
    """The lunar and 清明 dates computed by lunar-python match the published arrangements (chinese-calendar)."""
    for day, name in statutory_holidays(year).items():
        assert chinese_calendar.is_holiday(day), (day, name)


def test_fallback_rests_on_new_year_and_national_day_and_stays_flagged(cal: WorkCalendar) -> None:
    with pytest.warns(
        CalendarIncompleteWarning, match="全国年节及纪念日放假办法》第二条.*调休上班日和补假日未知"
    ):
        info = cal.day(date(2027, 1, 1))
    assert not info.workday and info.name == "元旦" and not info.covered
    assert "调休未知" in info.label
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalendarIncompleteWarning)
        assert not cal.is_workday(date(2027, 10, 1))
        # the reviewer's case: 2026-12-28 + 5 working days: 12-29, 12-30, 12-31, (元旦), 01-04, 01-05
        due = cal.add_working_days(date(2026, 12, 28), 5)
        assert due.due == date(2027, 1, 5) and not due.calendar_complete and due.missing_years == (2027,)
        # 春节 2027: Thu 2-4 + 1 working day skips 除夕 (Fri 2-5) and the weekend and 初三 (Mon 2-8)
        assert cal.add_working_days(date(2027, 2, 4), 1).due == date(2027, 2, 9)
