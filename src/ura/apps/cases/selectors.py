"""Reads of cases, always scoped to the actor (``cases.access``); every case shown in a list,
search or work queue is audited as shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import connection, models
from django.db.models import Count, QuerySet, Window

from ura.apps.cases.access import cases_for, history_filter
from ura.apps.cases.models import (
    PRIORITY_RANK,
    Case,
    CaseAssignment,
    CaseDeadline,
    CaseDocument,
    CaseEvent,
    CaseNote,
    CasePerson,
    CaseTask,
    Consent,
    Notification,
    Referral,
    Transfer,
    Vulnerability,
)
from ura.apps.core.models import AuditAction
from ura.apps.core.protected import Sensitivity
from ura.apps.core.services import audit_records_shown

if TYPE_CHECKING:
    import datetime as dt
    from typing import Any

    from django.contrib.auth.models import AbstractUser, AnonymousUser

    Actor = AbstractUser | AnonymousUser


@dataclass(frozen=True)
class CaseFilters:
    """What a user can search cases on. Empty fields do not filter."""

    q: str = ""  # a reference, or part of one
    procedure: str = ""
    state: str = ""
    priority: str = ""
    person_id: str = ""
    open_only: bool = False


def _require_view(actor: Actor) -> None:
    if not actor.has_perm("cases.view_case"):
        raise PermissionDenied("You may not view cases.")


def case_queryset(*, actor: Actor, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """Every case the actor may see matching ``filters`` (not audited)."""
    filters = filters or CaseFilters()
    cases = cases_for(actor, "view").select_related("owning_agency", "owning_unit")
    if filters.q.strip():
        cases = cases.filter(reference__icontains=filters.q.strip())
    if filters.procedure:
        cases = cases.filter(procedure_code=filters.procedure)
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.priority:
        cases = cases.filter(priority=filters.priority)
    if filters.person_id:
        # A person is in a case at most once (case_person_once): the join repeats no case.
        cases = cases.filter(persons__person_id=filters.person_id)
    if filters.open_only:
        cases = cases.filter(closed_at__isnull=True)
    # No DISTINCT: cases_for repeats no case either, and DISTINCT over every column of every
    # visible case made each page and its count sort them all.
    return cases


def page_of(cases: QuerySet[Case], *, page: int, per_page: int) -> Page[Case]:
    """``Paginator(cases, per_page).get_page(page)`` in one query instead of two.

    The paginator counts the cases, then reads the page: at a million cases a unit's search
    reads its tens of thousands of visible cases twice. Here each row of the page carries the
    total (``COUNT(*) OVER ()``), so they are read once. A page past the end, which has no
    row to carry the total, is left to the paginator (it shows the last page).
    """
    paginator: Paginator[Case] = Paginator(cases, per_page)
    if page < 1:
        return paginator.get_page(page)
    start = (page - 1) * per_page
    rows = list(cases.annotate(listed_total=Window(Count("pk")))[start : start + per_page])
    if not rows:
        return paginator.get_page(page)
    paginator.__dict__["count"] = rows[0].listed_total  # what Paginator.count would compute
    return Page(rows, page, paginator)


def case_page(
    *, actor: Actor, filters: CaseFilters | None = None, page: int = 1, per_page: int = 25
) -> Page[Case]:
    """One page of the actor's cases; each case on it is audited as shown.

    Raises:
        PermissionDenied: the actor's roles do not let them view cases at all.
    """
    _require_view(actor)
    filters = filters or CaseFilters()
    result = page_of(case_queryset(actor=actor, filters=filters), page=page, per_page=per_page)
    searched = any(
        (filters.q, filters.procedure, filters.state, filters.priority, filters.person_id)
    )
    audit_records_shown(
        actor=actor,
        action=AuditAction.SEARCH if searched else AuditAction.LIST,
        objects=result.object_list,
        detail={"page": result.number},
    )
    return result


#: How many cases the work queue lists: what a person reads at once. Every case listed is an
#: audit event, and the queue is the page opened most often.
QUEUE_LENGTH = 25

#: The most a client may ask the work queue for (the API's ``limit``).
QUEUE_LENGTH_MAX = 100


def work_queue(
    *,
    actor: Actor,
    unit_wide: bool = False,
    due_before: dt.date | None = None,
    limit: int = QUEUE_LENGTH,
) -> list[Case]:
    """The first ``limit`` (at most ``QUEUE_LENGTH_MAX``) open cases the actor works on —
    assigned to them, or with ``unit_wide`` every open case of their unit they may see — most
    urgent first, then by the nearest running deadline (``Case.nearest_due_on``), then oldest.
    Each case listed is audited as shown.

    Raises:
        PermissionDenied: the actor may not view cases.
    """
    _require_view(actor)
    cases = cases_for(actor, "view").filter(closed_at__isnull=True)
    user_id: int = actor.pk or 0
    if unit_wide:
        cases = cases.filter(owning_unit_id=getattr(actor, "unit_id", None))
    else:
        cases = cases.filter(
            pk__in=CaseAssignment.objects.filter(user_id=user_id, ended_at__isnull=True).values(
                "case_id"
            )
        )
    # The nearest running deadline is the case's own column (kept by deadlines_refresh), not
    # looked up per case: the order is then that of the index of a unit's open cases
    # (case_open_queue), which the unit-wide queue reads until it has its first cases.
    cases = cases.annotate(priority_rank=PRIORITY_RANK)
    if due_before is not None:
        cases = cases.filter(nearest_due_on__lte=due_before)
    # Agencies and units fetched for the chosen cases afterwards (prefetch), not joined to
    # every candidate: PostgreSQL underestimates how many cases pass the need-to-know filter
    # and joins them by nested loops over all units and agencies, which cost more than the
    # queue itself.
    chosen: list[Case] = list(
        cases.prefetch_related("owning_agency", "owning_unit").order_by(
            "priority_rank", "nearest_due_on", "opened_on", "pk"
        )[: max(1, min(limit, QUEUE_LENGTH_MAX))]
    )
    audit_records_shown(
        actor=actor, action=AuditAction.LIST, objects=chosen, detail={"queue": True}
    )
    return chosen


def visible_vulnerabilities(actor: Actor, case: Case) -> list[str] | None:
    """The case's vulnerability flags the actor may see: None without health-data
    permission; the trafficking flag only with trafficking-data permission too."""
    if not actor.has_perm(Sensitivity.HEALTH.permission):
        return None
    flags = list(case.vulnerabilities or [])
    if not actor.has_perm(Sensitivity.TRAFFICKING.permission):
        flags = [f for f in flags if f != Vulnerability.TRAFFICKING_VICTIM]
    return flags


@dataclass
class CaseFile:
    """Everything about one case a user may see, for the case page and the API detail.
    Built from a case the caller loaded through ``access_case_by_id`` (which audited it)."""

    case: Case
    persons: list[CasePerson] = field(default_factory=list)
    assignments: list[CaseAssignment] = field(default_factory=list)
    notes: list[CaseNote] = field(default_factory=list)
    documents: list[CaseDocument] = field(default_factory=list)
    tasks: list[CaseTask] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    deadlines: list[CaseDeadline] = field(default_factory=list)
    history: list[CaseEvent] = field(default_factory=list)


_M = TypeVar("_M", bound=models.Model)


def _in_case_order(rows: QuerySet[_M]) -> QuerySet[_M]:
    """``rows`` (all of one case) in their model's order without its leading ``case``: that
    sorts by the case's own order, a join to the cases table for every part of the file —
    and the same order here, where every row is of the one case."""
    return rows.order_by(*[f for f in rows.model._meta.ordering or () if f != "case"])


#: The parts of a case file that many cases do not have (yet), by ``CaseFile`` field.
_OFTEN_EMPTY: tuple[tuple[str, type[models.Model]], ...] = (
    ("notes", CaseNote),
    ("documents", CaseDocument),
    ("tasks", CaseTask),
    ("consents", Consent),
    ("referrals", Referral),
    ("transfers", Transfer),
)


def _parts_present(case: Case) -> set[str]:
    """Which of the ``_OFTEN_EMPTY`` parts have a row for ``case``, in one query.

    Each part read through the ORM costs a query built and compiled in Python (about a
    millisecond of the server's CPU each) even when it finds nothing; one statement of
    ``EXISTS`` tests, looked up by each table's case index, says which are worth reading.
    A part with a row here may still come back empty (its read may narrow further); one
    without is certainly empty.
    """
    quote = connection.ops.quote_name
    tests = []
    for _, model in _OFTEN_EMPTY:
        case_key: Any = model._meta.get_field("case")  # a ForeignKey: it has a column
        table, column = quote(model._meta.db_table), quote(case_key.column)
        tests.append(f"EXISTS (SELECT 1 FROM {table} WHERE {column} = %s)")  # noqa: S608 -- names from the models, quoted; the id a parameter
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(tests)}", [case.pk] * len(tests))
        row = cursor.fetchone()
    return {name for (name, _), found in zip(_OFTEN_EMPTY, row, strict=True) if found}


def case_file(*, case: Case, viewer: Actor | None = None) -> CaseFile:
    """The parts of a case already loaded (and audited) by ``access_case_by_id``, with the
    users, agencies and units the case page names for each (one query per part, none per
    row; the parts a case often lacks are first tested together, and only those it has are
    read). With ``viewer``, the history is what that user may see of it
    (``access.history_filter``: a referral's recipient sees it from the referral on)."""
    present = _parts_present(case)
    events = case.events.select_related("actor")
    if viewer is not None:
        events = events.filter(history_filter(viewer, case))

    def part(name: str, rows: QuerySet[_M]) -> list[_M]:
        return list(_in_case_order(rows)) if name in present else []

    return CaseFile(
        case=case,
        persons=list(_in_case_order(case.persons.all())),
        assignments=list(
            _in_case_order(case.assignments.filter(ended_at__isnull=True).select_related("user"))
        ),
        notes=part("notes", case.notes.select_related("author")),
        documents=part("documents", case.documents.all()),
        tasks=part("tasks", case.tasks.select_related("assignee")),
        consents=part("consents", case.consents.select_related("recipient_agency")),
        referrals=part("referrals", case.referrals.select_related("to_agency", "to_unit")),
        transfers=part("transfers", case.transfers.select_related("to_agency", "to_unit")),
        deadlines=list(_in_case_order(case.deadlines.all())),
        history=list(_in_case_order(events)),
    )


def notifications_for(
    *, actor: Actor, unread_only: bool = False, limit: int = 100
) -> list[Notification]:
    """The actor's own notifications, newest first; those about cases the actor may no
    longer see are left out."""
    user_id: int = actor.pk or 0
    found = Notification.objects.filter(user_id=user_id, case__in=cases_for(actor, "view"))
    if unread_only:
        found = found.filter(read_at__isnull=True)
    return list(found.select_related("case")[:limit])
