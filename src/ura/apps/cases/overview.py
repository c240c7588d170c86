"""Read-only aggregates and look-ups for the case pages: the work queue's deadlines and tasks,
the cases already open for a person (search before create), the supervisors' dashboard, and
the people a case can be assigned or handed to.

Every read is scoped to the actor through ``cases.access.cases_for``, so a restricted case
(every trafficking case) is never listed or counted for anyone not assigned or granted; each
case *shown* is audited as shown, the way ``cases.selectors`` does. Counts show no case and
are not audited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.db.models import Count, Q, QuerySet

from ura.apps.accounts.policy import scopes_for
from ura.apps.cases import selectors
from ura.apps.cases.access import cases_for
from ura.apps.cases.models import (
    RUNNING_DEADLINES,
    Case,
    CaseAssignment,
    CaseDeadline,
    CasePerson,
    CaseTask,
    DeadlineStatus,
    Notification,
)
from ura.apps.cases.roles import ASSIGN, VIEW
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_records_shown

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    from ura.apps.accounts.models import User

    Actor = AbstractUser | AnonymousUser

#: The most open cases a dashboard lists without assignment (the rest are counted).
UNASSIGNED_LIMIT = 200


def case_visible(*, actor: Actor, case_id: int) -> bool:
    """Whether the actor still sees the case (after a write that may have ended their
    access: a rejected referral, their own unassignment from a restricted case)."""
    return cases_for(actor, "view").filter(pk=case_id).exists()


# --- Case search -------------------------------------------------------------------------------


def case_search(
    *,
    actor: Actor,
    filters: selectors.CaseFilters,
    unit_id: int | None = None,
    overdue_only: bool = False,
    page: int = 1,
    per_page: int = 25,
) -> Page[Case]:
    """``selectors.case_queryset`` narrowed to one owning unit and to cases with an overdue
    deadline, one page of it; each case on the page is audited as shown.

    Raises:
        PermissionDenied: the actor's roles do not let them view cases at all.
    """
    if not actor.has_perm(VIEW):
        raise PermissionDenied("You may not view cases.")
    cases = selectors.case_queryset(actor=actor, filters=filters)
    if unit_id is not None:
        cases = cases.filter(owning_unit_id=unit_id)
    if overdue_only:
        cases = cases.filter(
            pk__in=CaseDeadline.objects.filter(status=DeadlineStatus.OVERDUE).values("case_id")
        )
    # The page and its total in one read of the cases (selectors.page_of), not a count and
    # then the page.
    result = selectors.page_of(cases.order_by("-opened_on", "-pk"), page=page, per_page=per_page)
    searched = any(
        (filters.q, filters.procedure, filters.state, filters.priority, unit_id, overdue_only)
    )
    audit_records_shown(
        actor=actor,
        action=AuditAction.SEARCH if searched else AuditAction.LIST,
        objects=result.object_list,
        detail={"page": result.number},
    )
    return result


def agency_units(*, actor: Actor) -> list[tuple[int, str]]:
    """The units of the actor's agency that have people, by name (the case list's filter)."""
    agency_id = getattr(actor, "agency_id", None)
    if agency_id is None:
        return []
    return list(
        get_user_model()
        .objects.filter(agency_id=agency_id, unit__isnull=False)
        .values_list("unit_id", "unit__name")
        .distinct()
        .order_by("unit__name")
    )


# --- Work queue ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextDeadline:
    """The most pressing running deadline of a case, as the work queue shows it."""

    label: str
    due_on: object
    status: str
    legal_reference: str


_STATUS_RANK = {DeadlineStatus.OVERDUE: 0, DeadlineStatus.DUE_SOON: 1, DeadlineStatus.OPEN: 2}


def next_deadlines(*, cases: Sequence[Case]) -> dict[int, NextDeadline]:
    """For each of ``cases`` (already loaded for the actor), its most pressing running
    deadline: overdue before due soon before open, then the nearest due date."""
    found: dict[int, NextDeadline] = {}
    ranked: dict[int, tuple[int, object]] = {}
    rows = CaseDeadline.objects.filter(
        case_id__in=[c.pk for c in cases], status__in=RUNNING_DEADLINES
    ).order_by("due_on", "code", "instance")
    for d in rows:
        rank = (_STATUS_RANK.get(DeadlineStatus(d.status), 3), d.due_on)
        if d.case_id not in ranked or rank[0] < ranked[d.case_id][0]:
            ranked[d.case_id] = rank
            found[d.case_id] = NextDeadline(d.label, d.due_on, d.status, d.legal_reference)
    return found


def open_tasks(*, actor: Actor, limit: int = 100) -> list[CaseTask]:
    """The actor's open tasks on cases they still see, soonest due first (undated last)."""
    user_id: int = actor.pk or 0
    tasks = list(
        CaseTask.objects.filter(
            assignee_id=user_id, done_at__isnull=True, case__in=cases_for(actor, "view")
        )
        .select_related("case")
        .order_by("due_on", "pk")[:limit]
    )
    tasks.sort(key=lambda t: (t.due_on is None, t.due_on or 0, t.pk))
    audit_records_shown(
        actor=actor,
        action=AuditAction.LIST,
        objects=list({t.case_id: t.case for t in tasks}.values()),
        detail={"tasks": True},
    )
    return tasks


