"""The removal scenario: a migration directorate (a caseworker, two supervisors — the
governorate's deciding officers — and a first responder of the police at the border) and an
officer of another agency."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.apps.cases.factories import make_person
from tests.conftest import login
from tests.factories import make_agency, make_unit, make_user
from ura.apps.accounts.models import RoleCode, Scope, Unit, User
from ura.apps.cases.models import CaseAssignment

API = "/api/v1/removals"


@dataclass
class World:
    pmm: Unit
    worker: User
    boss: User
    boss2: User
    responder: User
    outsider: User
    outsider_boss: User


@pytest.fixture
def world(db: None) -> World:
    pmm = make_unit(agency=make_agency())
    other = make_unit(agency=make_agency())
    return World(
        pmm=pmm,
        worker=make_user(role=RoleCode.CASEWORKER, unit=pmm),
        boss=make_user(role=RoleCode.SUPERVISOR, unit=pmm),
        boss2=make_user(role=RoleCode.SUPERVISOR, unit=pmm),
        responder=make_user(role=RoleCode.FIRST_RESPONDER, scope=Scope.OWN, unit=pmm),
        outsider=make_user(role=RoleCode.CASEWORKER, unit=other),
        outsider_boss=make_user(role=RoleCode.SUPERVISOR, unit=other),
    )


def post(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(payload), "application/json")


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def at(day: dt.date, hour: int = 9) -> str:
    return f"{day.isoformat()}T{hour:02d}:00"


def open_case(user: User, *, opened_days_ago: int = 0, assigned: tuple[User, ...] = ()) -> int:
    """A removal case opened by ``user`` through the cases API for a new person of the index,
    ``opened_days_ago`` days ago; the others are assigned straight in the database."""
    person = make_person(owner=user)
    response = post(
        login(Client(), user),
        "/api/v1/cases/",
        {
            "procedure": "removal",
            "person_id": person,
            "opened_on": days_ago(opened_days_ago).isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    case_id: int = response.json()["id"]
    for other in assigned:
        CaseAssignment.objects.create(case_id=case_id, user=other, assigned_by=user)
    return case_id


def detail(client: Client, case_id: int) -> Any:
    response = client.get(f"{API}/cases/{case_id}")
    assert response.status_code == 200, response.content
    return response.json()


def step(client: Client, case_id: int, transition: str, data: dict[str, Any]) -> Any:
    version = detail(client, case_id)["version"]
    return post(
        client, f"{API}/cases/{case_id}/steps/{transition}", {"version": version, "data": data}
    )


def ok(client: Client, case_id: int, transition: str, data: dict[str, Any]) -> Any:
    response = step(client, case_id, transition, data)
    assert response.status_code == 200, (transition, response.content)
    return response.json()


def failures(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {f["code"]: f["detail"] for f in response.json()["failures"]}


def deadline(body: dict[str, Any], code: str, instance: int = 1) -> dict[str, Any]:
    return next(d for d in body["deadlines"] if d["code"] == code and d["instance"] == instance)


def apprehension(day: dt.date, hour: int = 9) -> dict[str, Any]:
    return {
        "at": at(day, hour),
        "place": "Esenyurt, İstanbul",
        "unit": "İstanbul Provincial Gendarmerie, migrant smuggling bureau",
        "identified_by": "fingerprints",
    }


def decision(day: dt.date, hour: int = 15, **extra: Any) -> dict[str, Any]:
    return {
        "at": at(day, hour),
        "authority": "İstanbul Governorate",
        "grounds": ["art54_1_j", "art54_1_h"],
        "reasons": "Entered irregularly; no residence permit; no protection claim made.",
        **extra,
    }


def notification(day: dt.date, **extra: Any) -> dict[str, Any]:
    return {"date": day.isoformat(), "language": "ps", "interpreter": "A. Karimi", **extra}


def detention(day: dt.date, kind: str = "removal_centre") -> dict[str, Any]:
    return {
        "order_reference": "34-GG-2026/117",
        "started_on": day.isoformat(),
        "place": "Tuzla Removal Centre",
        "place_kind": kind,
        "reasons": "Risk of absconding: no address, used a false identity before.",
    }


def decided(
    world: World, *, apprehended: dt.date, notified: dt.date | None = None
) -> tuple[Client, int]:
    """A case apprehended, decided the same day and (optionally) notified without a voluntary
    departure period; the supervisor's client is returned."""
    case_id = open_case(world.boss, opened_days_ago=(timezone.localdate() - apprehended).days)
    boss = login(Client(), world.boss)
    ok(boss, case_id, "record_apprehension", apprehension(apprehended))
    ok(boss, case_id, "order_removal", decision(apprehended))
    if notified is not None:
        ok(
            boss,
            case_id,
            "notify_without_voluntary_departure",
            notification(notified, exclusion_ground="absconding_risk"),
        )
    return boss, case_id
