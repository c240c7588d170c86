"""Shared fixtures. Tests use real databases (SQLite by default, PostgreSQL via DATABASE_URL)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_unit, make_user
from ura.apps.accounts.models import RoleCode, Unit, User


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing use MD5 for speed."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def immediate_tasks(settings: pytest.FixtureRequest) -> None:
    """Tasks run inside ``enqueue``, so a test sees a job's outcome straight away."""
    settings.TASKS = IMMEDIATE_TASKS  # type: ignore[attr-defined]


@pytest.fixture
def unit(db: None) -> Unit:
    return make_unit()


@pytest.fixture
def caseworker(unit: Unit) -> User:
    return make_user(role=RoleCode.CASEWORKER, unit=unit)


def login(client: Client, user: User) -> Client:
    """Sign ``user`` in through the real login form (so axes and audit see it)."""
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client
