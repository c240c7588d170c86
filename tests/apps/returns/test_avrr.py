"""An AVRR case from counselling to closure through the API, with its guards, deadline,
statistics events and the partner's consented view."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.apps.returns.conftest import (
    ANSWERS,
    API,
    COUNSELLING,
    SCREENING,
    TODAY,
    World,
    act,
    application,
    detail,
    ok,
    open_case,
    post,
    ready_checklist,
    to_eligible,
    to_pre_departure,
)
from tests.conftest import login
from ura.apps.cases.models import CaseDeadline, CaseEvent, Consent
from ura.apps.core.models import AuditAction, AuditEvent
from ura.apps.returns.models import CounsellingSession

pytestmark = pytest.mark.django_db


def _emitted(case_id: int) -> list[str]:
    events = CaseEvent.objects.filter(case_id=case_id, kind="transition").order_by("pk")
    return [code for e in events for code in e.detail.get("emits", [])]


def _accepted_by_partner(world: World, client: Client, case_id: int) -> Client:
    ok(act(client, case_id, "refer-partner", {"to_agency_id": world.iom.agency_id}))
    partner = login(Client(), world.partner)
    ok(act(partner, case_id, "referral-answer", {"accept": True, "note": ""}))
    return partner


def test_a_case_walks_from_counselling_to_closure(world: World) -> None:
    client, case_id, _person = to_pre_departure(world, ["travel", "reintegration_needs"])
    sharing = Consent.objects.get(case_id=case_id, kind="data_sharing")
    assert sharing.scope == "avrr:travel,reintegration_needs"
    assert sharing.recipient_agency_id == world.iom.agency_id
    assert Consent.objects.filter(case_id=case_id, kind="referral").exists()
    document = CaseDeadline.objects.get(case_id=case_id, code="travel_document_request")
    assert document.status in ("open", "due_soon")
    assert document.binding is False
    ready_checklist(client, case_id)
    body = detail(client, case_id)
    assert body["travel"]["missing"] == []
    assert body["progress"]["application"]["destination_country"] == "IRQ"
    partner = _accepted_by_partner(world, client, case_id)
    ok(act(client, case_id, "movement", {"kind": "departure", "date": TODAY, "place": "IST"}))
    ok(act(client, case_id, "movement", {"kind": "transit", "date": TODAY, "place": "BGW"}))
    arrived = ok(
        act(
            client,
            case_id,
            "movement",
            {"kind": "arrival", "date": TODAY, "place": "EBL", "confirmed_by": "IOM Erbil"},
        )
    )
    assert arrived["state"] == "arrived"
    assert CaseDeadline.objects.get(case_id=case_id, code="travel_document_request").status == (
        "met"
    )
    plan = CaseDeadline.objects.get(case_id=case_id, code="reintegration_plan")
    arrival = dt.date.fromisoformat(TODAY)
    assert plan.started_on == arrival
    assert plan.due_on is not None
    assert 28 <= (plan.due_on - arrival).days <= 34
    # The partner records the reception, the plan, assistance and monitoring.
    ok(act(partner, case_id, "reception", {"date": TODAY, "organisation": "IOM Erbil"}))
    planned = ok(
        act(
            partner,
            case_id,
            "plan",
            {"assessed_on": TODAY, "needs": ["income", "housing"], "plan_goals": "Repair shop"},
        )
    )
    assert planned["state"] == "reintegration"
    # The engine recomputes the deadlines after each step.
    plan = CaseDeadline.objects.get(case_id=case_id, code="reintegration_plan")
    assert plan.status == "met"
    item = ok(
        act(
            partner,
            case_id,
            "assistance",
            {
                "level": "individual",
                "kind": "business",
                "description": "Tools and first stock for the repair shop",
                "provider_agency_id": world.iom.agency_id,
                "planned_on": TODAY,
                "amount": "1500",
                "currency": "usd",
            },
        )
    )["assistance"][0]
    assert item["currency"] == "USD"
    ok(act(partner, case_id, "deliver", {"item_id": item["id"], "delivered_on": TODAY}))
    first = ok(act(partner, case_id, "monitoring", {"visited_on": TODAY, **ANSWERS}))
    assert first["state"] == "monitoring"
    second = ok(act(partner, case_id, "monitoring", {"visited_on": TODAY, **ANSWERS}))
    assert len(second["monitoring"]) == 2
    visit = second["monitoring"][0]
    assert 0 <= visit["economic"] <= 1
    assert visit["composite"] > 0
    boss = login(Client(), world.boss)
    assert (
        ok(act(boss, case_id, "close", {"reason": "Reintegration sustainable"}))["state"]
        == "closed"
    )
    emitted = _emitted(case_id)
    for code in (
        "counselling_session_held",
        "eligibility_screened",
        "avrr_application_lodged",
        "avrr_application_approved",
        "departed",
        "transit_recorded",
        "returned_voluntarily",
        "received",
        "reintegration_plan_agreed",
        "reintegration_assistance_delivered",
        "monitoring_visit_recorded",
        "case_closed",
    ):
        assert code in emitted, code


def test_counselling_sessions_keep_their_details(world: World) -> None:
    client = login(Client(), world.counsellor)
    case_id, _person = open_case(world.counsellor)
    ok(act(client, case_id, "counselling", COUNSELLING))
    body = ok(act(client, case_id, "counselling", {**COUNSELLING, "interpreter": ""}))
    sessions = body["counselling_sessions"]
    assert [s["interpreter"] for s in sessions] == ["Interpreter on the phone", ""]
    assert sessions[0]["topics"] == ["return_options", "reintegration"]
    assert sessions[0]["counsellor"] == world.counsellor.username
    assert body["progress"] == {}
    assert CounsellingSession.objects.filter(case_id=case_id).count() == 2
    bad = act(client, case_id, "counselling", {**COUNSELLING, "topics": []})
    assert bad.status_code == 422


def test_screening_needs_a_counselling_session_first(world: World) -> None:
    client = login(Client(), world.counsellor)
    case_id, _person = open_case(world.counsellor)
    refused = act(client, case_id, "screening", SCREENING)
    assert refused.status_code == 422
    assert {f["code"] for f in refused.json()["failures"]} == {"required"}
    assert detail(client, case_id)["state"] == "counselling"


def test_not_eligible_closes_the_case(world: World) -> None:
    client = login(Client(), world.counsellor)
    case_id, _person = open_case(world.counsellor)
    ok(act(client, case_id, "counselling", COUNSELLING))
    body = ok(act(client, case_id, "screening", {**SCREENING, "eligible": False}))
    assert body["state"] == "not_eligible"


def test_the_application_needs_the_declaration_of_voluntariness(world: World) -> None:
    client = login(Client(), world.counsellor)
    case_id, _person = open_case(world.counsellor)
    to_eligible(world, client, case_id)
    data = application(world, ["travel"], voluntariness_declared=False)
    assert act(client, case_id, "application", data).status_code == 422
    assert detail(client, case_id)["state"] == "eligible"
    assert not Consent.objects.filter(case_id=case_id).exists()


def test_an_unaccompanied_child_needs_a_best_interests_determination(world: World) -> None:
    client = login(Client(), world.counsellor)
    case_id, _person = open_case(world.counsellor)
    to_eligible(world, client, case_id, unaccompanied_child=True)
    data = application(world, ["travel"])
    refused = act(client, case_id, "application", data)
    assert refused.status_code == 422
    assert "best_interests" in refused.json()["errors"]
    assert not Consent.objects.filter(case_id=case_id).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, detail__attempted="lodge_application"
    ).exists()
    bid = {
        "held_on": TODAY,
        "guardian_name": "Appointed guardian (Family Court)",
        "child_views": "Wants to live with his grandmother.",
        "outcome": "return_in_best_interests",
        "reasoning": "Grandmother traced and assessed able to care.",
        "family_tracing": "Traced by the Red Crescent.",
    }
    # Without the guardian present the determination does not open the application.
    ok(act(client, case_id, "best-interests", {**bid, "guardian_present": False}))
    assert act(client, case_id, "application", data).status_code == 422
    ok(act(client, case_id, "best-interests", {**bid, "guardian_present": True}))
    assert ok(act(client, case_id, "application", data))["state"] == "application_lodged"


def test_a_best_interests_determination_is_only_for_a_child(world: World) -> None:
    client = login(Client(), world.counsellor)
    case_id, _person = open_case(world.counsellor)
    to_eligible(world, client, case_id)
    response = act(
        client,
        case_id,
        "best-interests",
        {
            "held_on": TODAY,
            "guardian_name": "X",
            "guardian_present": True,
            "child_views": "-",
            "outcome": "return_in_best_interests",
            "reasoning": "-",
        },
    )
    assert response.status_code == 422


def test_medical_needs_require_fit_to_travel_before_departure(world: World) -> None:
    client, case_id, _person = to_pre_departure(
        world, ["medical"], medical_needs=True, medical_notes="Insulin-dependent diabetes"
    )
    ready_checklist(client, case_id)
    assert detail(client, case_id)["travel"]["missing"] == ["fit_to_travel"]
    refused = act(client, case_id, "movement", {"kind": "departure", "date": TODAY, "place": "IST"})
    assert refused.status_code == 422
    assert "fit_to_travel" in refused.json()["errors"]
    ok(act(client, case_id, "pre-departure", {"fit_to_travel": "fit_with_escort"}))
    # Fit only with a medical escort: the escort decision must say so.
    assert detail(client, case_id)["travel"]["missing"] == ["escort"]
    ok(act(client, case_id, "pre-departure", {"escort": "medical", "escort_reason": "Nurse"}))
    departed = act(
        client, case_id, "movement", {"kind": "departure", "date": TODAY, "place": "IST"}
    )
    assert ok(departed)["state"] == "departed"


def test_departure_needs_the_checklist(world: World) -> None:
    client, case_id, _person = to_pre_departure(world, [])
    refused = act(client, case_id, "movement", {"kind": "departure", "date": TODAY, "place": "IST"})
    assert refused.status_code == 422
    assert {f["code"] for f in refused.json()["failures"]} == {"required"}
    missing = detail(client, case_id)["travel"]["missing"]
    assert set(missing) == {"travel_document", "booking", "allowance", "escort"}


def test_the_application_is_approved_by_a_second_person(world: World) -> None:
    boss = login(Client(), world.boss)
    case_id, _person = open_case(world.boss)
    to_eligible(world, boss, case_id)
    ok(act(boss, case_id, "application", application(world, [])))
    refused = act(boss, case_id, "approve", {})
    assert refused.status_code == 422
    assert {f["code"] for f in refused.json()["failures"]} == {"four_eyes"}
    # A counsellor may not approve at all.
    counsellor = login(Client(), world.counsellor)
    refused = act(counsellor, case_id, "approve", {})
    assert refused.status_code in (404, 422)


def test_a_stale_version_is_refused(world: World) -> None:
    client = login(Client(), world.counsellor)
    case_id, _person = open_case(world.counsellor)
    version = detail(client, case_id)["version"]
    ok(act(client, case_id, "counselling", COUNSELLING))
    stale = post(
        client,
        f"{API}/cases/{case_id}/actions/counselling",
        {"version": version, "data": COUNSELLING},
    )
    assert stale.status_code == 409
    assert CounsellingSession.objects.filter(case_id=case_id).count() == 1


def test_withdrawal_closes_the_case(world: World) -> None:
    client, case_id, _person = to_pre_departure(world, [])
    body = ok(act(client, case_id, "withdraw", {"reason": "Found work; will stay."}))
    assert body["state"] == "withdrawn"
    assert "avrr_withdrawn" in _emitted(case_id)
