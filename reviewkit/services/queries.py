"""Read-only views of cases for the CLI, the flow's artifacts and reports. No prefect import here.

``list_cases`` is the read path of ``reviewkit case list``: it must answer in a fraction of a second
over 10,000 cases (bench/case_list.py). Importing sqlmodel/SQLAlchemy and pydantic-settings alone
costs more than that, so it reads the ``cases`` table with the plain driver (stdlib ``sqlite3``, or
``psycopg``) and takes the display names from each distinct process snapshot with ``tomllib``. Any
surprise (no database yet, another schema revision, a driver error) falls back to the ORM path,
which migrates or explains. Module-level imports stay light for the same reason.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    from reviewkit.services.workflow import definition_of

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
    rows = _lean_list(status, kind, limit)
    return rows if rows is not None else _orm_list(status, kind, limit)


def _orm_list(status: str | None, kind: str | None, limit: int | None) -> list[CaseSummary]:
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


# The lean path runs only against a database at the code's own schema revision (anything else takes
# the ORM path, which migrates SQLite or explains what to run). That revision is the newest file in
# migrations/versions/ (``NNNN_name.py``): reading ``store.db.HEAD_REVISION`` would import SQLAlchemy;
# a test keeps the two equal.
def _head_revision() -> str | None:
    configured = os.environ.get("REVIEWKIT_MIGRATIONS_DIR")
    package = Path(__file__).resolve().parents[1]
    candidates = [Path(configured)] if configured else [package.parent / "migrations", package / "_bundled" / "migrations"]
    for directory in candidates:
        versions = directory / "versions"
        if versions.is_dir():
            ids = [p.name.split("_", 1)[0] for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py")]
            return max(ids) if ids else None
    return None


_LIST_COLUMNS = ("id, number, kind, process_fingerprint, title, drafting_unit, drafter, stage, round, status, "
                 "doc_number, created_at")


def _database_url() -> str:
    """``Settings.resolved_database_url`` without importing pydantic-settings (≈ 0.3 s): the same
    two environment variables, the same default (a test checks they agree)."""
    url = os.environ.get("REVIEWKIT_DATABASE_URL")
    if url:
        return url
    home = Path(os.environ.get("REVIEWKIT_HOME") or "var")
    return f"sqlite:///{(home / 'reviewkit.db').resolve()}"


def _lean_list(status: str | None, kind: str | None, limit: int | None) -> list[CaseSummary] | None:
    url = _database_url()
    where, args = [], []
    if status:
        where.append("status = ?")
        args.append(status)
    if kind:
        where.append("kind = ?")
        args.append(kind)
    sql = f"SELECT {_LIST_COLUMNS} FROM cases"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    snapshots_sql = ("SELECT process_fingerprint, process_snapshot FROM cases "
                     "WHERE id IN (SELECT MIN(id) FROM cases GROUP BY process_fingerprint)")
    try:
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            fetched = _sqlite_fetch(Path(url.removeprefix("sqlite:///")), sql, args, snapshots_sql)
        elif url.split("://", 1)[0] in {"postgresql", "postgres", "postgresql+psycopg"}:
            fetched = _pg_fetch("postgresql://" + url.split("://", 1)[1], sql.replace("?", "%s"), args, snapshots_sql)
        else:
            return None
        if fetched is None:
            return None
        rows, snapshots = fetched
        names = {fp: _names(text) for fp, text in snapshots}
        return [_summary(row, names[row[3]]) for row in rows]
    except Exception:  # noqa: BLE001 - any surprise: the ORM path decides (and explains)
        return None


def _sqlite_fetch(path: Path, sql: str, args: list[Any], snapshots_sql: str) -> tuple[list[Any], list[Any]] | None:
    import sqlite3

    if not path.is_file():
        return None  # a fresh machine: the ORM path creates and migrates the database
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision is None or revision[0] != _head_revision():
            return None
        rows = conn.execute(sql, args).fetchall()
        return rows, conn.execute(snapshots_sql).fetchall()
    finally:
        conn.close()


def _pg_fetch(dsn: str, sql: str, args: list[Any], snapshots_sql: str) -> tuple[list[Any], list[Any]] | None:
    import psycopg

    with psycopg.connect(dsn, connect_timeout=10) as conn:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision is None or revision[0] != _head_revision():
            return None
        rows = conn.execute(sql, args).fetchall()
        return rows, conn.execute(snapshots_sql).fetchall()


def _names(snapshot: str) -> tuple[str, dict[str, str]]:
    """The process name and stage names of a stored snapshot (validated when the case was started)."""
    raw = tomllib.loads(snapshot)
    return str(raw["name"]), {str(s["id"]): str(s["name"]) for s in raw["stages"]}


def _summary(row: Any, names: tuple[str, dict[str, str]]) -> CaseSummary:
    case_id, number, kind, _fp, title, unit, drafter, stage, round_, status, doc_number, created = row
    # As sqlmodel's UTCDateTime reads it: UTC, "+00:00" (SQLite keeps the text "2026-11-28 07:26:33.123456").
    if isinstance(created, str):
        if len(created) in (19, 26) and created[10] == " ":
            created_iso = created[:10] + "T" + created[11:19] + "+00:00"
        else:
            created = datetime.fromisoformat(created)
    if not isinstance(created, str):
        created = created.replace(tzinfo=UTC) if created.utcoffset() is None else created.astimezone(UTC)
        created_iso = created.isoformat(timespec="seconds")
    return CaseSummary(
        id=case_id, number=number, kind=kind, kind_name=names[0], title=title, drafting_unit=unit, drafter=drafter,
        stage=stage, stage_name=names[1][stage], round=round_, status=status, doc_number=doc_number,
        created_at=created_iso,
    )


def case_detail(ref: str | int) -> CaseDetail:
    from reviewkit.services.cases import get_case
    from reviewkit.store.db import require_schema, session_scope

    require_schema()
    with session_scope() as session:
        return _detail(session, get_case(session, ref))


def _detail(session: Session, case: Case) -> CaseDetail:
    from sqlmodel import col, select

    from reviewkit.services.workflow import definition_of
    from reviewkit.store.models import Decision, DocumentVersion, Finding, HumanTask, StageEntry, User

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
    rows = session.exec(select(DocumentVersion).where(DocumentVersion.case_id == case.id)
                        .order_by(col(DocumentVersion.seq))).all()
    versions = [
        {"seq": v.seq, "filename": v.filename, "sha256": v.sha256, "size": v.size, "submitted_by": v.submitted_by,
         "note": v.note, "created_at": v.created_at.isoformat(timespec="seconds")}
        for v in rows
    ]
    seq_of = {v.id: v.seq for v in rows}
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


SEVERITY_WORDS = {"error": "错误", "warning": "警告", "info": "提示"}


def progress_markdown(detail: CaseDetail) -> str:
    """The case's timeline and its latest version's pre-review findings, for the Prefect UI."""
    c = detail.case
    lines = [f"# {c.number} {c.title}", "",
             f"**{c.kind_name}** · 起草单位 {c.drafting_unit} · 当前环节 **{c.stage_name}**（第 {c.round} 轮）"
             f" · {STATUS_NAMES.get(c.status, c.status)}" + (f" · 文号 {c.doc_number}" if c.doc_number else ""), ""]
    for t in detail.open_tasks:
        lines.append(f"> 待办：{t['stage_name']}，期限 {t['due_on'] or '无'}；在 reviewkit 中 `reviewkit decide`，"
                     "或在本页右上角 ⋮ → Resume 填写（须一次性审批码）")
    lines += ["", "## 办理过程", "", "| 环节 | 轮次 | 决定 | 决定人 | 完成时间（UTC） | 期限 |", "|---|---|---|---|---|---|"]
    for r in detail.timeline:
        lines.append(f"| {r.stage_name} | {r.round} | {r.outcome or ''} | {r.actor_name or ''} | "
                     f"{(r.left_at or '办理中')[:19].replace('T', ' ')} | {r.due_on or ''} |")
    latest = max((v["seq"] for v in detail.versions), default=0)
    current = [f for f in detail.findings if f["version_seq"] == latest]
    lines += ["", f"## 预审发现（第 {latest} 稿，{len(current)} 项）", ""]
    if current:
        lines += ["| 级别 | 规则 | 段落 | 问题 | 依据 |", "|---|---|---|---|---|"]
        for f in current:
            cells = [SEVERITY_WORDS.get(f["severity"], f["severity"]), f["rule_id"],
                     "" if f["paragraph"] is None else str(f["paragraph"]), f["message"], f["basis"]]
            lines.append("| " + " | ".join(str(x).replace("|", "／").replace("\n", " ") for x in cells) + " |")
    else:
        lines.append("（无）")
    return "\n".join(lines)
