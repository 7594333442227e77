"""统一编号: a gap-free 文号 sequence per issuing body (机关代字) and year, and the register of every
number given out.

A number is taken inside the caller's transaction (the publication decision's): the counter row of
(机关代字, year) is created if missing (``INSERT … ON CONFLICT DO NOTHING``) and then locked with
``SELECT … FOR UPDATE`` on PostgreSQL (SQLite's writers are already serialised by ``BEGIN
IMMEDIATE``). If the transaction rolls back, the counter rolls back with it, so no gap appears. A
voided number keeps its row with the reason and is never given out again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from reviewkit.errors import InvalidInput, NotFound, PermissionDenied
from reviewkit.services.actors import Actor, acting, channel_of
from reviewkit.services.kernel import local_today, record_refusal
from reviewkit.settings import get_settings
from reviewkit.store import audit
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import Case, IssuedNumber, NumberSequence, utcnow

NUMBER_PATTERN = re.compile(r"^[\u4e00-\u9fa5A-Za-z]+〔\d{4}〕[1-9]\d*号$")
CODE_PATTERN = re.compile(r"^[\u4e00-\u9fa5A-Za-z]+$")
VOID_ROLES = frozenset({"filing_clerk", "admin"})
STATUS_NAMES = {"assigned": "已使用", "voided": "已作废"}


def format_number(issuer_code: str, year: int, serial: int) -> str:
    """``某财规〔2026〕3号``: 〔〕 brackets, full year, no 第, no leading zeros (GB/T 9704-2012 7.2.4)."""
    return f"{issuer_code}〔{year}〕{serial}号"


def check_issuer_code(code: str) -> str:
    code = code.strip()
    if not CODE_PATTERN.match(code):
        raise InvalidInput(f"机关代字“{code}”只能由汉字或字母组成，如“某财规”")
    return code


def _next_serial(session: Session, issuer_code: str, year: int) -> int:
    dialect = session.get_bind().dialect.name
    values = {"issuer_code": issuer_code, "year": year, "last_serial": 0}
    if dialect == "postgresql":
        session.execute(postgresql.insert(NumberSequence).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(NumberSequence).values(**values).on_conflict_do_nothing())
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise InvalidInput(f"统一编号不支持数据库 {dialect}")
    counter = session.exec(
        select(NumberSequence)
        .where(NumberSequence.issuer_code == issuer_code, NumberSequence.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    counter.last_serial += 1
    session.add(counter)
    return counter.last_serial


def assign(
    session: Session, case: Case, actor: Actor, *, on: date, issuer_code: str | None = None
) -> IssuedNumber:
    """Give ``case`` the next number of its issuing body for the year of ``on`` (the publication
    date), in the caller's transaction, and audit it."""
    code = check_issuer_code(issuer_code or get_settings().issuer_code)
    year = on.year
    serial = _next_serial(session, code, year)
    issued = IssuedNumber(
        issuer_code=code,
        year=year,
        serial=serial,
        number=format_number(code, year, serial),
        case_id=case.id,
        assigned_by=actor.username,
    )
    session.add(issued)
    case.doc_number = issued.number
    case.published_on = on
    session.add(case)
    session.flush()
    audit.append(
        session,
        action="number.assigned",
        actor=actor.username,
        role="filing_clerk",
        channel=actor.channel,
        case_id=case.id,
        payload={
            "doc_number": issued.number,
            "issuer_code": code,
            "year": year,
            "serial": serial,
            "published_on": on.isoformat(),
        },
    )
    return issued


@dataclass(frozen=True)
class NumberRow:
    number: str
    issuer_code: str
    year: int
    serial: int
    status: str
    status_name: str
    case_number: str | None
    case_title: str | None
    assigned_by: str
    assigned_at: str
    voided_by: str | None
    voided_at: str | None
    voided_reason: str | None


def register(*, year: int | None = None, issuer_code: str | None = None) -> list[NumberRow]:
    """The number register (登记簿), in order of serial: voided numbers are listed with their reason."""
    require_schema()
    with session_scope() as session:
        query = select(IssuedNumber, Case).join(Case, col(Case.id) == col(IssuedNumber.case_id), isouter=True)
        if year is not None:
            query = query.where(IssuedNumber.year == year)
        if issuer_code:
            query = query.where(IssuedNumber.issuer_code == issuer_code)
        query = query.order_by(
            col(IssuedNumber.issuer_code), col(IssuedNumber.year), col(IssuedNumber.serial)
        )
        return [
            NumberRow(
                n.number,
                n.issuer_code,
                n.year,
                n.serial,
                n.status,
                STATUS_NAMES.get(n.status, n.status),
                c.number if c else None,
                c.title if c else None,
                n.assigned_by,
                n.assigned_at.isoformat(timespec="seconds"),
                n.voided_by,
                n.voided_at.isoformat(timespec="seconds") if n.voided_at else None,
                n.voided_reason,
            )
            for n, c in session.exec(query).all()
        ]


def void(number: str, reason: str, by: Actor, *, reissue: bool = False) -> IssuedNumber:
    """Void a number (misprint, withdrawn issue): the row stays with the reason; the number is never
    given out again. With ``reissue`` the case gets the next number in the same transaction."""
    require_schema()
    number, reason = number.strip(), reason.strip()
    try:
        with session_scope(write=True) as session:
            actor = acting(session, by)
            if not actor.roles & VOID_ROLES:
                raise PermissionDenied(f"{actor.label}不是备案员或管理员，不能作废文号")
            if not reason:
                raise InvalidInput("作废文号须写明理由（--reason）")
            issued = session.exec(select(IssuedNumber).where(IssuedNumber.number == number)).first()
            if issued is None:
                raise NotFound(f"登记簿中没有文号“{number}”")
            if issued.status == "voided":
                raise InvalidInput(f"文号“{number}”已于 {issued.voided_at:%Y-%m-%d} 作废")
            issued.status, issued.voided_at, issued.voided_by = "voided", utcnow(), actor.username
            issued.voided_reason = reason[:256]
            session.add(issued)
            case = session.get(Case, issued.case_id) if issued.case_id else None
            if case is not None and case.doc_number == number:
                case.doc_number = None
                session.add(case)
            audit.append(
                session,
                action="number.voided",
                actor=actor.username,
                channel=actor.channel,
                role=",".join(sorted(actor.roles & VOID_ROLES)),
                case_id=issued.case_id,
                payload={"doc_number": number, "reason": reason, "reissue": reissue},
            )
            if reissue and case is not None:
                assign(
                    session,
                    case,
                    actor,
                    on=case.published_on or local_today(),
                    issuer_code=issued.issuer_code,
                )
            session.flush()
            return issued
    except (InvalidInput, PermissionDenied, NotFound) as err:
        record_refusal(None, by, channel_of(by), "number.refused", str(err), {"doc_number": number})
        raise
