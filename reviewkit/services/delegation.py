"""Acting for someone else: delegations with an end date, and an admin reassigning open tasks.
Both are audited; both respect separation of duties."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from reviewkit.domain.permissions import authorship_conflict, delegable
from reviewkit.domain.roles import role_name
from reviewkit.errors import InvalidInput, NotFound, PermissionDenied
from reviewkit.services.actors import Actor, load_actor
from reviewkit.services.authz import audited_refusals, authorize, permission_matrix
from reviewkit.services.kernel import definition_of, get_case
from reviewkit.settings import get_settings
from reviewkit.store import audit
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import Case, Delegation, DocumentVersion, HumanTask, User, utcnow


def today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def authors_of(session: Session, case: Case) -> set[str]:
    """The case's drafter and everyone who submitted one of its versions."""
    submitters = session.exec(
        select(DocumentVersion.submitted_by).where(DocumentVersion.case_id == case.id)
    ).all()
    return {case.drafter, *submitters}


def may_take_task(
    session: Session,
    actor: Actor,
    task: HumanTask,
    *,
    case: Case | None = None,
    authors: set[str] | None = None,
) -> tuple[str, str | None]:
    """The role ``actor`` would decide ``task`` under, and the principal they act for (``None``: in
    their own right). Refuses when the task is assigned to someone else (and not delegated to the
    actor) or when separation of duties forbids it. A caller checking many tasks (the inbox) passes
    each task's case and authors, read in bulk."""
    candidates = list(task.candidate_roles)
    if task.assignee and task.assignee != actor.username:
        role = next((r for p, r in actor.delegations if p == task.assignee and r in candidates), None)
        if role is None:
            raise PermissionDenied(f"该待办已指派给“{task.assignee}”，{actor.label}不能办理")
        principal: str | None = task.assignee
    else:
        role = next((r for r in candidates if r in actor.own_roles), None)
        principal = None
        if role is None:
            role = next((r for r in candidates if r in actor.roles), None)
            principal = actor.principal_for(role) if role else None
        if role is None:
            needed = "、".join(role_name(r) for r in candidates)
            raise PermissionDenied(f"{actor.label}不能办理该待办：须由{needed}办理")
    case = case if case is not None else session.get(Case, task.case_id)
    assert case is not None and case.id == task.case_id
    stage_name = definition_of(case).stage(task.stage).name
    deciders = {actor.username: actor.label, **({principal: f"被代理人“{principal}”"} if principal else {})}
    reason = authorship_conflict(
        permission_matrix(),
        task.stage,
        stage_name,
        deciders,
        authors if authors is not None else authors_of(session, case),
    )
    if reason:
        raise PermissionDenied(reason)
    return role, principal


@dataclass(frozen=True)
class DelegationView:
    id: int
    principal: str
    delegate: str
    roles: list[str]
    starts_on: str
    ends_on: str
    reason: str
    created_by: str
    status: str


def grant(
    principal: str,
    delegate: str,
    until: date,
    by: Actor,
    *,
    roles: list[str] | None = None,
    reason: str = "",
    starts_on: date | None = None,
) -> DelegationView:
    """``principal`` lets ``delegate`` act in ``roles`` (default: every delegable role) until ``until``
    (inclusive). The principal does it for themselves; an admin may do it for an absent person."""
    require_schema()
    start = starts_on or today()
    if until < start:
        raise InvalidInput(f"委托截止日期 {until.isoformat()} 早于开始日期 {start.isoformat()}")
    if principal == delegate:
        raise InvalidInput("不能委托给本人")
    with (
        audited_refusals(by, f"委托 {delegate} 代行 {principal} 的职责"),
        session_scope(write=True) as session,
    ):
        used = authorize(by, "delegation.self" if by.username == principal else "delegation.manage")
        owner = session.exec(select(User).where(User.username == principal)).first()
        if owner is None:
            raise NotFound(f"名册中没有用户“{principal}”")
        load_actor(session, delegate, by.channel)
        allowed = delegable(permission_matrix(), owner.roles)
        wanted = list(roles) if roles else list(allowed)
        bad = [r for r in wanted if r not in allowed]
        if bad or not wanted:
            raise InvalidInput(
                f"“{principal}”没有可委托的角色：{'、'.join(role_name(r) for r in bad) or '（无）'}"
            )
        row = Delegation(
            principal=principal,
            delegate=delegate,
            roles=wanted,
            starts_on=start,
            ends_on=until,
            reason=reason.strip(),
            created_by=by.username,
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            action="delegation.granted",
            actor=by.username,
            role=used,
            channel=by.channel,
            payload={
                "delegation_id": row.id,
                "principal": principal,
                "delegate": delegate,
                "roles": wanted,
                "starts_on": start.isoformat(),
                "ends_on": until.isoformat(),
                "reason": row.reason,
            },
        )
        return _view(row)


