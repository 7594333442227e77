"""The period figures on small hand-made histories (pure: no store, no Prefect)."""

from __future__ import annotations

from datetime import date, timedelta

from reviewkit.domain.kpi import CaseRecord, FindingRecord, History, Ratio, Visit, compute

D = date(2023, 3, 1)


def _days(a: date, b: date) -> int:  # every day a working day, for hand counting
    return (b - a).days


def _case(i: int, published: date | None) -> CaseRecord:
    return CaseRecord(i, f"RK-{i}", "normative_document", "办法", D - timedelta(days=60), published)


def _history() -> History:
    pub1, pub2, pub3 = D, D + timedelta(days=10), date(2023, 6, 20)
    visits = [
        Visit(
            1,
            "normative_document",
            "legality_review",
            1,
            D - timedelta(days=20),
            D - timedelta(days=5),
            D - timedelta(days=6),
            "合法",
            "pass",
            "c1",
        ),  # one day late
        Visit(
            1,
            "normative_document",
            "filing",
            1,
            pub1,
            pub1 + timedelta(days=10),
            pub1 + timedelta(days=30),
            "已报备",
            "pass",
            "k1",
        ),
        Visit(
            2,
            "normative_document",
            "legality_review",
            1,
            D - timedelta(days=30),
            D - timedelta(days=20),
            D - timedelta(days=10),
            "应当予以修改",
            "revise",
            "c1",
            "引用已废止的法律",
        ),
        Visit(
            2,
            "normative_document",
            "legality_review",
            2,
            D - timedelta(days=10),
            D - timedelta(days=2),
            D,
            "合法",
            "pass",
            "c2",
        ),
        Visit(
            2,
            "normative_document",
            "filing",
            2,
            pub2,
            pub2 + timedelta(days=40),
            pub2 + timedelta(days=30),
            "已报备",
            "pass",
            "k1",
        ),  # late
        Visit(
            3,
            "normative_document",
            "legality_review",
            1,
            date(2023, 6, 1),
            date(2023, 6, 10),
            date(2023, 6, 20),
            "合法",
            "pass",
            "c2",
        ),
        Visit(
            3, "normative_document", "filing", 1, pub3, None, pub3 + timedelta(days=30)
        ),  # still in its limit
        Visit(
            4, "normative_document", "legality_review", 1, date(2023, 6, 1), None, date(2023, 6, 10)
        ),  # open, late
    ]
    return History(
        cases=(_case(1, pub1), _case(2, pub2), _case(3, pub3), _case(4, None)),
        visits=tuple(visits),
        findings=(FindingRecord(1, "permit", "error", D), FindingRecord(2, "form", "info", date(2022, 1, 1))),
        review_stage={"normative_document": "legality_review"},
    )


def test_rates_and_counts_of_a_half_year() -> None:
    f = compute(_history(), date(2023, 1, 1), date(2023, 6, 30), _days)
    assert f.issued == ["RK-1", "RK-2", "RK-3"] and f.review_rate == Ratio(3, 3)
    assert f.filing_due == ["RK-1", "RK-2"] and f.filing_pending_in_limit == ["RK-3"]
    assert f.filing_rate == Ratio(2, 2) and f.timely_rate == Ratio(1, 2)
    assert f.reviews_concluded == {"normative_document": 4} and f.reviews_within_limit == {
        "normative_document": 3
    }
    assert f.reviews_pending == {"normative_document": 1}
    assert f.returns_by_reason == {"引用已废止的法律": 1}
    assert f.findings_by_category == {"permit": 1}
    assert {c.actor: (c.reviews, c.revised, c.working_days) for c in f.counsel} == {
        "c1": (2, 1, 25),
        "c2": (2, 0, 17),
    }
    late = {(o.stage): (o.finished_late, o.open_overdue) for o in f.overdue_by_stage}
    assert late == {"legality_review": (1, 1), "filing": (1, 0)}


def test_figures_are_taken_as_of_the_period_end() -> None:
    """A filing made after the period's end does not count; the filing is then pending or overdue."""
    f = compute(_history(), date(2023, 1, 1), date(2023, 3, 5), _days)
    assert f.issued == ["RK-1"] and f.filing_pending_in_limit == ["RK-1"] and f.filing_rate == Ratio(0, 0)
    assert f.filing_rate.label() == "—"
    assert Ratio(2, 3).label() == "66.7%" and Ratio(1, 1).label() == "100%"
