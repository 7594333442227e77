"""Due dates of stages, on the working-day calendar (rules in ``reviewkit.domain.deadlines``)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from reviewkit.domain.calendar import WorkCalendar
from reviewkit.domain.deadlines import EventDates, stage_deadline
from reviewkit.domain.process import ProcessDefinition
from reviewkit.settings import get_settings


@lru_cache(maxsize=1)
def work_calendar() -> WorkCalendar:
    return WorkCalendar(get_settings().templates_dir / "calendar")


def stage_due(
    definition: ProcessDefinition, stage: str, entered_on: date, events: EventDates, round_: int = 1
) -> tuple[date | None, bool]:
    """The due date of ``stage`` entered on ``entered_on`` and whether the calendar covered it fully.
    A deadline counted from an event that has not happened yet has no date (``None``)."""
    deadline = stage_deadline(
        definition, stage, entered_on=entered_on, events=events, calendar=work_calendar(), round=round_
    )
    if deadline is None or deadline.due is None:
        return None, True
    return deadline.due.due, deadline.due.calendar_complete