def revoke(delegation_id: int, by: Actor) -> None:
    require_schema()
    with audited_refusals(by, f"撤销委托 {delegation_id}"), session_scope(write=True) as session:
        row = session.get(Delegation, delegation_id)
        if row is None:
            raise NotFound(f"没有委托 {delegation_id}")
        used = authorize(by, "delegation.self" if by.username == row.principal else "delegation.manage")
        if row.revoked_at is None:
            row.revoked_at, row.revoked_by = utcnow(), by.username
            session.add(row)
            audit.append(
                session,
                action="delegation.revoked",
                actor=by.username,
                role=used,
                channel=by.channel,
                payload={"delegation_id": row.id, "principal": row.principal, "delegate": row.delegate},
            )


def list_delegations(*, include_inactive: bool = False) -> list[DelegationView]:
    require_schema()
    with session_scope() as session:
        rows = session.exec(select(Delegation).order_by(col(Delegation.id))).all()
        views = [_view(r) for r in rows]
    return views if include_inactive else [v for v in views if v.status == "有效"]


def _view(row: Delegation) -> DelegationView:
    now = today()
    status = (
        "已撤销"
        if row.revoked_at
        else "已到期"
        if row.ends_on < now
        else "未开始"
        if row.starts_on > now
        else "有效"
    )
    return DelegationView(
        row.id or 0,
        row.principal,
        row.delegate,
        list(row.roles),
        row.starts_on.isoformat(),
        row.ends_on.isoformat(),
        row.reason,
        row.created_by,
        status,
    )


def reassign_tasks(
    from_user: str | None, to_user: str, by: Actor, *, case_ref: str | int | None = None, reason: str = ""
) -> list[int]:
    """Admin: give the open tasks assigned to ``from_user`` (or the open task of ``case_ref``) to
    ``to_user``, who must hold one of the task's roles in their own right. Audited per task."""
    require_schema()
    if from_user is None and case_ref is None:
        raise InvalidInput("请指明原办理人或案件")
    with audited_refusals(by, f"改派待办给 {to_user}"), session_scope(write=True) as session:
        used = authorize(by, "task.reassign")
        target = load_actor(session, to_user, by.channel)
        query = select(HumanTask).where(HumanTask.status == "open")
        if case_ref is not None:
            query = query.where(HumanTask.case_id == get_case(session, case_ref).id)
        if from_user is not None:
            query = query.where(HumanTask.assignee == from_user)
        tasks = session.exec(query.order_by(col(HumanTask.id))).all()
        if not tasks:
            raise NotFound("没有符合条件的待办")
        own = Actor(target.username, target.own_roles, target.channel, target.display_name)
        moved: list[int] = []
        for task in tasks:
            may_take_task(session, own, HumanTask.model_validate(task.model_dump() | {"assignee": None}))
            previous, task.assignee = task.assignee, to_user
            session.add(task)
            audit.append(
                session,
                action="task.reassigned",
                actor=by.username,
                role=used,
                channel=by.channel,
                case_id=task.case_id,
                payload={
                    "task_id": task.id,
                    "stage": task.stage,
                    "round": task.round,
                    "from": previous,
                    "to": to_user,
                    "reason": reason.strip(),
                },
            )
            moved.append(task.id or 0)
        return moved
