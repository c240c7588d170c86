"""The trafficking parts of the generic case page (``cases.panels``): the "Trafficking" panel
and the app's own pages for the structured steps of the procedure.

The panel names the victim only by pseudonym; the identity is revealed on the app's identity
page, with a reason, for one page view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ura.apps.cases import panels
from ura.apps.trafficking import selectors
from ura.apps.trafficking.forms import STEP_FORMS
from ura.apps.trafficking.roles import EXPORT_HTCDS, MANAGE, REVEAL

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ura.apps.cases.models import Case

PROCEDURE = selectors.PROCEDURE


def trafficking_panel(request: HttpRequest, case: Case) -> list[panels.Panel]:
    user = request.user
    return [
        panels.Panel(
            title=_("Trafficking"),
            template="trafficking/_panel.html",
            context={
                "summary": selectors.case_summary(case=case),
                "may_manage": user.has_perm(MANAGE),
                "may_reveal": user.has_perm(REVEAL),
                "may_export": user.has_perm(EXPORT_HTCDS),
            },
            order=50,
        )
    ]


def _screening_page(request: HttpRequest, case: Case) -> str:
    return reverse("trafficking:screening", args=[case.pk])


def _referral_page(request: HttpRequest, case: Case) -> str:
    return reverse("trafficking:refer", args=[case.pk])


def _answer_page(request: HttpRequest, case: Case) -> str:
    return reverse("trafficking:referrals")


def _step_page(transition: str) -> panels.TransitionPage:
    def page(request: HttpRequest, case: Case) -> str:
        return reverse("trafficking:step", args=[case.pk, transition])

    return page


def register() -> None:
    """Add the panel and the step pages to the case page (from ``AppConfig.ready``)."""
    panels.register_panel(PROCEDURE, trafficking_panel)
    for transition in ("identify_presumed_victim", "screen_out"):
        panels.register_transition_page(PROCEDURE, transition, _screening_page)
    panels.register_transition_page(PROCEDURE, "refer", _referral_page)
    for transition in ("accept_referral", "reject_referral"):
        panels.register_transition_page(PROCEDURE, transition, _answer_page)
    for transition in STEP_FORMS:
        panels.register_transition_page(PROCEDURE, transition, _step_page(transition))
