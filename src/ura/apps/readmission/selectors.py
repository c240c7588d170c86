"""Reads of the readmission app: the agreement a request is made under, its deadlines as the
agreement sets them, the lists and the dashboard per counterpart country.

Cases are loaded through the case engine (``cases.access``, ``cases.selectors``), which
checks need-to-know and audits; the dashboard counts cases in the database
(``cases.statistics``) and never loads them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from babel import Locale, UnknownLocaleError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ura.apps.cases import procedure_labels, statistics, workflow
from ura.apps.cases.selectors import CaseFilters, case_queryset
from ura.apps.readmission.roles import VIEW_DASHBOARD
from ura.casework.deadlines import Deadline, compute_deadlines
from ura.casework.readmission import (
    Agreement,
    AgreementError,
    apply_agreement,
    builtin_agreement_registry,
    return_back_last_day,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser
    from django.db.models import QuerySet

    from ura.apps.cases.models import Case
    from ura.casework.procedures import Procedure

    Actor = AbstractUser | AnonymousUser

PROCEDURE = "readmission"
#: The deadline rules of the reply, whichever procedure (accelerated or regular) applies.
REPLY_RULES = ("reply_accelerated", "reply_regular")
#: Deadline statuses in the users' words (the same as the case page's).
STATUS_LABELS = {
    "open": _("Open"),
    "due_soon": _("Due soon"),
    "overdue": _("Overdue"),
    "met": _("Met"),
    "met_late": _("Met late"),
    "paused": _("Paused"),
}
#: Counts from 1 to 4 are not shown to users who may not see the cases behind them.
SMALL_CELL = 5


# --- Agreements ------------------------------------------------------------------------------


def agreements_in_force(on: dt.date | None = None) -> tuple[Agreement, ...]:
    """Every agreement a request may be drafted under on ``on`` (today by default)."""
    return builtin_agreement_registry().in_force(on or timezone.localdate())


def agreement_of(case: Case) -> Agreement | None:
    """The agreement version the request was drafted under (None if the case names none or
    one the system no longer knows)."""
    request = case.data.get("request") or {}
    code, version = request.get("agreement"), request.get("agreement_version")
    if not isinstance(code, str) or not isinstance(version, int):
        return None
    try:
        return builtin_agreement_registry().get(code, version)
    except AgreementError:
        return None


def procedure_for_case(case: Case, procedure: Procedure) -> Procedure:
    """The readmission procedure with the figures of the request's agreement (registered
    with the case engine, so that the stored deadlines follow the agreement)."""
    agreement = agreement_of(case)
    return apply_agreement(procedure, agreement) if agreement is not None else procedure


@lru_cache(maxsize=16)
def _territories(language: str) -> dict[str, str]:
    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    return dict(locale.territories)


def country_name(code: str) -> str:
    """The country's name in the interface language (CLDR through Babel), or the code."""
    return _territories(get_language() or "en").get(code.upper(), code)


def counterpart_choices(agreement: Agreement) -> list[tuple[str, str]]:
    """The states a request under ``agreement`` may go to, as (code, name) by name."""
    return sorted(((c, country_name(c)) for c in agreement.counterparts), key=lambda p: p[1])


# --- One request -----------------------------------------------------------------------------


def deadlines_of(case: Case, *, today: dt.date | None = None) -> list[Deadline]:
    """The request's deadlines as the agreement sets them, computed now."""
    procedure = workflow.procedure_of(case)
    return compute_deadlines(
        procedure,
        workflow.case_event_facts(case),
        workflow.calendar(procedure),
        today or timezone.localdate(),
        data=case.data,
    )


def running_reply_deadline(case: Case, *, today: dt.date | None = None) -> Deadline | None:
    """The reply deadline still running (open, due soon or overdue), if any."""
    for deadline in deadlines_of(case, today=today):
        if deadline.rule_code in REPLY_RULES and deadline.met_on is None:
            return deadline
    return None


def return_back_window_end(case: Case) -> dt.date | None:
    """The last day the requested state may ask to return the person (None before the
    transfer)."""
    agreement = agreement_of(case)
    transferred = (case.data.get("transfer") or {}).get("transferred_on")
    if agreement is None or not transferred:
        return None
    calendar = workflow.calendar(workflow.procedure_of(case))
    return return_back_last_day(agreement, dt.date.fromisoformat(transferred), calendar)


@dataclass
class RequestSummary:
    case: Case
    agreement: Agreement | None
    state_label: str
    counterpart_name: str
    deadlines: list[Deadline]
    deadline_rows: list[tuple[Deadline, Any]]
    deemed_consent_possible: bool
    return_back_until: dt.date | None
    data: dict[str, Any] = field(default_factory=dict)


def request_summary(*, case: Case, today: dt.date | None = None) -> RequestSummary:
    """What the case page's readmission panel shows (the case is already authorised)."""
    today = today or timezone.localdate()
    agreement = agreement_of(case)
    procedure = workflow.procedure_of(case)
    deadlines = deadlines_of(case, today=today)
    reply = next((d for d in deadlines if d.rule_code in REPLY_RULES and d.met_on is None), None)
    counterpart = str((case.data.get("request") or {}).get("counterpart", ""))
    return RequestSummary(
        case=case,
        agreement=agreement,
        state_label=procedure_labels.state_label(procedure, case.state),
        counterpart_name=country_name(counterpart) if counterpart else "",
        deadlines=deadlines,
        deadline_rows=[(d, STATUS_LABELS.get(d.status, d.status)) for d in deadlines],
        deemed_consent_possible=bool(
            case.state == "reply_due"
            and agreement is not None
            and agreement.deemed_consent.applies
            and reply is not None
            and reply.due_on is not None
            and today > reply.due_on
        ),
        return_back_until=return_back_window_end(case),
        data=case.data,
    )


