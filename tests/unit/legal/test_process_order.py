"""Legal review 2026-12, rows P1, P2, P3, P4, P5, P11: the order of the 行政规范性文件 and 重大行政决策 chains, who
acts at each stage, and minimum versus maximum review time. Each test names the article it rests on."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reviewkit.domain.calendar import WorkCalendar
from reviewkit.domain.deadlines import StageVisit, open_deadlines, stage_deadline, status
from reviewkit.domain.process import CaseState, EventRecord, list_definitions, start_state, transition
from reviewkit.domain.transition import advance_auto
from reviewkit.errors import TransitionNotAllowed

ROOT = Path(__file__).resolve().parents[3]
DEFS = {d.kind: d for d in list_definitions(ROOT / "templates" / "processes")}
CAL = WorkCalendar(ROOT / "templates" / "calendar")
ND, MD = DEFS["normative_document"], DEFS["major_decision"]
FACTS = {"consultation_start": date(2026, 3, 2), "consultation_end": date(2026, 4, 10),
         "market_players_consulted": "座谈会", "legal_basis": "政府采购法第十三条",
         "meeting": "局务会议", "attendees": "局领导", "dissent": "无"}  # fmt: skip


def _order(kind: str) -> list[str]:
    return [s.id for s in DEFS[kind].stages]


def _pass_auto(state: CaseState) -> CaseState:
    while ND.stage(state.stage).kind == "auto":
        state = advance_auto(ND, state).state
    return state


def test_p1_risk_assessment_is_drafting_unit_work_before_legality_review() -> None:
    """国办发〔2018〕37号 三(三): 评估论证→征求意见→合法性审核→集体审议; 国务院令第713号 第22–25条."""
    order = _order("normative_document")
    assert order.index("risk_assessment") < order.index("consultation") < order.index("legality_review")
    assert "counsel" not in ND.stage("risk_assessment").roles
    assert set(ND.stage("risk_assessment").roles) == {"drafter", "unit_head"}
    state = start_state(ND, {"risk_flagged"}, facts=FACTS)
    state = transition(ND, state, "提交", {"drafter"}).state
    assert state.stage == "risk_assessment"
    with pytest.raises(TransitionNotAllowed, match="只能由"):
        transition(ND, state, "评估完成", {"counsel"})  # counsel does not decide the risk
    # 713号 第22条: the 承办单位 (or a third party it engages) assesses, not the legal counsel
    assert _order("major_decision").index("risk_assessment") < _order("major_decision").index(
        "legality_review"
    )
    assert "counsel" not in MD.stage("risk_assessment").roles


def test_p1_p5_review_refused_without_the_risk_report_and_the_legal_basis() -> None:
    """送审材料 (37号 三(六); 115号 from secondary copies): 制定依据, 征求意见, 风险评估, 公平竞争审查结论."""
    state = CaseState(stage="consultation", flags=frozenset({"risk_flagged"}), facts=dict(FACTS), events={})
    with pytest.raises(TransitionNotAllowed, match="PRE-REVIEW-RISK"):
        transition(ND, state, "征求意见完成", {"unit_head"})
    no_basis = {k: v for k, v in FACTS.items() if k != "legal_basis"}
    bare = CaseState(stage="consultation", facts=no_basis, events={})
    with pytest.raises(TransitionNotAllowed, match="PRE-REVIEW-BASIS"):
        transition(ND, bare, "征求意见完成", {"unit_head"})
    business = CaseState(
        stage="legal_opinion",
        flags=frozenset({"touches_business", "needs_legal_opinion"}),
        facts=dict(FACTS),
        events={"consultation_closed": EventRecord(date(2026, 4, 10), None)},
    )
    with pytest.raises(
        TransitionNotAllowed, match="PRE-REVIEW-FAIR-COMPETITION"
    ):  # 公平竞争审查条例第17、18条
        transition(ND, business, "已出具法律意见", {"counsel"})


def test_p2_consultation_minimum_is_checked_before_review() -> None:
    """37号(六): the 办公机构 checks 是否广泛征求意见 before 审议; 7 working days (示范指标), 30 days where 经营主体
    are concerned (优化营商环境条例 第62条); a shorter period needs a recorded urgency reason."""
    short = {**FACTS, "consultation_end": date(2026, 3, 6)}  # 4 working days
    state = CaseState(stage="consultation", facts=short, events={})
    with pytest.raises(TransitionNotAllowed, match="PRE-CONSULT-MIN"):
        transition(ND, state, "征求意见完成", {"unit_head"})
    moved = transition(ND, state, "征求意见完成", {"unit_head"}, facts={"urgency_reason": "应对突发疫情"})
    assert _pass_auto(moved.state).stage == "legality_review"
    business = CaseState(
        stage="consultation",
        flags=frozenset({"touches_business"}),
        facts={**FACTS, "consultation_end": date(2026, 3, 27)},
        events={},
    )  # 25 days
    with pytest.raises(TransitionNotAllowed, match="PRE-CONSULT-BUSINESS"):
        transition(ND, business, "征求意见完成", {"unit_head"})


def test_p4_the_review_body_issues_the_opinion_not_counsel() -> None:
    """115号: the 审核机构 issues the opinion; 法律顾问/公职律师 give a separate 法律意见 (713号 第28条)."""
    for definition in (ND, MD):
        assert definition.stage("legality_review").roles == ("legality_reviewer",)
        assert definition.stage("legal_opinion").roles == ("counsel",)
        at_review = CaseState(stage="legality_review", events={})
        with pytest.raises(TransitionNotAllowed, match="只能由合法性审核机构审核人员"):
            transition(definition, at_review, "合法", {"counsel"})
    assert DEFS["enforcement_review"].stage("legal_review").roles == (
        "legality_reviewer",
    )  # 行政处罚法 第58条
    assert DEFS["information_disclosure"].stage("disclosure_check").roles == ("legality_reviewer",)


def test_p11_major_decision_review_time_is_a_minimum_never_overdue() -> None:
    """重大行政决策程序暂行条例 第26条: "一般不少于7个工作日" — a minimum for the reviewer, not a deadline."""
    spec = MD.stage("legality_review")
    assert spec.deadline is None and spec.minimum is not None and spec.minimum.days == 7
    # Mon 9-28: 9-29 (1), 9-30 (2), 国庆 10-1..10-7, 10-8 (3), 10-9 (4), Sat 10-10 make-up (5), 10-12 (6), 10-13 (7)
    entered = date(2026, 9, 28)
    d = stage_deadline(MD, "legality_review", entered_on=entered, events={}, calendar=CAL)
    assert d is not None and d.minimum_until == date(2026, 10, 13) and d.due_on is None
    assert status(d, date(2026, 10, 14), CAL) == "no_deadline"  # the reviewer's day 8 is not overdue
    assert open_deadlines(MD, [StageVisit("legality_review", entered)], {}, CAL)[0].has_maximum is False


def test_p3_normative_review_five_days_minimum_fifteen_maximum() -> None:
    """国办发〔2018〕115号 (secondary copies): 一般不少于5个、最长不超过15个工作日; overdue only past the maximum."""
    entered = date(2026, 11, 2)  # Mon
    d = stage_deadline(ND, "legality_review", entered_on=entered, events={}, calendar=CAL)
    assert d is not None and d.minimum_until == date(2026, 11, 9) and d.due_on == date(2026, 11, 23)
    assert status(d, date(2026, 11, 10), CAL) != "overdue"
    assert status(d, date(2026, 11, 24), CAL) == "overdue"


def test_p9_entry_into_force_thirty_days_after_publication_unless_reasoned() -> None:
    """优化营商环境条例 第65条 (适应调整期) and local rules (公布之日起30日后施行): checked when the document is issued;
    政策解读 material goes with it (国办发〔2016〕80号, from memory)."""
    events = {"deliberation_passed": EventRecord(date(2026, 12, 1), None)}
    at = CaseState(
        stage="publication",
        facts={**FACTS, "effective_date": date(2027, 1, 1)},
        events=events,
        evidence=frozenset({"政策解读材料"}),
    )
    with pytest.raises(TransitionNotAllowed, match="PRE-PUBLISH-EFFECTIVE-30"):  # 12-05 → 01-01: 27 days
        transition(ND, at, "印发", {"filing_clerk"}, on=date(2026, 12, 5))
    ok = transition(ND, at, "印发", {"filing_clerk"}, on=date(2026, 12, 2))  # 30 days
    assert ok.state.stage == "filing"
    reasoned = transition(
        ND,
        at,
        "印发",
        {"filing_clerk"},
        on=date(2026, 12, 5),
        facts={"immediate_effect_reason": "公布后不立即施行将有碍施行"},
    )
    assert reasoned.state.stage == "filing"
    with pytest.raises(TransitionNotAllowed, match="政策解读材料"):
        transition(
            ND,
            CaseState(stage="publication", facts=dict(at.facts), events=events, evidence=frozenset()),
            "印发",
            {"filing_clerk"},
            on=date(2026, 12, 2),
        )


def test_p8_deliberation_record_names_meeting_attendees_and_dissent() -> None:
    """国办发〔2018〕37号 三(七): 集体审议 by the 部门办公会议, 不同意见如实载明."""
    events = {"legality_passed": EventRecord(date(2026, 11, 1), "v1")}
    bare = CaseState(
        stage="deliberation",
        facts={k: v for k, v in FACTS.items() if k != "dissent"},
        version="v1",
        events=events,
    )
    with pytest.raises(TransitionNotAllowed, match="PRE-DELIB-RECORD-DISSENT"):
        transition(ND, bare, "通过", {"leader"})
    with pytest.raises(TransitionNotAllowed, match="PRE-DELIB-RECORD-DISSENT"):
        transition(ND, bare, "不予通过", {"leader"})
    moved = transition(ND, bare, "通过", {"leader"}, facts={"dissent": "无"})
    assert moved.state.stage == "publication"


def test_p12_major_decision_hearing_fair_competition_and_party_report() -> None:
    """713号 第18、19条 (听证), 第31条 (党委请示报告), from memory; 公平竞争审查条例 第18条."""
    order = _order("major_decision")
    assert order.index("hearing") < order.index("fair_competition") < order.index("legality_review")
    assert order.index("collective_decision") < order.index("party_report") < order.index("publication")
    flags = frozenset({"needs_hearing", "touches_business"})
    events = {"legality_passed": EventRecord(date(2026, 6, 1), "v1")}
    at = CaseState(
        stage="collective_decision",
        flags=flags,
        version="v1",
        events=events,
        evidence=frozenset({"集体讨论记录（含不同意见）"}),
    )
    with pytest.raises(TransitionNotAllowed, match="PRE-MD-HEARING"):
        transition(MD, at, "通过", {"leader"})
    done = {
        **events,
        "hearing_held": EventRecord(date(2026, 5, 1), None),
        "fair_competition_passed": EventRecord(date(2026, 5, 2), None),
    }
    decided = transition(MD, CaseState(**{**at.__dict__, "events": done}), "通过", {"leader"}).state
    assert decided.stage == "party_report"
    with pytest.raises(TransitionNotAllowed, match="请示报告材料"):
        transition(MD, CaseState(**{**decided.__dict__, "evidence": frozenset()}), "已请示报告", {"leader"})
