"""What waits for a person, and until when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from reviewkit.domain.roles import role_name
from reviewkit.errors import ReviewkitError
from reviewkit.services.actors import Actor
from reviewkit.services.delegation import may_take_task
from reviewkit.services.kernel import definition_of, local_today
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import Case, HumanTask


@dataclass(frozen=True)
class InboxItem:
    case_id: int
    case_number: str
    title: str
    stage: str
    stage_name: str
    round: int
    due_on: str | None
    days_left: int | None
    overdue: bool
    roles: str
    assignee: str | None
    decisions: list[str]
    version_sha256: str | None
    flow_run_id: str | None


def inbox(actor: Actor) -> list[InboxItem]:
    """Open gates the actor may take (their roles, delegations, or assigned to them), earliest due first."""
    require_schema()
    today = local_today()
    items: list[InboxItem] = []
    with session_scope() as session:
        tasks = session.exec(select(HumanTask).where(HumanTask.status == "open").order_by(col(HumanTask.id))).all()
        for task in tasks:
            if task.assignee not in (None, actor.username) and not any(p == task.assignee for p, _ in actor.delegations):
                continue
            if not set(task.candidate_roles) & actor.roles:
                continue
            try:
                may_take_task(session, actor, task)
            except ReviewkitError:
                continue
            case = session.get(Case, task.case_id)
            assert case is not None
            spec = definition_of(case).stage(task.stage)
            days = (task.due_on - today).days if task.due_on else None
            items.append(InboxItem(
                case_id=case.id or 0, case_number=case.number, title=case.title, stage=task.stage,
                stage_name=spec.name, round=task.round, due_on=task.due_on.isoformat() if task.due_on else None,
                days_left=days, overdue=bool(task.due_on and task.due_on < today),
                roles="、".join(role_name(r) for r in task.candidate_roles), assignee=task.assignee,
                decisions=[d.label for d in spec.decisions], version_sha256=task.version_sha256,
                flow_run_id=case.flow_run_id,
            ))
    items.sort(key=lambda i: i.due_on or date.max.isoformat())
    return items
