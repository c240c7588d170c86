"""Reads of the international protection procedure: triage, reporting, queues, backlog.

Individual cases are read only through the cases app's access loaders and selectors (scoped
to the actor, audited when shown). Backlog figures are aggregates computed by the database
(``cases.statistics``); for users who may not see individual cases (analysts) every count
from 1 to 4 is suppressed, with complementary suppression so that no suppressed count can be
worked out from a total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ura.apps.accounts.selectors import agency_by_id, unit_by_id
from ura.apps.asylum import roles
from ura.apps.asylum.models import ReportingRecord, ReportingStatus
from ura.apps.cases import statistics, workflow
from ura.apps.cases.procedure_labels import translate
from ura.apps.cases.selectors import CaseFilters, case_queryset
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_records_shown
from ura.apps.people.index import access_person_view
from ura.casework.triage import Proposal, TriageProfile, current_ruleset, propose_modality

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser
    from django.db.models import QuerySet

    from ura.apps.cases.models import Case

    Actor = AbstractUser | AnonymousUser

PROCEDURE = "asylum"
#: States in which the structured assessment is written.
ASSESSMENT_STATES = ("assessment", "information_requested")
#: States of an application still before the authority (LFIP Art. 77 applies to them).
APPLICANT_STATES = (
    "request_made",
    "registered",
    "screening",
    "interview_scheduled",
    "interviewed",
    "assessment",
    "information_requested",
    "decision_drafted",
    "decision_approved",
)
#: Age of case buckets in months: <1, 1-3, 3-6, 6-12, >12.
AGE_BOUNDS = (1, 3, 6, 12)
#: Counts below this are suppressed for users who may not see individual cases.
SMALL_CELL = 5
THROUGHPUT_WEEKS = 12
PACE_WEEKS = 8
DECISION_DEADLINES = ("decision_regular", "decision_accelerated")


# --- One case ----------------------------------------------------------------------------------


def is_unaccompanied_child(case: Case) -> bool:
    return "unaccompanied_child" in (case.vulnerabilities or [])


def triage_profile(case: Case) -> TriageProfile:
    data = case.data
    return TriageProfile(
        nationality=data.get("applicant", {}).get("nationality"),
        vulnerabilities=frozenset(case.vulnerabilities or []),
        accelerated_grounds=tuple(data.get("screening", {}).get("accelerated_grounds", [])),
    )


def triage_proposal(case: Case, *, on: dt.date | None = None) -> Proposal:
    """What the triage rules in force on ``on`` (today) propose for the case. The rules are
    the authority's processing policy, so those of the day of triage apply, not those of
    the day the case was opened."""
    ruleset = current_ruleset(PROCEDURE, on or timezone.localdate())
    return propose_modality(ruleset, triage_profile(case))


def consecutive_missed(*, case_id: int) -> int:
    """Reporting days missed without excuse since the last day the applicant reported or
    was excused (LFIP Art. 77(1) counts consecutive misses)."""
    records = ReportingRecord.objects.filter(case_id=case_id)
    last_kept = (
        records.exclude(status=ReportingStatus.MISSED)
        .order_by("-due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    missed = records.filter(status=ReportingStatus.MISSED)
    if last_kept is not None:
        missed = missed.filter(due_on__gt=last_kept)
    return missed.count()


def reporting_history(*, case: Case, limit: int = 20) -> list[ReportingRecord]:
    """The case's latest reporting days (the caller loaded the case through access)."""
    return list(ReportingRecord.objects.filter(case_id=case.pk)[:limit])


@dataclass(frozen=True)
class Prefill:
    """What the person index knows about the principal applicant, to prefill registration."""

    name: str = ""
    date_of_birth: str = ""
    nationality: str = ""


