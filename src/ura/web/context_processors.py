"""Template context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import translation

from ura.web.navigation import NavEntry, entries_for

_NAV_ATTR = "_ura_nav_entries"


def navigation(request: HttpRequest) -> dict[str, object]:
    # Worked out once per request: the case page renders each procedure panel with the
    # request too, and every render runs the context processors again.
    entries: list[tuple[NavEntry, str]] | None = getattr(request, _NAV_ATTR, None)
    if entries is None:
        entries = entries_for(request.user)
        setattr(request, _NAV_ATTR, entries)
    return {
        "nav_entries": entries,
        "text_direction": "rtl" if translation.get_language_bidi() else "ltr",
    }
