"""The main navigation, assembled from the installed apps.

An app lists its entries in ``navigation`` on its AppConfig; each module that is added later
(cases, COI, statistics, …) appears in the menu by declaring its own entries, and users see
only the entries their roles allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.urls import reverse
from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    permission: str | None = None
    """Permission required to see the entry; None means any signed-in user."""
    staff_only: bool = False


def entries_for(user: AbstractUser | AnonymousUser) -> list[tuple[NavEntry, str]]:
    """The navigation entries the user may see, with their URLs, in app order."""
    if not user.is_authenticated:
        return []
    visible = []
    for config in apps.get_app_configs():
        for entry in getattr(config, "navigation", ()):
            if entry.staff_only and not getattr(user, "is_staff", False):
                continue
            if entry.permission and not user.has_perm(entry.permission):
                continue
            visible.append((entry, reverse(entry.url_name)))
    return visible
