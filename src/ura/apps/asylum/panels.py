"""The asylum parts of the case page: the "Application" panel and the transition pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ura.apps.asylum import roles
from ura.apps.asylum.selectors import (
    ASSESSMENT_STATES,
    PROCEDURE,
    consecutive_missed,
    reporting_history,
    triage_proposal,
)
from ura.apps.asylum.vocabulary import (
    PROVINCE_NAMES,
    AcceleratedGround,
    AppealOutcome,
    AssessmentSection,
    ConventionGround,
    InadmissibilityGround,
    Modality,
    ReportingFrequency,
    SeriousHarm,
)
from ura.apps.cases import panels

if TYPE_CHECKING:
    from django.db.models import TextChoices
    from django.http import HttpRequest

    from ura.apps.cases.models import Case

#: Transitions with their own page in this app (the others use the case page's generic form;
#: the decision panel owns submit_for_approval, approve_decision and return_for_revision).
TRANSITION_PAGES = (
    "register",
    "change_modality",
    "assess_inadmissibility",
    "schedule_interview",
    "reschedule_interview",
    "hold_interview",
    "request_information",
    "receive_information",
    "notify_positive_decision",
    "notify_negative_decision",
    "lodge_appeal",
    "record_appeal_decision",
    "reopen_after_annulment",
    "finalise_negative",
    "withdraw",
)


def _labels(choices: type[TextChoices], values: Any) -> list[str]:
    labels = dict(choices.choices)
    return [str(labels.get(v, v)) for v in (values if isinstance(values, list) else [])]


def application_panel(request: HttpRequest, case: Case) -> list[panels.Panel]:
    data = case.data
    screening = data.get("screening", {})
    assessment = data.get("assessment", {})
    appeal = data.get("appeal", {})
    context = {
        "case": case,
        "data": data,
        "province": PROVINCE_NAMES.get(str(data.get("assigned_province", "")), ""),
        "reporting_frequency": dict(ReportingFrequency.choices).get(
            data.get("reporting", {}).get("frequency", ""), ""
        ),
        "modality": dict(Modality.choices).get(data.get("modality", ""), ""),
        "proposal": triage_proposal(case) if case.state in ("registered", "screening") else None,
        "accelerated_grounds": _labels(AcceleratedGround, screening.get("accelerated_grounds")),
        "inadmissibility_grounds": _labels(
            InadmissibilityGround, screening.get("inadmissibility_grounds")
        ),
        "sections": [
            (label, assessment.get(code, [])) for code, label in AssessmentSection.choices
        ],
        "convention_grounds": _labels(ConventionGround, assessment.get("convention_grounds")),
        "serious_harm": _labels(SeriousHarm, assessment.get("serious_harm_types")),
        "citations": list(enumerate(assessment.get("citations", []), start=1)),
        "appeal_outcome": dict(AppealOutcome.choices).get(appeal.get("outcome", ""), ""),
        "reporting": reporting_history(case=case, limit=5),
        "consecutive_missed": consecutive_missed(case_id=case.pk),
        "may_assess": case.state in ASSESSMENT_STATES and request.user.has_perm(roles.DECIDE),
        "may_record_reporting": bool(data.get("reporting", {}).get("frequency"))
        and request.user.has_perm(roles.MANAGE),
    }
    return [
        panels.Panel(
            title=_("Application for international protection"),
            template="asylum/_panel.html",
            context=context,
            order=150,
        )
    ]


def _page(transition: str) -> panels.TransitionPage:
    def page(request: HttpRequest, case: Case) -> str:
        return reverse("asylum:step", args=[case.pk, transition])

    return page


def register() -> None:
    """Register the panel and the transition pages with the case page."""
    panels.register_panel(PROCEDURE, application_panel)
    for transition in TRANSITION_PAGES:
        panels.register_transition_page(PROCEDURE, transition, _page(transition))
