"""Which cases a person may open in the workbench (read access; decisions are checked by services).

A person has a role in a case when they
- are an administrator;
- hold a reviewing role of the case's process (a role of one of its stages other than the drafting
  side's ``drafter``/``unit_head``): the legal-affairs office, the leaders and the clerks see every case
  that passes their desk;
- wrote it (drafter, or submitted one of its versions), acted on it (a decision, a material), are
  assigned one of its tasks, or act for someone who is (delegation);
- may take one of its open tasks (what their inbox shows them).
Anything else is refused, and the refusal is audited by the caller.
"""

from __future__ import annotations

from sqlmodel import Session, col, or_, select

from reviewkit.errors import PermissionDenied
from reviewkit.services.actors import Actor
from reviewkit.services.delegation import may_take_task
from reviewkit.services.kernel import definition_of
from reviewkit.services.stages import AUTHORING_ROLES
from reviewkit.store.models import Attachment, Case, Decision, DocumentVersion, HumanTask


def people(actor: Actor) -> set[str]:
    """The actor and everyone they act for."""
    return {actor.username, *(p for p, _ in actor.delegations)}


def has_role_in(session: Session, actor: Actor, case: Case) -> bool:
    if "admin" in actor.roles:
        return True
    definition = definition_of(case)
    reviewing = {r for s in definition.stages for r in s.roles} - AUTHORING_ROLES
    if actor.roles & reviewing:
        return True
    who = people(actor)
    if case.drafter in who:
        return True
    for model, column in (
        (DocumentVersion, DocumentVersion.submitted_by),
        (Attachment, Attachment.submitted_by),
        (HumanTask, HumanTask.assignee),
    ):
        hit = session.exec(
            select(model.id).where(model.case_id == case.id, col(column).in_(who)).limit(1)
        ).first()
        if hit is not None:
            return True
    acted = session.exec(
        select(Decision.id)
        .where(
            Decision.case_id == case.id,
            or_(col(Decision.actor).in_(who), col(Decision.on_behalf_of).in_(who)),
        )
        .limit(1)
    ).first()
    if acted is not None:
        return True
    for task in session.exec(
        select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.status == "open")
    ).all():
        if not set(task.candidate_roles) & actor.roles:
            continue
        try:
            may_take_task(session, actor, task)
        except PermissionDenied:
            continue
        return True
    return False


def require_role_in(session: Session, actor: Actor, case: Case) -> None:
    if not has_role_in(session, actor, case):
        raise PermissionDenied(f"{actor.label}在案件 {case.number} 中没有承办角色，不能查看")
