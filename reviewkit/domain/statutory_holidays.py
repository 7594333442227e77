"""The fixed statutory holidays of a year, for years without the State Council's arrangement (K1).

《全国年节及纪念日放假办法》 (2024年11月10日第四次修订, in force 2025-01-01) 第二条, checked against the published
text: 元旦 1天 (1月1日); 春节 4天 (农历除夕、正月初一至初三); 清明节 1天 (农历清明当日); 劳动节 2天 (5月1日、2日);
端午节 1天 (农历端午当日); 中秋节 1天 (农历中秋当日); 国庆节 3天 (10月1日至3日).

What these dates do not tell: the 调休 make-up working weekends and the weekday given in lieu of a holiday that
falls on a weekend (第六条 "适逢星期六、星期日，应当在工作日补假"); both come only with the 国务院办公厅 notice. A
year computed here is therefore still incomplete (``calendar_complete=False``), but 元旦 or 国庆 is never taken for a
working day.

Lunar dates and 清明 come from ``lunar-python`` (6tail/lunar-python, MIT, pure Python, maintained since 2020): it
computes the lunar calendar and the 24 solar terms astronomically, so any year is covered without a shipped table
that would need extending. Checked against the package ``chinese-calendar`` for 2025–2026 in the tests.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar

BASIS = "《全国年节及纪念日放假办法》第二条"


def _solar(lunar: object) -> date:
    return _solar_of(lunar.getSolar())  # type: ignore[attr-defined]


def _qingming(year: int) -> date:
    table = Lunar.fromYmd(year, 3, 1).getJieQiTable()
    found = _solar_of(table["清明"])
    if found.year != year:  # pragma: no cover - the 3rd lunar month always holds that year's 清明
        raise ValueError(f"清明 of {year} not found")
    return found


def _solar_of(solar: object) -> date:
    return date(int(solar.getYear()), int(solar.getMonth()), int(solar.getDay()))  # type: ignore[attr-defined]


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[date, str]:
    """Every day of ``year`` on which 全体公民 rest by 第二条, with the holiday's name (春节: the 除夕 before the
    正月初一 that falls in ``year``, which is always between 1月21日 and 2月20日, so 除夕 is in ``year`` too)."""
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    new_year = _solar(Lunar.fromYmd(year, 1, 1))
    for i in range(-1, 3):  # 除夕, 初一, 初二, 初三
        days[new_year + timedelta(days=i)] = "春节"
    days[_qingming(year)] = "清明节"
    days[date(year, 5, 1)] = days[date(year, 5, 2)] = "劳动节"
    days[_solar(Lunar.fromYmd(year, 5, 5))] = "端午节"
    days[_solar(Lunar.fromYmd(year, 8, 15))] = "中秋节"
    for d in (1, 2, 3):
        days[date(year, 10, d)] = "国庆节"
    return days
