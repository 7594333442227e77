"""Shipped process definitions: every (stage, decision) pair, full paths with return loops,
statutory preconditions, approval policies, versions and snapshots."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reviewkit.domain.process import (
    CaseState,
    DecisionRecord,
    EventRecord,
    ProcessDefinition,
    compare_with_current,
    definition_fingerprint,
    from_snapshot,
    list_definitions,
    load_definition,
    parse_definition,
    replay,
    start_state,
    to_toml,
    transition,
)
from reviewkit.domain.process_draw import to_mermaid
from reviewkit.domain.transition import PreconditionsUncheckedWarning, advance_auto
from reviewkit.errors import ConfigError, NotFound, TransitionNotAllowed

PROCESSES = Path(__file__).resolve().parents[3] / "templates" / "processes"
DEFS = {d.kind: d for d in list_definitions(PROCESSES)}
ALL_ROLES = frozenset(
    {
        "drafter",
        "unit_head",
        "legality_reviewer",
        "counsel",
        "disclosure_head",
        "fair_competition_reviewer",
        "leader",
        "filing_clerk",
    }
)
LONG_CONSULTATION = {"consultation_start": date(2026, 3, 2), "consultation_end": date(2026, 4, 10),
                     "market_players_consulted": "座谈会2次", "legal_basis": "政府采购法第十三条",
                     "effective_date": date(2099, 1, 1), "meeting": "局务会议", "attendees": "局领导", "dissent": "无"}  # fmt: skip


def test_the_shipped_definitions() -> None:
    assert set(DEFS) == {
        "normative_document",
        "major_decision",
        "major_contract",
        "enforcement_review",
        "administrative_reconsideration",
        "administrative_litigation",
        "information_disclosure",
        "incidental_review",
    }
    assert DEFS["normative_document"].name == "行政规范性文件"


def _full_record(definition: ProcessDefinition, stage: str, flags: frozenset[str]) -> CaseState:
    """A state at ``stage`` whose record satisfies every precondition."""
    events = {name: EventRecord(date(2026, 5, 6), "v1") for name in definition.events}
    evidence = frozenset(
        e for s in definition.stages for e in (*s.evidence, *(x for d in s.decisions for x in d.evidence))
    )
    return CaseState(
        stage=stage,
        flags=flags,
        # every declared fact recorded (officers, exemption …), except the waiver of the consultation minimums
        facts={**{k: "（已记录）" for k in definition.facts if k != "urgency_reason"}, **LONG_CONSULTATION},
        version="v1",
        events=events,
        evidence=evidence,
    )


def _decide_all_signers(definition: ProcessDefinition, state: CaseState, label: str):  # type: ignore[no-untyped-def]
    spec = definition.stage(state.stage)
    if spec.approval.mode == "single":
        return transition(definition, state, label, ALL_ROLES, actor="a1", on=date(2026, 5, 7))
    move = None
    for i, role in enumerate(spec.approval.signers):
        move = transition(definition, state, label, {role}, actor=f"p{i}", on=date(2026, 5, 7))
        if move.complete:
            return move
        state = move.state
    return move


PAIRS = [
    (kind, s.id, d.label, flagset)
    for kind, definition in DEFS.items()
    for s in definition.stages
    for d in s.decisions
    for flagset in (frozenset(definition.flags), frozenset())
    if s.condition is None or s.condition in flagset
]


@pytest.mark.parametrize(
    ("kind", "stage", "label", "flags"),
    PAIRS,
    ids=lambda v: str(v) if not isinstance(v, frozenset) else ("all-flags" if v else "no-flags"),
)
def test_every_stage_decision_pair(kind: str, stage: str, label: str, flags: frozenset[str]) -> None:
    definition = DEFS[kind]
    chosen = definition.stage(stage).decision(label)
    move = _decide_all_signers(definition, _full_record(definition, stage, flags), label)
    assert move.complete and move.from_stage == stage and move.unchecked == ()
    assert move.state.stage == definition.resolve(chosen.target, flags)
    assert move.state.round == (2 if chosen.outcome == "revise" else 1)
    if chosen.emits:
        assert move.state.events is not None and move.state.events[chosen.emits].on == date(2026, 5, 7)
    for cleared in chosen.clears:
        assert move.state.events is not None and (cleared not in move.state.events or cleared == chosen.emits)


def _run(
    definition: ProcessDefinition, state: CaseState, *steps: tuple[str, frozenset[str] | set[str]]
) -> CaseState:
    for label, roles in steps:
        while definition.stage(state.stage).kind == "auto":
            state = advance_auto(definition, state).state
        state = transition(definition, state, label, roles, actor="x", on=date(2026, 6, 1)).state
    while definition.stage(state.stage).kind == "auto":
        state = advance_auto(definition, state).state
    return state


D, H, C, F, L, K = (
    {"drafter"},
    {"unit_head"},
    {"legality_reviewer"},  # the 审核机构 (P4); counsel only gives a separate 法律意见
    {"fair_competition_reviewer"},
    {"leader"},
    {"filing_clerk"},
)
CO = {"counsel"}


def test_normative_document_full_chain_with_return_loop() -> None:
    nd = DEFS["normative_document"]
    flags = {"touches_business", "risk_flagged"}
    state = start_state(nd, flags, on=date(2026, 3, 1), version="v1", facts=LONG_CONSULTATION)
    state = _run(nd, state, ("提交", D))
    assert (
        state.stage == "risk_assessment"
    )  # drafting-unit work, before consultation and review (37号 三(三))
    state = _run(nd, state, ("评估完成", H), ("征求意见完成", H))
    assert state.stage == "fair_competition"
    state = _run(nd, state, ("符合", F))
    assert state.stage == "legality_review"
    state = _run(nd, state, ("应当予以修改", C))
    assert (state.stage, state.round) == ("revision", 2)
    state = CaseState(**{**state.__dict__, "version": "v2"})
    state = _run(nd, state, ("提交修改稿", D), ("符合", F), ("合法", C), ("通过", L), ("印发", K))
    assert state.stage == "filing" and state.events is not None and "published" in state.events
    state = _run(nd, state, ("备案机关要求补正", K), ("已补正报备", K))
    assert state.stage == "filed"


def test_conditional_stages_are_skipped_without_their_flag() -> None:
    nd = DEFS["normative_document"]
    state = start_state(nd, (), facts=LONG_CONSULTATION)
    state = _run(nd, state, ("提交", D), ("征求意见完成", H))
    assert state.stage == "legality_review"  # no assessment, no fair-competition review
    state = _run(nd, state, ("合法", C))
    assert state.stage == "deliberation"  # no risk assessment


def test_no_deliberation_without_legality_review_of_the_current_version() -> None:
    nd = DEFS["normative_document"]
    state = start_state(nd, {"risk_flagged"}, facts=LONG_CONSULTATION, version="v1")
    state = _run(nd, state, ("提交", D), ("评估完成", H), ("征求意见完成", H), ("合法", C))
    assert state.stage == "deliberation"
    swapped = CaseState(**{**state.__dict__, "version": "v2"})  # a new draft slipped in after the review
    with pytest.raises(TransitionNotAllowed, match="PRE-DELIB-LEGALITY"):
        transition(nd, swapped, "通过", L)
    assert _run(nd, state, ("通过", L)).stage == "publication"


def test_short_consultation_is_stopped_before_review_unless_urgent() -> None:
    """P2: 37号(六) — the period is checked when the draft goes to review, not only at 印发."""
    nd = DEFS["normative_document"]
    short = {"consultation_start": date(2026, 9, 30), "consultation_end": date(2026, 10, 9),  # 2 working days
             "legal_basis": "政府采购法"}  # fmt: skip
    state = start_state(nd, (), facts=short)
    state = _run(nd, state, ("提交", D))
    with pytest.raises(TransitionNotAllowed, match="不足 7 日〔PRE-CONSULT-MIN〕"):
        transition(nd, state, "征求意见完成", H)
    move = transition(nd, state, "征求意见完成", H, facts={"urgency_reason": "防汛应急"})
    assert _run(nd, move.state).stage == "legality_review"


def test_business_consultation_needs_thirty_days_and_market_players() -> None:
    nd = DEFS["normative_document"]
    state = start_state(nd, {"touches_business"})
    state = _run(nd, state, ("提交", D))
    with pytest.raises(TransitionNotAllowed, match="PRE-CONSULT-MARKET"):
        transition(nd, state, "征求意见完成", H)
    facts = {
        "consultation_start": date(2026, 3, 2),
        "consultation_end": date(2026, 3, 20),
        "market_players_consulted": "是",
    }
    with pytest.raises(
        TransitionNotAllowed, match="PRE-CONSULT-BUSINESS"
    ):  # 18 days < 30 (优化营商环境条例第62条)
        transition(nd, state, "征求意见完成", H, facts=facts)
    state = transition(
        nd, state, "征求意见完成", H, facts={**facts, "consultation_end": date(2026, 4, 1)}
    ).state
    assert state.stage == "fair_competition"


def test_no_filing_before_publication() -> None:
    nd = DEFS["normative_document"]
    at_filing = CaseState(stage="filing_correction", events={})
    assert transition(nd, at_filing, "已补正报备", K).state.stage == "filed"
    bad = nd.model_copy(
        update={
            "stages": tuple(
                s
                if s.id != "deliberation"
                else s.model_copy(
                    update={
                        "decisions": (s.decisions[0].model_copy(update={"target": "filing"}),)
                        + s.decisions[1:]
                    }
                )
                for s in nd.stages
            )
        }
    )
    st = CaseState(
        stage="deliberation",
        events={"legality_passed": EventRecord(None, None)},
        facts={"meeting": "局务会议", "attendees": "局领导", "dissent": "无"},
    )
    with pytest.raises(TransitionNotAllowed, match="PRE-FILING-PUBLISHED"):
        transition(bad, st, "通过", L)


def test_roles_decisions_and_evidence_are_enforced() -> None:
    nd = DEFS["normative_document"]
    state = start_state(nd, (), evidence=())
    with pytest.raises(TransitionNotAllowed, match="只能由"):
        transition(nd, state, "提交", C)
    with pytest.raises(TransitionNotAllowed, match="不接受决定"):
        transition(nd, state, "合法", D)
    with pytest.raises(TransitionNotAllowed, match="起草说明"):
        transition(nd, state, "提交", D)
    at_review = CaseState(stage="legality_review", events={}, evidence=frozenset())
    assert transition(nd, at_review, "材料不全，退回补充", C).state.stage == "revision"  # waived
    with pytest.raises(TransitionNotAllowed, match="不是人工审批环节"):
        transition(nd, CaseState(stage="prereview", events={}), "合法", C)
    with pytest.raises(TransitionNotAllowed):
        transition(nd, CaseState(stage="filed", events={}), "已报备", K)


def test_bare_state_is_applied_but_lists_and_warns_unchecked_preconditions() -> None:
    nd = DEFS["normative_document"]
    with pytest.warns(PreconditionsUncheckedWarning):
        move = transition(nd, CaseState(stage="deliberation"), "通过", L)
    assert move.state.stage == "publication" and "PRE-PUBLISH-CONSULT-MIN" in move.unchecked


def test_countersign_needs_every_signer() -> None:
    mc = DEFS["major_contract"]
    state = _full_record(mc, "countersign", frozenset())
    m1 = transition(mc, state, "同意签订", H, actor="h1")
    assert not m1.complete and m1.state.stage == "countersign" and "尚待" in m1.waiting_for
    with pytest.raises(TransitionNotAllowed, match="已签署"):
        transition(mc, m1.state, "同意签订", H | CO, actor="h1")
    with pytest.raises(TransitionNotAllowed, match="会签席位"):
        transition(mc, m1.state, "同意签订", H, actor="h2")
    with pytest.raises(TransitionNotAllowed, match="签署人"):
        transition(mc, m1.state, "同意签订", CO)
    m2 = transition(mc, m1.state, "同意签订", CO, actor="c1")
    m3 = transition(mc, m2.state, "同意签订", L, actor="l1")
    assert m3.complete and m3.state.stage == "signing" and m3.state.signatures == ()
    veto = transition(mc, m1.state, "退回修改", L, actor="l1")
    assert veto.complete and veto.state.stage == "revision"


def _policy_definition(mode: str, extra: str = "") -> ProcessDefinition:
    return parse_definition(
        f"""kind = "t"\nname = "测试"\nversion = 1\nstart = "a"
