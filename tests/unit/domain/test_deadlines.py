"""Deadlines of open stages from a case history, and overdue detection."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from reviewkit.domain.calendar import WorkCalendar
from reviewkit.domain.deadlines import (
    StageVisit,
    days_overdue,
    is_overdue,
    local_date,
    open_deadlines,
    overdue,
    stage_deadline,
    status,
)
from reviewkit.domain.process import list_definitions
from reviewkit.domain.transition import EventRecord

DEFS = {d.kind: d for d in list_definitions(Path(__file__).resolve().parents[3] / "templates" / "processes")}
CAL = WorkCalendar()


def test_legality_review_deadline_in_working_days() -> None:
    d = stage_deadline(
        DEFS["normative_document"], "legality_review", entered_on=date(2026, 9, 30), events={}, calendar=CAL
    )
    assert (
        d is not None and d.due_on == date(2026, 10, 27) and d.calendar_complete
    )  # 15 working days over 国庆


def test_filing_counts_thirty_days_from_publication() -> None:
    nd = DEFS["normative_document"]
    d = stage_deadline(
        nd, "filing", entered_on=date(2026, 9, 10), events={"published": date(2026, 9, 1)}, calendar=CAL
    )
    assert (
        d is not None and d.trigger_on == date(2026, 9, 1) and d.due_on == date(2026, 10, 8)
    )  # 10-01 → after 国庆
    unknown = stage_deadline(nd, "filing", entered_on=date(2026, 9, 10), events={}, calendar=CAL)
    assert unknown is not None and unknown.due is None
    assert status(unknown, date(2026, 12, 1), CAL) == "unknown"
    assert stage_deadline(nd, "drafting", entered_on=date(2026, 9, 10), events={}, calendar=CAL) is None


def test_open_deadlines_from_history_and_overdue() -> None:
    nd = DEFS["normative_document"]
    visits = [
        StageVisit("legality_review", date(2026, 8, 3), 1, left_on=date(2026, 8, 5)),
        StageVisit("revision", date(2026, 8, 5), 2, left_on=date(2026, 8, 10)),
        StageVisit("legality_review", date(2026, 8, 10), 2),
    ]
    found = open_deadlines(nd, visits, {"published": EventRecord(date(2026, 1, 1))}, CAL)
    assert [(d.stage, d.round, d.due_on) for d in found] == [("legality_review", 2, date(2026, 8, 31))]
    late = found[0]
    assert not is_overdue(late, date(2026, 8, 31)) and is_overdue(late, date(2026, 9, 1))
    assert status(late, date(2026, 8, 31), CAL) == "due_today"
    assert status(late, date(2026, 8, 27), CAL) == "due_soon"
    assert status(late, date(2026, 8, 11), CAL) == "ok"
    assert status(late, date(2026, 9, 2), CAL) == "overdue" and days_overdue(late, date(2026, 9, 2), CAL) == 2
    assert overdue(found, date(2026, 9, 1)) == [late] and overdue(found, date(2026, 8, 1)) == []
    assert status(None, date(2026, 1, 1), CAL) == "no_deadline"


def test_deadline_running_into_2027_is_flagged() -> None:
    d = stage_deadline(
        DEFS["normative_document"], "deliberation", entered_on=date(2026, 12, 15), events={}, calendar=CAL
    )
    assert d is not None and not d.calendar_complete


def test_local_date_uses_china_time_for_naive_utc() -> None:
    assert local_date(datetime(2026, 9, 30, 17, 0)) == date(2026, 10, 1)
    assert local_date(date(2026, 9, 30)) == date(2026, 9, 30)
