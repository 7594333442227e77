"""The period figures of the practice (有件必审、有案必备、有备必报), computed from plain records. Pure.

Every figure is taken *as of the last day of the period*: what happened after it is ignored, so a
report for 2023 上半年 reads the same whatever day it is printed. Dates are local calendar days.

Definitions (README「报告」 explains them to users):
- 印发 (issued): a normative-document case whose publication day falls in the period.
- 审核率: issued documents whose legality review passed (a 合法 opinion left the review stage on or
  before publication) / issued documents.
- 应报备: issued documents that were submitted for filing by the period's end, or whose 30-day filing
  limit fell within the period. 报备率 = submitted / 应报备; 及时率 = submitted on or before the
  limit / 应报备. A submission is the first decision at the filing stage (已报备, or 备案机关要求补正:
  the filing body had it). Documents still inside their limit and not yet submitted are listed apart.
- Legality reviews (件次): visits of a kind's legality stage. Concluded in the period = left in it;
  within the statutory limit = left on or before the visit's due day.
- Returns: decisions with outcome ``revise`` taken in the period, by stage, label and opinion.
- Findings: pre-review findings of versions pre-reviewed in the period, by category.
- Overdue by stage: visits finished late in the period, and visits still open past due at its end.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

NORMATIVE = "normative_document"


@dataclass(frozen=True)
class Visit:
    """One entry of a case into a stage."""

    case_id: int
    kind: str
    stage: str
    round: int
    entered_on: date
    left_on: date | None
    due_on: date | None
    decision: str | None = None  # the label that left the stage
    outcome: str | None = None  # pass / revise / reject
    actor: str | None = None
    opinion: str = ""


@dataclass(frozen=True)
class CaseRecord:
    id: int
    number: str
    kind: str
    title: str
    created_on: date
    published_on: date | None = None
    doc_number: str | None = None


@dataclass(frozen=True)
class FindingRecord:
    case_id: int
    category: str
    severity: str
    on: date


@dataclass(frozen=True)
class History:
    cases: tuple[CaseRecord, ...]
    visits: tuple[Visit, ...]
    findings: tuple[FindingRecord, ...] = ()
    review_stage: dict[str, str] = field(default_factory=dict)  # kind → its legality stage id
    filing_stage: str = "filing"


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return None if self.denominator == 0 else round(100.0 * self.numerator / self.denominator, 1)

    def label(self) -> str:
        p = self.percent
        if p is None:
            return "—"
        return f"{p:.0f}%" if float(p).is_integer() else f"{p:.1f}%"


@dataclass(frozen=True)
class CounselLoad:
    actor: str
    reviews: int
    passed: int
    revised: int
    rejected: int
    within_limit: int
    working_days: int  # total working days from entry to conclusion

    @property
    def average_days(self) -> float:
        return round(self.working_days / self.reviews, 1) if self.reviews else 0.0


@dataclass(frozen=True)
class StageOverdue:
    kind: str
    stage: str
    finished_late: int
    open_overdue: int


@dataclass
class PeriodFigures:
    start: date
    end: date
    cases_started: dict[str, int]
    issued: list[str]  # case numbers
    issued_reviewed: list[str]
    review_rate: Ratio
    filing_due: list[str]
    filed: list[str]
    filed_on_time: list[str]
    filing_pending_in_limit: list[str]
    filing_rate: Ratio
    timely_rate: Ratio
    reviews_received: dict[str, int]
    reviews_concluded: dict[str, int]
    reviews_within_limit: dict[str, int]
    reviews_pending: dict[str, int]
    review_outcomes: dict[str, dict[str, int]]  # kind → decision label → count
    within_limit_rate: Ratio
    returns_by_decision: dict[str, int]  # "kind/stage/decision" → count
    returns_by_reason: dict[str, int]
    returns_total: int
    findings_by_category: dict[str, int]
    findings_by_severity: dict[str, int]
    counsel: list[CounselLoad]
    overdue_by_stage: list[StageOverdue]


def _in(d: date | None, start: date, end: date) -> bool:
    return d is not None and start <= d <= end


def as_of(visit: Visit, end: date) -> Visit | None:
    """The visit as it stood at the end of ``end``: unknown if not yet entered, open if left later."""
    if visit.entered_on > end:
        return None
    if visit.left_on is not None and visit.left_on > end:
        return Visit(
            visit.case_id, visit.kind, visit.stage, visit.round, visit.entered_on, None, visit.due_on
        )
    return visit


def compute(
    history: History, start: date, end: date, working_days: Callable[[date, date], int]
) -> PeriodFigures:
    """All figures of ``[start, end]``; ``working_days(a, b)`` counts working days in (a, b]."""
    visits = [v for v in (as_of(v, end) for v in history.visits) if v is not None]
    {c.id: c for c in history.cases}
    by_case: dict[int, list[Visit]] = defaultdict(list)
    for v in visits:
        by_case[v.case_id].append(v)

    started = Counter(c.kind for c in history.cases if _in(c.created_on, start, end))
    issued = sorted(
        (c for c in history.cases if c.kind == NORMATIVE and _in(c.published_on, start, end)),
        key=lambda c: (c.published_on, c.id),
    )
    review_stage = history.review_stage.get(NORMATIVE, "legality_review")
    reviewed = [
        c.number
        for c in issued
        if any(
            v.stage == review_stage
            and v.outcome == "pass"
            and v.left_on is not None
            and c.published_on is not None
            and v.left_on <= c.published_on
            for v in by_case[c.id]
        )
    ]

    filing_due, filed, on_time, pending = [], [], [], []
    for c in issued:
        filing = sorted(
            (v for v in by_case[c.id] if v.stage == history.filing_stage), key=lambda v: v.entered_on
        )
        if not filing:
            continue
        first = filing[0]
        submitted = first.left_on
        if submitted is not None or (first.due_on is not None and first.due_on <= end):
            filing_due.append(c.number)
            if submitted is not None:
                filed.append(c.number)
                if first.due_on is not None and submitted <= first.due_on:
                    on_time.append(c.number)
        else:
            pending.append(c.number)

    received: Counter[str] = Counter()
    concluded: Counter[str] = Counter()
    within: Counter[str] = Counter()
    pending_reviews: Counter[str] = Counter()
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    loads: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for v in visits:
        if v.stage != history.review_stage.get(v.kind):
            continue
        if _in(v.entered_on, start, end):
            received[v.kind] += 1
        if v.left_on is None:
            pending_reviews[v.kind] += 1
            continue
        if not _in(v.left_on, start, end):
            continue
        concluded[v.kind] += 1
        ok = v.due_on is None or v.left_on <= v.due_on
        within[v.kind] += ok
        outcomes[v.kind][v.decision or ""] += 1
        load = loads[v.actor or ""]
        load[0] += 1
        load[{"pass": 1, "revise": 2, "reject": 3}.get(v.outcome or "", 1)] += 1
        load[4] += ok
        load[5] += working_days(v.entered_on, v.left_on)

    returns: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for v in visits:
        if v.outcome == "revise" and _in(v.left_on, start, end):
            returns[f"{v.kind}/{v.stage}/{v.decision}"] += 1
            reasons[v.opinion.strip() or "（未写明理由）"] += 1

    findings = [f for f in history.findings if _in(f.on, start, end)]
    overdue: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for v in visits:
        if v.due_on is None:
            continue
        if v.left_on is not None and _in(v.left_on, start, end) and v.left_on > v.due_on:
            overdue[(v.kind, v.stage)][0] += 1
        elif v.left_on is None and v.due_on < end:
            overdue[(v.kind, v.stage)][1] += 1

    all_concluded = sum(concluded.values())
    return PeriodFigures(
        start=start,
        end=end,
        cases_started=dict(sorted(started.items())),
        issued=[c.number for c in issued],
        issued_reviewed=reviewed,
        review_rate=Ratio(len(reviewed), len(issued)),
        filing_due=filing_due,
        filed=filed,
        filed_on_time=on_time,
        filing_pending_in_limit=pending,
        filing_rate=Ratio(len(filed), len(filing_due)),
        timely_rate=Ratio(len(on_time), len(filing_due)),
        reviews_received=dict(sorted(received.items())),
        reviews_concluded=dict(sorted(concluded.items())),
        reviews_within_limit=dict(sorted(within.items())),
        reviews_pending=dict(sorted(pending_reviews.items())),
        review_outcomes={k: dict(c.most_common()) for k, c in sorted(outcomes.items())},
        within_limit_rate=Ratio(sum(within.values()), all_concluded),
        returns_by_decision=dict(returns.most_common()),
        returns_by_reason=dict(reasons.most_common()),
        returns_total=sum(returns.values()),
        findings_by_category=dict(Counter(f.category for f in findings).most_common()),
        findings_by_severity=dict(Counter(f.severity for f in findings).most_common()),
        counsel=sorted(
            (CounselLoad(a, *vals) for a, vals in loads.items()), key=lambda c: (-c.reviews, c.actor)
        ),
        overdue_by_stage=[StageOverdue(k, s, a, b) for (k, s), (a, b) in sorted(overdue.items())],
    )


def top(counts: dict[str, int], n: int) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def share(part: int, whole: int) -> str:
    return Ratio(part, whole).label()


def names(items: Iterable[str], lookup: dict[str, str]) -> list[str]:
    return [lookup.get(i, i) for i in items]
