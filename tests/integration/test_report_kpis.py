"""On a seeded two-year history of 1,100 cases, every figure of the period report equals the figure
counted here straight from the generator's own record of what happened (not from the store)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

import pytest

from reviewkit.services.report import period_report
from tests.history import Truth, TruthVisit, generate

PERIODS = [
    (date(2023, 1, 1), date(2023, 6, 30)),
    (date(2022, 1, 1), date(2022, 12, 31)),
    (date(2023, 7, 1), date(2023, 12, 31)),
    (date(2022, 3, 15), date(2023, 9, 14)),
]
REVIEW_STAGE = "legality_review"  # both generated kinds call their legality stage so


def _inn(d: date | None, start: date, end: date) -> bool:
    return d is not None and start <= d <= end


def _left(v: TruthVisit, end: date) -> date | None:
    return v.left if v.left is not None and v.left <= end else None


def expected(truth: Truth, start: date, end: date) -> dict[str, Any]:
    cases = truth.cases
    issued = sorted(
        (c for c in cases if c.kind == "normative_document" and _inn(c.published, start, end)),
        key=lambda c: (c.published, c.number),
    )
    reviewed = [
        c.number
        for c in issued
        if any(
            v.stage == REVIEW_STAGE and v.outcome == "pass" and v.left and v.left <= c.published  # type: ignore[operator]
            for v in c.visits
        )
    ]
    due, filed, timely, pending = [], [], [], []
    for c in issued:
        first = next(v for v in c.visits if v.stage == "filing")
        submitted = _left(first, end)
        if submitted or (first.due and first.due <= end):
            due.append(c.number)
            if submitted:
                filed.append(c.number)
                if first.due and submitted <= first.due:
                    timely.append(c.number)
        else:
            pending.append(c.number)
    received: Counter[str] = Counter()
    concluded: Counter[str] = Counter()
    within: Counter[str] = Counter()
    open_reviews: Counter[str] = Counter()
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    counsel: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    returns: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    late: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for c in cases:
        for v in c.visits:
            if v.entered > end:
                continue
            left = _left(v, end)
            if v.stage == REVIEW_STAGE:
                received[c.kind] += _inn(v.entered, start, end)
                if left is None:
                    open_reviews[c.kind] += 1
                elif _inn(left, start, end):
                    concluded[c.kind] += 1
                    within[c.kind] += bool(v.due is None or left <= v.due)
                    labels[c.kind][v.decision or ""] += 1
                    row = counsel[v.actor or ""]
                    row[0] += 1
                    row[{"pass": 1, "revise": 2, "reject": 3}[v.outcome or "pass"]] += 1
                    row[4] += bool(v.due is None or left <= v.due)
                    row[5] += v.working_days
            if v.outcome == "revise" and _inn(left, start, end):
                returns[f"{c.kind}/{v.stage}/{v.decision}"] += 1
                reasons[v.opinion] += 1
            if v.due is not None:
                if left is not None and _inn(left, start, end) and left > v.due:
                    late[(c.kind, v.stage)][0] += 1
                elif left is None and v.due < end:
                    late[(c.kind, v.stage)][1] += 1
    findings = [f for c in cases for f in c.findings if _inn(f[2], start, end)]
    return {
        "issued": [c.number for c in issued],
        "issued_reviewed": reviewed,
        "filing_due": due,
        "filed": filed,
        "filed_on_time": timely,
        "filing_pending_in_limit": pending,
        "cases_started": dict(Counter(c.kind for c in cases if _inn(c.created, start, end))),
        "reviews_received": {k: n for k, n in received.items() if n},
        "reviews_concluded": dict(concluded),
        "reviews_within_limit": {k: within[k] for k in concluded},
        "reviews_pending": dict(open_reviews),
        "review_outcomes": {k: dict(v) for k, v in labels.items()},
        "returns_by_decision": dict(returns),
        "returns_by_reason": dict(reasons),
        "returns_total": sum(returns.values()),
        "findings_by_category": dict(Counter(f[0] for f in findings)),
        "findings_by_severity": dict(Counter(f[1] for f in findings)),
        "counsel": {a: r for a, r in counsel.items()},
        "overdue_by_stage": {k: v for k, v in late.items()},
    }


def _rate(r: dict[str, Any], num: int, den: int) -> None:
    assert (r["numerator"], r["denominator"]) == (num, den)
    assert r["percent"] == (None if den == 0 else round(100.0 * num / den, 1))


@pytest.fixture
def history(db_url: str) -> Truth:
    truth = generate(1100)
    assert len(truth.cases) >= 1000
    assert (
        min(c.created for c in truth.cases).year == 2022 and max(c.created for c in truth.cases).year == 2023
    )
    return truth


def test_every_kpi_equals_the_independent_count(history: Truth) -> None:
    _check_not_trivial(history)
    for start, end in PERIODS:
        got = period_report(start, end).figures
        want = expected(history, start, end)
        for key in (
            "issued",
            "issued_reviewed",
            "filing_due",
            "filed",
            "filed_on_time",
            "filing_pending_in_limit",
            "returns_total",
        ):
            assert got[key] == want[key], (start, key)
        for key in (
            "cases_started",
            "reviews_received",
            "reviews_concluded",
            "reviews_within_limit",
            "reviews_pending",
            "review_outcomes",
            "returns_by_decision",
            "returns_by_reason",
            "findings_by_category",
            "findings_by_severity",
        ):
            assert _nonzero(got[key]) == _nonzero(want[key]), (start, key)
        _rate(got["review_rate"], len(want["issued_reviewed"]), len(want["issued"]))
        _rate(got["filing_rate"], len(want["filed"]), len(want["filing_due"]))
        _rate(got["timely_rate"], len(want["filed_on_time"]), len(want["filing_due"]))
        _rate(
            got["within_limit_rate"],
            sum(want["reviews_within_limit"].values()),
            sum(want["reviews_concluded"].values()),
        )
        assert {
            c["actor"]: [
                c["reviews"],
                c["passed"],
                c["revised"],
                c["rejected"],
                c["within_limit"],
                c["working_days"],
            ]
            for c in got["counsel"]
        } == want["counsel"]
        assert {
            (r["kind"], r["stage"]): [r["finished_late"], r["open_overdue"]] for r in got["overdue_by_stage"]
        } == want["overdue_by_stage"]


def _check_not_trivial(history: Truth) -> None:
    """The seeded history exercises every figure: late filings, late reviews, returns, open work."""
    want = expected(history, date(2023, 1, 1), date(2023, 6, 30))
    assert len(want["issued"]) > 100
    assert 0 < len(want["filed_on_time"]) < len(want["filing_due"])
    assert want["returns_total"] > 50 and len(want["returns_by_reason"]) >= 5
    assert sum(want["reviews_within_limit"].values()) < sum(want["reviews_concluded"].values())
    assert any(v[1] for v in want["overdue_by_stage"].values())
    assert len(want["counsel"]) == 3


def _nonzero(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (_nonzero(v) if isinstance(v, dict) else v) for k, v in d.items() if v}
