"""How procedure apps (asylum, trafficking, returns, …) add their own parts to the case page.

The case page (``cases.views``) is generic: header, persons, work, hand-offs, history. An app
that owns a procedure registers, from its ``AppConfig.ready``:

* **panels** — sections of the case page (``register_panel``): a template and its context,
  built from the already-authorised case for the signed-in user;
* **transition pages** — for a transition that needs more than the generic form of required
  fields (an interview record, an indicator screening), the URL of the app's own page
  (``register_transition_page``); the case page links there instead of showing its form.

Providers receive a case that ``cases.access.access_case_by_id`` has already loaded for the
request's user (access checked, read audited); they must still mask what the user may not
see. The cases app never imports a procedure app: the procedure app registers itself here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ura.apps.cases.models import Case


@dataclass(frozen=True)
class Panel:
    """One section of the case page."""

    title: str | Promise
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    order: int = 100
    """Lower first; the generic sections use 0-99 (summary) and 500+ (history)."""


PanelProvider = Callable[["HttpRequest", "Case"], Sequence[Panel]]
#: (request, case) -> URL of the app's page for this transition, or None for the generic form.
TransitionPage = Callable[["HttpRequest", "Case"], str | None]

_panels: dict[str | None, list[PanelProvider]] = {}
_transition_pages: dict[tuple[str, str], TransitionPage] = {}


def register_panel(procedure_code: str | None, provider: PanelProvider) -> None:
    """Add ``provider``'s panels to the page of every case of ``procedure_code`` (None: of
    every procedure). Registering the same provider twice has no effect."""
    providers = _panels.setdefault(procedure_code, [])
    if provider not in providers:
        providers.append(provider)


def register_transition_page(procedure_code: str, transition: str, page: TransitionPage) -> None:
    """Send users to ``page`` (the app's own form) for ``transition`` of ``procedure_code``."""
    _transition_pages[(procedure_code, transition)] = page


def panels_for(request: HttpRequest, case: Case) -> list[Panel]:
    """The registered panels for this case, in display order."""
    found: list[Panel] = []
    for code in (None, case.procedure_code):
        for provider in _panels.get(code, ()):
            found.extend(provider(request, case))
    return sorted(found, key=lambda panel: panel.order)


def transition_page(request: HttpRequest, case: Case, transition: str) -> str | None:
    """The URL of the app's own page for ``transition``, if one is registered."""
    page = _transition_pages.get((case.procedure_code, transition))
    return page(request, case) if page is not None else None