def registration_prefill(*, actor: Actor, case: Case) -> Prefill:
    """Name, date of birth and nationality of the case's principal applicant from the
    person index, as far as the actor may see them (each record shown is audited by the
    people app); empty when the index has nothing visible."""
    link = case.persons.filter(role="principal_applicant").first()
    if link is None:
        return Prefill()
    try:
        view = access_person_view(actor, link.person_id)
    except (Http404, PermissionDenied):
        return Prefill()
    for record in view.records:
        if record.given_names or record.family_name:
            born = record.date_of_birth.isoformat() if record.date_of_birth else ""
            nationality = next((r.nationality for r in view.records if r.nationality), "")
            return Prefill(
                name=f"{record.given_names} {record.family_name}".strip(),
                date_of_birth=born,
                nationality=nationality,
            )
    return Prefill()


# --- Lists of cases ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    state: str = ""
    modality: str = ""
    unit_id: int | None = None
    nationality: str = ""


def _asylum_cases(actor: Actor, state: str = "") -> QuerySet[Case]:
    if not actor.has_perm("cases.view_case"):
        raise PermissionDenied(_("You may not view cases."))
    return case_queryset(
        actor=actor, filters=CaseFilters(procedure=PROCEDURE, state=state, open_only=True)
    )


def stage_queue(*, actor: Actor, filters: QueueFilters, page: int = 1) -> Page[Case]:
    """Open asylum cases the actor may see in one stage, oldest first, filtered by
    processing modality, owning unit (office) and nationality; each shown case is audited.

    Raises:
        PermissionDenied: the actor may not view cases.
    """
    cases = _asylum_cases(actor, filters.state)
    if filters.modality == "none":
        cases = cases.filter(Q(data__modality__isnull=True) | Q(data__modality=None))
    elif filters.modality:
        cases = cases.filter(data__modality=filters.modality)
    if filters.unit_id:
        cases = cases.filter(owning_unit_id=filters.unit_id)
    if filters.nationality:
        cases = cases.filter(data__applicant__nationality=filters.nationality.upper())
    result = Paginator(cases.order_by("opened_on", "pk"), 50).get_page(page)
    audit_records_shown(
        actor=actor,
        action=AuditAction.LIST,
        objects=result.object_list,
        detail={"queue": f"asylum:{filters.state or 'all'}", "page": result.number},
    )
    return result


@dataclass(frozen=True)
class MissedReporting:
    case: Case
    consecutive_missed: int
    last_missed_on: dt.date


def missed_reporting(*, actor: Actor, at_least: int = 3, limit: int = 200) -> list[MissedReporting]:
    """Applicants whose application is still pending and who missed reporting at least
    ``at_least`` consecutive times without excuse (LFIP Art. 77(1): three), most misses
    first. Counted in the database; each case listed is audited as shown.

    Raises:
        PermissionDenied: the actor may not view cases.
    """
    visible = _asylum_cases(actor).filter(state__in=APPLICANT_STATES)
    last_kept = (
        ReportingRecord.objects.filter(case_id=OuterRef("case_id"))
        .exclude(status=ReportingStatus.MISSED)
        .order_by("-due_on")
        .values("due_on")[:1]
    )
    rows = list(
        ReportingRecord.objects.filter(
            case_id__in=visible.order_by().values("pk"), status=ReportingStatus.MISSED
        )
        .annotate(last_kept=Subquery(last_kept))
        .filter(Q(last_kept__isnull=True) | Q(due_on__gt=F("last_kept")))
        .values("case_id")
        .annotate(n=Count("pk"), last=Max("due_on"))
        .filter(n__gte=at_least)
        .order_by("-n", "last")[:limit]
    )
    cases = {c.pk: c for c in visible.filter(pk__in=[r["case_id"] for r in rows])}
    found = [
        MissedReporting(cases[r["case_id"]], r["n"], r["last"])
        for r in rows
        if r["case_id"] in cases
    ]
    audit_records_shown(
        actor=actor,
        action=AuditAction.LIST,
        objects=[f.case for f in found],
        detail={"queue": "asylum:missed_reporting"},
    )
    return found


# --- Backlog -----------------------------------------------------------------------------------


