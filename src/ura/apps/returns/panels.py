"""The returns parts of the generic case page (``cases.panels``): the "Voluntary return"
panel and the app's own forms for the steps of ``avrr.yaml``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ura.apps.cases import panels
from ura.apps.returns import actions, selectors

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ura.apps.cases.models import Case

PROCEDURE = selectors.PROCEDURE


def returns_panel(request: HttpRequest, case: Case) -> list[panels.Panel]:
    from ura.apps.returns.views import case_context

    summary = selectors.case_summary(actor=request.user, case=case)
    return [
        panels.Panel(
            title=_("Voluntary return"),
            template="returns/_panel.html",
            context=case_context(request, summary),
            order=50,
        )
    ]


def _page(code: str) -> panels.TransitionPage:
    def page(request: HttpRequest, case: Case) -> str:
        return reverse("returns:action", args=[case.pk, code])

    return page


def register() -> None:
    """Add the panel and the step pages to the case page (from ``AppConfig.ready``)."""
    panels.register_panel(PROCEDURE, returns_panel)
    for transition, code in actions.BY_TRANSITION.items():
        if code == "deliver":
            # Delivery names an item: the form is beside each item on the case's page.
            panels.register_transition_page(PROCEDURE, transition, _case_page)
        else:
            panels.register_transition_page(PROCEDURE, transition, _page(code))


def _case_page(request: HttpRequest, case: Case) -> str:
    return reverse("returns:case", args=[case.pk])
