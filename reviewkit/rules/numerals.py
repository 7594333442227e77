"""Chinese numerals as used in 第X章 / 第X条 headings and in dates (一百零五, 二十, 二〇二三)."""

from __future__ import annotations

import re

DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "Ｏ": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS)
_NUMERAL = re.compile(f"[{NUMERAL_CHARS}]+")
_UNIT = re.compile("[十百千]")


def cn_to_int(text: str) -> int | None:
    """``"一百零五"`` → 105, ``"十二"`` → 12, ``"12"`` → 12; ``None`` when the text is no numeral."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if not _NUMERAL.fullmatch(text):
        return None
    if not _UNIT.search(text):
        # digit by digit: 二〇二三 → 2023
        return int("".join(str(DIGITS[ch]) for ch in text))
    total = 0
    current = 0
    for ch in text:
        if ch in DIGITS:
            current = DIGITS[ch]
        else:
            unit = UNITS[ch]
            total += (current or 1) * unit
            current = 0
    return total + current
