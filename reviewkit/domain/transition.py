"""The pure transition function: definition + case state + decision + actor → new state, or
``TransitionNotAllowed`` with the reason (stage, decision, who, which precondition).

What the caller supplies (the services rebuild it from the store; ``replay`` helps):
- ``CaseState.version``: the current draft version (e.g. its SHA-256); ``None`` when not tracked.
- ``CaseState.events``: what has happened (``legality_passed``, ``published`` …) with date and
  version; decisions add them (``emits``) and remove them (``clears``).
- ``CaseState.facts``: recorded values, e.g. ``consultation_start``/``consultation_end`` (dates),
  ``urgency_reason`` (text); ``transition(..., facts=...)`` records new ones with the decision.
- ``CaseState.evidence``: names of the materials on file.

``None`` for ``events`` or ``evidence`` means "the caller did not supply this part of the record"
(a bare ``CaseState(stage, round, flags)``): the checks that need it cannot be made, so they are
not made, and the ``Move`` lists them in ``unchecked`` and a ``PreconditionsUncheckedWarning`` is
issued — never silently. ``start_state`` and ``replay`` always supply the record.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from reviewkit.domain.calendar import WorkCalendar
from reviewkit.domain.process_model import DecisionSpec, Precondition, ProcessDefinition, StageSpec
from reviewkit.errors import TransitionNotAllowed


class PreconditionsUncheckedWarning(UserWarning):
    """A transition was applied to a state without its record: preconditions were not checked."""


@dataclass(frozen=True)
class EventRecord:
    on: date | None = None
    version: str | None = None


@dataclass(frozen=True)
class Signature:
    actor: str
    role: str
    decision: str


@dataclass(frozen=True)
class CaseState:
    """What the transition function needs to know about a case."""

    stage: str
    round: int = 1
    flags: frozenset[str] = frozenset()
    facts: dict[str, object] = field(default_factory=dict)
    version: str | None = None
    events: Mapping[str, EventRecord] | None = None
    evidence: frozenset[str] | None = None
    signatures: tuple[Signature, ...] = ()


@dataclass(frozen=True)
class Move:
    """The result of a transition: where the case goes and why.

    ``complete`` is False when a 会签/串签 signature was recorded but the stage still waits for
    others (``waiting_for``, Chinese); the case stays in ``from_stage``.
    """

    state: CaseState
    decision: DecisionSpec | None
    from_stage: str
    complete: bool = True
    waiting_for: str = ""
    unchecked: tuple[str, ...] = ()


_DEFAULT_CALENDAR: WorkCalendar | None = None


def _calendar(calendar: WorkCalendar | None) -> WorkCalendar:
    global _DEFAULT_CALENDAR
    if calendar is not None:
        return calendar
    if _DEFAULT_CALENDAR is None:
        _DEFAULT_CALENDAR = WorkCalendar()
    return _DEFAULT_CALENDAR


def start_state(
    definition: ProcessDefinition,
    flags: Iterable[str] = (),
    *,
    on: date | None = None,
    version: str | None = None,
    facts: Mapping[str, object] | None = None,
    evidence: Iterable[str] | None = None,
) -> CaseState:
    """The state of a new case: its first applicable stage, with ``case_started`` recorded."""
    fl = frozenset(flags)
    return CaseState(
        stage=definition.first_stage(fl),
        flags=fl,
        facts=dict(facts or {}),
        version=version,
        events={"case_started": EventRecord(on, version)},
        evidence=None if evidence is None else frozenset(evidence),
    )


def check(pre: Precondition, state: CaseState, calendar: WorkCalendar | None = None) -> str | None:
    """``None`` when ``pre`` holds for ``state``, else the Chinese reason."""
    if pre.when is not None and pre.when not in state.flags:
        return None
    if pre.unless is not None and state.facts.get(pre.unless) not in (None, ""):
        return None
    reason = f"{pre.title}（{pre.basis}）" if pre.basis else pre.title
    events = state.events or {}
    if pre.event is not None:
        ev = events.get(pre.event)
        if ev is None or (pre.current_version and ev.version != state.version):
            return reason
    elif pre.fact is not None:
        if state.facts.get(pre.fact) in (None, ""):
            return reason
    elif pre.span is not None and pre.at_least is not None:
        first, last = (_date_of(name, state) for name in pre.span)
        if first is None or last is None:
            return f"{reason}；未记录{'、'.join(pre.span)}的日期"
        if pre.unit == "working":
            length = _calendar(calendar).working_days_between(first, last)
        else:
            length = (last - first).days
        if length < pre.at_least:
            return f"{reason}；实际 {length} 日，不足 {pre.at_least} 日"
    return None


def _date_of(name: str, state: CaseState) -> date | None:
    ev = (state.events or {}).get(name)
    if ev is not None and ev.on is not None:
        return ev.on
    value = state.facts.get(name)
    return value if isinstance(value, date) else None


def _require(
    pres: Iterable[Precondition], state: CaseState, prefix: str, calendar: WorkCalendar | None
) -> tuple[str, ...]:
    """Raise on the first precondition that fails; return the ids that could not be checked."""
    if state.events is None:
        return tuple(p.id for p in pres)
    for pre in pres:
        reason = check(pre, state, calendar)
        if reason is not None:
            raise TransitionNotAllowed(f"{prefix}：{reason}〔{pre.id}〕")
    return ()


def _enter(
    definition: ProcessDefinition, state: CaseState, target: str, calendar: WorkCalendar | None
) -> tuple[CaseState, tuple[str, ...]]:
    stage_id = definition.resolve(target, state.flags)
    spec = definition.stage(stage_id)
    unchecked = _require(
        spec.requires, replace(state, stage=stage_id), f"不能进入环节“{spec.name}”", calendar
    )
    return replace(state, stage=stage_id, signatures=()), unchecked


def _finish(move: Move) -> Move:
    preconditions = [u for u in move.unchecked if not u.startswith("材料：")]
    if preconditions:
        warnings.warn(
            PreconditionsUncheckedWarning(
                f"未提供案件记录（CaseState.events），未检查前提：{'、'.join(preconditions)}；"
                "请用 replay() 或 start_state() 构造案件状态"
            ),
            stacklevel=3,
        )
    return move


def transition(
    definition: ProcessDefinition,
    state: CaseState,
    decision: str,
    actor_roles: frozenset[str] | set[str],
    *,
    actor: str | None = None,
    on: date | None = None,
    facts: Mapping[str, object] | None = None,
    calendar: WorkCalendar | None = None,
) -> Move:
    """Apply ``decision`` taken by someone holding ``actor_roles`` at ``state.stage``.

    ``actor`` (a username) is required at 会签/串签 stages; ``on`` dates the events the decision
    emits; ``facts`` are recorded with the decision (e.g. ``urgency_reason``). Raises
    ``TransitionNotAllowed`` naming stage, decision and the reason; the state is never mutated.
    """
    spec = definition.stage(state.stage)
    if spec.kind != "human":
        raise TransitionNotAllowed(f"环节“{spec.name}”不是人工审批环节，不能作出决定")
    chosen = spec.decision(decision)
    roles = set(actor_roles)
    if not roles & set(spec.roles):
        needed = "、".join(definition.role_label(r) for r in spec.roles)
        raise TransitionNotAllowed(f"环节“{spec.name}”只能由{needed}作出决定")
    if facts:
        state = replace(state, facts={**state.facts, **facts})
    # A stage's own preconditions must still hold when it passes a case on (a new draft may have
    # arrived while the case waited there); returning or rejecting stays possible.
    pres = (*spec.requires, *chosen.requires) if chosen.outcome == "pass" else chosen.requires
    unchecked = _require(pres, state, f"环节“{spec.name}”不能作出决定“{chosen.label}”", calendar)
    if spec.approval.mode != "single":
        signed = _sign(definition, spec, state, chosen, roles, actor)
        if signed is not None:
            return _finish(replace(signed, unchecked=unchecked))
    required = () if chosen.waive_evidence else (*spec.evidence, *chosen.evidence)
    if state.evidence is None:
        unchecked += tuple(f"材料：{e}" for e in required)
    else:
        missing = [e for e in required if e not in state.evidence]
        if missing:
            raise TransitionNotAllowed(f"离开环节“{spec.name}”前须提交：{'、'.join(missing)}")
    after = apply_effects(state, chosen, on=on)
    entered, more = _enter(definition, after, chosen.target, calendar)
    return _finish(Move(entered, chosen, spec.id, unchecked=unchecked + more))


def apply_effects(state: CaseState, chosen: DecisionSpec, *, on: date | None = None) -> CaseState:
    """The bookkeeping of a decision that takes effect: events, cleared events, round."""
    next_round = state.round + 1 if chosen.outcome == "revise" else state.round
    if state.events is None:
        return replace(state, round=next_round)
    events = {k: v for k, v in state.events.items() if k not in chosen.clears}
    if chosen.emits:
        events[chosen.emits] = EventRecord(on, state.version)
    return replace(state, events=events, round=next_round)


def _sign(
    definition: ProcessDefinition,
    spec: StageSpec,
    state: CaseState,
    chosen: DecisionSpec,
    roles: set[str],
    actor: str | None,
) -> Move | None:
    """Record a 会签/串签 signature; ``None`` when the decision now takes effect."""
    policy = spec.approval
    if not actor:
        raise TransitionNotAllowed(f"环节“{spec.name}”为会签/串签环节，须写明签署人")
    if any(s.actor == actor for s in state.signatures):
        raise TransitionNotAllowed(f"环节“{spec.name}”中 {actor} 已签署，不能重复签署")
    taken = [s.role for s in state.signatures]
    open_slots = list(policy.signers)
    for role in taken:
        open_slots.remove(role)
    if policy.mode == "sequential":
        slot = policy.signers[len(taken)]
        if slot not in roles:
            raise TransitionNotAllowed(f"环节“{spec.name}”为串签，现应由{definition.role_label(slot)}签署")
    else:
        slot = next((r for r in open_slots if r in roles), "")
        if not slot:
            raise TransitionNotAllowed(f"环节“{spec.name}”没有可由您签署的会签席位")
    signatures = (*state.signatures, Signature(actor, slot, chosen.label))
    passes = sum(1 for s in signatures if s.decision == chosen.label)
    remaining = len(policy.signers) - len(signatures)
    if chosen.outcome != "pass":
        if policy.mode != "n_of_m":
            return None
        best = max(
            sum(1 for s in signatures if s.decision == d.label) for d in spec.decisions if d.outcome == "pass"
        )
        if best + remaining < (policy.n or 0):
            return None
    else:
        need = policy.n if policy.mode == "n_of_m" and policy.n else len(policy.signers)
        if passes >= need:
            return None
    left = "、".join(definition.role_label(r) for r in open_slots if r != slot) or "其他签署人"
    return Move(
        state=replace(state, signatures=signatures),
        decision=chosen,
        from_stage=spec.id,
        complete=False,
        waiting_for=f"尚待{left}签署",
    )


def advance_auto(
    definition: ProcessDefinition, state: CaseState, *, calendar: WorkCalendar | None = None
) -> Move:
    """Leave an ``auto`` stage along its ``next``."""
    spec = definition.stage(state.stage)
    if spec.kind != "auto" or spec.next is None:
        raise TransitionNotAllowed(f"环节“{spec.name}”不是自动环节")
    entered, unchecked = _enter(definition, state, spec.next, calendar)
    return _finish(Move(entered, None, spec.id, unchecked=unchecked))


@dataclass(frozen=True)
class DecisionRecord:
    """One decision from a case's history, as the store keeps it."""

    stage: str
    decision: str
    on: date | None = None
    version: str | None = None
    actor: str = ""
    role: str = ""
    facts: Mapping[str, object] = field(default_factory=dict)