def unread_notifications(*, actor: Actor) -> int:
    """How many of the actor's notifications about cases they still see are unread."""
    user_id: int = actor.pk or 0
    return Notification.objects.filter(
        user_id=user_id, read_at__isnull=True, case__in=cases_for(actor, "view")
    ).count()


# --- Search before create ------------------------------------------------------------------------


def open_cases_of_persons(*, actor: Actor, person_ids: Iterable[str]) -> dict[str, list[Case]]:
    """The open cases the actor may see, per person of the index (a person id may stand in
    several cases: a family member, an earlier application). Each case listed is audited as
    shown."""
    wanted = {p for p in person_ids if p}
    if not wanted:
        return {}
    pairs = list(
        CasePerson.objects.filter(
            person_id__in=wanted,
            case__in=cases_for(actor, "view").filter(closed_at__isnull=True),
        )
        .order_by("case_id")
        .values_list("case_id", "person_id")
    )
    loaded = {
        c.pk: c
        for c in Case.objects.filter(pk__in={pk for pk, _ in pairs}).select_related(
            "owning_agency", "owning_unit"
        )
    }
    found: dict[str, list[Case]] = defaultdict(list)
    for pk, person_id in pairs:
        found[person_id].append(loaded[pk])
    audit_records_shown(
        actor=actor,
        action=AuditAction.SEARCH,
        objects=list(loaded.values()),
        detail={"open_cases_of_persons": len(wanted)},
    )
    return dict(found)


# --- People to assign and hand over to -----------------------------------------------------------


def assignable_users(*, unit_id: int | None = None, agency_id: int | None = None) -> list[User]:
    """Active users of the unit (or of the whole agency) whose roles let them see cases:
    whom a case can be assigned to, by user name."""
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    if unit_id is not None:
        users = users.filter(unit_id=unit_id)
    elif agency_id is not None:
        users = users.filter(agency_id=agency_id)
    else:
        return []
    return [u for u in users if scopes_for(u, VIEW)]


@dataclass(frozen=True)
class Recipient:
    """A unit a case can be referred or transferred to."""

    unit_id: int
    unit_name: str
    agency_id: int
    agency_name: str


def handoff_recipients(*, actor: Actor) -> list[Recipient]:
    """The units of other agencies that have active users — someone who can accept a
    referral or transfer — by agency and unit name. Read through the user model because a
    unit without people cannot take a case over."""
    agency_id = getattr(actor, "agency_id", None)
    users = get_user_model().objects.filter(
        is_active=True, unit__isnull=False, unit__agency__is_active=True
    )
    if agency_id is not None:
        users = users.exclude(unit__agency_id=agency_id)
    rows = (
        users.values_list("unit_id", "unit__name", "unit__agency_id", "unit__agency__name")
        .distinct()
        .order_by("unit__agency__name", "unit__name")
    )
    return [Recipient(*row) for row in rows]


# --- Supervisors' dashboard ----------------------------------------------------------------------


