"""Reads about agencies, units, users and roles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from ura.apps.accounts.models import Agency, RoleAssignment, Unit, User
from ura.apps.accounts.policy import active_assignments

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser


@dataclass(frozen=True)
class UserProfile:
    """What the signed-in user sees about themselves on the home page."""

    agency: Agency | None
    unit: Unit | None
    assignments: list[RoleAssignment]


def acting_user(user: AbstractUser | AnonymousUser) -> User:
    """The signed-in user behind a request, for services that act on someone's behalf.

    Raises:
        PermissionDenied: nobody is signed in.
    """
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    return user


def agency_names(*, agency_ids: Iterable[int | None]) -> dict[int, str]:
    """Agency names by id, for showing the agencies that audit events and records name."""
    ids = {i for i in agency_ids if i is not None}
    return dict(Agency.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def user_profile(*, user: AbstractUser | AnonymousUser) -> UserProfile:
    account = user if user.is_authenticated else None
    unit: Unit | None = getattr(account, "unit", None)
    return UserProfile(
        agency=unit.agency if unit else None, unit=unit, assignments=active_assignments(user)
    )


def agency_by_code(code: str) -> Agency | None:
    """The agency with this code (codes are case-insensitive slugs), or None."""
    return Agency.objects.filter(code__iexact=code.strip()).first()


def unit_by_id(unit_id: int) -> Unit | None:
    """The unit with this id, or None (hand-offs name the receiving unit by id)."""
    return Unit.objects.select_related("agency").filter(pk=unit_id).first()


def agencies_of_kinds(*, kinds: Iterable[str]) -> list[tuple[int, str]]:
    """(id, name) of the active agencies of these kinds, by name (partner pickers)."""
    rows = Agency.objects.filter(kind__in=list(kinds), is_active=True).order_by("name", "pk")
    return list(rows.values_list("pk", "name"))


def agency_by_id(agency_id: int) -> Agency | None:
    """The agency with this id, or None."""
    return Agency.objects.filter(pk=agency_id, is_active=True).first()


def active_users_by_ids(*, user_ids: Iterable[int]) -> dict[int, User]:
    """Active users by id (unknown or inactive ids are left out)."""
    ids = set(user_ids)
    if not ids:
        return {}
    return {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True)}


def active_users_of(*, agency_id: int, unit_id: int | None = None) -> list[User]:
    """The active users of an agency, or of one of its units."""
    users = User.objects.filter(is_active=True, unit__agency_id=agency_id)
    if unit_id is not None:
        users = users.filter(unit_id=unit_id)
    return list(users.order_by("pk"))
