"""The removal parts of the generic case page (``cases.panels``): the "Removal" panel and
the app's own page for every step of the procedure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ura.apps.cases import panels
from ura.apps.removals import selectors
from ura.apps.removals.forms import STEP_FORMS
from ura.apps.removals.roles import MANAGE

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ura.apps.cases.models import Case

PROCEDURE = selectors.PROCEDURE


def removal_panel(request: HttpRequest, case: Case) -> list[panels.Panel]:
    return [
        panels.Panel(
            title=_("Removal"),
            template="removals/_panel.html",
            context={
                "summary": selectors.case_summary(case=case),
                "may_manage": request.user.has_perm(MANAGE),
            },
            order=50,
        )
    ]


def _step_page(transition: str) -> panels.TransitionPage:
    def page(request: HttpRequest, case: Case) -> str:
        return reverse("removals:step", args=[case.pk, transition])

    return page


def register() -> None:
    """Add the panel and the step pages to the case page (from ``AppConfig.ready``)."""
    panels.register_panel(PROCEDURE, removal_panel)
    for transition in STEP_FORMS:
        panels.register_transition_page(PROCEDURE, transition, _step_page(transition))
