"""Referral with consent to a partner organisation, which then sees the case only through
the referral's grant, accepts or rejects it, and starts first assistance."""

from __future__ import annotations

import pytest
from django.test import Client

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
from ura.apps.accounts.models import AccessGrant
from ura.apps.cases import workflow
from ura.apps.cases.models import Referral
from ura.apps.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def _risk_assessed(world: World, *assigned: object) -> tuple[Client, int, str]:
    client = login(Client(), world.worker)
    case_id, person = open_case(world.worker, assigned=assigned)  # type: ignore[arg-type]
    assert screen(client, case_id).status_code == 201
    response = step(client, case_id, "assess_risk", RISK)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "risk_assessed"
    return client, case_id, person


def _failures(response: object) -> set[str]:
    return {f["code"] for f in response.json()["failures"]}  # type: ignore[attr-defined]


def test_the_risk_assessment_needs_its_data(world: World) -> None:
    client = login(Client(), world.worker)
    case_id, _person = open_case(world.worker)
    screen(client, case_id)
    missing = step(client, case_id, "assess_risk", {"level": "high"})
    assert missing.status_code == 422  # the form: safety plan and needs are required
    assert detail(client, case_id)["state"] == "presumed_victim"
    body = step(client, case_id, "assess_risk", RISK).json()
    assert body["data"]["risk_assessment"]["level"] == "high"
    assert body["data"]["safety_plan"]["summary"]
    assert body["data"]["immediate_needs"] == ["shelter", "medical"]


def test_a_referral_without_consent_is_refused_and_nothing_changes(world: World) -> None:
    client, case_id, _person = _risk_assessed(world)
    response = refer(client, case_id, world.ngo)
    assert response.status_code == 422
    assert _failures(response) == {"consent"}
    assert detail(client, case_id)["state"] == "risk_assessed"
    assert not Referral.objects.exists()
    assert not AccessGrant.objects.exists()
    refused = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, detail__attempted="refer")
    assert refused.exists()


def test_a_caseworker_may_not_override_consent(world: World) -> None:
    client, case_id, _person = _risk_assessed(world)
    response = refer(client, case_id, world.ngo, override_consent_reason="She is in danger tonight")
    assert response.status_code == 403
    assert detail(client, case_id)["state"] == "risk_assessed"
    assert not Referral.objects.exists()


def test_a_supervisor_overrides_consent_only_with_a_reason_and_it_is_audited(world: World) -> None:
    _client, case_id, _person = _risk_assessed(world, world.boss)
    boss = login(Client(), world.boss)
    assert refer(boss, case_id, world.ngo).status_code == 422
    response = refer(boss, case_id, world.ngo, override_consent_reason="Unconscious, in hospital")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "referred"
    assert body["data"]["referral"]["consent_overridden"] is True
    overrides = AuditEvent.objects.filter(
        action=AuditAction.PERMISSION_CHANGE, detail__change="consent_override"
    )
    assert overrides.exists()
    assert {e.detail["reason"] for e in overrides} == {"Unconscious, in hospital"}


def test_referral_acceptance_and_first_assistance(world: World) -> None:
    client, case_id, person = _risk_assessed(world)
    ngo = login(Client(), world.ngo_worker)
    outsider = login(Client(), world.outsider)
    # Before the referral the NGO does not even learn that the case exists.
    assert ngo.get(f"{API}/cases/{case_id}").status_code == 404
    assert ngo.get(f"{API}/referrals").json()["results"] == []

    consent(client, case_id, person)
    response = refer(client, case_id, world.ngo)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "referred"
    assert body["referrals"][0]["status"] == "in_progress"
    assert body["data"]["referral"]["organisation"] == world.ngo.agency.name

    # The NGO sees the case through the referral's grant, and only through it.
    waiting = ngo.get(f"{API}/referrals").json()["results"]
    assert [w["case_id"] for w in waiting] == [case_id]
    assert waiting[0]["person"].startswith("Person T-")
    assert ngo.get(f"{API}/cases/{case_id}").status_code == 200
    # Another agency's user does not.
    assert outsider.get(f"{API}/cases/{case_id}").status_code == 404
    assert outsider.get(f"{API}/referrals").json()["results"] == []
    answer = post(outsider, f"{API}/referrals/{waiting[0]['id']}/accept", {"version": 1})
    assert answer.status_code == 404
    # The referring side may not answer in the NGO's place.
    by_police = post(
        client, f"{API}/referrals/{waiting[0]['id']}/accept", {"version": waiting[0]["version"]}
    )
    assert by_police.status_code in (403, 422)
    assert detail(client, case_id)["state"] == "referred"

    accepted = post(
        ngo, f"{API}/referrals/{waiting[0]['id']}/accept", {"version": waiting[0]["version"]}
    )
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert body["state"] == "first_assistance"
    assert body["data"]["referral"]["accepted_by"] == world.ngo.agency.name
    assert body["referrals"][0]["status"] == "accepted"
    # First assistance: the NGO records services it provides.
    service = post(
        ngo,
        f"{API}/cases/{case_id}/services",
        {
            "version": body["version"],
            "kind": "shelter",
            "provider_agency_id": world.ngo.agency_id,
            "started_on": "2026-01-07",
            "notes": "Women's shelter",
        },
    )
    assert service.status_code == 201, service.content
    after = detail(ngo, case_id)
    assert [s["kind"] for s in after["services"]] == ["shelter"]
    assert after["data"]["assistance"]["services"] == ["shelter"]
    assert ngo.get(f"{API}/referrals").json()["results"] == []


