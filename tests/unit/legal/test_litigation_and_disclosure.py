"""P14 and P15 (legal review 2026-12): appeal periods and the 负责人出庭应诉 record (行政诉讼法 第3条第3款、第85条);
补正 in an 依申请公开 request restarts the time to answer (政府信息公开条例 第30条)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reviewkit.domain.calendar import WorkCalendar
from reviewkit.domain.deadlines import stage_deadline
from reviewkit.domain.process import CaseState, EventRecord, list_definitions, start_state, transition
from reviewkit.errors import TransitionNotAllowed

ROOT = Path(__file__).resolve().parents[3]
DEFS = {d.kind: d for d in list_definitions(ROOT / "templates" / "processes")}
CAL = WorkCalendar(ROOT / "templates" / "calendar")
LT, OD = DEFS["administrative_litigation"], DEFS["information_disclosure"]


def test_p14_ruling_appeal_is_ten_days_judgment_fifteen() -> None:
    """行政诉讼法 第85条: 判决书送达之日起15日内, 裁定书送达之日起10日内."""
    judged = stage_deadline(LT, "appeal", entered_on=date(2026, 11, 2), events={}, calendar=CAL)
    ruled = stage_deadline(LT, "appeal_ruling", entered_on=date(2026, 11, 2), events={}, calendar=CAL)
    assert judged is not None and judged.due_on == date(2026, 11, 17)
    assert ruled is not None and ruled.due_on == date(2026, 11, 12)
    # a ruling served Mon 2026-09-21: + 10 = Thu 10-01, in 国庆 → the next working day, Thu 10-08 (民事诉讼法第85条)
    late = stage_deadline(LT, "appeal_ruling", entered_on=date(2026, 9, 21), events={}, calendar=CAL)
    assert late is not None and late.due_on == date(2026, 10, 8)
    state = CaseState(stage="awaiting_judgment", events={}, evidence=frozenset({"判决书或裁定书"}))
    assert transition(LT, state, "不服裁定，拟上诉", {"counsel"}).state.stage == "appeal_ruling"


def test_p14_head_of_agency_court_appearance_is_recorded() -> None:
    """行政诉讼法 第3条第3款: 被诉行政机关负责人应当出庭应诉; 不能出庭的，应当委托相应的工作人员出庭."""
    state = CaseState(stage="hearing", events={})
    with pytest.raises(TransitionNotAllowed, match="PRE-LT-APPEARANCE"):
        transition(LT, state, "已出庭应诉", {"unit_head"})
    moved = transition(
        LT, state, "已出庭应诉", {"unit_head"}, facts={"court_appearance": "副局长陈军出庭应诉"}
    )
    assert moved.state.stage == "awaiting_judgment"


def test_p15_correction_restarts_the_twenty_working_days() -> None:
    """政府信息公开条例 第30条: 答复期限自行政机关收到补正的申请之日起计算."""
    state = start_state(OD, (), on=date(2026, 11, 2), version="v1")
    with pytest.raises(TransitionNotAllowed, match="PRE-OD-CORRECTION"):
        transition(OD, state, "一次性告知补正", {"drafter"})
    state = transition(
        OD,
        state,
        "一次性告知补正",
        {"drafter"},
        on=date(2026, 11, 5),
        facts={"correction_items": "请写明所需信息的文号或年份；补正期限15日"},
    ).state
    assert state.stage == "awaiting_correction"
    after = transition(OD, state, "已补正", {"drafter"}, on=date(2026, 11, 16)).state
    assert after.stage == "answering"
    events = {
        "case_started": EventRecord(date(2026, 11, 2), None),
        "correction_received": EventRecord(date(2026, 11, 16), None),
    }
    d = stage_deadline(OD, "answering", entered_on=date(2026, 11, 16), events=events, calendar=CAL)
    # 20 working days from Mon 11-16: 11-17..11-20 (4), 11-23..27 (9), 11-30..12-4 (14), 12-7..11 (19), 12-14 (20)
    assert d is not None and d.due_on == date(2026, 12, 14) and d.counted_from == "correction_received"
    unchanged = stage_deadline(
        OD,
        "answering",
        entered_on=date(2026, 11, 2),
        events={"case_started": EventRecord(date(2026, 11, 2), None)},
        calendar=CAL,
    )
    assert unchanged is not None and unchanged.due_on == date(2026, 11, 30)
    gone = transition(OD, state, "逾期未补正，视为放弃申请", {"unit_head"})
    assert gone.state.stage == "abandoned"


EN = DEFS["enforcement_review"]


def test_p17_penalty_needs_prior_notice_and_hearing_on_request() -> None:
    """行政处罚法 第44条 (告知), 第45条 (陈述申辩), 第62条 (未告知不得作出), 第63–65条 (听证)."""
    flags = frozenset({"penalty_case"})
    reviewed = CaseState(
        stage="legal_review",
        flags=flags,
        facts={"officers": "a,b"},
        events={},
        evidence=frozenset({"法制审核意见书", "行政处罚事先告知书"}),
    )
    at_notice = transition(EN, reviewed, "同意", {"legality_reviewer"}).state
    assert at_notice.stage == "prior_notice"
    with pytest.raises(TransitionNotAllowed, match="PRE-EN-STATEMENT"):
        transition(EN, at_notice, "已听取陈述申辩", {"unit_head"})
    heard = transition(EN, at_notice, "当事人要求听证", {"unit_head"}).state
    assert heard.stage == "penalty_hearing"
    skipped = CaseState(
        stage="head_decision", flags=flags, events={"legal_review_passed": EventRecord(None, None)}
    )
    with pytest.raises(TransitionNotAllowed, match="PRE-EN-NOTIFIED"):
        transition(EN, skipped, "作出决定", {"leader"})


def test_p17_publicity_within_seven_working_days_of_the_decision() -> None:
    """国办发〔2018〕118号: 行政许可、行政处罚 decisions published within 7 working days."""
    spec = EN.stage("disclosure")
    assert spec.deadline is not None and spec.deadline.days == 7 and "118号" in spec.deadline.basis
    assert "地方做法" not in spec.deadline.basis


IR = DEFS["incidental_review"]


def test_p13_incidental_review_answer_in_ten_working_days() -> None:
    """行政复议法 (2023): the 制定机关 answers the 附带审查 notice within 10 days (第58条, from memory), and "十日"
    means working days (第88条)."""
    # Notice received Fri 2026-09-25 (中秋): 9-28, 9-29, 9-30 (3), 国庆 10-1..10-7, 10-8, 10-9 (5), Sat 10-10
    # make-up (6), 10-12..10-15 (10) → 2026-10-15
    for stage in ("answer_drafting", "answer_review", "answer_approval", "answer_submission"):
        d = stage_deadline(
            IR,
            stage,
            entered_on=date(2026, 10, 9),
            events={"case_started": EventRecord(date(2026, 9, 25), None)},
            calendar=CAL,
        )
        assert d is not None and d.due_on == date(2026, 10, 15), stage
    state = start_state(
        IR, (), on=date(2026, 9, 25), version="v1", evidence=["审查通知", "书面答复", "制定依据及相关材料"]
    )
    with pytest.raises(TransitionNotAllowed, match="PRE-IR-DOCUMENT"):
        transition(IR, state, "送审", {"drafter"})
    at_result = CaseState(stage="awaiting_result", events={}, evidence=frozenset({"审查结果文书"}))
    moved = transition(
        IR, at_result, "责令纠正", {"legality_reviewer"}, facts={"result_document": "某复决字〔2026〕9号"}
    )
    assert moved.state.stage == "rectification"