def replay(
    definition: ProcessDefinition,
    records: Iterable[DecisionRecord],
    flags: Iterable[str] = (),
    *,
    started_on: date | None = None,
    version: str | None = None,
    facts: Mapping[str, object] | None = None,
    evidence: Iterable[str] | None = None,
) -> CaseState:
    """Rebuild a case's state from its recorded decisions (already validated when taken: roles
    and preconditions are not checked again). Auto stages are passed through. ``version``,
    ``facts`` and ``evidence`` are the case's current values."""
    state = start_state(definition, flags, on=started_on, facts=facts)
    for rec in records:
        while definition.stage(state.stage).kind == "auto":
            state = replace(
                state, stage=definition.resolve(definition.stage(state.stage).next or "", state.flags)
            )
        spec = definition.stage(state.stage)
        if rec.stage != spec.id:
            raise TransitionNotAllowed(f"案件记录与流程不符：记录在环节 {rec.stage}，而流程此时在 {spec.id}")
        chosen = spec.decision(rec.decision)
        state = replace(state, version=rec.version, facts={**state.facts, **rec.facts})
        if spec.approval.mode != "single":
            who = rec.actor or f"#{len(state.signatures) + 1}"
            move = _sign(definition, spec, state, chosen, {rec.role}, who)
            if move is not None:
                state = move.state
                continue
        state = apply_effects(state, chosen, on=rec.on)
        state = replace(state, stage=definition.resolve(chosen.target, state.flags), signatures=())
    return replace(
        state,
        version=version if version is not None else state.version,
        evidence=None if evidence is None else frozenset(evidence),
    )
