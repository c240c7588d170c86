"""The victim's identity is masked by default and revealed only to those working on the
case, with a reason, audited, for one view; referrals export to HTCDS without identities."""

from __future__ import annotations

import io
from typing import Any

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
from ura.apps.cases.models import CaseAssignment
from ura.apps.core.models import AuditAction, AuditEvent
from ura.apps.people.models import PersonRecord
from ura.casework.htcds import HTCDS_FIELDS, read_htcds_csv, read_htcds_json, write_htcds_json

pytestmark = pytest.mark.django_db


def _name_of_last_person(world: World) -> str:
    return PersonRecord.objects.filter(created_by=world.worker).latest("pk").family_name


def _referred(world: World, *assigned: Any, with_consent: bool = True) -> tuple[Client, int]:
    client = login(Client(), world.worker)
    case_id, person = open_case(world.worker, assigned=assigned)
    screen(client, case_id, profile={"gender": "female", "citizenship": "GEO", "age_band": "18-24"})
    step(client, case_id, "assess_risk", RISK)
    if with_consent:
        consent(client, case_id, person)
        assert refer(client, case_id, world.ngo).status_code == 200
    return client, case_id


def test_no_page_or_answer_names_the_victim_unless_revealed(world: World) -> None:
    client, case_id = _referred(world)
    name = _name_of_last_person(world)
    for url in (
        f"{API}/cases/{case_id}",
        f"/api/v1/cases/{case_id}",
        f"{API}/cases",
        f"/cases/{case_id}/",
        f"/trafficking/cases/{case_id}/",
        "/trafficking/",
        f"/trafficking/cases/{case_id}/identity",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert name.encode() not in response.content, url
    page = client.get(f"/cases/{case_id}/")
    assert b"Person T-" in page.content  # the trafficking panel, by pseudonym


def test_a_reveal_needs_a_reason_and_is_audited(world: World) -> None:
    client, case_id = _referred(world)
    name = _name_of_last_person(world)
    url = f"{API}/cases/{case_id}/reveal"
    assert post(client, url, {"reason": ""}).status_code == 422
    assert not AuditEvent.objects.filter(detail__identity_revealed=True).exists()
    response = post(client, url, {"reason": "Booking the medical appointment"})
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    records = response.json()["persons"][0]["records"]
    assert records[0]["family_name"] == name
    event = AuditEvent.objects.get(detail__identity_revealed=True)
    assert event.action == AuditAction.VIEW
    assert event.actor_id == world.worker.pk
    assert event.detail["reason"] == "Booking the medical appointment"
    assert name not in str(event.detail)


def test_only_those_working_on_the_case_with_the_permission_may_reveal(world: World) -> None:
    client, case_id = _referred(world, world.responder)
    url = f"{API}/cases/{case_id}/reveal"
    reason = {"reason": "I want to know"}
    # Assigned, but a first responder's role does not reveal identities.
    assert post(login(Client(), world.responder), url, reason).status_code == 403
    # A supervisor of the same agency who is not assigned does not see the case at all.
    assert post(login(Client(), world.boss), url, reason).status_code == 404
    assert post(login(Client(), world.outsider), url, reason).status_code == 404
    # The NGO still deciding on the referral sees the case but not who the person is.
    ngo_client = login(Client(), world.ngo_worker)
    assert post(ngo_client, url, {"reason": "Shelter admission"}).status_code == 403
    # Once it accepted, it works on the case: the reveal is allowed and audited. The
    # person's records lie outside the NGO's own scope, so the case is the basis of the
    # view, and each record shown says so in the audit trail.
    waiting = ngo_client.get(f"{API}/referrals").json()["results"][0]
    accepted = post(
        ngo_client, f"{API}/referrals/{waiting['id']}/accept", {"version": waiting["version"]}
    )
    assert accepted.status_code == 200
    ngo = post(ngo_client, url, {"reason": "Shelter admission"})
    assert ngo.status_code == 200
    assert ngo.json()["persons"][0]["records"][0]["family_name"] == _name_of_last_person(world)
    assert AuditEvent.objects.filter(
        detail__identity_revealed=True, actor_id=world.ngo_worker.pk
    ).exists()
    shown = AuditEvent.objects.filter(
        action=AuditAction.VIEW, actor_id=world.ngo_worker.pk, object_type="people.personrecord"
    ).get()
    assert shown.detail["basis"].startswith("trafficking case ")
    # Once unassigned, the caseworker's reveal is over too.
    CaseAssignment.objects.filter(case_id=case_id, user=world.worker).delete()
    assert post(client, url, reason).status_code == 404


def test_the_identity_page_reveals_for_one_view_only(world: World) -> None:
    client, case_id = _referred(world)
    name = _name_of_last_person(world)
    url = f"/trafficking/cases/{case_id}/identity"
    assert name.encode() not in client.get(url).content
    revealed = client.post(url, {"reason": "Court summons needs the name"})
    assert revealed.status_code == 200
    assert name.encode() in revealed.content
    assert revealed["Cache-Control"] == "no-store"
    assert name.encode() not in client.get(url).content
    assert name.encode() not in client.get(f"/cases/{case_id}/").content


def test_htcds_json_round_trips_and_names_no_one(world: World) -> None:
    client, case_id = _referred(world)
    response = client.get(f"{API}/cases/{case_id}/htcds?format=json")
    assert response.status_code == 200, response.content
    text = response.content.decode()
    records = read_htcds_json(io.StringIO(text))
    again = io.StringIO()
    write_htcds_json(records, again)
    assert again.getvalue() == text
    record = records[0]
    assert record["cas_CaseNumber"] == detail(client, case_id)["reference"]
    assert record["cas_ReferredOrganisation"] == world.ngo.agency.name
    assert record["prs_Gender"] == "Female"
    assert record["prs_Nationality"] == "GE"
    assert record["vic_AgeBandAtIdentification"] == "18-24"
    assert record["vic_TypeOfExploitation"] == ["ForcedLabour"]
    assert record["vic_AgreementToManagePersonalData"] is True
    assert _name_of_last_person(world) not in text
    exported = AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(case_id))
    assert exported.exists()


