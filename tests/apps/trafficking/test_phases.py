"""The phases after referral through the API: the victim residence permit and its
deadlines, the assistance plan and reviews, proceedings, return, and four-eyes closure."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.apps.trafficking.conftest import (
    API,
    RISK,
    World,
    consent,
    detail,
    open_case,
    post,
    refer,
    screen,
    step,
)
from tests.conftest import login
from ura.apps.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _assisted(world: World, *assigned: Any) -> tuple[Client, int]:
    """A case in first assistance after referral to, and acceptance by, the NGO."""
    client = login(Client(), world.worker)
    case_id, person = open_case(world.worker, assigned=assigned)
    screen(client, case_id)
    step(client, case_id, "assess_risk", RISK)
    consent(client, case_id, person)
    refer(client, case_id, world.ngo)
    ngo = login(Client(), world.ngo_worker)
    waiting = ngo.get(f"{API}/referrals").json()["results"][0]
    accepted = post(ngo, f"{API}/referrals/{waiting['id']}/accept", {"version": waiting["version"]})
    assert accepted.json()["state"] == "first_assistance"
    return client, case_id


def _failures(response: Any) -> set[str]:
    return {f["code"] for f in response.json()["failures"]}


def _deadline(body: dict[str, Any], code: str, instance: int = 1) -> dict[str, Any]:
    return next(
        d for d in body["permit_deadlines"] if d["code"] == code and d["instance"] == instance
    )


def test_the_permit_deadline_moves_with_a_renewal(world: World) -> None:
    client, case_id = _assisted(world)
    today = timezone.localdate()
    granted = step(
        client,
        case_id,
        "grant_victim_permit",
        {"number": "VP-2026-17", "issued_on": today.isoformat()},
    ).json()
    first = _deadline(granted, "victim_permit_initial")
    assert first["due_on"] == (today + dt.timedelta(days=30)).isoformat()
    assert first["status"] in ("open", "due_soon")
    assert _deadline(granted, "victim_permit_maximum")["due_on"] == (
        _add_months(today, 36).isoformat()
    )
    until = _add_months(today, 6)
    renewed = step(
        client, case_id, "renew_victim_permit", {"renewed_until": until.isoformat()}
    ).json()
    assert renewed["state"] == "first_assistance"  # a permit step changes no phase
    assert _deadline(renewed, "victim_permit_initial")["met_on"] == today.isoformat()
    renewal = _deadline(renewed, "victim_permit_renewal")
    assert renewal["started_on"] == today.isoformat()
    assert renewal["due_on"] == until.isoformat()
    assert renewed["data"]["victim_permit"]["renewed_until"] == until.isoformat()
    ended = step(client, case_id, "end_victim_permit", {"end_reason": "Humanitarian permit"})
    assert ended.status_code == 200
    assert all(d["met_on"] for d in ended.json()["permit_deadlines"])


def test_the_permit_needs_its_number(world: World) -> None:
    client, case_id = _assisted(world)
    response = step(client, case_id, "grant_victim_permit", {"issued_on": "2026-01-08"})
    assert response.status_code == 422
    assert detail(client, case_id)["permit_deadlines"] == []


def test_plan_review_proceedings_and_compensation(world: World) -> None:
    client, case_id = _assisted(world)
    ngo = login(Client(), world.ngo_worker)
    plan = step(ngo, case_id, "agree_assistance_plan", {"goals": "Safe housing, a job course"})
    assert plan.json()["state"] == "long_term_assistance"
    assert step(ngo, case_id, "review_case", {"summary": "Stable"}).json()["data"]["review"][
        "summary"
    ] == ("Stable")
    started = step(
        client,
        case_id,
        "start_proceedings",
        {
            "kind": "criminal",
            "court": "Istanbul 5th High Criminal Court",
            "cooperation": "undecided",
            "protection_measures": ["anonymity", "remote_testimony"],
        },
    ).json()
    assert started["state"] == "in_proceedings"
    assert started["data"]["proceedings"]["protection_measures"] == [
        "anonymity",
        "remote_testimony",
    ]
    # Assistance goes on whatever the cooperation: services are still recorded.
    service = post(
        ngo,
        f"{API}/cases/{case_id}/services",
        {
            "version": started["version"],
            "kind": "legal",
            "provider_agency_id": world.ngo.agency_id,
            "started_on": "2026-01-09",
        },
    )
    assert service.status_code == 201
    assert step(client, case_id, "record_compensation_claim", {}).status_code == 422
    claim = step(
        client,
        case_id,
        "record_compensation_claim",
        {"claimed_from": "offender", "filed_on": "2026-01-10", "amount": "12000"},
    )
    assert claim.json()["data"]["compensation"]["claimed_from"] == "offender"
    ended = step(client, case_id, "end_proceedings", {"outcome": "Convicted, 8 years"}).json()
    assert ended["state"] == "long_term_assistance"


def test_a_return_needs_the_transnational_consent_or_an_audited_override(world: World) -> None:
    client, case_id = _assisted(world, world.boss)
    data = {"pre_return_risk_assessment": "Low risk at home", "voluntariness_declared": True}
    refused = step(client, case_id, "prepare_return", data)
    assert refused.status_code == 422
    assert "consent" in _failures(refused)
    boss = login(Client(), world.boss)
    assert step(boss, case_id, "prepare_return", data).status_code == 422  # no reason
    prepared = step(
        boss, case_id, "prepare_return", data, override_consent_reason="Asked to go home now"
    )
    assert prepared.json()["state"] == "return_preparation"
    assert AuditEvent.objects.filter(
        action=AuditAction.PERMISSION_CHANGE, detail__transition="prepare_return"
    ).exists()
    cancelled = step(client, case_id, "cancel_return", {"reason": "Threats at home"}).json()
    assert cancelled["state"] == "long_term_assistance"
    step(boss, case_id, "prepare_return", data, override_consent_reason="Asked again")
    returned = step(
        client,
        case_id,
        "record_return",
        {"date": "2026-01-12", "receiving_organisation": "IOM Tbilisi"},
    ).json()
    assert returned["state"] == "returned"


def test_with_the_transnational_consent_the_caseworker_prepares_the_return(
    world: World,
) -> None:
    client, case_id = _assisted(world)
    person = client.get(f"/api/v1/cases/{case_id}").json()["persons"][0]["person_id"]
    consent(client, case_id, person, kind="transnational_referral")
    data = {"pre_return_risk_assessment": "Low risk at home", "voluntariness_declared": True}
    prepared = step(client, case_id, "prepare_return", data)
    assert prepared.status_code == 200, prepared.content
    assert prepared.json()["state"] == "return_preparation"


def test_closure_needs_a_second_person(world: World) -> None:
    client, case_id = _assisted(world, world.boss, world.boss2)
    boss, boss2 = login(Client(), world.boss), login(Client(), world.boss2)
    assert step(client, case_id, "request_closure", {}).status_code == 422
    requested = step(boss, case_id, "request_closure", {"reason": "Goals of the plan reached"})
    assert requested.json()["state"] == "closure_requested"
    # A caseworker may not approve; the supervisor who asked may not either (four-eyes).
    assert "permission" in _failures(step(client, case_id, "approve_closure", {}))
    assert "four_eyes" in _failures(step(boss, case_id, "approve_closure", {}))
    rejected = step(boss2, case_id, "reject_closure", {"reason": "Court date pending"}).json()
    assert rejected["state"] == "long_term_assistance"
    step(client, case_id, "request_closure", {"reason": "Court date passed"})
    approved = step(boss, case_id, "approve_closure", {})
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "closed"


def test_steps_with_their_own_service_are_refused_here(world: World) -> None:
    client = login(Client(), world.worker)
    case_id, _person = open_case(world.worker)
    response = step(client, case_id, "identify_presumed_victim", {})
    assert response.status_code == 422
    assert detail(client, case_id)["state"] == "screening"


def test_the_step_page_records_a_step(world: World) -> None:
    client = login(Client(), world.worker)
    case_id, _person = open_case(world.worker)
    screen(client, case_id)
    page = client.get(f"/trafficking/cases/{case_id}/steps/assess_risk")
    assert page.status_code == 200
    posted = client.post(
        f"/trafficking/cases/{case_id}/steps/assess_risk",
        {
            "version": detail(client, case_id)["version"],
            "level": "medium",
            "safety_plan": "Stay with the sister",
            "immediate_needs": ["medical"],
        },
    )
    assert posted.status_code == 302
    assert detail(client, case_id)["state"] == "risk_assessed"
    page = client.get(f"/trafficking/cases/{case_id}/steps/start_proceedings")
    assert b"never conditional" in page.content
