"""Moving a case through its stages: entering a stage, gates, decisions, automatic stages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlmodel import Session, col, select

from reviewkit.domain import permissions
from reviewkit.domain.process import advance_auto, transition
from reviewkit.errors import InvalidInput, NotFound, PermissionDenied, StoreError, TransitionNotAllowed
from reviewkit.services import documents, numbering, ports
from reviewkit.services.actors import SYSTEM_ACTOR, Actor, CodeClaim, acting, channel_of, require_proven
from reviewkit.services.authz import permission_matrix
from reviewkit.services.case_state import build_state, check_facts
from reviewkit.services.deadlines import work_calendar
from reviewkit.services.delegation import may_take_task
from reviewkit.services.document_context import Pending
from reviewkit.services.effects import after_decision
from reviewkit.services.enforcement import record_officers, require_certified
from reviewkit.services.facts import parse_fact_lines
from reviewkit.services.identity import consume_approval_code, note_code_failure
from reviewkit.services.kernel import (
    current_version,
    definition_of,
    get_case,
    local_today,
    open_task,
    record_refusal,
)
from reviewkit.services.prereview import review_version
from reviewkit.services.stages import enter_stage, leave_stage
from reviewkit.store import audit
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import Case, Decision, utcnow


@dataclass(frozen=True)
class DecisionResult:
    case_number: str
    from_stage: str
    to_stage: str
    decision: str
    actor: str
    flow_run_id: str | None
    task_id: int
    from_name: str = ""
    to_name: str = ""
    waiting_for: str = ""
    case_id: int = 0
    flow_note: str = ""  # what became of the case's flow run (woken, or why not)


def decide(
    case_ref: str | int,
    decision: str,
    who: Actor | CodeClaim,
    *,
    opinion: str = "",
    facts: dict[str, str] | None = None,
    fact_lines: Sequence[str] = (),
) -> DecisionResult:
    """THE decision pipeline: every channel (CLI, Prefect form, workbench, demo) decides through here.

    ``who`` is an ``Actor`` whose identity was proved (``services.identity``: PIN, token, the demo's
    own case) or a ``CodeClaim`` checked here. A name, or an actor without proof, is refused. The
    decision is applied in one transaction (a code is spent in it, so a decision refused for another
    reason leaves the code usable); a refusal changes nothing and is audited — under the person's name
    only when they proved who they are, otherwise as a claim (``（未证实身份）``).

    ``facts`` are recorded with the decision (only facts the case's definition declares are accepted);
    ``fact_lines`` are facts as people type them (``名称=值``), read here so that a malformed one is a
    refused, audited decision like any other. After the commit the stage's declared papers are made."""
    require_schema()
    decision = decision.strip()
    claim = who if isinstance(who, CodeClaim) else None
    actor: Actor | None = None
    bad_code: tuple[int, str, int] | None = None
    try:
        if claim is None:
            actor = require_proven(who)
        facts = {**(facts or {}), **parse_fact_lines(fact_lines)}
        with session_scope(write=True) as session:
            case = get_case(session, case_ref)
            # Concurrent deciders queue here: the case row is locked (PostgreSQL ``SELECT … FOR UPDATE``;
            # SQLite writers are already serialised by BEGIN IMMEDIATE) and re-read, so the gate, its
            # task and the stage are seen as the previous decider committed them
            # (tests/integration/test_races.py: 100 racers, exactly one applied).
            session.refresh(case, with_for_update=True)
            if claim is not None:
                assert case.id is not None
                try:
                    actor = consume_approval_code(
                        session,
                        claim.username,
                        claim.code,
                        case.id,
                        case.stage,
                        case.round,
                        channel=claim.channel,
                    )
                except PermissionDenied:
                    bad_code = (case.id, case.stage, case.round)
                    raise
            else:
                actor = acting(session, actor, case)
            result = _apply_decision(session, case, decision, opinion.strip(), actor, dict(facts or {}))
    except (TransitionNotAllowed, PermissionDenied, InvalidInput, NotFound) as err:
        details: dict[str, object] = {
            "decision": decision,
            "facts": dict(facts or {}),
            **({"fact_lines": list(fact_lines)} if fact_lines else {}),
        }
        if bad_code is not None and claim is not None:
            note_code_failure(claim.username, *bad_code, channel=claim.channel, reason=str(err))
        elif actor is None:  # refused before anyone was proved: a claim (actors are only ever proven here)
            record_refusal(case_ref, who, channel_of(who), "decision.refused", str(err), details)
        else:
            record_refusal(
                case_ref, actor, actor.channel, "decision.refused", str(err), {**details, "auth": actor.auth}
            )
        raise
    # The stage's formal papers (审核意见书, 登记表, 正式文本, 备案报告, 修改对照稿 …), rendered from the
    # record just committed; a broken template is audited, never undoes the decision.

    after_decision(result)
    return replace(result, flow_note=ports.wake_run(result.case_id, result.flow_run_id))


def _apply_decision(
    session: Session, case: Case, decision: str, opinion: str, actor: Actor, facts: dict[str, str]
) -> DecisionResult:
    assert case.id is not None
    if case.status != "open":
        raise InvalidInput(f"案件 {case.number} 已结束，不能再作决定")
    definition = definition_of(case)
    spec = definition.stage(case.stage)
    if spec.kind != "human":
        raise TransitionNotAllowed(f"案件 {case.number} 当前环节“{spec.name}”不需要人工决定")
    task = open_task(session, case)
    if task is None:
        raise TransitionNotAllowed(f"案件 {case.number} 的“{spec.name}”环节没有待办事项")
    version = current_version(session, case)
    state = build_state(session, case)
    if state.stage != case.stage:
        raise StoreError(f"案件 {case.number} 的决定记录推算出环节 {state.stage}，与登记的 {case.stage} 不符")
    # The stage's own record (审核意见书 …) counts as on file: the decision writes it below, once every
    # check has passed.

    records = {
        name: kind
        for name, kind in documents.decision_records(case, spec.id).items()
        if state.evidence is not None and name not in state.evidence
    }
    if records:
        state = replace(state, evidence=frozenset(state.evidence or ()) | records.keys())
    move = transition(
        definition,
        state,
        decision,
        actor.roles,
        actor=actor.username,
        on=local_today(),
        facts=check_facts(definition, facts),
        calendar=work_calendar(),
    )
    assert move.decision is not None
    if (
        move.decision.outcome == "pass"
    ):  # issue #11: officers' certificates still valid and covering the matter
        require_certified(session, definition, move.state.facts, local_today())
    # Identity and duties (issue #7): the task's assignee, separation of duties, the matrix's cap.
    role, principal = may_take_task(session, actor, task)
    matrix = permission_matrix()
    permissions.require(matrix, actor.label, {role}, matrix.decision_action(spec.id))
    signed = session.exec(
        select(Decision).where(Decision.task_id == task.id, col(Decision.voided_at).is_(None))
    ).all()
    clash = permissions.signer_conflict(
        [(d.actor, d.on_behalf_of) for d in signed], actor.username, principal
    )
    if clash:
        raise PermissionDenied(clash)
    required = () if move.decision.waive_evidence else (*spec.evidence, *move.decision.evidence)
    pending = Pending(decision, opinion, actor.username, tuple(sorted(facts.items())))
    for name in (n for n in required if n in records):
        documents.file_decision_record(session, case, records[name], pending, actor)
    record = Decision(
        case_id=case.id,
        task_id=task.id or 0,
        stage=spec.id,
        round=case.round,
        decision=decision,
        outcome=move.decision.outcome,
        opinion=opinion,
        actor=actor.username,
        role=role,
        channel=actor.channel,
        version_sha256=version.sha256,
        on_behalf_of=principal,
        facts=facts,
        signature_only=not move.complete,
    )
    session.add(record)
    payload = {
        "stage": spec.id,
        "round": case.round,
        "decision": decision,
        "outcome": move.decision.outcome,
        "opinion": opinion,
        "version_sha256": version.sha256,
        "task_id": task.id,
        "on_behalf_of": principal,
        "auth": actor.auth,
        "facts": facts,
    }
    if facts:
        case.facts = {**(case.facts or {}), **facts}
        session.add(case)
    if move.decision.outcome == "pass" and "officers" in definition.facts:
        record_officers(session, case, local_today())
    if not move.complete:  # 会签/串签: a signature, the gate stays open for the others
        task.wakes += 1  # the waiting flow is resumed and must wait again under a new key
        session.add(task)
        audit.append(
            session,
            action="signature.recorded",
            actor=actor.username,
            role=role,
            channel=actor.channel,
            case_id=case.id,
            payload={**payload, "waiting_for": move.waiting_for},
        )
        return DecisionResult(
            case.number,
            spec.id,
            spec.id,
            decision,
            actor.username,
            case.flow_run_id,
            task.id or 0,
            spec.name,
            spec.name,
            move.waiting_for,
            case.id,
        )
    task.status = "decided"
    task.decided_at = utcnow()
    session.add(task)
    leave_stage(session, case, decision, actor.username)
    audit.append(
        session,
        action="decision.recorded",
        actor=actor.username,
        role=role,
        channel=actor.channel,
        case_id=case.id,
        payload=payload,
    )
    if spec.assigns_number and move.decision.outcome == "pass":
        _assign_number(session, case, actor)
    case.round = move.state.round
    enter_stage(session, case, definition, move.state.stage, actor, events=move.state.events)
    return DecisionResult(
        case.number,
        spec.id,
        move.state.stage,
        decision,
        actor.username,
        case.flow_run_id,
        task.id or 0,
        spec.name,
        definition.stage(move.state.stage).name,
        "",
        case.id,
    )


def _assign_number(session: Session, case: Case, actor: Actor) -> None:
    """统一编号 in the same transaction as the stage move: the gap-free register of
    ``services.numbering`` (a counter per 机关代字 and year, locked row; voided numbers never reused)."""
    numbering.assign(session, case, actor, on=local_today())


def run_auto_stage(case_id: int) -> str | None:
    """Run the case's current automatic stage (pre-review) and move on. Idempotent: a case that is not
    in an automatic stage is left alone; findings of a version are stored once."""
    require_schema()
    with session_scope(write=True) as session:
        case = session.get(Case, case_id, with_for_update=True)  # two processes on one case: one does it
        if case is None:
            raise NotFound(f"没有案件 {case_id}")
        definition = definition_of(case)
        if case.status != "open" or definition.stage(case.stage).kind != "auto":
            return None
        version = current_version(session, case)
        review_version(session, case, version)
        leave_stage(session, case, "完成", SYSTEM_ACTOR.username)

        move = advance_auto(definition, build_state(session, case), calendar=work_calendar())
        enter_stage(session, case, definition, move.state.stage, SYSTEM_ACTOR, events=move.state.events)
        return move.state.stage


def stage_kind(case_id: int) -> str:
    """``human``, ``auto`` or ``end``: what the case's current stage needs."""
    with session_scope() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound(f"没有案件 {case_id}")
        return definition_of(case).stage(case.stage).kind
