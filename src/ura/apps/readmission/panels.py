"""The readmission parts of the generic case page (``cases.panels``): the "Readmission
request" panel (agreement, counterpart, deadlines as the agreement sets them, the common
form) and the app's own pages for the steps of the procedure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ura.apps.cases import panels
from ura.apps.readmission import selectors, services
from ura.apps.readmission.roles import DEEMED_CONSENT, MANAGE, SEND

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ura.apps.cases.models import Case

PROCEDURE = selectors.PROCEDURE


def readmission_panel(request: HttpRequest, case: Case) -> list[panels.Panel]:
    user = request.user
    return [
        panels.Panel(
            title=_("Readmission request"),
            template="readmission/_panel.html",
            context={
                "summary": selectors.request_summary(case=case),
                "may_manage": user.has_perm(MANAGE),
                "may_send": user.has_perm(SEND),
                "may_deem": user.has_perm(DEEMED_CONSENT),
            },
            order=50,
        )
    ]


def _send_page(request: HttpRequest, case: Case) -> str:
    return reverse("readmission:send", args=[case.pk])


def _deemed_page(request: HttpRequest, case: Case) -> str:
    return reverse("readmission:deemed-consent", args=[case.pk])


def _step_page(transition: str) -> panels.TransitionPage:
    def page(request: HttpRequest, case: Case) -> str:
        return reverse("readmission:step", args=[case.pk, transition])

    return page


def register() -> None:
    """Add the panel and the step pages to the case page (from ``AppConfig.ready``)."""
    panels.register_panel(PROCEDURE, readmission_panel)
    panels.register_transition_page(PROCEDURE, "send_request", _send_page)
    panels.register_transition_page(PROCEDURE, "apply_deemed_consent", _deemed_page)
    for transition in services.steps_with_fields():
        panels.register_transition_page(PROCEDURE, transition, _step_page(transition))
