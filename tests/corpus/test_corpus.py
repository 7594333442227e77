"""Precision and recall per category over the labelled corpus (printed; floors asserted)."""

from __future__ import annotations

import pytest

from tests.corpus.score import CATEGORIES, load, report, score

FLOOR = 0.85


def test_corpus_is_large_and_covers_every_category() -> None:
    items = load()
    assert len(items) >= 150
    labelled = {c for _, expected, _ in items for c in expected}
    assert labelled == set(CATEGORIES)
    assert sum(1 for _, expected, _ in items if not expected) >= 60  # clean clauses, many look dangerous


def test_precision_and_recall_per_category(capsys: pytest.CaptureFixture[str]) -> None:
    scores = score()
    with capsys.disabled():
        print("\n" + report(scores))
    low = {
        cat: (round(s.precision, 2), round(s.recall, 2), s.misses)
        for cat, s in scores.items()
        if s.precision < FLOOR or s.recall < FLOOR
    }
    assert low == {}
