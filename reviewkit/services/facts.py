"""Facts typed by people: ``名称=值`` lines from ``--fact`` options and from the Prefect Resume form's
"记录事实" box. One strict reader for both: a line that is not ``名称=值`` is refused with a Chinese
reason (never silently dropped), and so is one name given two different values."""

from __future__ import annotations

from collections.abc import Iterable

from reviewkit.errors import InvalidInput


def split_form_text(text: str | None) -> list[str]:
    """The form's box: one fact per line (or separated by ；/;), blank lines ignored."""
    raw = (text or "").replace("；", "\n").replace(";", "\n").splitlines()
    return [line.strip() for line in raw if line.strip()]


def parse_fact_lines(lines: Iterable[str]) -> dict[str, str]:
    facts: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise InvalidInput(f"事实应写成 名称=值（如 consultation_start=2026-10-01），而不是“{line.strip()}”")
        if key in facts and facts[key] != value:
            raise InvalidInput(f"事实 {key} 给了两个不同的值：“{facts[key]}”和“{value}”")
        facts[key] = value
    return facts
