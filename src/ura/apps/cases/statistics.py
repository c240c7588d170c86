"""Aggregate figures over cases, computed by the database (procedure-agnostic).

Dashboards of caseload and throughput count cases; they never load them. Each function here
takes the set of cases to count (a query, built by :func:`statistics_cases` for the actor)
and answers with one aggregate query, so the figures cost the same on a thousand cases as on
a million. Procedure apps decide what to count (which states, transitions and deadline
rules) and what to show; small-cell suppression for users who may not see individual cases
is theirs to apply, since only they know which figures sit side by side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Case as When_
from django.db.models import CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.fields.json import KT, KeyTextTransform, KeyTransform
from django.db.models.functions import TruncWeek

from ura.apps.accounts.policy import Scope, scopes_for
from ura.apps.cases.access import case_filter
from ura.apps.cases.models import (
    Case,
    CaseDeadline,
    CaseEvent,
    CaseEventKind,
    CasePerson,
    DeadlineStatus,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    Actor = AbstractUser | AnonymousUser

#: What cases can be counted by: a column, or ``data.<dotted path>`` into the case data.
_COLUMNS = {"state", "priority", "owning_unit_id", "owning_agency_id", "procedure_code"}


def may_see_cases(actor: Actor) -> bool:
    """Whether the actor's roles let them see individual cases at all (who may not sees
    aggregates only, with small cells suppressed by the caller)."""
    return bool(scopes_for(actor, "cases.view_case"))


def statistics_cases(*, actor: Actor, procedure_code: str, permission: str) -> QuerySet[Case]:
    """The cases of ``procedure_code`` the actor's figures count.

    A user who may see cases counts exactly the cases they may see. A user who may only see
    aggregates (an analyst holding ``permission``) counts the cases within that
    permission's scope: their unit's, their agency's or all — never a restricted case,
    which exists only for the users assigned to it and explicit grantees (decision 0017).
    """
    cases = Case.objects.filter(procedure_code=procedure_code)
    if may_see_cases(actor):
        return cases.filter(case_filter(actor, "view"))
    scopes = scopes_for(actor, permission)
    reach = Q(pk__in=[])
    if Scope.ALL in scopes:
        reach = Q()
    else:
        agency_id = getattr(actor, "agency_id", None)
        unit_id = getattr(actor, "unit_id", None)
        if Scope.AGENCY in scopes and agency_id is not None:
            reach |= Q(owning_agency_id=agency_id)
        if Scope.UNIT in scopes and unit_id is not None:
            reach |= Q(owning_unit_id=unit_id)
    return cases.filter(reach, restricted=False)


def _key(dimension: str) -> Any:
    if dimension in _COLUMNS:
        return F(dimension)
    if dimension.startswith("data.") and all(dimension[5:].split(".")):
        return KT("data__" + "__".join(dimension[5:].split(".")))
    raise ValueError(f"cannot count cases by {dimension!r}")


def count_by(cases: QuerySet[Case], dimension: str) -> list[tuple[Any, int]]:
    """How many of ``cases`` fall in each value of ``dimension`` (a column such as
    ``state`` or ``owning_unit_id``, or ``data.applicant.nationality``), largest first;
    None for cases without a value.

    Raises:
        ValueError: a dimension that is neither a known column nor a data path.
    """
    rows = (
        cases.order_by()
        .annotate(key=_key(dimension))
        .values("key")
        .annotate(n=Count("pk"))
        .order_by("-n", "key")
    )
    return [(row["key"], row["n"]) for row in rows]


def _months_before(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 - months
    year = day.year + month // 12
    month = month % 12 + 1
    # The last day of a shorter month stands in for 31 (31 March minus one month: 28/29 Feb).
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def count_by_age(
    cases: QuerySet[Case], *, today: dt.date, bounds_in_months: Sequence[int]
) -> list[int]:
    """How many of ``cases`` have been open for less than each bound (in calendar months,
    counted from ``opened_on``) and for longer than the last: ``len(bounds) + 1`` counts,
    youngest first. Bounds [1, 3] give: under 1 month, 1 to 3 months, over 3 months."""
    limits = [_months_before(today, m) for m in bounds_in_months]
    whens = [When(opened_on__gt=limit, then=Value(str(i))) for i, limit in enumerate(limits)]
    rows = (
        cases.order_by()
        .annotate(bucket=When_(*whens, default=Value(str(len(limits))), output_field=CharField()))
        .values("bucket")
        .annotate(n=Count("pk"))
    )
    counts = [0] * (len(limits) + 1)
    for row in rows:
        counts[int(row["bucket"])] = row["n"]
    return counts


def transitions_per_week(
    cases: QuerySet[Case], *, transition: str, weeks: int, today: dt.date
) -> list[tuple[dt.date, int]]:
    """How many times ``transition`` was performed on ``cases`` in each of the last
    ``weeks`` ISO weeks (Monday to Sunday, this week included), oldest first, by the
    Monday that begins the week; weeks without any count 0."""
    this_monday = today - dt.timedelta(days=today.weekday())
    mondays = [this_monday - dt.timedelta(weeks=w) for w in range(weeks - 1, -1, -1)]
    rows = (
        CaseEvent.objects.filter(
            case__in=cases.order_by().values("pk"),
            kind=CaseEventKind.TRANSITION,
            transition=transition,
            occurred_on__gte=mondays[0],
            occurred_on__lte=today,
        )
        .annotate(week=TruncWeek("occurred_on"))
        .values("week")
        .annotate(n=Count("pk"))
    )
    found: dict[dt.date, int] = {}
    for row in rows:
        week = row["week"]
        found[week.date() if isinstance(week, dt.datetime) else week] = row["n"]
    return [(monday, found.get(monday, 0)) for monday in mondays]


def deadline_outcomes(cases: QuerySet[Case], *, codes: Sequence[str]) -> dict[str, int]:
    """How many deadlines of the rules ``codes`` were met in time and how many late, over
    ``cases``: ``{"met": n, "met_late": m}``."""
    rows = (
        CaseDeadline.objects.filter(
            case__in=cases.order_by().values("pk"),
            code__in=list(codes),
            status__in=[DeadlineStatus.MET, DeadlineStatus.MET_LATE],
        )
        .values("status")
        .annotate(n=Count("pk"))
    )
    counts = {DeadlineStatus.MET.value: 0, DeadlineStatus.MET_LATE.value: 0}
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def _through_case(dimension: str) -> Any:
    """:func:`_key` seen from a row that belongs to a case (an event, a deadline)."""
    _key(dimension)  # the same dimensions, the same error for others
    if dimension in _COLUMNS:
        return F("case__" + dimension)
    # KT() reads its first part as the JSON field itself: name the related field explicitly.
    *keys, last = dimension[5:].split(".")
    value: Any = F("case__data")
    for key in keys:
        value = KeyTransform(key, value)
    return KeyTextTransform(last, value)


def transitions_count_by(
    cases: QuerySet[Case],
    *,
    dimension: str,
    transitions: Sequence[str],
    since: dt.date,
    until: dt.date,
) -> dict[tuple[Any, str], int]:
    """How many times each of ``transitions`` was performed on ``cases`` between ``since``
    and ``until`` (both included, by the day the step took place), per value of the cases'
    ``dimension`` (as in :func:`count_by`): ``{(value, transition): n}``.

    Raises:
        ValueError: an unknown dimension.
    """
    rows = (
        CaseEvent.objects.filter(
            case__in=cases.order_by().values("pk"),
            kind=CaseEventKind.TRANSITION,
            transition__in=list(transitions),
            occurred_on__gte=since,
            occurred_on__lte=until,
        )
        .annotate(key=_through_case(dimension))
        .values("key", "transition")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["key"], row["transition"]): row["n"] for row in rows}


def deadline_statuses_by(
    cases: QuerySet[Case],
    *,
    dimension: str,
    codes: Sequence[str],
    met_since: dt.date | None = None,
    met_until: dt.date | None = None,
) -> dict[tuple[Any, str], int]:
    """How many deadlines of the rules ``codes`` over ``cases`` are in each status, per value
    of the cases' ``dimension``: ``{(value, status): n}``. With ``met_since``/``met_until``,
    met deadlines count only when met in that period (open and overdue ones always count).

    Raises:
        ValueError: an unknown dimension.
    """
    deadlines = CaseDeadline.objects.filter(
        case__in=cases.order_by().values("pk"), code__in=list(codes)
    )
    met = Q(status__in=[DeadlineStatus.MET, DeadlineStatus.MET_LATE])
    if met_since is not None:
        deadlines = deadlines.exclude(met, met_on__lt=met_since)
    if met_until is not None:
        deadlines = deadlines.exclude(met, met_on__gt=met_until)
    rows = (
        deadlines.annotate(key=_through_case(dimension))
        .values("key", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["key"], row["status"]): row["n"] for row in rows}


def deadlines_overdue_by(
    cases: QuerySet[Case], *, dimension: str, codes: Sequence[str], today: dt.date
) -> dict[Any, int]:
    """How many deadlines of the rules ``codes`` over ``cases`` are past their due date and
    not met on ``today``, per value of the cases' ``dimension``. Decided by the due date,
    not by the stored status, which is as of the case's last change.

    Raises:
        ValueError: an unknown dimension.
    """
    rows = (
        CaseDeadline.objects.filter(
            case__in=cases.order_by().values("pk"),
            code__in=list(codes),
            met_on__isnull=True,
            due_on__lt=today,
        )
        .annotate(key=_through_case(dimension))
        .values("key")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["key"]: row["n"] for row in rows}


@dataclass(frozen=True)
class EmittedEvent:
    """One event a procedure's transition emitted on a case, for statistical extraction."""

    event_id: int
    case_id: int
    procedure_code: str
    code: str  # the emitted event's name (``registered``, ``presumed_victim_identified``)
    occurred_on: dt.date
    person_ids: tuple[str, ...]  # stable person ids of the case's persons
    data: dict[str, Any]  # the case data as it stands now
    vulnerabilities: tuple[str, ...]


