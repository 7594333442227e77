"""Open work against its deadlines: what is overdue, due today or soon, who must be told, and when it
goes up to their leader (escalation). Also the cases nearing the 30-day 备案 limit."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, select

from reviewkit.domain.deadlines import STATUS_NAMES
from reviewkit.services.deadlines import work_calendar
from reviewkit.services.kernel import definition_of
from reviewkit.settings import get_settings
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import Case, HumanTask, User

AUTHORING = {"drafter", "unit_head"}


@dataclass
class OpenItem:
    case_id: int
    case_number: str
    title: str
    kind: str
    stage: str
    stage_name: str
    round: int
    due_on: str
    status: str  # overdue / due_today / due_soon
    status_name: str
    days_overdue: int  # working days past due
    responsible: list[str]
    leaders: list[str] = field(default_factory=list)
    level: int = 0  # 0: the people responsible; 1: escalated to their leader
    filing: bool = False
    flow_run_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def responsible(session: Session, case: Case, task: HumanTask) -> list[str]:
    """The task's assignee; else the drafter for the authoring side; else everyone holding a role."""
    if task.assignee:
        return [task.assignee]
    roles = set(task.candidate_roles)
    if "drafter" in roles:
        return [case.drafter]
    users = session.exec(select(User).where(User.active)).all()
    return sorted(u.username for u in users if roles & set(u.roles))


def leaders_of(session: Session, usernames: list[str]) -> list[str]:
    """Whom an overdue item goes up to: a drafter's 科室负责人 (same unit), else the 分管领导 (leader)."""
    users = {u.username: u for u in session.exec(select(User).where(User.active)).all()}
    out: set[str] = set()
    for name in usernames:
        user = users.get(name)
        heads = [
            u.username
            for u in users.values()
            if "unit_head" in u.roles
            and user is not None
            and u.unit == user.unit
            and "drafter" in user.roles
            and u.username != name
        ]
        out.update(
            heads or [u.username for u in users.values() if "leader" in u.roles and u.username != name]
        )
    return sorted(out)


def open_items(today: date, *, include_soon: bool = True) -> list[OpenItem]:
    """Every open gate that is overdue, due today or due soon, plus filing gates near the 30-day limit."""
    require_schema()
    settings = get_settings()
    cal = work_calendar()
    items: list[OpenItem] = []
    with session_scope() as session:
        rows = session.exec(
            select(HumanTask, Case).where(
                HumanTask.case_id == Case.id, HumanTask.status == "open", Case.status == "open"
            )
        ).all()
        for task, case in rows:
            if task.due_on is None or case.stage != task.stage or case.round != task.round:
                continue
            filing = task.stage in ("filing", "filing_correction") and case.kind == "normative_document"
            if today > task.due_on:
                status = "overdue"
            elif today == task.due_on:
                status = "due_today"
            elif filing and task.due_on - today <= timedelta(days=settings.filing_warn_days):
                status = "due_soon"
            elif cal.working_days_between(today, task.due_on) <= settings.warn_within_working_days:
                status = "due_soon"
            else:
                continue
            if status == "due_soon" and not include_soon:
                continue
            late = cal.working_days_between(task.due_on, today) if status == "overdue" else 0
            who = responsible(session, case, task)
            level = 1 if late >= settings.escalate_after_working_days else 0
            assert case.id is not None
            items.append(
                OpenItem(
                    case_id=case.id,
                    case_number=case.number,
                    title=case.title,
                    kind=case.kind,
                    stage=task.stage,
                    stage_name=definition_of(case).stage(task.stage).name,
                    round=task.round,
                    due_on=task.due_on.isoformat(),
                    status=status,
                    status_name=STATUS_NAMES[status],  # type: ignore[index]
                    days_overdue=late,
                    responsible=who,
                    leaders=leaders_of(session, who) if level else [],
                    level=level,
                    filing=filing,
                    flow_run_id=case.flow_run_id,
                )
            )
    order = {"overdue": 0, "due_today": 1, "due_soon": 2}
    return sorted(items, key=lambda i: (order[i.status], -i.days_overdue, i.due_on, i.case_number))
