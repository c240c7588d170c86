"""The "COI research" panel of an asylum case page: the passages clipped from the library
with their notes, each checked against the document as the library holds it now, and a link
to the library's search for the applicant's country of origin.

Registered with the case page (``ura.apps.cases.panels``) by the coi app's ``ready``; the
case engine never imports the library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ura.apps.asylum import roles as asylum_roles
from ura.apps.asylum.selectors import ASSESSMENT_STATES, PROCEDURE
from ura.apps.cases import panels
from ura.apps.coi import roles
from ura.apps.coi.clipping import ClipStatus, case_citations_status
from ura.apps.coi.countries import country_name
from ura.ingest.countries import ALPHA2_TO_ALPHA3

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ura.apps.cases.models import Case

_ALPHA2 = {alpha3: alpha2 for alpha2, alpha3 in ALPHA2_TO_ALPHA3.items()}

#: How each outcome of the check is named on the page.
STATUS_LABELS = {
    ClipStatus.UNCHANGED: pgettext_lazy("quoted words", "Unchanged"),
    ClipStatus.MOVED: pgettext_lazy("quoted words", "Moved"),
    ClipStatus.CHANGED: pgettext_lazy("quoted words", "Changed"),
    ClipStatus.WITHDRAWN: pgettext_lazy("COI document", "Withdrawn"),
    ClipStatus.MISSING: _("No longer in the library"),
    ClipStatus.ALTERED: _("Quote altered"),
}


def country_of_origin(case: Case) -> str:
    """The applicant's nationality as an ISO 3166-1 alpha-2 code (the library's), or ``""``."""
    nationality = case.data.get("applicant", {}).get("nationality")
    return _ALPHA2.get(str(nationality or "").upper(), "")


def coi_research_panel(request: HttpRequest, case: Case) -> list[panels.Panel]:
    """The panel, for users who may read the library (others see no panel)."""
    user = request.user
    if not user.has_perm(roles.VIEW):
        return []
    clipped = case_citations_status(user, case)
    citations = case.data.get("assessment", {}).get("citations") or []
    country = country_of_origin(case)
    context: dict[str, Any] = {
        "case": case,
        "clipped": [(item, STATUS_LABELS[item.status]) for item in clipped],
        "warnings": sum(1 for item in clipped if item.warning),
        "pasted": len(citations) - len(clipped),
        "country": country,
        "country_name": country_name(country) if country else "",
        "search_url": f"{reverse('coi:search')}?{urlencode({'country': country})}"
        if country
        else reverse("coi:search"),
        "may_clip": case.state in ASSESSMENT_STATES and user.has_perm(asylum_roles.DECIDE),
    }
    return [
        panels.Panel(
            title=_("COI research"), template="coi/_case_panel.html", context=context, order=160
        )
    ]


def register() -> None:
    """Add the panel to the page of every asylum case."""
    panels.register_panel(PROCEDURE, coi_research_panel)
