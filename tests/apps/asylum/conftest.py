"""Fixtures for the asylum tests: a unit with a caseworker and a supervisor, uploads in a
temporary directory, and small helpers for the JSON API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import login
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, Unit, User

API = "/api/v1/asylum"
CASES = "/api/v1/cases"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Decision PDFs land in the test's own directory, never under ./var."""
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]


@pytest.fixture
def worker(unit: Unit) -> User:
    return make_user(role=RoleCode.CASEWORKER, unit=unit)


@pytest.fixture
def supervisor(unit: Unit) -> User:
    return make_user(role=RoleCode.SUPERVISOR, unit=unit)


@pytest.fixture
def worker_client(worker: User) -> Client:
    return login(Client(), worker)


@pytest.fixture
def supervisor_client(supervisor: User) -> Client:
    return login(Client(), supervisor)


def post(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(payload, default=str), "application/json")


def version(client: Client, case_id: int) -> int:
    response = client.get(f"{CASES}/{case_id}")
    assert response.status_code == 200, response.content
    value: int = response.json()["version"]
    return value


def transition(
    client: Client, case_id: int, code: str, data: dict[str, Any] | None = None, **extra: Any
) -> Any:
    return post(
        client,
        f"{CASES}/{case_id}/transitions",
        {
            "version": version(client, case_id),
            "transition": code,
            "data_changes": data or {},
            **extra,
        },
    )


def step(client: Client, case_id: int, path: str, payload: dict[str, Any]) -> Any:
    """POST to an asylum route of the case with the case's current version."""
    return post(
        client, f"{API}/cases/{case_id}/{path}", {"version": version(client, case_id), **payload}
    )
