"""Starting cases, submitting versions, reading cases back."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from reviewkit.domain.process import ProcessDefinition, load_definition
from reviewkit.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from reviewkit.services import kernel, stages
from reviewkit.services.actors import Actor, IntakeClaim, acting, channel_of
from reviewkit.services.authz import authorize
from reviewkit.services.case_state import check_facts, domain_facts
from reviewkit.services.enforcement import OFFICERS_FACT, record_officers, records_officers, require_certified
from reviewkit.services.identity import consume_intake_code
from reviewkit.services.intake import read_draft
from reviewkit.services.kernel import get_case
from reviewkit.settings import get_settings
from reviewkit.store import audit, blobs
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import AuditEvent, Case, DocumentVersion, utcnow


@dataclass(frozen=True)
class NewCase:
    kind: str
    title: str
    drafting_unit: str
    drafter: str
    draft: Path
    flags: frozenset[str] = frozenset()
    facts: dict[str, str] = field(default_factory=dict)  # facts the definition declares (ISO dates)
    officers: tuple[str, ...] = ()  # handling enforcement officers, for kinds that record them


def start_case(new: NewCase, by: Actor | IntakeClaim, *, flow_run_id: str | None = None) -> Case:
    """Register a case from a .docx draft. Everything is checked before anything is written; a refused
    start is audited. ``by`` is the drafter, proved (``services.identity``), or an ``IntakeClaim`` from
    the Prefect run form whose one-time code is spent with the registration."""
    require_schema()
    title, unit = new.title.strip(), new.drafting_unit.strip()
    if not title:
        raise InvalidInput("标题不能为空")
    if not unit:
        raise InvalidInput("起草单位不能为空")
    settings = get_settings()
    definition = load_definition(new.kind, settings.templates_dir / "processes")
    unknown = sorted(new.flags - definition.flags.keys())
    if unknown:
        known = "、".join(f"{k}（{v}）" for k, v in definition.flags.items()) or "（无）"
        raise InvalidInput(f"{definition.name}流程没有案件标记：{'、'.join(unknown)}；可选：{known}")
    filename, data = read_draft(new.draft)  # validates before anything is written
    facts = _start_facts(definition, new)
    refused: dict[str, object] = {
        "title": title,
        "kind": definition.kind,
        "file": filename,
        "facts": facts,
        "drafter": new.drafter,
    }
    try:
        if isinstance(by, IntakeClaim):
            if by.username != new.drafter:
                raise PermissionDenied(f"送审登记码属于“{by.username}”，起草人须本人登记")
        else:
            with session_scope() as session:
                actor = acting(session, by)
            if actor.username != new.drafter:
                raise PermissionDenied(f"{actor.label}不能以“{new.drafter}”的名义登记案件，起草人须本人登记")
            authorize(actor, "case.start")
        _check_officers(definition, facts)
    except (PermissionDenied, NotFound, TransitionNotAllowed) as err:
        kernel.record_refusal(None, by, channel_of(by), "case.refused", str(err), refused)
        raise
    stored = blobs.put_bytes(settings.resolved_data_dir, data)
    try:
        with session_scope(write=True) as session:
            if isinstance(by, IntakeClaim):
                actor = _intake_actor(session, by)
            case = Case(
                number=_next_case_number(session),
                kind=definition.kind,
                process_version=definition.version,
                process_fingerprint=definition.fingerprint,
                process_snapshot=definition.source,
                title=title,
                drafting_unit=unit,
                drafter=actor.username,
                stage=definition.start,
                flags=sorted(new.flags),
                facts=facts,
                flow_run_id=flow_run_id,
            )
            session.add(case)
            session.flush()
            assert case.id is not None
            version = _add_version(session, case, filename, stored, actor, note="初稿")
            audit.append(
                session,
                action="case.created",
                actor=actor.username,
                role="drafter",
                channel=actor.channel,
                case_id=case.id,
                payload={
                    "number": case.number,
                    "kind": definition.kind,
                    "process_version": definition.version,
                    "process_fingerprint": definition.fingerprint,
                    "title": title,
                    "drafting_unit": unit,
                    "flags": sorted(new.flags),
                },
            )
            _audit_version(session, case, version, actor)
            stages.enter_stage(
                session,
                case,
                definition,
                definition.first_stage(frozenset(new.flags)),
                actor,
                events={"case_started": kernel.local_today()},
            )
            _record_officers(session, case, definition, actor)
    except _IntakeRefused as err:  # after the rollback: audited as a claim, never as the drafter named
        kernel.record_refusal(None, by, channel_of(by), "case.refused", str(err), refused)
        raise PermissionDenied(str(err)) from None
    except BaseException:
        blobs.discard(stored)
        raise
    return case


class _IntakeRefused(PermissionDenied):
    pass


def _intake_actor(session: Session, claim: IntakeClaim) -> Actor:
    """The drafter proved by the intake code, spent in the registration's transaction."""
    try:
        actor = consume_intake_code(session, claim.username, claim.code, channel=claim.channel)
        authorize(actor, "case.start")
    except PermissionDenied as err:
        raise _IntakeRefused(str(err)) from err
    return actor


def _start_facts(definition: ProcessDefinition, new: NewCase) -> dict[str, str]:
    """The facts recorded at registration (checked against the definition's ``[facts]``); the handling
    officers of an enforcement case become its ``officers`` fact."""
    facts = {k: v.strip() for k, v in new.facts.items()}
    if new.officers:
        if not records_officers(definition):
            raise InvalidInput(f"{definition.name}案件不记录执法人员，不能指定 --officer")
        facts[OFFICERS_FACT] = ",".join(o.strip() for o in new.officers if o.strip())
    check_facts(definition, facts)
    return facts


