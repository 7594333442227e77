"""Issue #11 definitions, pure: their statutory deadlines on the working-day calendar against dates
computed by hand, and the rules the data encodes (extension once, exemption cited, outcome recorded)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reviewkit.domain.calendar import WorkCalendar
from reviewkit.domain.deadlines import stage_deadline
from reviewkit.domain.process import list_definitions, start_state, transition
from reviewkit.errors import TransitionNotAllowed

PROCESSES = Path(__file__).resolve().parents[3] / "templates" / "processes"
DEFS = {d.kind: d for d in list_definitions(PROCESSES)}
CAL = WorkCalendar(PROCESSES.parent / "calendar")


def _due(kind: str, stage: str, started: date) -> date | None:
    d = stage_deadline(
        DEFS[kind], stage, entered_on=date(2026, 12, 1), events={"case_started": started}, calendar=CAL
    )
    assert d is not None
    return d.due_on


def test_reconsideration_reply_counts_working_days() -> None:
    # By hand: received Thu 2026-09-24; 9-28, 9-29, 9-30 (3), 国庆 10-1..10-7, 10-8, 10-9 (5), Sat 10-10
    # make-up (6), 10-12..10-15 (10) → 2026-10-15, whichever stage the reply is in (counted from receipt).
    for stage in ("reply_drafting", "reply_review", "reply_approval", "reply_submission"):
        assert _due("administrative_reconsideration", stage, date(2026, 9, 24)) == date(2026, 10, 15)


def test_litigation_defence_counts_calendar_days_and_moves_off_a_holiday() -> None:
    # By hand: complaint received Tue 2026-09-22; + 15 days = Wed 10-07, still 国庆 → Thu 2026-10-08.
    assert _due("administrative_litigation", "defence_submission", date(2026, 9, 22)) == date(2026, 10, 8)
    # received Mon 2026-11-02; + 15 = Tue 11-17, a working day.
    assert _due("administrative_litigation", "defence_drafting", date(2026, 11, 2)) == date(2026, 11, 17)


def test_disclosure_twenty_working_days_then_forty_after_the_extension() -> None:
    # By hand: received Mon 2026-09-14 → 20 working days 2026-10-16 (Sun 9-20 and Sat 10-10 are make-up
    # working days; 9-25 and 10-1..10-7 are holidays); extended by 20 → 2026-11-13.
    assert _due("information_disclosure", "answering", date(2026, 9, 14)) == date(2026, 10, 16)
    assert _due("information_disclosure", "extension_approval", date(2026, 9, 14)) == date(2026, 10, 16)
    assert _due("information_disclosure", "answering_ext", date(2026, 9, 14)) == date(2026, 11, 13)
    assert _due("information_disclosure", "delivery_ext", date(2026, 9, 14)) == date(2026, 11, 13)


def test_disclosure_extends_once_and_cites_the_exemption() -> None:
    od = DEFS["information_disclosure"]
    state = start_state(od, (), on=date(2026, 9, 14), version="v1", evidence=["延期答复告知书"])
    with pytest.raises(TransitionNotAllowed, match="PRE-OD-EXT-REASON"):
        transition(od, state, "申请延期", {"drafter"})
    state = transition(
        od, state, "申请延期", {"drafter"}, facts={"extension_reason": "需征求第三方意见"}
    ).state
    state = transition(od, state, "同意延期", {"disclosure_head"}, on=date(2026, 10, 12)).state
    assert state.stage == "answering_ext"
    with pytest.raises(TransitionNotAllowed, match="不接受决定"):
        transition(od, state, "申请延期", {"drafter"})
    with pytest.raises(TransitionNotAllowed, match="PRE-OD-EXEMPTION"):
        transition(od, state, "不予公开", {"drafter"})
    moved = transition(od, state, "不予公开", {"drafter"}, facts={"exemption": "条例第14条"})
    assert moved.state.stage == "disclosure_check_ext"
    with pytest.raises(TransitionNotAllowed, match="只能由"):
        transition(od, moved.state, "同意", {"drafter"})


def test_reconsideration_outcome_needs_the_decision_document_and_feeds_back() -> None:
    rc = DEFS["administrative_reconsideration"]
    evidence = [e for s in rc.stages for e in s.evidence]
    state = start_state(
        rc,
        (),
        on=date(2026, 9, 24),
        version="v1",
        evidence=evidence,
        facts={"concerned_act": "某财罚决字〔2026〕3号"},
    )
    for label, roles in (
        ("送审", {"drafter"}),
        ("合法", {"counsel"}),
        ("批准", {"leader"}),
        ("已提交", {"drafter"}),
    ):
        state = transition(rc, state, label, roles, on=date(2026, 10, 9)).state
    assert state.stage == "awaiting_decision"
    with pytest.raises(TransitionNotAllowed, match="PRE-RC-DOC"):
        transition(rc, state, "确认违法", {"counsel"})
    state = transition(
        rc,
        state,
        "确认违法",
        {"counsel"},
        on=date(2026, 12, 1),
        facts={"decision_document": "某政复决字〔2026〕9号"},
    ).state
    assert state.stage == "rectification" and state.events is not None and "outcome_unlawful" in state.events
    assert (
        transition(
            rc, state, "已纠正并反馈", {"unit_head"}, facts={"rectification_note": "已重新作出决定"}
        ).state.stage
        == "closed"
    )


def test_approval_of_the_reply_needs_counsels_review_of_the_current_draft() -> None:
    rc = DEFS["administrative_reconsideration"]
    evidence = [e for s in rc.stages for e in s.evidence]
    state = start_state(rc, (), version="v1", evidence=evidence, facts={"concerned_act": "x"})
    state = transition(rc, state, "送审", {"drafter"}).state
    state = transition(rc, state, "合法", {"counsel"}).state
    swapped = type(state)(**{**state.__dict__, "version": "v2"})
    with pytest.raises(TransitionNotAllowed, match="PRE-RC-REVIEWED"):
        transition(rc, swapped, "批准", {"leader"})
