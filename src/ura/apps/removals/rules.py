"""The removal procedure's rules on case data that the YAML guards cannot say.

Registered with the case engine (``cases.workflow.register_transition_rule``), so that they
hold on every path — the removals pages, the removals API, the generic case page and the
generic ``/api/v1/cases/{id}/transitions`` — and fail with the guard code ``rule``:

* **Detention maximum** (LFIP Art. 57(3)): six months from the start of detention, or six
  plus the extension for non-cooperation (twelve at most). Ending a detention after that day,
  a review that continues it past that day, an extension beyond twelve months in all, or an
  extension decided after the six months ran out — each is refused unless the step carries
  an explicit justification (``override.justification``, new for this step) *and* the actor
  holds ``removals.override_detention_maximum``. The removals service audits every use.
* **Every monthly review has its row** (``DetentionReview``: date, reviewer, outcome,
  reasons, next review due), written by the removals service with the step; a review
  attempted through the generic transition endpoint, without it, is refused.
* **One detention (or alternative) at a time**, and the end, review or extension of one only
  while it runs; a case is not closed, discontinued or annulled while a person is held.
* **The 48 hours** (Art. 57(1)): the engine counts the decision deadline in days; here the
  hour is checked — a decision recorded more than 48 hours after the apprehension needs its
  reason for the delay (``decision.late_reason``), and may not precede the apprehension.
* **Suspensive effect of the appeal** (Art. 53(3)): the state machine already refuses the
  removal while an appeal is pending; here the removal also waits for the appeal period —
  a court judgment rejecting the appeal, or the recorded check that no appeal was lodged,
  which cannot be recorded before the seven days have run. And the travel document must be
  in hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from ura.apps.cases import workflow
from ura.apps.removals.models import DetentionReview
from ura.apps.removals.roles import OVERRIDE_MAXIMUM
from ura.casework.procedures import GuardFailure, lookup_field

if TYPE_CHECKING:
    from ura.apps.cases.models import Case

PROCEDURE = "removal"
#: LFIP Art. 57(3): six months, extendable by at most six more for non-cooperation.
DETENTION_MONTHS = 6
EXTENSION_MONTHS_MAX = 6
#: LFIP Art. 57(1): the governorate decides within 48 hours of the apprehension.
DECISION_HOURS = 48
#: LFIP Art. 53(3): seven days to appeal; removal waits for it.
APPEAL_DAYS = 7
#: Steps that end the case's life while a person could still be held.
_CLOSING = frozenset(
    {"release_without_decision", "record_appeal_upheld", "discontinue", "close_case"}
)


#: Steps the rules treat as another (the end of detention implied by the removal).
_SAME_RULES = {
    "end_detention_on_removal": "end_detention",
    "end_alternative_on_removal": "end_alternative",
}


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def datetime_of(value: object) -> dt.datetime | None:
    """A case-data date and time (``2026-03-02T14:30``), or None when missing or invalid."""
    try:
        return dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def value_of(data: Mapping[str, Any], name: str) -> Any:
    """A dotted case-data field, or None."""
    return lookup_field(data, name)


def detention_running(data: Mapping[str, Any]) -> bool:
    """Whether the case data shows a detention started and not ended."""
    return bool(value_of(data, "detention.started_on")) and not value_of(data, "detention.ended_on")


def alternative_running(data: Mapping[str, Any]) -> bool:
    """Whether the case data shows an alternative to detention started and not ended."""
    return bool(value_of(data, "alternative.started_on")) and not value_of(
        data, "alternative.ended_on"
    )


def maximum_months(data: Mapping[str, Any]) -> int:
    """The detention's legal maximum in months: six, or six plus the extension."""
    if value_of(data, "detention.extended") is True:
        months = value_of(data, "detention.maximum_months")
        if isinstance(months, int) and not isinstance(months, bool):
            return months
    return DETENTION_MONTHS


def detention_maximum_on(case: Case, data: Mapping[str, Any]) -> dt.date | None:
    """The last day detention may lawfully last (never rolled forward), or None."""
    started = _date(value_of(data, "detention.started_on"))
    if started is None:
        return None
    calendar = workflow.calendar(workflow.procedure_of(case))
    return calendar.add_months(started, maximum_months(data), roll_forward=False)


def override_given(case: Case, data: Mapping[str, Any]) -> str:
    """The justification given for this step (not one left from an earlier step)."""
    given = str(value_of(data, "override.justification") or "").strip()
    earlier = str(value_of(case.data, "override.justification") or "").strip()
    return given if given and given != earlier else ""


def _fail(message: str) -> GuardFailure:
    return GuardFailure("rule", message)


def _beyond(
    case: Case, data: Mapping[str, Any], permissions: frozenset[str], what: str
) -> list[GuardFailure]:
    """Refusal of a step that would record detention past its maximum, unless justified."""
    if override_given(case, data) and OVERRIDE_MAXIMUM in permissions:
        return []
    return [
        _fail(
            _(
                "%(what)s goes past the legal maximum of detention (LFIP Art. 57(3)). This is "
                "recorded only with an explicit justification, by a user allowed to override "
                "the maximum; the justification is audited."
            )
            % {"what": what}
        )
    ]


