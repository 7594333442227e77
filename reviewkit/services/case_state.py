"""Rebuild the domain's view of a case (``CaseState``) from the store: decisions, facts, evidence."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlmodel import Session, col, select

from reviewkit.domain import deadlines
from reviewkit.domain.process import CaseState, ProcessDefinition
from reviewkit.domain.transition import DecisionRecord, replay
from reviewkit.errors import InvalidInput
from reviewkit.services.kernel import current_version, definition_of
from reviewkit.settings import get_settings
from reviewkit.store.models import Attachment, Case, Decision


def local_date(moment: datetime) -> date:
    return deadlines.local_date(moment, get_settings().timezone)


def evidence_on_file(session: Session, case: Case) -> frozenset[str]:
    names = session.exec(select(Attachment.name).where(Attachment.case_id == case.id)).all()
    return frozenset(names)


def build_state(session: Session, case: Case) -> CaseState:
    """The case as the transition function sees it: its stage reached by replaying every decision
    that took effect, with the events they emitted, the recorded facts and the materials on file."""
    definition = definition_of(case)
    # Every decision is history, voided approvals included: the process's own ``clears`` and the
    # current-version checks of its preconditions decide what still counts.
    decisions = session.exec(
        select(Decision).where(Decision.case_id == case.id).order_by(col(Decision.id))
    ).all()
    records = [
        DecisionRecord(
            stage=d.stage,
            decision=d.decision,
            on=local_date(d.created_at),
            version=d.version_sha256,
            actor=d.actor,
            role=d.role,
            facts=domain_facts(d.facts),
        )
        for d in decisions
    ]
    version = current_version(session, case)
    state = replay(
        definition,
        records,
        case.flags,
        started_on=local_date(case.created_at),
        version=version.sha256,
        facts=domain_facts(case.facts),
        evidence=evidence_on_file(session, case),
    )
    # Replay stops where the last decision led; automatic stages the system has already run since
    # (the case has moved past them) are passed through, as the flow did.
    while state.stage != case.stage and definition.stage(state.stage).kind == "auto":
        nxt = definition.stage(state.stage).next
        if nxt is None:
            break
        state = replace(state, stage=definition.resolve(nxt, state.flags))
    return state


def check_facts(definition: ProcessDefinition, facts: dict[str, str]) -> dict[str, object]:
    """Validate facts given with a decision; ISO dates become ``date`` for the domain's span checks."""
    out: dict[str, object] = {}
    for key, value in facts.items():
        if key not in definition.facts:
            known = "、".join(f"{k}（{v}）" for k, v in definition.facts.items()) or "（无）"
            raise InvalidInput(f"“{key}”不是{definition.name}流程记录的事实，可选：{known}")
        out[key] = _as_fact(value)
    return out


def _as_fact(value: object) -> object:
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(f"日期“{value}”格式有误，应为 YYYY-MM-DD") from None
    return value


def domain_facts(facts: dict[str, str] | None) -> dict[str, object]:
    return {k: _as_fact(v) for k, v in (facts or {}).items()}