[[stages]]
id = "a"\nname = "签"\nroles = ["counsel", "leader"]
approval = {{ mode = "{mode}", signers = ["counsel", "counsel", "leader"] {extra} }}
decisions = [{{ label = "同意", target = "z" }}, {{ label = "不同意", target = "r", outcome = "reject" }}]
[[stages]]\nid = "z"\nname = "结束"\nkind = "end"
[[stages]]\nid = "r"\nname = "否"\nkind = "end"
""",
        "test.toml",
    )


def test_sequential_signing_follows_the_order() -> None:
    d = _policy_definition("sequential")
    s = CaseState(stage="a", events={})
    with pytest.raises(TransitionNotAllowed, match="串签"):
        transition(d, s, "同意", L, actor="l1")
    s = transition(d, s, "同意", CO, actor="c1").state
    s = transition(d, s, "同意", CO, actor="c2").state
    assert transition(d, s, "同意", L, actor="l1").state.stage == "z"


def test_n_of_m_passes_at_n_and_fails_when_n_is_out_of_reach() -> None:
    d = _policy_definition("n_of_m", ", n = 2")
    s = CaseState(stage="a", events={})
    s1 = transition(d, s, "同意", CO, actor="c1").state
    assert transition(d, s1, "同意", L, actor="l1").state.stage == "z"
    s2 = transition(d, s, "不同意", CO, actor="c1")
    assert not s2.complete
    assert transition(d, s2.state, "不同意", CO, actor="c2").state.stage == "r"


def test_replay_rebuilds_state_from_history() -> None:
    nd = DEFS["normative_document"]
    records = [
        DecisionRecord("drafting", "提交"), DecisionRecord("consultation", "征求意见完成"),
        DecisionRecord("legality_review", "应当予以修改", version="v1"),
        DecisionRecord("revision", "提交修改稿", version="v2"),
        DecisionRecord("legality_review", "合法", on=date(2026, 6, 2), version="v2"),
    ]  # fmt: skip
    state = replay(nd, records, (), version="v2", facts=LONG_CONSULTATION)
    assert (state.stage, state.round) == ("deliberation", 2)
    assert state.events is not None and state.events["legality_passed"] == EventRecord(date(2026, 6, 2), "v2")
    assert transition(nd, state, "通过", L).state.stage == "publication"
    with pytest.raises(TransitionNotAllowed, match="记录与流程不符"):
        replay(nd, [DecisionRecord("filing", "已报备")])


def test_snapshots_keep_a_running_case_on_its_version(tmp_path: Path) -> None:
    nd = DEFS["normative_document"]
    snapshot = to_toml(nd)
    assert snapshot == nd.source and from_snapshot(snapshot) == nd
    assert definition_fingerprint(from_snapshot(snapshot)) == nd.fingerprint
    edited = from_snapshot(snapshot.replace('days = 20, unit = "working"', 'days = 25, unit = "working"'))
    assert compare_with_current(nd, edited) == "edited_without_new_version"
    v = nd.version
    bumped = from_snapshot(snapshot.replace(f"version = {v}\n", f"version = {v + 1}\n"))
    assert compare_with_current(nd, bumped) == "newer_version" and compare_with_current(nd, nd) == "same"
    (tmp_path / "nd.toml").write_text(to_toml(bumped), encoding="utf-8")
    (tmp_path / "versions").mkdir()
    (tmp_path / "versions" / f"normative_document.v{v}.toml").write_text(snapshot, encoding="utf-8")
    assert load_definition("normative_document", tmp_path).version == v + 1
    assert load_definition("行政规范性文件", tmp_path, version=v) == nd
    assert load_definition("normative_document", tmp_path, snapshot=snapshot) == nd
    with pytest.raises(NotFound, match="第 7 版"):
        load_definition("normative_document", tmp_path, version=7)


@pytest.mark.parametrize("kind", sorted(DEFS))
def test_canonical_toml_round_trips(kind: str) -> None:
    definition = DEFS[kind].model_copy(update={"source": ""})
    again = from_snapshot(to_toml(definition))
    assert again.model_copy(update={"source": ""}) == definition


@pytest.mark.parametrize("kind", sorted(DEFS))
def test_every_definition_draws(kind: str) -> None:
    text = to_mermaid(DEFS[kind])
    assert text.startswith("flowchart TD")
    for s in DEFS[kind].stages:
        assert s.name.replace('"', "'") in text


def test_duplicate_kinds_are_refused(tmp_path: Path) -> None:
    for name in ("a.toml", "b.toml"):
        (tmp_path / name).write_text(
            (PROCESSES / "major_contract.toml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    with pytest.raises(ConfigError, match="major_contract"):
        list_definitions(tmp_path)


def test_a_new_draft_while_waiting_blocks_passing_on_but_not_returning() -> None:
    en = DEFS["enforcement_review"]
    state = start_state(en, (), version="v1", facts={"officers": "o1,o2"})
    state = _run(en, state, ("送审", D), ("同意", C))
    assert state.stage == "head_decision"
    swapped = CaseState(**{**state.__dict__, "version": "v2"})
    with pytest.raises(TransitionNotAllowed, match="PRE-EN-LEGAL-REVIEW"):
        transition(en, swapped, "作出决定", L)
    assert transition(en, swapped, "退回承办机构", L).state.stage == "rework"
