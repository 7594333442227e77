"""The period report: read the store into plain records, compute the figures (``domain.kpi``), name
everything in Chinese, and hand the result to the JSON, text and docx renderers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from reviewkit.domain import kpi
from reviewkit.domain.calendar import WorkCalendar
from reviewkit.domain.deadlines import local_date
from reviewkit.domain.process import ProcessDefinition, parse_definition
from reviewkit.errors import InvalidInput
from reviewkit.rules.model import CATEGORY_LABELS, SEVERITY_LABELS
from reviewkit.services.deadlines import work_calendar
from reviewkit.services.enforcement import certified_count
from reviewkit.settings import get_settings
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import Case, Decision, DocumentVersion, Finding, StageEntry, User

REVIEW_STAGE_WORDS = ("合法性审", "法制审核")


@dataclass
class PeriodReport:
    start: str
    end: str
    issuer: str
    figures: dict[str, Any]
    kind_names: dict[str, str]
    stage_names: dict[str, str]
    people: dict[str, str]
    category_names: dict[str, str] = field(default_factory=lambda: dict(CATEGORY_LABELS))
    severity_names: dict[str, str] = field(default_factory=lambda: dict(SEVERITY_LABELS))
    review_limits: dict[str, str] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def review_stage_of(definition: ProcessDefinition) -> str | None:
    for stage in definition.stages:
        if stage.kind == "human" and any(w in stage.name for w in REVIEW_STAGE_WORDS):
            return stage.id
    return None


def load_history() -> tuple[kpi.History, dict[str, ProcessDefinition]]:
    """Every case, stage visit and finding, as plain records (local dates). Columns, not ORM objects:
    a two-year history of a busy office is tens of thousands of rows."""
    tz = get_settings().timezone
    definitions: dict[str, ProcessDefinition] = {}
    with session_scope() as session:
        run = session.connection().execute
        snapshots = {
            fp: text for fp, text in run(select(Case.process_fingerprint, Case.process_snapshot).distinct())
        }
        for fp, text in snapshots.items():
            definitions[fp] = parse_definition(text, "案件的流程快照")
        cases = run(
            select(
                Case.id,
                Case.number,
                Case.kind,
                Case.title,
                Case.created_at,
                Case.published_on,  # type: ignore[call-overload]
                Case.doc_number,
                Case.process_fingerprint,
            ).order_by(col(Case.id))
        ).all()
        kind_of = {c.id: (c.kind, c.process_fingerprint) for c in cases}
        opinions: dict[tuple[int, str, int, str], str] = {}
        for d in run(
            select(Decision.case_id, Decision.stage, Decision.round, Decision.decision, Decision.opinion)  # type: ignore[call-overload]
            .where(col(Decision.signature_only).is_(False))
            .order_by(col(Decision.id))
        ):
            opinions[(d.case_id, d.stage, d.round, d.decision)] = d.opinion
        outcome_of = {
            fp: {(s.id, x.label): x.outcome for s in d.stages for x in s.decisions}
            for fp, d in definitions.items()
        }
        visits = []
        for e in run(
            select(
                StageEntry.case_id,
                StageEntry.stage,
                StageEntry.round,
                StageEntry.entered_at,  # type: ignore[call-overload]
                StageEntry.left_at,
                StageEntry.due_on,
                StageEntry.outcome,
                StageEntry.actor,
            ).order_by(col(StageEntry.id))
        ):
            kind, fp = kind_of[e.case_id]
            outcome = outcome_of[fp].get((e.stage, e.outcome), "pass") if e.outcome and e.left_at else None
            visits.append(
                kpi.Visit(
                    case_id=e.case_id,
                    kind=kind,
                    stage=e.stage,
                    round=e.round,
                    entered_on=local_date(e.entered_at, tz),
                    left_on=local_date(e.left_at, tz) if e.left_at else None,
                    due_on=e.due_on,
                    decision=e.outcome,
                    outcome=outcome,
                    actor=e.actor,
                    opinion=opinions.get((e.case_id, e.stage, e.round, e.outcome or ""), ""),
                )
            )
        stamp = {
            v.id: v.prereviewed_at or v.created_at
            for v in run(
                select(DocumentVersion.id, DocumentVersion.prereviewed_at, DocumentVersion.created_at)
            )
        }
        findings = tuple(
            kpi.FindingRecord(f.case_id, f.category, f.severity, local_date(stamp[f.version_id], tz))
            for f in run(select(Finding.case_id, Finding.category, Finding.severity, Finding.version_id))
        )
    records = tuple(
        kpi.CaseRecord(
            id=c.id,
            number=c.number,
            kind=c.kind,
            title=c.title,
            created_on=local_date(c.created_at, tz),
            published_on=c.published_on,
            doc_number=c.doc_number,
        )
        for c in cases
    )
    by_kind = {d.kind: d for d in definitions.values()}
    review = {k: s for k, d in by_kind.items() if (s := review_stage_of(d)) is not None}
    return kpi.History(cases=records, visits=tuple(visits), findings=findings, review_stage=review), by_kind


def memo_working_days(cal: WorkCalendar) -> Callable[[date, date], int]:
    """``working_days_between`` with each day looked up once (reports count thousands of spans)."""
    is_workday = lru_cache(maxsize=None)(cal.is_workday)

    def between(a: date, b: date) -> int:
        if b < a:
            return -between(b, a)
        return sum(1 for i in range(1, (b - a).days + 1) if is_workday(a + timedelta(days=i)))

    return between


def _names() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    from reviewkit.domain.process import load_definition_file

    kinds: dict[str, str] = {}
    stages: dict[str, str] = {}
    limits: dict[str, str] = {}
    for path in sorted((get_settings().templates_dir / "processes").glob("*.toml")):
        d = load_definition_file(path)
        kinds[d.kind] = d.name
        for s in d.stages:
            stages[f"{d.kind}/{s.id}"] = s.name
        stage = review_stage_of(d)
        if stage and d.stage(stage).deadline:
            dl = d.stage(stage).deadline
            assert dl is not None
            limits[d.kind] = f"{dl.days}个{'工作日' if dl.unit == 'working' else '日'}"
    with session_scope() as session:
        people = {u.username: u.display_name for u in session.exec(select(User)).all()}
    return kinds, stages, limits, {"system": "系统", **people}


def period_report(start: date, end: date) -> PeriodReport:
    if end < start:
        raise InvalidInput(f"报告期间有误：{start} 晚于 {end}")
    require_schema()
    history, _ = load_history()
    cal = work_calendar()
    figures = kpi.compute(history, start, end, memo_working_days(cal))
    kinds, stages, limits, people = _names()

    report = PeriodReport(
        start=start.isoformat(),
        end=end.isoformat(),
        issuer=get_settings().issuer_code,
        figures={**_figures_json(figures), "certified_officers": certified_count(end)},
        kind_names=kinds,
        stage_names=stages,
        people=people,
        review_limits=limits,
    )
    from reviewkit.documents.report_text import narrative

    report.text = narrative(report)
    if report.figures["certified_officers"]:  # issue #11: enforcement personnel
        report.text.append(
            f"截至{end.year}年{end.month}月{end.day}日，本单位持有效执法证的行政执法人员"
            f"{report.figures['certified_officers']}人。"
        )
    return report


def _figures_json(f: kpi.PeriodFigures) -> dict[str, Any]:
    out = asdict(f)
    out["start"], out["end"] = f.start.isoformat(), f.end.isoformat()
    for name in ("review_rate", "filing_rate", "timely_rate", "within_limit_rate"):
        ratio: kpi.Ratio = getattr(f, name)
        out[name] = {
            "numerator": ratio.numerator,
            "denominator": ratio.denominator,
            "percent": ratio.percent,
            "label": ratio.label(),
        }
    out["counsel"] = [{**asdict(c), "average_days": c.average_days} for c in f.counsel]
    return out


def write_docx(report: PeriodReport, dest: Path) -> Path:
    from reviewkit.documents.report_docx import render_report

    if dest.suffix.lower() != ".docx":
        raise InvalidInput(f"报告文件《{dest.name}》应当是 .docx 文件")
    return render_report(report, dest)