def test_the_htcds_csv_neutralises_a_formula(world: World) -> None:
    world.ngo.agency.name = '=HYPERLINK("http://evil.example","Shelter")'
    world.ngo.agency.save()
    client, case_id = _referred(world)
    response = client.get(f"{API}/cases/{case_id}/htcds?format=csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8").lstrip("\ufeff")
    assert "'=HYPERLINK" in text
    records = read_htcds_csv(io.StringIO(text, newline=""))
    assert records[0]["cas_ReferredOrganisation"] == "'" + world.ngo.agency.name
    assert list(records[0]) == list(HTCDS_FIELDS)


def test_htcds_export_permissions_and_consent(world: World) -> None:
    client, case_id = _referred(world, world.boss)
    assert login(Client(), world.ngo_worker).get(f"{API}/cases/{case_id}/htcds").status_code == 403
    assert login(Client(), world.outsider).get(f"{API}/cases/{case_id}/htcds").status_code == 404
    assert client.get(f"{API}/htcds").status_code == 403  # all referrals: supervisors only
    boss = login(Client(), world.boss)
    everything = read_htcds_json(io.StringIO(boss.get(f"{API}/htcds").content.decode()))
    assert [r["cas_CaseNumber"] for r in everything] == [detail(client, case_id)["reference"]]
    # A referral made by override (no consent) is never exported.
    _client, other = _referred(world, world.boss, with_consent=False)
    override = refer(boss, other, world.ngo, override_consent_reason="Unconscious")
    assert override.status_code == 200
    assert boss.get(f"{API}/cases/{other}/htcds").status_code == 422
    assert len(read_htcds_json(io.StringIO(boss.get(f"{API}/htcds").content.decode()))) == 1
    # Never referred: nothing to export.
    _c, fresh = _referred(world, world.boss, with_consent=False)
    assert boss.get(f"{API}/cases/{fresh}/htcds").status_code == 422