# --- Lists -----------------------------------------------------------------------------------


def requests_of(*, actor: Actor, state: str = "") -> QuerySet[Case]:
    """The readmission requests the actor may see (not audited: lists show references and
    states only), newest first."""
    cases = case_queryset(actor=actor, filters=CaseFilters(procedure=PROCEDURE, state=state))
    return cases.order_by("-opened_on", "-pk")


# --- Dashboard -------------------------------------------------------------------------------

COUNTERPART = "data.request.counterpart"


@dataclass
class CounterpartRow:
    """One counterpart country's figures over the period; None marks a suppressed count."""

    code: str
    name: str
    requests: int | None
    replies_on_time: int | None
    replies_late: int | None
    accepted: int | None
    deemed_accepted: int | None
    rejected: int | None
    acceptance_rate: float | None
    transfers: int | None
    returned_back: int | None
    awaiting_reply: int | None
    replies_overdue: int | None


@dataclass
class Dashboard:
    since: dt.date
    until: dt.date
    rows: list[CounterpartRow]
    suppressed: bool


def _shown(value: int, suppress: bool) -> int | None:
    return None if suppress and 0 < value < SMALL_CELL else value


def dashboard(*, actor: Actor, since: dt.date, until: dt.date, counterpart: str = "") -> Dashboard:
    """Per counterpart country, over the days ``since`` to ``until``: requests sent, replies
    in time and late, acceptances (express and deemed), rejections, acceptance rate,
    transfers executed and persons returned back; and now: requests awaiting a reply and
    replies overdue.

    Counts the requests the actor may see; a user who sees no cases (an analyst) counts
    those within the dashboard permission's scope, with counts from 1 to 4 suppressed (and
    the rate computed only when no count behind it is).
    """
    cases = statistics.statistics_cases(
        actor=actor, procedure_code=PROCEDURE, permission=VIEW_DASHBOARD
    )
    if counterpart:
        cases = cases.filter(data__request__counterpart=counterpart)
    suppress = not statistics.may_see_cases(actor)
    steps = statistics.transitions_count_by(
        cases,
        dimension=COUNTERPART,
        transitions=[
            "send_request",
            "record_acceptance",
            "apply_deemed_consent",
            "record_rejection",
            "record_transfer",
            "record_return_back",
        ],
        since=since,
        until=until,
    )
    replies = statistics.deadline_statuses_by(
        cases, dimension=COUNTERPART, codes=REPLY_RULES, met_since=since, met_until=until
    )
    waiting = dict(statistics.count_by(cases.filter(state="reply_due"), COUNTERPART))
    overdue = statistics.deadlines_overdue_by(
        cases, dimension=COUNTERPART, codes=REPLY_RULES, today=timezone.localdate()
    )
    codes = sorted({k for k, _ in steps} | {k for k, _ in replies} | set(waiting), key=str)
    rows = []
    for code in codes:
        if code is None:
            continue
        accepted = steps.get((code, "record_acceptance"), 0)
        deemed = steps.get((code, "apply_deemed_consent"), 0)
        rejected = steps.get((code, "record_rejection"), 0)
        answered = accepted + deemed + rejected
        figures = [accepted, deemed, rejected]
        hidden = suppress and any(0 < n < SMALL_CELL for n in figures)
        # A deemed acceptance stops the reply deadline after its due date (met late): it is
        # no reply at all, so it is not counted among the late replies.
        late = max(replies.get((code, "met_late"), 0) - deemed, 0)
        rows.append(
            CounterpartRow(
                code=str(code),
                name=country_name(str(code)),
                requests=_shown(steps.get((code, "send_request"), 0), suppress),
                replies_on_time=_shown(replies.get((code, "met"), 0), suppress),
                replies_late=_shown(late, suppress),
                accepted=_shown(accepted, suppress),
                deemed_accepted=_shown(deemed, suppress),
                rejected=_shown(rejected, suppress),
                acceptance_rate=(
                    None if hidden or not answered else round((accepted + deemed) / answered, 3)
                ),
                transfers=_shown(steps.get((code, "record_transfer"), 0), suppress),
                returned_back=_shown(steps.get((code, "record_return_back"), 0), suppress),
                awaiting_reply=_shown(waiting.get(code, 0), suppress),
                replies_overdue=_shown(overdue.get(code, 0), suppress),
            )
        )
    rows.sort(key=lambda r: r.name)
    return Dashboard(since=since, until=until, rows=rows, suppressed=suppress)


def dashboard_as_data(figures: Dashboard) -> dict[str, Any]:
    """The dashboard as JSON-ready data (the API's answer)."""
    return {
        "since": figures.since,
        "until": figures.until,
        "suppressed": figures.suppressed,
        "counterparts": [vars(row) for row in figures.rows],
    }