def _review_row_written(case: Case, data: Mapping[str, Any]) -> bool:
    """Whether the review names the row the removals service wrote for it just now: the
    newest review of the case, not one an earlier step already named."""
    record_id = value_of(data, "review.record_id")
    if not isinstance(record_id, int) or record_id == value_of(case.data, "review.record_id"):
        return False
    newest = DetentionReview.objects.filter(case=case).order_by("-pk").values_list("pk", flat=True)
    return newest.first() == record_id


def _detention_rules(
    case: Case, transition: str, data: Mapping[str, Any], permissions: frozenset[str]
) -> list[GuardFailure]:
    before = case.data
    if transition == "order_detention":
        if detention_running(before):
            return [_fail(_("A detention is already running: end it before ordering another."))]
        return []
    if transition == "order_alternative" and alternative_running(before):
        return [_fail(_("An alternative to detention is already running."))]
    transition = _SAME_RULES.get(transition, transition)
    if transition == "end_alternative" and not alternative_running(before):
        return [_fail(_("No alternative to detention is running."))]
    if transition in ("end_detention", "extend_detention") and not detention_running(before):
        return [_fail(_("No detention is running."))]
    if transition == "review_detention":
        if not (detention_running(before) or alternative_running(before)):
            return [_fail(_("Neither a detention nor an alternative to it is running."))]
        if not _review_row_written(case, data):
            return [_fail(_("Record the review on the removal case's review form."))]
    if transition in _CLOSING and (detention_running(data) or alternative_running(data)):
        return [_fail(_("The person is held or under an alternative: record its end first."))]
    maximum = detention_maximum_on(case, before)
    if maximum is None:
        return []
    if transition == "end_detention":
        ended = _date(value_of(data, "detention.ended_on"))
        started = _date(value_of(before, "detention.started_on"))
        if ended is not None and started is not None and ended < started:
            return [_fail(_("A detention cannot end before it started."))]
        if ended is not None and ended > maximum:
            return _beyond(case, data, permissions, _("This end of detention"))
    elif transition == "review_detention" and detention_running(before):
        reviewed = _date(value_of(data, "review.date"))
        if value_of(data, "review.outcome") == "continue" and reviewed and reviewed > maximum:
            return _beyond(case, data, permissions, _("Continuing the detention"))
    elif transition == "extend_detention":
        decided = _date(value_of(data, "detention.extension.decided_on"))
        total = value_of(data, "detention.maximum_months")
        if value_of(before, "detention.extended") is True:
            return _beyond(case, data, permissions, _("A second extension"))
        if isinstance(total, int) and total > DETENTION_MONTHS + EXTENSION_MONTHS_MAX:
            return _beyond(case, data, permissions, _("This extension"))
        if decided is not None and decided > maximum:
            return _beyond(case, data, permissions, _("An extension decided after the maximum"))
    return []


def _decision_rules(case: Case, transition: str, data: Mapping[str, Any]) -> list[GuardFailure]:
    if transition != "order_removal":
        return []
    apprehended = datetime_of(value_of(data, "apprehension.at"))
    decided = datetime_of(value_of(data, "decision.at"))
    if apprehended is None or decided is None:
        return []
    if decided < apprehended:
        return [_fail(_("The decision cannot be taken before the apprehension."))]
    late = decided - apprehended > dt.timedelta(hours=DECISION_HOURS)
    if late and not str(value_of(data, "decision.late_reason") or "").strip():
        return [
            _fail(
                _(
                    "The decision comes more than 48 hours after the apprehension (LFIP "
                    "Art. 57(1)): state the reason for the delay."
                )
            )
        ]
    return []


def _execution_rules(case: Case, transition: str, data: Mapping[str, Any]) -> list[GuardFailure]:
    failures: list[GuardFailure] = []
    notified = _date(value_of(data, "notification.date"))
    if transition == "record_decision_final":
        checked = _date(value_of(data, "appeal.none_lodged_checked_on"))
        if notified and checked and checked <= notified + dt.timedelta(days=APPEAL_DAYS):
            failures.append(
                _fail(_("The seven-day appeal period (LFIP Art. 53(3)) has not run yet."))
            )
    if transition == "execute_removal":
        if not (
            value_of(data, "appeal.decided_on") or value_of(data, "appeal.none_lodged_checked_on")
        ):
            failures.append(
                _fail(
                    _(
                        "The removal waits for the appeal (suspensive effect, LFIP Art. "
                        "53(3)): record the court's judgment, or that no appeal was lodged "
                        "within the seven days."
                    )
                )
            )
        if value_of(data, "travel_document.status") != "obtained":
            failures.append(_fail(_("No travel document is in hand yet.")))
        executed = _date(value_of(data, "removal.executed_on"))
        if notified and executed and executed < notified:
            failures.append(_fail(_("A removal cannot precede the notified decision.")))
    return failures


def removal_rules(
    case: Case, transition: str, data: Mapping[str, Any], permissions: frozenset[str]
) -> list[GuardFailure]:
    """Every rule above for one attempted transition (``data`` is the data after it)."""
    return [
        *_detention_rules(case, transition, data, permissions),
        *_decision_rules(case, transition, data),
        *_execution_rules(case, transition, data),
    ]


def register() -> None:
    """Check the rules on every removal transition (from ``AppConfig.ready``)."""
    workflow.register_transition_rule(PROCEDURE, removal_rules)
