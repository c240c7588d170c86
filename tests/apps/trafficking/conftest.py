"""The trafficking scenario: a police unit that identifies and refers, a shelter NGO that
accepts and assists, and an outsider of another agency."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.apps.cases.factories import make_person
from tests.conftest import login
from tests.factories import make_agency, make_unit, make_user
from ura.apps.accounts.models import AgencyKind, RoleCode, Scope, Unit, User
from ura.apps.cases.models import CaseAssignment

API = "/api/v1/trafficking"

#: A known tick set of the adult labour list: two recruitment indicators (1 strong + 1
#: medium), two of exploitative conditions, two strong of coercion at destination, and one
#: weak one that alone makes nothing present.
TRAFFICKED_TICKS = [
    "adult_labour.deceptive_recruitment.s1",
    "adult_labour.deceptive_recruitment.m1",
    "adult_labour.exploitative_conditions.s1",
    "adult_labour.exploitative_conditions.m1",
    "adult_labour.coercion_at_destination.s1",
    "adult_labour.coercion_at_destination.s2",
    "adult_labour.abuse_of_vulnerability_at_destination.w1",
]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    police: Unit
    ngo: Unit
    responder: User
    worker: User
    boss: User
    boss2: User
    ngo_worker: User
    outsider: User


@pytest.fixture
def world(db: None) -> World:
    police = make_unit(agency=make_agency(kind=AgencyKind.POLICE))
    ngo = make_unit(agency=make_agency(kind=AgencyKind.NGO))
    return World(
        police=police,
        ngo=ngo,
        responder=make_user(role=RoleCode.FIRST_RESPONDER, scope=Scope.OWN, unit=police),
        worker=make_user(role=RoleCode.CASEWORKER, unit=police),
        boss=make_user(role=RoleCode.SUPERVISOR, unit=police),
        boss2=make_user(role=RoleCode.SUPERVISOR, unit=police),
        ngo_worker=make_user(role=RoleCode.PARTNER_NGO, scope=Scope.OWN, unit=ngo),
        outsider=make_user(role=RoleCode.CASEWORKER),
    )


def post(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(payload), "application/json")


def open_case(user: User, *, assigned: tuple[User, ...] = ()) -> tuple[int, str]:
    """A trafficking case opened by ``user`` through the cases API for a new person of the
    index; the others are assigned straight in the database (a setup step: assignment is the
    cases app's, tested there). Returns the case id and the person id."""
    person = make_person(owner=user)
    response = post(
        login(Client(), user), "/api/v1/cases/", {"procedure": "trafficking", "person_id": person}
    )
    assert response.status_code == 201, response.content
    case_id = response.json()["id"]
    for other in assigned:
        CaseAssignment.objects.create(case_id=case_id, user=other, assigned_by=user)
    return case_id, person


def detail(client: Client, case_id: int) -> Any:
    response = client.get(f"{API}/cases/{case_id}")
    assert response.status_code == 200, response.content
    return response.json()


def screen(client: Client, case_id: int, conclusion: str = "presumed_victim", **extra: Any) -> Any:
    version = detail(client, case_id)["version"]
    return post(
        client,
        f"{API}/cases/{case_id}/screenings",
        {
            "version": version,
            "list_code": "adult_labour",
            "observed": TRAFFICKED_TICKS,
            "conclusion": conclusion,
            "basis": "Passport withheld by the employer, debt for travel, locked dormitory.",
            **extra,
        },
    )


def step(client: Client, case_id: int, transition: str, data: dict[str, Any], **extra: Any) -> Any:
    version = detail(client, case_id)["version"]
    return post(
        client,
        f"{API}/cases/{case_id}/steps/{transition}",
        {"version": version, "data": data, **extra},
    )


RISK = {
    "level": "high",
    "safety_plan": "Move to the shelter tonight; no contact with the employer.",
    "immediate_needs": ["shelter", "medical"],
}


def consent(client: Client, case_id: int, person_id: str, kind: str = "referral") -> None:
    version = detail(client, case_id)["version"]
    response = post(
        client,
        f"/api/v1/cases/{case_id}/consents",
        {"version": version, "person_id": person_id, "kind": kind, "given_on": "2026-01-06"},
    )
    assert response.status_code == 201, response.content


def refer(client: Client, case_id: int, ngo: Unit, **extra: Any) -> Any:
    version = detail(client, case_id)["version"]
    return post(
        client,
        f"{API}/cases/{case_id}/referral",
        {
            "version": version,
            "to_agency_id": ngo.agency_id,
            "to_unit_id": ngo.pk,
            "reason": "Needs a safe shelter and psychological support.",
            "services": ["accommodation", "psychosocial"],
            **extra,
        },
    )
