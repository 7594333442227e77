"""Deadlines of open stages, derived from a case's history, and overdue detection. Pure.

A stage's deadline (``[stages.deadline]`` in the definition) counts N working or calendar days from
the day after its trigger: the day the stage was entered (``stage_entered``), the case was started
(``case_started``) or an event a decision emitted (``published`` …). When the trigger has not
happened yet the deadline is unknown (``due is None``), never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from reviewkit.domain.calendar import DueDate, WorkCalendar
from reviewkit.domain.process_model import ProcessDefinition
from reviewkit.domain.transition import EventRecord

Status = Literal["no_deadline", "unknown", "ok", "due_soon", "due_today", "overdue"]
STATUS_NAMES: dict[Status, str] = {
    "no_deadline": "无期限",
    "unknown": "起算事件未发生",
    "ok": "期限内",
    "due_soon": "即将到期",
    "due_today": "今日到期",
    "overdue": "已超期",
}


def local_date(moment: datetime | date, tz: str = "Asia/Shanghai") -> date:
    """The calendar day of ``moment`` in ``tz``; a naive datetime is taken as UTC (as the store keeps it)."""
    if not isinstance(moment, datetime):
        return moment
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(tz)).date()


@dataclass(frozen=True)
class StageVisit:
    """One entry into a stage, as the case history records it."""

    stage: str
    entered_on: date
    round: int = 1
    left_on: date | None = None


@dataclass(frozen=True)
class StageDeadline:
    stage: str
    stage_name: str
    round: int
    counted_from: str
    trigger_on: date | None
    due: DueDate | None
    basis: str = ""
    #: The end of the stage's guaranteed minimum time (``minimum``), counted from the stage's entry; not a deadline.
    minimum_until: date | None = None
    minimum_basis: str = ""
    #: False when the stage has only a minimum time and no maximum (713号 第26条): never overdue.
    has_maximum: bool = True

    @property
    def due_on(self) -> date | None:
        return self.due.due if self.due else None

    @property
    def calendar_complete(self) -> bool:
        return self.due.calendar_complete if self.due else True


EventDates = Mapping[str, date | EventRecord | None]


def _event_date(events: EventDates, name: str) -> date | None:
    value = events.get(name)
    return value.on if isinstance(value, EventRecord) else value


def stage_deadline(
    definition: ProcessDefinition,
    stage: str,
    *,
    entered_on: date,
    events: EventDates,
    calendar: WorkCalendar,
    round: int = 1,
) -> StageDeadline | None:
    """The deadline of ``stage`` entered on ``entered_on``; ``None`` when the stage has none."""
    spec = definition.stage(stage)
    if spec.deadline is None and spec.minimum is None:
        return None
    least = spec.minimum
    minimum_until = calendar.add(entered_on, least.days, least.unit).due if least is not None else None
    minimum_basis = least.basis if least is not None else ""
    rule = spec.deadline
    if rule is None:  # a minimum only (713号 第26条): no maximum, so never overdue
        return StageDeadline(
            stage,
            spec.name,
            round,
            "stage_entered",
            entered_on,
            None,
            "",
            minimum_until,
            minimum_basis,
            has_maximum=False,
        )
    trigger = entered_on if rule.counted_from == "stage_entered" else _event_date(events, rule.counted_from)
    restart = _event_date(events, rule.restarted_by) if rule.restarted_by else None
    counted_from = rule.counted_from
    if restart is not None and (trigger is None or restart > trigger):
        trigger, counted_from = restart, rule.restarted_by or counted_from
    due = calendar.add(trigger, rule.days, rule.unit) if trigger is not None else None
    return StageDeadline(
        stage, spec.name, round, counted_from, trigger, due, rule.basis, minimum_until, minimum_basis
    )


def open_deadlines(
    definition: ProcessDefinition,
    visits: Iterable[StageVisit],
    events: EventDates,
    calendar: WorkCalendar,
) -> list[StageDeadline]:
    """Deadlines of every stage visit not yet left, in history order."""
    found: list[StageDeadline] = []
    for visit in visits:
        if visit.left_on is not None:
            continue
        d = stage_deadline(
            definition,
            visit.stage,
            entered_on=visit.entered_on,
            events=events,
            calendar=calendar,
            round=visit.round,
        )
        if d is not None:
            found.append(d)
    return found


def status(
    deadline: StageDeadline | None, today: date, calendar: WorkCalendar, warn_within: int = 3
) -> Status:
    """Where ``today`` stands against ``deadline``; ``due_soon`` within ``warn_within`` working days."""
    if deadline is None or not deadline.has_maximum:
        return "no_deadline"
    due = deadline.due_on
    if due is None:
        return "unknown"
    if today > due:
        return "overdue"
    if today == due:
        return "due_today"
    if calendar.working_days_between(today, due) <= warn_within:
        return "due_soon"
    return "ok"


def is_overdue(deadline: StageDeadline | None, today: date) -> bool:
    due = deadline.due_on if deadline else None
    return due is not None and today > due


def days_overdue(deadline: StageDeadline, today: date, calendar: WorkCalendar) -> int:
    """Working days past due (0 when not overdue): the measure reports count in."""
    due = deadline.due_on
    if due is None or today <= due:
        return 0
    return calendar.working_days_between(due, today)


def overdue(deadlines: Iterable[StageDeadline], today: date) -> list[StageDeadline]:
    return [d for d in deadlines if is_overdue(d, today)]
