"""Entering and leaving stages, and what a new draft does to an open gate: the bookkeeping both
registration (``cases``) and decisions (``workflow``) share."""

from __future__ import annotations

from sqlmodel import Session, col, select

from reviewkit.domain.deadlines import EventDates
from reviewkit.domain.process import ProcessDefinition
from reviewkit.services.actors import Actor
from reviewkit.services.deadlines import stage_due
from reviewkit.services.kernel import current_version, definition_of, local_today, open_task
from reviewkit.store import audit
from reviewkit.store.models import Case, Decision, DocumentVersion, HumanTask, StageEntry, utcnow


def enter_stage(
    session: Session,
    case: Case,
    definition: ProcessDefinition,
    stage_id: str,
    actor: Actor,
    events: EventDates | None = None,
) -> None:
    """Put the case in ``stage_id``: history row with its due date (counted from the event the
    definition names), the gate's task, the audit event."""
    assert case.id is not None
    spec = definition.stage(stage_id)
    due, complete = stage_due(definition, stage_id, local_today(), events or {}, case.round)
    case.stage = stage_id
    case.updated_at = utcnow()
    if spec.kind == "end":
        case.status = "closed"
    session.add(case)
    session.add(
        StageEntry(
            case_id=case.id,
            stage=stage_id,
            round=case.round,
            due_on=due,
            due_complete=complete,
            left_at=utcnow() if spec.kind == "end" else None,
        )
    )
    if spec.kind == "human":
        version = current_version(session, case)
        existing = session.exec(
            select(HumanTask).where(
                HumanTask.case_id == case.id, HumanTask.stage == stage_id, HumanTask.round == case.round
            )
        ).first()
        if existing is None:
            session.add(
                HumanTask(
                    case_id=case.id,
                    stage=stage_id,
                    round=case.round,
                    candidate_roles=list(spec.roles),
                    due_on=due,
                    version_id=version.id,
                    version_sha256=version.sha256,
                )
            )
    session.flush()
    audit.append(
        session,
        action="stage.entered",
        actor=actor.username,
        role="",
        channel=actor.channel,
        case_id=case.id,
        payload={
            "stage": stage_id,
            "name": spec.name,
            "round": case.round,
            "due_on": due.isoformat() if due else None,
            "calendar_complete": complete,
        },
    )


def leave_stage(session: Session, case: Case, outcome: str, actor: str) -> None:
    entry = session.exec(
        select(StageEntry)
        .where(
            StageEntry.case_id == case.id, StageEntry.stage == case.stage, col(StageEntry.left_at).is_(None)
        )
        .order_by(col(StageEntry.id).desc())
    ).first()
    if entry is not None:
        entry.left_at = utcnow()
        entry.outcome = outcome
        entry.actor = actor
        session.add(entry)


def rebind_open_task(session: Session, case: Case, actor: Actor) -> None:
    """A new version arrived: approvals of older versions are void, and an open gate now decides
    on the new version."""
    version = current_version(session, case)
    void_stale_approvals(session, case, version, actor)
    task = open_task(session, case)
    if task is None:
        return
    if task.version_sha256 == version.sha256:
        return
    old = task.version_sha256
    task.version_id, task.version_sha256 = version.id, version.sha256
    session.add(task)
    audit.append(
        session,
        action="task.rebound",
        actor=actor.username,
        channel=actor.channel,
        case_id=case.id,
        payload={"task_id": task.id, "stage": task.stage, "old_sha256": old, "new_sha256": version.sha256},
    )


AUTHORING_ROLES = frozenset({"drafter", "unit_head"})


def void_stale_approvals(session: Session, case: Case, version: DocumentVersion, actor: Actor) -> list[int]:
    """Mark void every approval (outcome ``pass``) given on another version at a reviewing stage
    (one whose roles are not only the authoring side's): a decision binds to the exact text."""
    definition = definition_of(case)
    reviewing = {s.id for s in definition.stages if s.kind == "human" and not set(s.roles) <= AUTHORING_ROLES}
    stale = session.exec(
        select(Decision).where(
            Decision.case_id == case.id,
            Decision.outcome == "pass",
            col(Decision.voided_at).is_(None),
            col(Decision.stage).in_(reviewing),
            Decision.version_sha256 != version.sha256,
        )
    ).all()
    if not stale:
        return []
    reason = f"文稿已更新为第 {version.seq} 稿（SHA-256 {version.sha256[:16]}…），对旧稿的批准失效"
    for d in stale:
        d.voided_at, d.voided_reason = utcnow(), reason
        session.add(d)
    ids = [d.id or 0 for d in stale]
    audit.append(
        session,
        action="decision.voided",
        actor=actor.username,
        channel=actor.channel,
        case_id=case.id,
        payload={
            "decision_ids": ids,
            "stages": sorted({d.stage for d in stale}),
            "new_sha256": version.sha256,
            "reason": reason,
        },
    )
    return ids
