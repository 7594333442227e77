"""Read-only views of cases for the CLI, the flow's artifacts and reports. No prefect import here."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from reviewkit.domain.process import ProcessDefinition
from reviewkit.services.cases import get_case
from reviewkit.services.workflow import definition_of
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import Case, Decision, DocumentVersion, Finding, HumanTask, StageEntry, User

STATUS_NAMES = {"open": "进行中", "closed": "已结束"}


@dataclass(frozen=True)
class CaseSummary:
    id: int
    number: str
    kind: str
    kind_name: str
    title: str
    drafting_unit: str
    drafter: str
    stage: str
    stage_name: str
    round: int
    status: str
    doc_number: str | None
    created_at: str


@dataclass(frozen=True)
class TimelineRow:
    stage: str
    stage_name: str
    round: int
    entered_at: str
    left_at: str | None
    due_on: str | None
    due_complete: bool
    outcome: str | None
    actor: str | None
    actor_name: str | None
    opinion: str | None
    channel: str | None


@dataclass(frozen=True)
class CaseDetail:
    case: CaseSummary
    flags: list[str]
    published_on: str | None
    flow_run_id: str | None
    process_version: int
    versions: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[TimelineRow] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    open_tasks: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def _kind_names(definition_cache: dict[str, ProcessDefinition], case: Case) -> ProcessDefinition:
    key = case.process_fingerprint
    if key not in definition_cache:
        definition_cache[key] = definition_of(case)
    return definition_cache[key]


def summarize(case: Case, definition: ProcessDefinition) -> CaseSummary:
    assert case.id is not None
    return CaseSummary(
        id=case.id, number=case.number, kind=case.kind, kind_name=definition.name, title=case.title,
        drafting_unit=case.drafting_unit, drafter=case.drafter, stage=case.stage,
        stage_name=definition.stage(case.stage).name, round=case.round, status=case.status,
        doc_number=case.doc_number, created_at=case.created_at.isoformat(timespec="seconds"),
    )


def list_cases(*, status: str | None = None, kind: str | None = None, limit: int | None = None) -> list[CaseSummary]:
    require_schema()
    cache: dict[str, ProcessDefinition] = {}
    with session_scope() as session:
        query = select(Case).order_by(col(Case.id).desc())
        if status:
            query = query.where(Case.status == status)
        if kind:
            query = query.where(Case.kind == kind)
        if limit:
            query = query.limit(limit)
        return [summarize(c, _kind_names(cache, c)) for c in session.exec(query).all()]


def case_detail(ref: str | int) -> CaseDetail:
    require_schema()
    with session_scope() as session:
        return _detail(session, get_case(session, ref))


def _detail(session: Session, case: Case) -> CaseDetail:
    definition = definition_of(case)
    names = {"system": "系统", **{u.username: u.display_name for u in session.exec(select(User)).all()}}
    decisions = {
        (d.stage, d.round): d for d in session.exec(select(Decision).where(Decision.case_id == case.id)).all()
    }
    timeline = []
    for e in session.exec(select(StageEntry).where(StageEntry.case_id == case.id).order_by(col(StageEntry.id))).all():
        d = decisions.get((e.stage, e.round)) if e.left_at else None
        timeline.append(TimelineRow(
            stage=e.stage, stage_name=definition.stage(e.stage).name, round=e.round,
            entered_at=e.entered_at.isoformat(timespec="seconds"), left_at=_iso(e.left_at),
            due_on=_iso(e.due_on), due_complete=e.due_complete, outcome=e.outcome, actor=e.actor,
            actor_name=names.get(e.actor or "", e.actor), opinion=d.opinion if d else None,
            channel=d.channel if d else None,
        ))
    versions = [
        {"seq": v.seq, "filename": v.filename, "sha256": v.sha256, "size": v.size, "submitted_by": v.submitted_by,
         "note": v.note, "created_at": v.created_at.isoformat(timespec="seconds")}
        for v in session.exec(select(DocumentVersion).where(DocumentVersion.case_id == case.id)
                              .order_by(col(DocumentVersion.seq))).all()
    ]
    seq_of = {v.id: v.seq for v in session.exec(select(DocumentVersion).where(DocumentVersion.case_id == case.id))}
    findings = [
        {"version_seq": seq_of.get(f.version_id), "rule_id": f.rule_id, "category": f.category,
         "severity": f.severity, "paragraph": f.paragraph, "text": f.text, "message": f.message, "basis": f.basis,
         "suggestion": f.suggestion}
        for f in session.exec(select(Finding).where(Finding.case_id == case.id).order_by(col(Finding.id))).all()
    ]
    tasks = [
        {"id": t.id, "stage": t.stage, "stage_name": definition.stage(t.stage).name, "round": t.round,
         "candidate_roles": t.candidate_roles, "assignee": t.assignee, "due_on": _iso(t.due_on),
         "version_sha256": t.version_sha256}
        for t in session.exec(select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.status == "open")).all()
    ]
    return CaseDetail(
        case=summarize(case, definition), flags=list(case.flags), published_on=_iso(case.published_on),
        flow_run_id=case.flow_run_id, process_version=case.process_version, versions=versions,
        timeline=timeline, findings=findings, open_tasks=tasks,
    )
