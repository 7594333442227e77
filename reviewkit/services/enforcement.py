"""Enforcement personnel (行政执法人员): 执法证 number, scope and expiry per person; the officers who
handled a 重大执法决定法制审核 case, checked against their certificates; reminders before expiry.

A process whose ``[facts]`` declares ``officers`` records its handling officers (``enforcement_review``).
Its cases are refused — at registration and again at every passing decision, since a certificate may
expire while the case waits — when there are fewer than two officers, an officer has no certificate,
the certificate has expired, or its scope does not cover the case's ``enforcement_field``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from reviewkit.domain.process import ProcessDefinition
from reviewkit.errors import InvalidInput, NotFound, TransitionNotAllowed
from reviewkit.services.actors import Actor
from reviewkit.services.authz import audited_refusals, authorize
from reviewkit.store import audit
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import Case, CaseOfficer, EnforcementCertificate, User, utcnow

OFFICERS_FACT = "officers"
FIELD_FACT = "enforcement_field"
MIN_OFFICERS = 2
MIN_OFFICERS_BASIS = "行政处罚法第42条、行政强制法第18条：执法人员不得少于两人，并应当具有行政执法资格"
DEFAULT_WARN_DAYS = 30


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def split_officers(value: str | None) -> list[str]:
    """``"u1,u2"`` / ``"u1、u2"`` → ``["u1", "u2"]`` (order kept, duplicates dropped)."""
    out: list[str] = []
    for part in (value or "").replace("、", ",").replace("，", ",").split(","):
        name = part.strip()
        if name and name not in out:
            out.append(name)
    return out


def records_officers(definition: ProcessDefinition) -> bool:
    return OFFICERS_FACT in definition.facts


# --- certificates ------------------------------------------------------------------------------


def set_certificate(
    username: str,
    number: str,
    scope: list[str],
    expires_on: date,
    *,
    by: Actor | None,
    actor: str = "（初始化）",
) -> None:
    """Record (or replace) a person's 执法证. Admin only (``user.manage``); audited."""
    require_schema()
    number = number.strip()
    fields = [
        s.strip()
        for item in scope
        for s in item.replace("、", ",").replace("，", ",").split(",")
        if s.strip()
    ]
    if not number:
        raise InvalidInput("执法证号不能为空")
    if not fields:
        raise InvalidInput("执法证须写明执法范围（执法领域或类别，可用逗号分隔多项）")
    with audited_refusals(by, "user.cert", payload={"username": username}):
        who, role, channel = (
            (actor, "", "cli") if by is None else (by.username, authorize(by, "user.manage"), by.channel)
        )
        with session_scope(write=True) as session:
            user = session.exec(select(User).where(User.username == username)).first()
            if user is None:
                raise NotFound(f"名册中没有用户“{username}”")
            taken = session.exec(
                select(EnforcementCertificate).where(EnforcementCertificate.number == number)
            ).first()
            if taken is not None and taken.username != username:
                raise InvalidInput(f"执法证号 {number} 已登记在 {taken.username} 名下")
            cert = session.exec(
                select(EnforcementCertificate).where(EnforcementCertificate.username == username)
            ).first()
            before = (
                None
                if cert is None
                else {
                    "number": cert.number,
                    "scope": list(cert.scope),
                    "expires_on": cert.expires_on.isoformat(),
                }
            )
            if cert is None:
                cert = EnforcementCertificate(
                    username=username, number=number, scope=fields, expires_on=expires_on, updated_by=who
                )
            else:
                cert.number, cert.scope, cert.expires_on = number, fields, expires_on
                cert.updated_by, cert.updated_at = who, utcnow()
            session.add(cert)
            audit.append(
                session,
                action="user.certificate",
                actor=who,
                role=role,
                channel=channel,
                payload={
                    "username": username,
                    "number": number,
                    "scope": fields,
                    "expires_on": expires_on.isoformat(),
                    "before": before,
                },
            )


@dataclass(frozen=True)
class CertificateRow:
    username: str
    name: str
    number: str
    scope: list[str]
    expires_on: str
    days_left: int
    status: str  # 有效 / 即将到期 / 已过期

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def list_certificates(today: date, *, expiring_within: int | None = None) -> list[CertificateRow]:
    """Every certificate (soonest expiry first); with ``expiring_within``: only those expired or
    expiring within that many days — the reminder list."""
    require_schema()
    warn = DEFAULT_WARN_DAYS if expiring_within is None else expiring_within
    rows: list[CertificateRow] = []
    with session_scope() as session:
        names = {u.username: u.display_name for u in session.exec(select(User)).all()}
        for c in session.exec(select(EnforcementCertificate)).all():
            left = (c.expires_on - today).days
            status = "已过期" if left < 0 else ("即将到期" if left <= warn else "有效")
            if expiring_within is not None and status == "有效":
                continue
            rows.append(
                CertificateRow(
                    c.username,
                    names.get(c.username, c.username),
                    c.number,
                    list(c.scope),
                    c.expires_on.isoformat(),
                    left,
                    status,
                )
            )
    return sorted(rows, key=lambda r: (r.expires_on, r.username))