def test_a_rejection_needs_a_reason_returns_the_case_and_ends_the_ngos_access(
    world: World,
) -> None:
    client, case_id, person = _risk_assessed(world)
    consent(client, case_id, person)
    refer(client, case_id, world.ngo)
    ngo = login(Client(), world.ngo_worker)
    waiting = ngo.get(f"{API}/referrals").json()["results"][0]
    url = f"{API}/referrals/{waiting['id']}/reject"
    assert post(ngo, url, {"version": waiting["version"]}).status_code == 422
    rejected = post(ngo, url, {"version": waiting["version"], "note": "No place free"})
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["state"] == "risk_assessed"
    assert ngo.get(f"{API}/cases/{case_id}").status_code == 404
    body = detail(client, case_id)
    assert body["data"]["referral"]["rejection_reason"] == "No place free"
    assert body["referrals"][0]["status"] == "rejected"


def test_referral_not_possible_then_assistance_by_the_identifying_agency(world: World) -> None:
    client, case_id, _person = _risk_assessed(world)
    assert step(client, case_id, "record_referral_not_possible", {}).status_code == 422
    response = step(
        client, case_id, "record_referral_not_possible", {"reason": "No shelter in the province"}
    )
    assert response.json()["state"] == "referral_not_possible"
    assert step(client, case_id, "assist_without_referral", {}).json()["state"] == (
        "first_assistance"
    )


def test_the_referral_pages(world: World) -> None:
    client, case_id, person = _risk_assessed(world)
    consent(client, case_id, person)
    page = client.get(f"/trafficking/cases/{case_id}/referral")
    assert page.status_code == 200
    sent = client.post(
        f"/trafficking/cases/{case_id}/referral",
        {
            "version": detail(client, case_id)["version"],
            "to_unit": world.ngo.pk,
            "reason": "Shelter",
            "reason_code": "additional_services",
            "services": ["accommodation"],
        },
    )
    assert sent.status_code == 302, sent.content
    ngo = login(Client(), world.ngo_worker)
    listing = ngo.get("/trafficking/referrals/")
    assert listing.status_code == 200
    assert b"Person T-" in listing.content
    referral = Referral.objects.get()
    answered = ngo.post(
        f"/trafficking/referrals/{referral.pk}/answer",
        {"version": detail(ngo, case_id)["version"], "answer": "accept"},
    )
    assert answered.status_code == 302
    assert detail(ngo, case_id)["state"] == "first_assistance"
    assert ngo.get(f"/trafficking/cases/{case_id}/").status_code == 200


def test_the_ngo_sees_the_history_only_from_its_referral_on(world: World) -> None:
    """The identification and the risk assessment happened before the referral: the NGO that
    receives it sees the history from then on and its own answer, not how the case began."""
    client, case_id, person = _risk_assessed(world)
    consent(client, case_id, person)
    assert refer(client, case_id, world.ngo).status_code == 200
    ngo = login(Client(), world.ngo_worker)

    def transitions(c: Client) -> set[str]:
        response = c.get(f"/api/v1/cases/{case_id}")
        assert response.status_code == 200, response.content
        return {e["transition"] for e in response.json()["history"]} - {""}

    earlier = {"identify_presumed_victim", "assess_risk"}
    assert earlier <= transitions(client)
    assert not transitions(ngo) & earlier
    # Nor on the shared case page (the step's label is in the worker's history, not in the
    # NGO's).
    label = workflow.registry().get("trafficking", 1).transition("assess_risk").label
    assert label in client.get(f"/cases/{case_id}/").content.decode()
    page = ngo.get(f"/cases/{case_id}/")
    assert page.status_code == 200
    assert label not in page.content.decode()
    waiting = ngo.get(f"{API}/referrals").json()["results"][0]
    accepted = post(ngo, f"{API}/referrals/{waiting['id']}/accept", {"version": waiting["version"]})
    assert accepted.status_code == 200, accepted.content
    assert "accept_referral" in transitions(ngo)
    assert not transitions(ngo) & earlier
    assert earlier | {"accept_referral"} <= transitions(client)
