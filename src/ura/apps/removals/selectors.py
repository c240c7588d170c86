"""Reads of the removals app, always through cases the actor may see (``cases.access``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Min, Q

from ura.apps.cases import workflow
from ura.apps.cases.access import cases_for
from ura.apps.cases.procedure_labels import case_state_label, translate
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_records_shown
from ura.apps.removals import rules
from ura.apps.removals.models import DetentionReview

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    from ura.apps.cases.models import Case, CaseDeadline

    Actor = AbstractUser | AnonymousUser

PROCEDURE = rules.PROCEDURE
#: Deadlines still to act on, for lists and the panel.
OPEN_STATUSES = ("open", "due_soon", "overdue", "paused")


@dataclass(frozen=True)
class DecisionClock:
    """The 48 hours of LFIP Art. 57(1), to the hour (the engine counts days)."""

    apprehended_at: dt.datetime
    due_at: dt.datetime
    decided_at: dt.datetime | None

    @property
    def late(self) -> bool:
        return self.decided_at is not None and self.decided_at > self.due_at


@dataclass
class RemovalSummary:
    """What the removals panel, pages and API show of a case."""

    case: Case
    phase: str
    state_label: str
    data: dict[str, Any]
    deadlines: list[CaseDeadline]
    reviews: list[DetentionReview]
    detention_running: bool
    alternative_running: bool
    detention_maximum_on: dt.date | None
    decision_clock: DecisionClock | None
    transitions: list[dict[str, str]] = field(default_factory=list)

    @property
    def travel_requests(self) -> list[tuple[int, dict[str, Any]]]:
        requests = rules.value_of(self.data, "travel_document.requests") or []
        return list(enumerate(requests, start=1))


def removal_cases(*, actor: Actor) -> Any:
    """The removal cases the actor may see, not audited."""
    return cases_for(actor, "view").filter(procedure_code=PROCEDURE)


@dataclass(frozen=True)
class CaseRow:
    case: Case
    next_due_on: dt.date | None
    overdue: int
    due_soon: int

    @property
    def state_label(self) -> str:
        """The state's label in the procedure version the case follows."""
        return case_state_label(self.case)


def my_cases(*, actor: Actor, open_only: bool = True, limit: int = 200) -> list[CaseRow]:
    """The removal cases the actor sees, the most urgent first (overdue, due soon, next due
    date); audited as listed."""
    found = removal_cases(actor=actor)
    if open_only:
        found = found.filter(closed_at__isnull=True)
    pending = Q(deadlines__status__in=OPEN_STATUSES)
    chosen = list(
        found.annotate(next_due_on=Min("deadlines__due_on", filter=pending))
        .prefetch_related("deadlines")
        .order_by("next_due_on", "-opened_on", "-pk")[:limit]
    )
    statuses = {c.pk: [d.status for d in c.deadlines.all()] for c in chosen}
    audit_records_shown(actor=actor, action=AuditAction.LIST, objects=chosen)
    rows = [
        CaseRow(
            case=c,
            next_due_on=getattr(c, "next_due_on", None),
            overdue=statuses.get(c.pk, []).count("overdue"),
            due_soon=statuses.get(c.pk, []).count("due_soon"),
        )
        for c in chosen
    ]
    return sorted(rows, key=lambda r: (-r.overdue, -r.due_soon))


def reviews_of(*, case: Case) -> list[DetentionReview]:
    """The monthly reviews recorded on a case the caller loaded, oldest first."""
    return list(DetentionReview.objects.filter(case=case).order_by("reviewed_on", "pk"))


def _clock(data: dict[str, Any]) -> DecisionClock | None:
    apprehended = rules.datetime_of(rules.value_of(data, "apprehension.at"))
    if apprehended is None:
        return None
    return DecisionClock(
        apprehended_at=apprehended,
        due_at=apprehended + dt.timedelta(hours=rules.DECISION_HOURS),
        decided_at=rules.datetime_of(rules.value_of(data, "decision.at")),
    )


def case_summary(*, case: Case) -> RemovalSummary:
    """The summary of a case the caller loaded through ``access_case_by_id``."""
    procedure = workflow.procedure_of(case)
    state = procedure.state(case.state)
    data = dict(case.data)
    return RemovalSummary(
        case=case,
        phase=state.phase,
        state_label=translate("state", state.label),
        data=data,
        deadlines=list(case.deadlines.order_by("due_on", "code", "instance")),
        reviews=reviews_of(case=case),
        detention_running=rules.detention_running(data),
        alternative_running=rules.alternative_running(data),
        detention_maximum_on=rules.detention_maximum_on(case, data),
        decision_clock=_clock(data),
        transitions=workflow.transitions_available(case),
    )