@dataclass
class UnitLoad:
    unit_id: int
    unit_name: str
    open_cases: int = 0
    overdue: int = 0
    due_soon: int = 0
    by_state: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass
class UserLoad:
    user_id: int
    username: str
    open_cases: int = 0
    overdue: int = 0
    due_soon: int = 0


@dataclass
class Dashboard:
    """The open caseload of the supervisor's agency, as far as they may see it."""

    units: list[UnitLoad]
    users: list[UserLoad]
    states: list[tuple[str, str]]
    """(procedure code, state code) pairs present, for the table's columns."""
    unassigned: list[Case]
    unassigned_total: int


def dashboard(*, actor: Actor) -> Dashboard:
    """Open cases of the actor's agency by unit and state, overdue and due-soon counts per
    unit and per assigned user, and the open cases nobody is assigned to (listed and audited
    as shown, up to ``UNASSIGNED_LIMIT``).

    Raises:
        PermissionDenied: the actor may not assign cases (not a supervisor).
    """
    if not actor.has_perm(ASSIGN):
        raise PermissionDenied("You may not supervise cases.")
    agency_id = getattr(actor, "agency_id", None)
    open_cases = cases_for(actor, "view").filter(owning_agency_id=agency_id, closed_at__isnull=True)
    units: dict[int, UnitLoad] = {}
    states: set[tuple[str, str]] = set()
    per_state = (
        open_cases.values("owning_unit_id", "owning_unit__name", "procedure_code", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in per_state:
        load = units.setdefault(
            row["owning_unit_id"], UnitLoad(row["owning_unit_id"], row["owning_unit__name"])
        )
        key = (row["procedure_code"], row["state"])
        load.by_state[key] = load.by_state.get(key, 0) + row["n"]
        load.open_cases += row["n"]
        states.add(key)
    overdue = Q(deadlines__status=DeadlineStatus.OVERDUE)
    due_soon = Q(deadlines__status=DeadlineStatus.DUE_SOON)
    for row in (
        open_cases.values("owning_unit_id")
        .annotate(
            overdue=Count("pk", filter=overdue, distinct=True),
            due_soon=Count("pk", filter=due_soon, distinct=True),
        )
        .order_by()
    ):
        units[row["owning_unit_id"]].overdue = row["overdue"]
        units[row["owning_unit_id"]].due_soon = row["due_soon"]
    users = _user_loads(open_cases)
    unassigned_cases = open_cases.exclude(
        pk__in=CaseAssignment.objects.filter(ended_at__isnull=True).values("case_id")
    ).select_related("owning_unit")
    unassigned = list(unassigned_cases.order_by("opened_on", "pk")[:UNASSIGNED_LIMIT])
    audit_records_shown(
        actor=actor, action=AuditAction.LIST, objects=unassigned, detail={"dashboard": True}
    )
    return Dashboard(
        units=sorted(units.values(), key=lambda u: u.unit_name),
        users=users,
        states=sorted(states),
        unassigned=unassigned,
        unassigned_total=unassigned_cases.count(),
    )


def _user_loads(open_cases: QuerySet[Case]) -> list[UserLoad]:
    """Open, overdue and due-soon cases per user assigned now to one of ``open_cases``."""
    assignments = CaseAssignment.objects.filter(ended_at__isnull=True, case__in=open_cases)
    loads: dict[int, UserLoad] = {}
    for row in (
        assignments.values("user_id", "user__username")
        .annotate(
            open_cases=Count("case_id", distinct=True),
            overdue=Count(
                "case_id",
                filter=Q(case__deadlines__status=DeadlineStatus.OVERDUE),
                distinct=True,
            ),
            due_soon=Count(
                "case_id",
                filter=Q(case__deadlines__status=DeadlineStatus.DUE_SOON),
                distinct=True,
            ),
        )
        .order_by()
    ):
        loads[row["user_id"]] = UserLoad(
            row["user_id"],
            row["user__username"],
            row["open_cases"],
            row["overdue"],
            row["due_soon"],
        )
    return sorted(loads.values(), key=lambda u: (-u.overdue, -u.due_soon, u.username))