def certified_count(on: date) -> int:
    """Active people holding a certificate valid on ``on`` (the period report's figure)."""
    require_schema()
    with session_scope() as session:
        return count_certified(session, on)


def count_certified(session: Session, on: date) -> int:
    active = {u.username for u in session.exec(select(User).where(User.active)).all()}
    certs = session.exec(select(EnforcementCertificate).where(EnforcementCertificate.expires_on >= on)).all()
    return sum(1 for c in certs if c.username in active)


# --- the check on a case -----------------------------------------------------------------------


def officer_problems(session: Session, officers: list[str], matter: str, on: date) -> list[str]:
    """Chinese reasons why ``officers`` may not handle ``matter`` on ``on``; empty when they may."""
    problems: list[str] = []
    if len(officers) < MIN_OFFICERS:
        problems.append(f"承办执法人员{len(officers)}人，不足{MIN_OFFICERS}人（{MIN_OFFICERS_BASIS}）")
    users = {u.username: u for u in session.exec(select(User)).all()}
    for name in officers:
        user = users.get(name)
        who = f"{user.display_name}（{name}）" if user else name
        if user is None:
            problems.append(f"名册中没有执法人员“{name}”")
            continue
        if not user.active:
            problems.append(f"执法人员{who}已停用")
        cert = session.exec(
            select(EnforcementCertificate).where(EnforcementCertificate.username == name)
        ).first()
        if cert is None:
            problems.append(f"执法人员{who}未登记执法证，不具有行政执法资格")
            continue
        if cert.expires_on < on:
            problems.append(f"执法人员{who}的执法证（{cert.number}）已于{cn_date(cert.expires_on)}过期")
        if matter and matter not in cert.scope:
            problems.append(
                f"执法人员{who}的执法证（{cert.number}）执法范围为{'、'.join(cert.scope)}，不含“{matter}”"
            )
    return problems


def require_certified(
    session: Session, definition: ProcessDefinition, facts: dict[str, Any], on: date
) -> None:
    """Refuse (``TransitionNotAllowed``) a case of a kind that records officers when any officer may
    not handle it on ``on``. Kinds without ``officers`` in their ``[facts]`` pass untouched."""
    if not records_officers(definition):
        return
    officers = split_officers(str(facts.get(OFFICERS_FACT) or ""))
    matter = str(facts.get(FIELD_FACT) or "").strip()
    problems = officer_problems(session, officers, matter, on)
    if not matter and FIELD_FACT in definition.facts:
        problems.insert(0, "未写明执法领域，无法核对执法证的执法范围")
    if problems:
        raise TransitionNotAllowed(f"{definition.name}案件的执法人员资格不符：{'；'.join(problems)}")


def record_officers(session: Session, case: Case, on: date) -> list[str]:
    """Keep who handled the case, with each certificate as it stood on ``on`` (once per person)."""
    assert case.id is not None
    officers = split_officers((case.facts or {}).get(OFFICERS_FACT))
    matter = (case.facts or {}).get(FIELD_FACT, "")
    have = {o.username for o in session.exec(select(CaseOfficer).where(CaseOfficer.case_id == case.id)).all()}
    for name in officers:
        if name in have:
            continue
        cert = session.exec(
            select(EnforcementCertificate).where(EnforcementCertificate.username == name)
        ).first()
        if cert is None:
            continue
        session.add(
            CaseOfficer(
                case_id=case.id,
                username=name,
                certificate_number=cert.number,
                certificate_expires_on=cert.expires_on,
                enforcement_field=matter,
                checked_on=on,
            )
        )
    return officers


def case_officers(case_id: int) -> list[dict[str, str]]:
    require_schema()
    with session_scope() as session:
        rows = session.exec(select(CaseOfficer).where(CaseOfficer.case_id == case_id)).all()
        return [
            {
                "username": r.username,
                "certificate_number": r.certificate_number,
                "certificate_expires_on": r.certificate_expires_on.isoformat(),
                "enforcement_field": r.enforcement_field,
                "checked_on": r.checked_on.isoformat(),
            }
            for r in rows
        ]