def _check_officers(definition: ProcessDefinition, facts: dict[str, str]) -> None:
    """Enforcement cases: every handling officer holds a valid certificate covering the matter (issue #11)."""
    with session_scope() as session:
        require_certified(session, definition, domain_facts(facts), kernel.local_today())


def _record_officers(session: Session, case: Case, definition: ProcessDefinition, actor: Actor) -> None:
    if not records_officers(definition):
        return
    officers = record_officers(session, case, kernel.local_today())
    audit.append(
        session,
        action="case.officers",
        actor=actor.username,
        channel=actor.channel,
        case_id=case.id,
        payload={"officers": officers, "enforcement_field": (case.facts or {}).get("enforcement_field", "")},
    )


def submit_version(case_ref: str | int, draft: Path, by: Actor, *, note: str = "") -> DocumentVersion:
    """A new version of the draft. Approvals given on the old version do not carry over (a decision
    is bound to the SHA-256 of the version it was made on)."""
    require_schema()
    settings = get_settings()
    filename, data = read_draft(draft)
    stored = blobs.put_bytes(settings.resolved_data_dir, data)
    try:
        with session_scope(write=True) as session:
            case = get_case(session, case_ref)
            actor = acting(session, by, case)
            if case.status != "open":
                raise InvalidInput(f"案件 {case.number} 已结束，不能再提交新版本")

            authorize(actor, "version.submit")
            version = _add_version(session, case, filename, stored, actor, note=note)
            _audit_version(session, case, version, actor)
            stages.rebind_open_task(session, case, actor)
    except (PermissionDenied, InvalidInput, NotFound) as err:
        blobs.discard(stored)
        kernel.record_refusal(case_ref, by, channel_of(by), "version.refused", str(err), {"file": filename})
        raise
    except BaseException:
        blobs.discard(stored)
        raise
    return version


def _add_version(
    session: Session, case: Case, filename: str, stored: blobs.StoredBlob, actor: Actor, *, note: str
) -> DocumentVersion:
    assert case.id is not None
    seq = session.exec(select(func.count()).where(DocumentVersion.case_id == case.id)).one() + 1
    version = DocumentVersion(
        case_id=case.id,
        seq=seq,
        filename=filename,
        sha256=stored.sha256,
        size=stored.size,
        submitted_by=actor.username,
        note=note,
    )
    session.add(version)
    session.flush()
    case.current_version_id = version.id
    case.updated_at = utcnow()
    session.add(case)
    return version


def _audit_version(session: Session, case: Case, version: DocumentVersion, actor: Actor) -> None:
    audit.append(
        session,
        action="version.submitted",
        actor=actor.username,
        role=",".join(sorted(actor.roles)),
        channel=actor.channel,
        case_id=case.id,
        payload={
            "seq": version.seq,
            "filename": version.filename,
            "sha256": version.sha256,
            "size": version.size,
        },
    )


def _next_case_number(session: Session) -> str:
    year = datetime.now(UTC).year
    prefix = f"RK-{year}-"
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7272002)"))
    last = session.exec(
        select(Case.number)
        .where(col(Case.number).startswith(prefix))
        .order_by(col(Case.number).desc())
        .limit(1)
    ).first()
    seq = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{seq:04d}"


_GONE = "在 Prefect 中已不存在（被删除，或 Prefect 数据库丢失）"
RUN_STATE_NAMES = {
    "CANCELLED": "被取消",
    "CANCELLING": "正在取消",
    "COMPLETED": "被标记为完成",
    "FAILED": "失败",
    "CRASHED": "崩溃",
    "DELETED": _GONE,
    None: _GONE,
}


def note_run_replaced(case_id: int, flow_run_id: str | None, state: str | None) -> None:
    """Audit that the run carrying an open case ended or vanished on the Prefect side (someone pressed
    Cancel, Complete or Delete in the UI, or the run crashed): anyone can do that from Prefect, so it
    is recorded as what it is, an event in Prefect, and the case gets a new run from the store."""
    with session_scope(write=True) as session:
        case = get_case(session, case_id)
        last = session.exec(
            select(AuditEvent.payload)
            .where(AuditEvent.case_id == case.id, AuditEvent.action == "flow_run.replaced")
            .order_by(col(AuditEvent.id).desc())
            .limit(1)
        ).first()
        if last is not None and json.loads(last).get("flow_run_id") == flow_run_id:
            return  # already recorded (a restart that failed is retried every round)
        audit.append(
            session,
            action="flow_run.replaced",
            actor="system",
            channel="prefect",
            case_id=case.id,
            payload={
                "flow_run_id": flow_run_id,
                "state": state,
                "stage": case.stage,
                "round": case.round,
                "reason": f"案件 {case.number} 的流程运行{RUN_STATE_NAMES.get(state, state or '')}，"
                "已按数据库记录重新启动",
            },
        )


def attach_flow_run(case_id: int, flow_run_id: str) -> None:
    """Remember which Prefect flow run carries the case (once; a resumed run re-attaches harmlessly)."""
    with session_scope(write=True) as session:
        case = get_case(session, case_id)
        if case.flow_run_id == flow_run_id:
            return
        previous = case.flow_run_id
        case.flow_run_id = flow_run_id
        session.add(case)
        audit.append(
            session,
            action="flow_run.attached",
            actor="system",
            channel="system",
            case_id=case.id,
            payload={"flow_run_id": flow_run_id, "previous": previous},
        )
