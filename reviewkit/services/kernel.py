"""The shared lookups every service needs, below all of them: the case by number or id, the process
definition it started with, its current draft and open task, today's date in the office's time zone,
and the one way a refused attempt is audited. Imports nothing from the other services but ``actors``."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from reviewkit.domain.process import ProcessDefinition, parse_definition
from reviewkit.errors import NotFound, ReviewkitError
from reviewkit.services.actors import UNPROVEN, Actor, claimed_name
from reviewkit.settings import get_settings
from reviewkit.store import audit
from reviewkit.store.db import session_scope
from reviewkit.store.models import Case, DocumentVersion, HumanTask


def local_today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def definition_of(case: Case) -> ProcessDefinition:
    """The definition the case started with (its stored snapshot), never the edited file."""
    try:
        return _parsed_snapshot(case.process_snapshot)
    except ReviewkitError:  # parse again only to name the case in the one-line error
        return parse_definition(case.process_snapshot, f"案件 {case.number} 的流程快照")


@lru_cache(maxsize=64)
def _parsed_snapshot(text: str) -> ProcessDefinition:
    # A case asks for its definition ~90 times on its way through (≈ 22 % of its CPU when parsed each
    # time, bench/concurrency.py), and thousands of cases share one snapshot (an inbox over 10,000 cases
    # parsed it once per case while the key held the case number: bench/RESULTS.md, web.py). The
    # snapshot never changes and the parsed model is frozen.
    return parse_definition(text, "流程快照")


def current_version(session: Session, case: Case) -> DocumentVersion:
    version = session.get(DocumentVersion, case.current_version_id) if case.current_version_id else None
    if version is None:
        raise NotFound(f"案件 {case.number} 没有文稿版本")
    return version


def open_task(session: Session, case: Case) -> HumanTask | None:
    return session.exec(
        select(HumanTask).where(
            HumanTask.case_id == case.id,
            HumanTask.stage == case.stage,
            HumanTask.round == case.round,
            HumanTask.status == "open",
        )
    ).first()


def get_case(session: Session, ref: str | int) -> Case:
    case: Case | None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        case = session.get(Case, int(ref))
    else:
        case = session.exec(select(Case).where(Case.number == ref)).first()
    if case is None:
        raise NotFound(f"没有案件“{ref}”")
    return case


def record_refusal(
    case_ref: str | int | None,
    who: object,
    channel: str,
    action: str,
    reason: str,
    payload: dict[str, object],
) -> None:
    """Audit a refused attempt in its own transaction (the attempt itself was rolled back): in the
    person's name when ``who`` is an actor whose identity was proved, otherwise as a claim
    (``（未证实身份）`` with ``claimed_user``), never in the name of whoever was named."""
    if isinstance(who, Actor) and who.proven:
        username, channel = who.username, who.channel
    else:
        payload = {**payload, "claimed_user": claimed_name(who)}
        username, channel = UNPROVEN, (who.channel if isinstance(who, Actor) else channel)

    with session_scope(write=True) as session:
        case_id: int | None = None
        if case_ref is not None:
            try:
                case_id = get_case(session, case_ref).id
            except NotFound:
                case_id = None
        audit.append(
            session,
            action=action,
            actor=username or "（未知）",
            channel=channel,
            case_id=case_id,
            payload={**payload, "case": str(case_ref), "reason": reason},
        )
