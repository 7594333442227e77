"""Property: random decision sequences never reach a state the definition forbids."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewkit.domain.process import CaseState, ProcessDefinition, list_definitions, start_state, transition
from reviewkit.domain.transition import advance_auto, check
from reviewkit.errors import TransitionNotAllowed

DEFS = {d.kind: d for d in list_definitions(Path(__file__).resolve().parents[3] / "templates" / "processes")}
ROLES = ["drafter", "unit_head", "counsel", "fair_competition_reviewer", "leader", "filing_clerk"]

step = st.tuples(
    st.integers(0, 10),  # which decision of the current stage
    st.sets(st.sampled_from(ROLES), min_size=1, max_size=3),
    st.booleans(),  # a new draft version is uploaded before the decision
    st.sampled_from(["", "", "", "紧急"]),  # urgency reason recorded with the decision
)


def _assert_allowed(definition: ProcessDefinition, state: CaseState) -> None:
    spec = definition.stage(state.stage)
    assert spec.condition is None or spec.condition in state.flags
    for pre in spec.requires:
        assert check(pre, state) is None, (state.stage, pre.id)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(sorted(DEFS)),
    flags=st.sets(
        st.sampled_from(
            ["touches_business", "risk_flagged", "needs_assessment", "needs_expert", "complex_case"]
        )
    ),
    consult_days=st.integers(0, 45),
    steps=st.lists(step, max_size=40),
)
def test_random_walks_stay_legal(kind: str, flags: set[str], consult_days: int, steps: list) -> None:  # type: ignore[type-arg]
    definition = DEFS[kind]
    flags_ = frozenset(f for f in flags if f in definition.flags)
    facts = {"consultation_start": date(2026, 3, 2), "consultation_end": date(2026, 3, 2) + timedelta(days=consult_days),
             "market_players_consulted": "是"}  # fmt: skip
    evidence = [e for s in definition.stages for e in s.evidence]
    state = start_state(definition, flags_, facts=facts, version="v1", evidence=evidence)
    versions = 1
    for i, (pick, roles, new_version, urgency) in enumerate(steps):
        while definition.stage(state.stage).kind == "auto":
            state = advance_auto(definition, state).state
        spec = definition.stage(state.stage)
        if spec.kind == "end":
            break
        if new_version:
            versions += 1
            state = replace(state, version=f"v{versions}")
        label = spec.decisions[pick % len(spec.decisions)].label
        try:
            move = transition(definition, state, label, roles, actor=f"u{i}", on=date(2026, 5, 1),
                              facts={"urgency_reason": urgency} if urgency else None)  # fmt: skip
        except TransitionNotAllowed:
            continue  # refused: the state is unchanged
        if move.complete and spec.decision(label).outcome == "pass":
            assert all(check(p, state) is None for p in spec.requires), (
                "passed on despite unmet preconditions"
            )
        assert move.unchecked == ()
        if move.complete:
            chosen = spec.decision(label)
            assert set(roles) & set(spec.roles)
            assert move.state.stage == definition.resolve(chosen.target, flags_)
        else:
            assert move.state.stage == state.stage
        state = move.state
        if move.complete:
            _assert_allowed(definition, state)
        if state.stage in ("deliberation", "collective_decision", "countersign"):
            assert state.events is not None and state.events["legality_passed"].version == state.version
        if state.stage in ("filing", "archiving") and kind != "major_contract":
            assert state.events is not None and "published" in state.events
