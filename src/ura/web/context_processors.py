"""Template context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import translation

from ura.web.navigation import entries_for


def navigation(request: HttpRequest) -> dict[str, object]:
    return {
        "nav_entries": entries_for(request.user),
        "text_direction": "rtl" if translation.get_language_bidi() else "ltr",
    }
