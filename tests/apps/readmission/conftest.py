"""The readmission scenario: a provincial removal unit (a caseworker who drafts and records,
supervisors who send and apply deemed consent), an analyst who sees figures only, and a
caseworker of another agency who must see nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.apps.cases.factories import make_person
from tests.conftest import login
from tests.factories import make_agency, make_unit, make_user
from ura.apps.accounts.models import RoleCode, Scope, Unit, User

API = "/api/v1/readmission"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    unit: Unit
    worker: User
    boss: User
    analyst: User
    outsider: User


@pytest.fixture
def world(db: None) -> World:
    unit = make_unit(agency=make_agency())
    return World(
        unit=unit,
        worker=make_user(role=RoleCode.CASEWORKER, unit=unit),
        boss=make_user(role=RoleCode.SUPERVISOR, unit=unit),
        analyst=make_user(role=RoleCode.ANALYST, scope=Scope.ALL, unit=unit),
        outsider=make_user(role=RoleCode.CASEWORKER),
    )


def post(client: Client, url: str, payload: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(payload or {}), "application/json")


def as_user(user: User) -> Client:
    return login(Client(), user)


def draft(client: Client, owner: User, **overrides: Any) -> Any:
    """Draft a request (EU-Türkiye agreement to Greece, regular procedure) through the API."""
    payload = {
        "person_id": make_person(owner=owner),
        "agreement": "eu-tr-2014",
        "counterpart": "GR",
        "procedure": "regular",
        "grounds": "third_country_national",
        "evidence": ["entry_stamp", "fingerprints"],
        "nationality": "AFG",
        "apprehended_on": "2026-04-20",
        "apprehension_place": "Edirne, Pazarkule",
        "drafted_on": "2026-04-30",
        **overrides,
    }
    return post(client, f"{API}/requests", payload)


def drafted(client: Client, owner: User, **overrides: Any) -> int:
    response = draft(client, owner, **overrides)
    assert response.status_code == 201, response.content
    case_id: int = response.json()["id"]
    return case_id


def detail(client: Client, case_id: int) -> Any:
    response = client.get(f"{API}/requests/{case_id}")
    assert response.status_code == 200, response.content
    return response.json()


def send(client: Client, case_id: int, sent_on: str = "2026-04-30") -> Any:
    version = detail(client, case_id)["version"]
    return post(client, f"{API}/requests/{case_id}/send", {"version": version, "sent_on": sent_on})


def step(
    client: Client, case_id: int, transition: str, occurred_on: str | None = None, **values: Any
) -> Any:
    version = detail(client, case_id)["version"]
    return post(
        client,
        f"{API}/requests/{case_id}/steps/{transition}",
        {"version": version, "values": values, "occurred_on": occurred_on},
    )


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.content
    return response.json()


def deadline(body: Any, code: str, instance: int = 1) -> Any:
    found = [d for d in body["deadlines"] if d["code"] == code and d["instance"] == instance]
    assert found, (code, [d["code"] for d in body["deadlines"]])
    return found[0]


def sent_and_received(
    worker: Client, boss: Client, owner: User, received_on: str = "2026-05-03", **overrides: Any
) -> int:
    """A regular request sent on 30 April 2026 and received on ``received_on``."""
    case_id = drafted(worker, owner, **overrides)
    ok(send(boss, case_id))
    ok(step(worker, case_id, "record_receipt", **{"request.received_on": received_on}))
    return case_id
