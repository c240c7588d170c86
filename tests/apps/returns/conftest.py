"""The AVRR scenario: a provincial migration directorate whose counsellors (caseworkers) and
supervisors run voluntary returns, another directorate's counsellor, an IOM mission in the
country of origin that receives returnees (partner), and another partner abroad."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.apps.cases.factories import make_person
from tests.conftest import login
from tests.factories import make_agency, make_unit, make_user
from ura.apps.accounts.models import AgencyKind, RoleCode, Scope, Unit, User

API = "/api/v1/returns"
TODAY = dt.date.today().isoformat()  # noqa: DTZ011


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    directorate: Unit
    iom: Unit
    counsellor: User
    colleague: User
    boss: User
    outsider: User
    partner: User
    other_partner: User


@pytest.fixture
def world(db: None) -> World:
    directorate = make_unit(agency=make_agency(kind=AgencyKind.MIGRATION_PROVINCIAL))
    iom = make_unit(agency=make_agency(kind=AgencyKind.INTERNATIONAL_ORGANISATION, country="IQ"))
    other = make_unit(agency=make_agency(kind=AgencyKind.NGO, country="IQ"))
    return World(
        directorate=directorate,
        iom=iom,
        counsellor=make_user(role=RoleCode.CASEWORKER, unit=directorate),
        colleague=make_user(role=RoleCode.CASEWORKER, unit=directorate),
        boss=make_user(role=RoleCode.SUPERVISOR, unit=directorate),
        outsider=make_user(role=RoleCode.CASEWORKER),
        partner=make_user(role=RoleCode.PARTNER_NGO, scope=Scope.OWN, unit=iom),
        other_partner=make_user(role=RoleCode.PARTNER_NGO, scope=Scope.OWN, unit=other),
    )


def post(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(payload), "application/json")


def open_case(user: User) -> tuple[int, str]:
    person = make_person(owner=user)
    response = post(
        login(Client(), user), "/api/v1/cases/", {"procedure": "avrr", "person_id": person}
    )
    assert response.status_code == 201, response.content
    return response.json()["id"], person


def detail(client: Client, case_id: int) -> Any:
    response = client.get(f"{API}/cases/{case_id}")
    assert response.status_code == 200, response.content
    return response.json()


def act(client: Client, case_id: int, action: str, data: dict[str, Any]) -> Any:
    version = detail(client, case_id)["version"]
    return post(
        client, f"{API}/cases/{case_id}/actions/{action}", {"version": version, "data": data}
    )


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.content
    return response.json()


COUNSELLING = {
    "held_on": TODAY,
    "language": "Arabic",
    "interpreter": "Interpreter on the phone",
    "topics": ["return_options", "reintegration"],
    "outcome": "wishes_to_return",
}
SCREENING = {"screened_on": TODAY, "eligible": True, "basis": "Iraqi national, no pending asylum."}
ANSWERS = {
    "rss_economic_satisfaction": "3",
    "rss_food_security": "4",
    "rss_employment": "3",
    "rss_housing": "4",
    "rss_health_care": "3",
    "rss_community": "4",
    "rss_support_network": "5",
    "rss_safety": "4",
}


def application(world: World, categories: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "lodged_on": TODAY,
        "destination_country": "IRQ",
        "destination_place": "Erbil",
        "voluntariness_declared": True,
        "shared_categories": categories,
        "partner_agency_id": world.iom.agency_id,
        "contact_at_destination": "Brother's phone +964 750 000 0000",
        "reintegration_intentions": "Wants to open a mobile-phone repair shop.",
        **extra,
    }


def to_eligible(world: World, client: Client, case_id: int, **screening: Any) -> None:
    ok(act(client, case_id, "counselling", COUNSELLING))
    assert ok(act(client, case_id, "screening", {**SCREENING, **screening}))["state"] == "eligible"


def to_pre_departure(
    world: World, categories: list[str], **screening: Any
) -> tuple[Client, int, str]:
    """A case lodged by the counsellor and approved by the supervisor."""
    client = login(Client(), world.counsellor)
    case_id, person = open_case(world.counsellor)
    to_eligible(world, client, case_id, **screening)
    assert ok(act(client, case_id, "application", application(world, categories)))["state"] == (
        "application_lodged"
    )
    boss = login(Client(), world.boss)
    assert ok(act(boss, case_id, "approve", {}))["state"] == "pre_departure"
    return client, case_id, person


def ready_checklist(client: Client, case_id: int, **extra: Any) -> None:
    body = ok(
        act(
            client,
            case_id,
            "travel-document",
            {
                "consulate": "Consulate General of Iraq, Istanbul",
                "country": "IRQ",
                "requested_on": TODAY,
            },
        )
    )
    request_id = body["travel"]["documents"][0]["id"]
    ok(
        act(
            client,
            case_id,
            "travel-document-answer",
            {
                "request_id": request_id,
                "status": "issued",
                "answered_on": TODAY,
                "valid_until": (dt.date.today() + dt.timedelta(days=30)).isoformat(),  # noqa: DTZ011
            },
        )
    )
    ok(
        act(
            client,
            case_id,
            "pre-departure",
            {
                "carrier": "Turkish Airlines",
                "booking_reference": "ABC123",
                "departure_planned_on": TODAY,
                "route": "IST-EBL",
                "allowance_amount": "400.00",
                "allowance_currency": "EUR",
                "escort": "none",
                **extra,
            },
        )
    )