def emitted_events(*, procedure_codes: Sequence[str] | None = None) -> list[EmittedEvent]:
    """Every event the procedures' transitions emitted, over all cases (restricted ones too).

    For the statistics app's extraction only: it runs on the server, aggregates and protects
    what it reads, and audits the extraction; nothing here is shown to a person.

    Args:
        procedure_codes: Only cases of these procedures (all when None).
    """
    events = CaseEvent.objects.filter(kind=CaseEventKind.TRANSITION)
    if procedure_codes is not None:
        events = events.filter(case__procedure_code__in=list(procedure_codes))
    rows = list(
        events.order_by("pk").values_list(
            "pk", "case_id", "case__procedure_code", "occurred_on", "detail"
        )
    )
    case_ids = {row[1] for row in rows}
    persons: dict[int, list[str]] = {}
    for case_id, person_id in (
        CasePerson.objects.filter(case_id__in=case_ids)
        .order_by("case_id", "household_group", "pk")
        .values_list("case_id", "person_id")
    ):
        persons.setdefault(case_id, []).append(person_id)
    cases = {
        pk: (data or {}, tuple(vulnerabilities or ()))
        for pk, data, vulnerabilities in Case.objects.filter(pk__in=case_ids).values_list(
            "pk", "data", "vulnerabilities"
        )
    }
    out: list[EmittedEvent] = []
    for pk, case_id, procedure_code, occurred_on, detail in rows:
        data, vulnerabilities = cases.get(case_id, ({}, ()))
        for code in (detail or {}).get("emits", []):
            out.append(
                EmittedEvent(
                    event_id=pk,
                    case_id=case_id,
                    procedure_code=procedure_code,
                    code=str(code),
                    occurred_on=occurred_on,
                    person_ids=tuple(persons.get(case_id, ())),
                    data=data,
                    vulnerabilities=vulnerabilities,
                )
            )
    return out
