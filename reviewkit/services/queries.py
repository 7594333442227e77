"""Read-only views of cases for the CLI, the flow's artifacts and reports. No prefect import here.

``list_cases`` is the read path of ``reviewkit case list``: it takes the lean path
(``services.case_rows``: the plain driver, no ORM, 10,000 cases in a fraction of a second) and falls
back to ``orm_list`` on any surprise (no database yet, another schema revision, a driver error), which
migrates or explains. ``case list --json`` does not import this module at all (``cli.fast`` reads
``case_rows`` and comes here only to fall back), so its services imports are at the top like any other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from reviewkit.services.case_rows import lean_rows
from reviewkit.services.kernel import definition_of, get_case
from reviewkit.settings import get_settings

if TYPE_CHECKING:
    from sqlmodel import Session

    from reviewkit.domain.process import ProcessDefinition
    from reviewkit.store.models import Case

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
        id=case.id,
        number=case.number,
        kind=case.kind,
        kind_name=definition.name,
        title=case.title,
        drafting_unit=case.drafting_unit,
        drafter=case.drafter,
        stage=case.stage,
        stage_name=definition.stage(case.stage).name,
        round=case.round,
        status=case.status,
        doc_number=case.doc_number,
        created_at=case.created_at.isoformat(timespec="seconds"),
    )


def list_cases(
    *, status: str | None = None, kind: str | None = None, limit: int | None = None
) -> list[CaseSummary]:
    rows = _lean_list(status, kind, limit)
    return rows if rows is not None else orm_list(status, kind, limit)


def orm_list(status: str | None, kind: str | None, limit: int | None) -> list[CaseSummary]:
    from sqlmodel import col, select

    from reviewkit.store.db import require_schema, session_scope
    from reviewkit.store.models import Case

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


def _lean_list(status: str | None, kind: str | None, limit: int | None) -> list[CaseSummary] | None:
    rows = lean_rows(status, kind, limit)
    return None if rows is None else [CaseSummary(**row) for row in rows]


def case_detail(ref: str | int) -> CaseDetail:
    from reviewkit.store.db import require_schema, session_scope

    require_schema()
    with session_scope() as session:
        return _detail(session, get_case(session, ref))


def _detail(session: Session, case: Case) -> CaseDetail:
    from sqlmodel import col, select

    from reviewkit.store.models import Decision, DocumentVersion, Finding, HumanTask, StageEntry, User

    definition = definition_of(case)
    names = {"system": "系统", **{u.username: u.display_name for u in session.exec(select(User)).all()}}
    decisions = {
        (d.stage, d.round): d for d in session.exec(select(Decision).where(Decision.case_id == case.id)).all()
    }
    timeline = []
    for e in session.exec(
        select(StageEntry).where(StageEntry.case_id == case.id).order_by(col(StageEntry.id))
    ).all():
        d = decisions.get((e.stage, e.round)) if e.left_at else None
        timeline.append(
            TimelineRow(
                stage=e.stage,
                stage_name=definition.stage(e.stage).name,
                round=e.round,
                entered_at=e.entered_at.isoformat(timespec="seconds"),
                left_at=_iso(e.left_at),
                due_on=_iso(e.due_on),
                due_complete=e.due_complete,
                outcome=e.outcome,
                actor=e.actor,
                actor_name=names.get(e.actor or "", e.actor),
                opinion=d.opinion if d else None,
                channel=d.channel if d else None,
            )
        )
    rows = session.exec(
        select(DocumentVersion).where(DocumentVersion.case_id == case.id).order_by(col(DocumentVersion.seq))
    ).all()
    versions = [
        {
            "seq": v.seq,
            "filename": v.filename,
            "sha256": v.sha256,
            "size": v.size,
            "submitted_by": v.submitted_by,
            "note": v.note,
            "created_at": v.created_at.isoformat(timespec="seconds"),
        }
        for v in rows
    ]
    seq_of = {v.id: v.seq for v in rows}
    findings = [
        {
            "version_seq": seq_of.get(f.version_id),
            "rule_id": f.rule_id,
            "category": f.category,
            "severity": f.severity,
            "paragraph": f.paragraph,
            "text": f.text,
            "message": f.message,
            "basis": f.basis,
            "suggestion": f.suggestion,
        }
        for f in session.exec(
            select(Finding).where(Finding.case_id == case.id).order_by(col(Finding.id))
        ).all()
    ]
    tasks = [
        {
            "id": t.id,
            "stage": t.stage,
            "stage_name": definition.stage(t.stage).name,
            "round": t.round,
            "candidate_roles": t.candidate_roles,
            "assignee": t.assignee,
            "due_on": _iso(t.due_on),
            "version_sha256": t.version_sha256,
        }
        for t in session.exec(
            select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.status == "open")
        ).all()
    ]
    return CaseDetail(
        case=summarize(case, definition),
        flags=list(case.flags),
        published_on=_iso(case.published_on),
        flow_run_id=case.flow_run_id,
        process_version=case.process_version,
        versions=versions,
        timeline=timeline,
        findings=findings,
        open_tasks=tasks,
    )


SEVERITY_WORDS = {"error": "错误", "warning": "警告", "info": "提示"}


def progress_markdown(detail: CaseDetail, refused: str = "") -> str:
    """The case's timeline and its latest version's pre-review findings, for the Prefect UI. Times are
    the office's (REVIEWKIT_TIMEZONE, Beijing time by default), as on the command line. ``refused``:
    why the last Resume at the open gate did not count, shown first."""
    tz_name = get_settings().timezone
    tz = ZoneInfo(tz_name)
    tz_label = "北京时间" if tz_name in ("Asia/Shanghai", "Asia/Chongqing", "PRC") else tz_name

    def local(iso: str | None) -> str:
        if not iso:
            return "办理中"
        moment = datetime.fromisoformat(iso)
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment  # the store keeps UTC
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")

    c = detail.case
    lines = [f"# {c.number} {c.title}", ""]
    if refused:
        lines += [f"> ⚠ **上一次在界面提交的决定未生效**：{refused}", ""]
    lines += [
        f"**{c.kind_name}** · 起草单位 {c.drafting_unit} · 当前环节 **{c.stage_name}**（第 {c.round} 轮）"
        f" · {STATUS_NAMES.get(c.status, c.status)}" + (f" · 文号 {c.doc_number}" if c.doc_number else ""),
        "",
    ]
    for t in detail.open_tasks:
        lines.append(
            f"> 待办：{t['stage_name']}，期限 {t['due_on'] or '无'}；在 reviewkit 中 `reviewkit decide`，"
            "或在本页右上角 ⋮ → Resume 填写（须一次性审批码）"
        )
    lines += [
        "",
        "## 办理过程",
        "",
        f"| 环节 | 轮次 | 决定 | 决定人 | 完成时间（{tz_label}） | 期限 |",
        "|---|---|---|---|---|---|",
    ]
    for r in detail.timeline:
        lines.append(
            f"| {r.stage_name} | {r.round} | {r.outcome or ''} | {r.actor_name or ''} | "
            f"{local(r.left_at)} | {r.due_on or ''} |"
        )
    latest = max((v["seq"] for v in detail.versions), default=0)
    current = [f for f in detail.findings if f["version_seq"] == latest]
    lines += ["", f"## 预审发现（第 {latest} 稿，{len(current)} 项）", ""]
    if current:
        lines += ["| 级别 | 规则 | 段落 | 问题 | 依据 |", "|---|---|---|---|---|"]
        for f in current:
            cells = [
                SEVERITY_WORDS.get(f["severity"], f["severity"]),
                f["rule_id"],
                "" if f["paragraph"] is None else str(f["paragraph"]),
                f["message"],
                f["basis"],
            ]
            lines.append(
                "| " + " | ".join(str(x).replace("|", "／").replace("\n", " ") for x in cells) + " |"
            )
    else:
        lines.append("（无）")
    return "\n".join(lines)
