"""Due dates of stages, on the working-day calendar."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from reviewkit.domain.calendar import WorkCalendar
from reviewkit.domain.process import DeadlineSpec
from reviewkit.settings import get_settings


@lru_cache(maxsize=1)
def work_calendar() -> WorkCalendar:
    return WorkCalendar(get_settings().templates_dir / "calendar")


def due_for(spec: DeadlineSpec | None, start: date) -> tuple[date | None, bool]:
    """The due date of a stage entered (or triggered) on ``start``, and whether the calendar covered it."""
    if spec is None:
        return None, True
    cal = work_calendar()
    result = cal.add_working_days(start, spec.days) if spec.unit == "working" else cal.add_calendar_days(start, spec.days)
    return result.due, result.calendar_complete
