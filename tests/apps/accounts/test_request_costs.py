"""What every signed-in request costs before its view runs, and that cutting it changed no
rule: the user is loaded with the unit and agency the header names, the roles' permissions
are read once per request in two queries, and the idle limit is noted once a minute rather
than written to the session on every request."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from tests.conftest import login
from tests.factories import make_user
from ura.apps.accounts.backends import RoleBackend
from ura.apps.accounts.middleware import LAST_SEEN_RESOLUTION
from ura.apps.accounts.models import Role, RoleAssignment, RoleCode, Scope, User
from ura.apps.accounts.policy import (
    active_assignments,
    forget_cached_assignments,
    role_permissions,
    scopes_for,
)

pytestmark = pytest.mark.django_db


def test_the_session_user_comes_with_unit_and_agency(
    caseworker: User, django_assert_num_queries: Any
) -> None:
    """Every page's header names the user's unit's agency: one query, not three."""
    with django_assert_num_queries(1):
        user = RoleBackend().get_user(caseworker.pk)
        assert user is not None
        assert isinstance(user, User)
        assert user.unit is not None
        assert user.unit.agency.name


def test_an_inactive_or_unknown_user_is_not_loaded(caseworker: User) -> None:
    assert RoleBackend().get_user(caseworker.pk + 1000) is None
    caseworker.is_active = False
    caseworker.save()
    assert RoleBackend().get_user(caseworker.pk) is None


def _expected(user: User) -> tuple[set[str], dict[str, set[Scope]]]:
    """The permissions and scopes as the policy defines them, worked out the long way."""
    perms: set[str] = set()
    scopes: dict[str, set[Scope]] = {}
    for assignment in RoleAssignment.objects.active().filter(user=user):
        for perm in assignment.role.permissions.select_related("content_type"):
            name = f"{perm.content_type.app_label}.{perm.codename}"
            perms.add(name)
            scopes.setdefault(name, set()).add(Scope(assignment.scope))
    return perms, scopes


def test_permissions_and_scopes_are_read_once_per_user_object(
    django_assert_num_queries: Any,
) -> None:
    user = make_user(role=RoleCode.CASEWORKER, scope=Scope.UNIT)
    RoleAssignment.objects.create(
        user=user, role=Role.objects.get(code=RoleCode.SUPERVISOR), scope=Scope.AGENCY
    )
    perms, scopes = _expected(user)
    assert "cases.view_case" in perms
    assert scopes["cases.view_case"] == {Scope.UNIT, Scope.AGENCY}
    # Content types are read once per process (Django caches them): warm that cache with
    # another object of the same user, as the server's first request would.
    role_permissions(User.objects.get(pk=user.pk))
    with django_assert_num_queries(2):  # the assignments with their roles, the permissions
        assert role_permissions(user) == perms
        for name, expected in scopes.items():
            assert scopes_for(user, name) == expected
        assert scopes_for(user, "cases.no_such_permission") == set()
        assert user.has_perm("cases.view_case")


def test_a_role_change_is_seen_once_the_cache_is_forgotten() -> None:
    user = make_user(role=RoleCode.CASEWORKER)
    permission = Permission.objects.get(codename="assign_case")
    assert "cases.assign_case" not in role_permissions(user)
    RoleAssignment.objects.create(
        user=user, role=Role.objects.get(code=RoleCode.SUPERVISOR), scope=Scope.AGENCY
    )
    assert "cases.assign_case" not in role_permissions(user)  # cached for this object
    forget_cached_assignments(user)
    assert permission.content_type.app_label == "cases"
    assert "cases.assign_case" in role_permissions(user)
    assert scopes_for(user, "cases.assign_case") == {Scope.AGENCY}
    assert len(active_assignments(user)) == 2


def test_the_last_activity_is_noted_once_a_minute(caseworker: User) -> None:
    """A request within ``LAST_SEEN_RESOLUTION`` of the noted activity does not save the
    session; a later one notes it again."""
    client = login(Client(), caseworker)
    assert client.get("/").status_code == 200
    session = client.session
    recent = session["ura_last_seen"] - (LAST_SEEN_RESOLUTION - 5)
    session["ura_last_seen"] = recent
    session.save()
    assert client.get("/").status_code == 200
    assert client.session["ura_last_seen"] == recent  # not written again
    session = client.session
    session["ura_last_seen"] = int(time.time()) - LAST_SEEN_RESOLUTION - 1
    session.save()
    assert client.get("/").status_code == 200
    assert client.session["ura_last_seen"] >= int(time.time()) - 5  # noted anew
