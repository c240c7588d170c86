"""Deadlines derived from a case's events and its procedure's deadline rules.

:func:`compute_deadlines` is pure: given the events recorded on a case (in time order), its
data, a :class:`~ura.casework.calendar.WorkingCalendar` and today's date, it returns every
deadline instance with its due date and status. Nothing is stored, so a corrected calendar or
a corrected event recomputes every deadline consistently; the Django layer stores the result
only as a cache for dashboards.

Counting (docs/procedures.md):

- A period starts the day after its start event and ends after ``duration`` units
  (calendar days, working days or months); with ``roll_forward``, an end on a non-working
  day moves to the next working day.
- A pause (``paused_by`` … ``resumed_by``) extends the period by the paused time: for
  working-day rules by the working days between pause and resume, otherwise by calendar days
  (a pause of "some months" is not a thing an administration records). While a pause is open
  the deadline is ``paused`` and has no due date. A pause that starts after the period has
  already run out does not revive it.
- Every occurrence of the start event starts a new instance (numbered from 1): a permit
  renewal is a new period. Earlier instances are left alone and end only on their own
  ``stops_on`` events, so a second "start" never hides an overdue one; a rule that renews
  lists its start event in ``stops_on`` as well, and an event stops the running instances
  before it starts the new one.
- A rule with ``duration_field`` takes the period's length from the case data (within
  ``duration``, its maximum), also evaluated against the current data.
- ``applies_when`` is evaluated against the case's *current* data: when an accelerated
  procedure is moved to the regular one, the accelerated deadlines disappear and the regular
  ones (counted from their own start events) appear.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

from ura.casework.calendar import WorkingCalendar
from ura.casework.procedures import DeadlineRule, Procedure

__all__ = [
    "DEFAULT_DUE_SOON_WORKING_DAYS",
    "CaseEventFact",
    "Deadline",
    "DeadlineStatus",
    "compute_deadlines",
]

DeadlineStatus = Literal["open", "due_soon", "overdue", "met", "met_late", "paused"]
DEFAULT_DUE_SOON_WORKING_DAYS: Final = 3


@dataclass(frozen=True)
class CaseEventFact:
    """An event recorded on a case, as deadline rules see it.

    Attributes:
        code: The event code (a transition's ``emits``, or ``"opened"``).
        on: The day it happened (in the administration's time zone).
    """

    code: str
    on: dt.date


@dataclass(frozen=True)
class Deadline:
    """One instance of a deadline rule on a case.

    Attributes:
        rule_code: The rule's code.
        label: The rule's label.
        instance: 1 for the first start of the rule, 2 for the second, …
        started_on: Day of the start event (the period runs from the next day).
        due_on: Last day of the period; ``None`` while paused.
        status: ``open``, ``due_soon``, ``overdue``, ``met``, ``met_late`` or ``paused``.
        met_on: Day of the stop event, if any.
        days_remaining: Calendar days from today to ``due_on`` (negative when overdue);
            ``None`` when met or paused.
        paused_since: Start of the open pause, if paused.
        paused_units: Time already paused and added to the period, in working days for
            working-day rules, otherwise in calendar days.
        legal_reference: The rule's source.
        binding: False when missing it has no legal effect.
        check: The figure should be checked against the law.
    """

    rule_code: str
    label: str
    instance: int
    started_on: dt.date
    due_on: dt.date | None
    status: DeadlineStatus
    met_on: dt.date | None
    days_remaining: int | None
    paused_since: dt.date | None
    paused_units: int
    legal_reference: str
    binding: bool
    check: bool

    @property
    def days_overdue(self) -> int:
        """Calendar days past the due date (0 unless overdue)."""
        if self.status != "overdue" or self.days_remaining is None:
            return 0
        return -self.days_remaining


@dataclass
class _Running:
    """Mutable bookkeeping for one instance while the events are replayed."""

    started_on: dt.date
    paused_units: int = 0
    paused_since: dt.date | None = None
    met_on: dt.date | None = None


def _due(rule: DeadlineRule, calendar: WorkingCalendar, run: _Running) -> dt.date:
    if rule.unit == "working_days":
        # A working-day period always ends on a working day; roll_forward changes nothing.
        return calendar.add_working_days(run.started_on, rule.duration + run.paused_units)
    if rule.unit == "calendar_days":
        return calendar.add_calendar_days(
            run.started_on, rule.duration + run.paused_units, roll_forward=rule.roll_forward
        )
    end = calendar.add_months(run.started_on, rule.duration, roll_forward=False)
    end += dt.timedelta(days=run.paused_units)
    return calendar.next_working_day(end) if rule.roll_forward else end


def _paused_amount(
    rule: DeadlineRule, calendar: WorkingCalendar, since: dt.date, until: dt.date
) -> int:
    if rule.unit == "working_days":
        return calendar.working_days_between(since, until)
    return (until - since).days


def _replay(
    rule: DeadlineRule,
    events: Sequence[CaseEventFact],
    calendar: WorkingCalendar,
) -> list[_Running]:
    runs: list[_Running] = []
    for event in events:
        for run in runs:
            if run.met_on is not None:
                continue
            if event.code in rule.stops_on:
                if run.paused_since is not None:
                    run.paused_units += _paused_amount(rule, calendar, run.paused_since, event.on)
                    run.paused_since = None
                run.met_on = event.on
            elif event.code in rule.paused_by and run.paused_since is None:
                # A period that has already run out cannot be revived by pausing it.
                if event.on <= _due(rule, calendar, run):
                    run.paused_since = event.on
            elif event.code in rule.resumed_by and run.paused_since is not None:
                run.paused_units += _paused_amount(rule, calendar, run.paused_since, event.on)
                run.paused_since = None
        if event.code == rule.starts_on:
            runs.append(_Running(started_on=event.on))
    return runs


def _deadline(
    rule: DeadlineRule,
    instance: int,
    run: _Running,
    calendar: WorkingCalendar,
    today: dt.date,
    due_soon_working_days: int,
) -> Deadline:
    due_on: dt.date | None = None
    days_remaining: int | None = None
    status: DeadlineStatus
    if run.paused_since is not None:
        status = "paused"
    else:
        due_on = _due(rule, calendar, run)
        if run.met_on is not None:
            status = "met" if run.met_on <= due_on else "met_late"
        else:
            days_remaining = (due_on - today).days
            if today > due_on:
                status = "overdue"
            elif calendar.working_days_between(today, due_on) <= due_soon_working_days:
                status = "due_soon"
            else:
                status = "open"
    return Deadline(
        rule_code=rule.code,
        label=rule.label,
        instance=instance,
        started_on=run.started_on,
        due_on=due_on,
        status=status,
        met_on=run.met_on,
        days_remaining=days_remaining,
        paused_since=run.paused_since,
        paused_units=run.paused_units,
        legal_reference=rule.legal_reference,
        binding=rule.binding,
        check=rule.check,
    )


def compute_deadlines(
    procedure: Procedure,
    events: Sequence[CaseEventFact],
    calendar: WorkingCalendar,
    today: dt.date,
    *,
    data: Mapping[str, object] = MappingProxyType({}),
    due_soon_working_days: int = DEFAULT_DUE_SOON_WORKING_DAYS,
) -> list[Deadline]:
    """Every deadline instance of a case, with due date and status.

    Args:
        procedure: The procedure version the case was opened under.
        events: The case's events in time order (``"opened"`` included); events after
            ``today`` are ignored.
        calendar: The working calendar of the administration handling the case.
        today: The day to evaluate on.
        data: The case data, for rules with ``applies_when``.
        due_soon_working_days: An open deadline due within this many working days of
            ``today`` is ``due_soon``.

    Returns:
        The deadlines, by rule in the procedure's order, then by instance.

    Raises:
        ValueError: The events are not in time order, or ``due_soon_working_days`` is
            negative.
    """
    if due_soon_working_days < 0:
        raise ValueError(f"due_soon_working_days must be >= 0, got {due_soon_working_days}")
    for earlier, later in itertools.pairwise(events):
        if later.on < earlier.on:
            raise ValueError(
                f"events must be in time order: {later.code!r} on {later.on.isoformat()} "
                f"follows {earlier.code!r} on {earlier.on.isoformat()}"
            )
    past = [event for event in events if event.on <= today]
    found: list[Deadline] = []
    for rule in procedure.deadlines:
        if not rule.applies(data):
            continue
        if rule.duration_field is not None:
            rule = dataclasses.replace(rule, duration=rule.duration_for(data))
        for number, run in enumerate(_replay(rule, past, calendar), start=1):
            found.append(_deadline(rule, number, run, calendar, today, due_soon_working_days))
    return found
