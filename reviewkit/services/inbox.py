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
from reviewkit.store.models import Case, DocumentVersion, HumanTask


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
    principals = {p for p, _ in actor.delegations}
    with session_scope() as session:
        # The cheap filters (assignee, roles) on bare columns of every open task; then the tasks left with
        # their cases, and the authors of those cases, in one query each; separation of duties is then
        # checked per task without a query (bench/web.py: 10,000 cases, 8,644 open tasks).
        open_tasks = session.exec(
            select(HumanTask.id, HumanTask.candidate_roles, HumanTask.assignee).where(
                HumanTask.status == "open"
            )
        ).all()
        ids = [
            task_id
            for task_id, roles, assignee in open_tasks
            if (assignee in (None, actor.username) or assignee in principals) and set(roles) & actor.roles
        ]
        mine = (
            session.exec(
                select(HumanTask, Case)
                .join(Case, col(Case.id) == col(HumanTask.case_id))
                .where(col(HumanTask.id).in_(ids))
                .order_by(col(HumanTask.id))
            ).all()
            if ids
            else []
        )
        authors: dict[int, set[str]] = {case.id or 0: {case.drafter} for _, case in mine}
        if authors:
            submitted = session.exec(
                select(DocumentVersion.case_id, DocumentVersion.submitted_by).where(
                    col(DocumentVersion.case_id).in_(list(authors))
                )
            ).all()
            for case_id, who in submitted:
                authors[case_id].add(who)
        for task, case in mine:
            try:
                may_take_task(session, actor, task, case=case, authors=authors[case.id or 0])
            except ReviewkitError:
                continue
            spec = definition_of(case).stage(task.stage)
            days = (task.due_on - today).days if task.due_on else None
            items.append(
                InboxItem(
                    case_id=case.id or 0,
                    case_number=case.number,
                    title=case.title,
                    stage=task.stage,
                    stage_name=spec.name,
                    round=task.round,
                    due_on=task.due_on.isoformat() if task.due_on else None,
                    days_left=days,
                    overdue=bool(task.due_on and task.due_on < today),
                    roles="、".join(role_name(r) for r in task.candidate_roles),
                    assignee=task.assignee,
                    decisions=[d.label for d in spec.decisions],
                    version_sha256=task.version_sha256,
                    flow_run_id=case.flow_run_id,
                )
            )
    items.sort(key=lambda i: i.due_on or date.max.isoformat())
    return items
