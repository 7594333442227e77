"""Facts typed by people: ``名称=值`` lines from ``--fact`` options and from the Prefect Resume form's
"记录事实" box. One strict reader for both: a line that is not ``名称=值`` is refused with a Chinese
reason (never silently dropped), and so is one name given two different values."""

from __future__ import annotations

import re
from collections.abc import Iterable

from reviewkit.errors import InvalidInput

# A ；/; separates two facts only where the next one starts: a value such as a 制定依据 may itself hold
# 《……》第三条；《……》第五条 and must survive whole.
_NEXT_FACT = re.compile(r"[；;]\s*(?=[A-Za-z_][A-Za-z0-9_]*\s*=)")


def split_form_text(text: str | None) -> list[str]:
    """The form's box: one fact per line (or ``；``/``;`` before the next ``name=``), blank lines ignored."""
    lines = [part for line in (text or "").splitlines() for part in _NEXT_FACT.split(line)]
    cleaned = (line.strip().rstrip("；;").strip() for line in lines)
    return [line for line in cleaned if line]


def parse_fact_lines(lines: Iterable[str]) -> dict[str, str]:
    facts: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise InvalidInput(
                f"事实应写成 名称=值（如 consultation_start=2026-10-01），而不是“{line.strip()}”"
            )
        if key in facts and facts[key] != value:
            raise InvalidInput(f"事实 {key} 给了两个不同的值：“{facts[key]}”和“{value}”")
        facts[key] = value
    return facts
