"""D6 (legal review 2026-12): "自2027年1月1日起施行，有效期2年" → 有效期至2028年12月31日 (民法典 第二百零一条、第二百零二条:
a term counted in years ends on the day before the anniversary of its first day)."""

from __future__ import annotations

from datetime import date

import pytest

from reviewkit.services.register import term_end, terms_of

TEXT = "某县政府采购代理机构监督管理暂行办法\n第一条　为规范管理，制定本办法。\n第十四条　本办法自2027年1月1日起施行，有效期2年。"


def test_two_year_term_from_new_year_ends_on_new_years_eve() -> None:
    terms = terms_of(TEXT, "某县政府采购代理机构监督管理暂行办法", date(2026, 12, 5))
    assert (terms.effective_on, terms.expires_on, terms.basis) == (
        date(2027, 1, 1),
        date(2028, 12, 31),
        "document",
    )


@pytest.mark.parametrize(
    ("start", "years", "end"),
    [
        (date(2027, 1, 1), 2, date(2028, 12, 31)),
        (date(2019, 3, 1), 5, date(2024, 2, 29)),  # leap year: the day before 3月1日
        (date(2024, 2, 29), 1, date(2025, 2, 27)),  # no 2月29日 in 2025: the anniversary is 2月28日
    ],
)
def test_term_end_is_the_day_before_the_anniversary(start: date, years: int, end: date) -> None:
    assert term_end(start, years) == end
