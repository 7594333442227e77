"""``名称=值`` facts as people type them: one strict reader for ``--fact`` and the Resume form."""

from __future__ import annotations

import pytest

from reviewkit.errors import InvalidInput
from reviewkit.services.facts import parse_fact_lines, split_form_text


def test_lines_and_form_text() -> None:
    assert parse_fact_lines(["consultation_start=2026-10-01", " consultation_end = 2026-11-09 "]) == {
        "consultation_start": "2026-10-01",
        "consultation_end": "2026-11-09",
    }
    assert split_form_text("a=1；b=2\n\n c=3 ;") == ["a=1", "b=2", "c=3"]
    assert parse_fact_lines(split_form_text(None)) == {}
    # A 制定依据 citing two texts keeps its own ；: only a ；/; before the next ``name=`` separates facts.
    basis = "《中华人民共和国价格法》第十八条；《某省定价目录》第三项"
    assert split_form_text(f"legal_basis={basis}；consultation_days=30") == [
        f"legal_basis={basis}",
        "consultation_days=30",
    ]
    assert parse_fact_lines(["urgency_reason=防汛=紧急"]) == {"urgency_reason": "防汛=紧急"}  # first = splits
    assert parse_fact_lines(["a=1", "a=1"]) == {"a": "1"}  # the same thing twice is harmless


@pytest.mark.parametrize(
    "lines, words",
    [
        (
            ["consultation_start 2026-10-01"],
            "consultation_start 2026-10-01",
        ),  # no "=": never silently dropped
        (["=2026-10-01"], "=2026-10-01"),
        (["a=1", "a=2"], "两个不同的值"),
    ],
)
def test_malformed_is_refused_with_a_chinese_reason(lines: list[str], words: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_fact_lines(lines)
    assert words in str(err.value) and "名称=值" in str(err.value) or "两个不同的值" in str(err.value)