@dataclass
class Cell:
    """One count; ``value`` None when suppressed (a count from 1 to 4, or a complement)."""

    label: str
    value: int | None
    key: str = ""

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass
class Backlog:
    open_total: int | None
    by_stage: list[Cell]
    by_age: list[Cell]
    by_nationality: list[Cell]
    by_office: list[Cell]
    by_modality: list[Cell]
    throughput: list[Cell]
    decided_in_time: int | None
    decided_late: int | None
    share_in_time: float | None
    weekly_pace: float | None
    weeks_to_clear: float | None
    suppressed: bool
    as_of: dt.date = field(default_factory=timezone.localdate)


def _suppress(cells: list[Cell], *, total_shown: bool) -> list[Cell]:
    """Suppress counts from 1 to 4 and, when exactly one cell of a breakdown whose total is
    shown was suppressed, the next smallest too, so that it cannot be worked out."""
    hidden = [c for c in cells if c.value is not None and 0 < c.value < SMALL_CELL]
    for c in hidden:
        c.value = None
    if total_shown and len(hidden) == 1:
        rest = sorted((c for c in cells if c.value), key=lambda c: c.value or 0)
        if rest:
            rest[0].value = None
    return cells


def _pace(throughput: list[tuple[dt.date, int]]) -> float:
    # The current week is incomplete: the pace is the mean of the last PACE_WEEKS full weeks.
    full = [n for _monday, n in throughput[:-1]][-PACE_WEEKS:]
    return sum(full) / len(full) if full else 0.0


#: The state in which an application stops being part of the backlog.
FIRST_INSTANCE_DECIDED = "decision_approved"


def backlog(*, actor: Actor, today: dt.date | None = None) -> Backlog:
    """The caseload and the pace of decisions, counted by the database.

    Supervisors count the cases they may see (their agency); analysts the cases in the scope
    of their ``asylum.view_backlog`` role, as aggregates with small cells suppressed.

    Raises:
        PermissionDenied: the actor may not see backlog figures.
    """
    if not actor.has_perm(roles.VIEW_BACKLOG):
        raise PermissionDenied(_("You may not see the backlog."))
    today = today or timezone.localdate()
    cases = statistics.statistics_cases(
        actor=actor, procedure_code=PROCEDURE, permission=roles.VIEW_BACKLOG
    )
    procedure = workflow.registry().current(PROCEDURE, today)
    labels = {s.code: translate("state", s.label) for s in procedure.states}
    order = [s.code for s in procedure.states]
    # The backlog is the applications still waiting for a first-instance decision: the
    # procedure's states before the decision is approved. Status holders, notified refusals
    # and appeals are open cases, but not the authority's backlog.
    pending = order[: order.index(FIRST_INSTANCE_DECIDED)]
    open_cases = cases.filter(closed_at__isnull=True, state__in=pending)
    stage_counts = dict(statistics.count_by(open_cases, "state"))
    open_total = sum(stage_counts.values())
    by_stage = [Cell(labels[s], stage_counts[s], s) for s in order if stage_counts.get(s)]
    age_labels = [
        _("under 1 month"),
        _("1 to 3 months"),
        _("3 to 6 months"),
        _("6 to 12 months"),
        _("over 12 months"),
    ]
    ages = statistics.count_by_age(open_cases, today=today, bounds_in_months=AGE_BOUNDS)
    by_age = [
        Cell(str(label), n, str(i))
        for i, (label, n) in enumerate(zip(age_labels, ages, strict=True))
    ]
    by_nationality = [
        Cell(str(key or _("not recorded")), n, str(key or ""))
        for key, n in statistics.count_by(open_cases, "data.applicant.nationality")
    ]
    by_modality = [
        Cell(str(key or _("not yet triaged")), n, str(key or ""))
        for key, n in statistics.count_by(open_cases, "data.modality")
    ]
    office_counts = statistics.count_by(open_cases, "owning_unit_id")
    by_office = []
    for unit_id, n in office_counts:
        unit = unit_by_id(unit_id)
        by_office.append(Cell(unit.name if unit else str(unit_id), n, str(unit_id)))
    weekly = statistics.transitions_per_week(
        cases, transition="approve_decision", weeks=THROUGHPUT_WEEKS, today=today
    )
    throughput = [
        Cell(f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}", n, monday.isoformat())
        for monday, n in weekly
    ]
    deadlines = statistics.deadline_outcomes(cases, codes=DECISION_DEADLINES)
    in_time, late = deadlines["met"], deadlines["met_late"]
    pace = _pace(weekly)
    figures = Backlog(
        open_total=open_total,
        by_stage=by_stage,
        by_age=by_age,
        by_nationality=by_nationality,
        by_office=by_office,
        by_modality=by_modality,
        throughput=throughput,
        decided_in_time=in_time,
        decided_late=late,
        share_in_time=in_time / (in_time + late) if in_time + late else None,
        weekly_pace=pace,
        weeks_to_clear=open_total / pace if pace else None,
        suppressed=not statistics.may_see_cases(actor),
        as_of=today,
    )
    if figures.suppressed:
        _suppress_all(figures)
    return figures


def _suppress_all(figures: Backlog) -> None:
    total = figures.open_total
    if total is not None and 0 < total < SMALL_CELL:
        figures.open_total = total = None
    for cells in (
        figures.by_stage,
        figures.by_age,
        figures.by_nationality,
        figures.by_office,
        figures.by_modality,
    ):
        _suppress(cells, total_shown=total is not None)
    # The pace shown is the total of the last PACE_WEEKS full weeks (divided by their
    # number), so those weeks are one breakdown with a shown total; this week stands alone.
    _suppress(figures.throughput[-1 - PACE_WEEKS : -1], total_shown=True)
    _suppress(figures.throughput[-1:], total_shown=False)
    deadline_cells = _suppress(
        [Cell("met", figures.decided_in_time), Cell("met_late", figures.decided_late)],
        total_shown=False,
    )
    figures.decided_in_time, figures.decided_late = (c.value for c in deadline_cells)
    if figures.decided_in_time is None or figures.decided_late is None:
        figures.share_in_time = None
    if total is None:
        figures.weeks_to_clear = None


def backlog_as_data(figures: Backlog) -> dict[str, Any]:
    """The figures as JSON for the API (a suppressed count is null)."""

    def cells(items: list[Cell]) -> list[dict[str, Any]]:
        return [{"key": c.key, "label": c.label, "count": c.value} for c in items]

    return {
        "as_of": figures.as_of,
        "suppressed_small_cells": figures.suppressed,
        "open_total": figures.open_total,
        "by_stage": cells(figures.by_stage),
        "by_age": cells(figures.by_age),
        "by_nationality": cells(figures.by_nationality),
        "by_office": cells(figures.by_office),
        "by_modality": cells(figures.by_modality),
        "throughput_per_week": cells(figures.throughput),
        "decisions_within_deadline": {
            "met": figures.decided_in_time,
            "met_late": figures.decided_late,
            "share_met": figures.share_in_time,
        },
        "weekly_pace": figures.weekly_pace,
        "weeks_to_clear": figures.weeks_to_clear,
    }


def office_choices(*, actor: Actor) -> list[tuple[int, str]]:
    """The units owning asylum cases the actor may see (for the queue's office filter)."""
    ids = [
        unit_id
        for unit_id, _n in statistics.count_by(
            statistics.statistics_cases(
                actor=actor, procedure_code=PROCEDURE, permission=roles.VIEW_BACKLOG
            ),
            "owning_unit_id",
        )
    ]
    units = [unit_by_id(i) for i in ids]
    return sorted(((u.pk, u.name) for u in units if u is not None), key=lambda x: x[1])


def authority_names(case: Case) -> tuple[str, str]:
    """The owning agency's and unit's names (for decisions)."""
    agency = agency_by_id(case.owning_agency_id)
    unit = unit_by_id(case.owning_unit_id)
    return (agency.name if agency else "", unit.name if unit else "")
