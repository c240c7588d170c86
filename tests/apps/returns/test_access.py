"""Who sees an AVRR case: the owning agency's counsellors; never another agency's; a partner
organisation abroad only once referred, and then only the categories consented to it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.apps.cases.factories import make_person
from tests.apps.returns.conftest import (
    API,
    COUNSELLING,
    TODAY,
    World,
    act,
    detail,
    ok,
    open_case,
    post,
    ready_checklist,
    to_eligible,
    to_pre_departure,
)
from tests.conftest import login
from ura.apps.cases import workflow
from ura.apps.cases.models import Consent, Referral
from ura.apps.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def _referred(world: World, categories: list[str], **screening: object) -> tuple[Client, int]:
    client, case_id, _person = to_pre_departure(world, categories, **screening)
    ok(act(client, case_id, "refer-partner", {"to_agency_id": world.iom.agency_id}))
    return client, case_id


def test_another_agencys_counsellor_cannot_see_the_case(world: World) -> None:
    client = login(Client(), world.counsellor)
    case_id, _person = open_case(world.counsellor)
    ok(act(client, case_id, "counselling", COUNSELLING))
    outsider = login(Client(), world.outsider)
    assert outsider.get(f"{API}/cases/{case_id}").status_code == 404
    refused = post(
        outsider,
        f"{API}/cases/{case_id}/actions/counselling",
        {"version": 2, "data": COUNSELLING},
    )
    assert refused.status_code == 404
    assert case_id not in [c["id"] for c in outsider.get(f"{API}/cases").json()["results"]]
    assert outsider.get(f"/returns/cases/{case_id}/").status_code == 404
    assert AuditEvent.objects.filter(
        actor_id=world.outsider.pk, action=AuditAction.ACCESS_DENIED, object_id=str(case_id)
    ).exists()
    # A colleague of the same unit sees it, with the counselling sessions.
    colleague = login(Client(), world.colleague)
    assert detail(colleague, case_id)["counselling_sessions"]


def test_a_partner_sees_nothing_before_the_referral(world: World) -> None:
    client, case_id, _person = to_pre_departure(world, ["identity", "contact"])
    partner = login(Client(), world.partner)
    assert partner.get(f"{API}/cases/{case_id}").status_code == 404
    assert partner.get(f"{API}/referrals").json()["results"] == []
    ok(act(client, case_id, "refer-partner", {"to_agency_id": world.iom.agency_id}))
    waiting = partner.get(f"{API}/referrals").json()["results"]
    assert [r["case_id"] for r in waiting] == [case_id]


def test_a_partner_sees_only_the_consented_categories(world: World) -> None:
    client, case_id = _referred(
        world,
        ["travel", "reintegration_needs"],
        unaccompanied_child=False,
        medical_needs=True,
        medical_notes="Insulin-dependent diabetes",
        trafficking_victim=True,
    )
    ready_checklist(client, case_id, fit_to_travel="fit")
    partner = login(Client(), world.partner)
    seen = detail(partner, case_id)
    assert seen["owner_view"] is False
    assert seen["shared_categories"] == ["reintegration_needs", "travel"]
    assert seen["travel"]["checklist"]["carrier"] == "Turkish Airlines"
    assert seen["reintegration_intentions"].startswith("Wants to open")
    for hidden in (
        "contact",
        "medical",
        "vulnerability",
        "identity",
        "counselling_sessions",
        "screening",
        "best_interests",
        "trafficking_links",
    ):
        assert seen[hidden] is None, hidden
    assert "consent_id" not in seen["progress"]["application"]
    page = partner.get(f"/returns/cases/{case_id}/").content.decode()
    assert "Insulin" not in page
    assert "+964" not in page
    assert "Wants to open" in page
    # The owning agency sees it all.
    owner = detail(client, case_id)
    assert owner["medical"]["notes"] == "Insulin-dependent diabetes"
    assert owner["contact"].startswith("Brother")
    assert owner["vulnerability"]["trafficking_victim"] is True


def test_identity_and_contact_when_consented(world: World) -> None:
    _client, case_id = _referred(world, ["identity", "contact"])
    partner = login(Client(), world.partner)
    seen = detail(partner, case_id)
    assert seen["contact"].startswith("Brother")
    assert seen["identity"][0]["given_names"] == "Amina"
    assert seen["travel"] is None
    assert seen["reintegration_intentions"] is None
    assert AuditEvent.objects.filter(actor_id=world.partner.pk, action=AuditAction.VIEW).exists()


def test_a_partner_of_another_organisation_is_shown_nothing(world: World) -> None:
    _client, case_id = _referred(world, ["identity", "contact", "travel"])
    other = login(Client(), world.other_partner)
    assert other.get(f"{API}/cases/{case_id}").status_code == 404
    assert other.get(f"/returns/cases/{case_id}/").status_code == 404


def test_a_referral_needs_the_consent_for_that_organisation(world: World) -> None:
    client, case_id, _person = to_pre_departure(world, ["travel"])
    # The consent names the IOM mission: the other organisation may not receive the person.
    refused = act(client, case_id, "refer-partner", {"to_agency_id": world.other_partner.agency_id})
    assert refused.status_code == 422
    assert not Referral.objects.filter(case_id=case_id).exists()


def test_withdrawing_the_consent_ends_the_partners_access(world: World) -> None:
    client, case_id = _referred(world, ["travel"])
    partner = login(Client(), world.partner)
    ok(act(partner, case_id, "referral-answer", {"accept": True}))
    assert detail(partner, case_id)["travel"] is not None
    referral_consent = Consent.objects.get(case_id=case_id, kind="referral")
    version = detail(client, case_id)["version"]
    response = post(
        client,
        f"/api/v1/cases/{case_id}/consents/{referral_consent.pk}/withdraw",
        {"version": version},
    )
    assert response.status_code == 200, response.content
    assert partner.get(f"{API}/cases/{case_id}").status_code == 404


def test_withdrawing_the_data_sharing_consent_hides_the_categories(world: World) -> None:
    client, case_id = _referred(world, ["travel", "contact"])
    partner = login(Client(), world.partner)
    ok(act(partner, case_id, "referral-answer", {"accept": True}))
    sharing = Consent.objects.get(case_id=case_id, kind="data_sharing")
    version = detail(client, case_id)["version"]
    response = post(
        client, f"/api/v1/cases/{case_id}/consents/{sharing.pk}/withdraw", {"version": version}
    )
    assert response.status_code == 200, response.content
    seen = detail(partner, case_id)
    assert seen["shared_categories"] == []
    assert seen["travel"] is None
    assert seen["contact"] is None


def test_a_partner_rejecting_loses_access(world: World) -> None:
    _client, case_id = _referred(world, ["travel"])
    partner = login(Client(), world.partner)
    refused = act(partner, case_id, "referral-answer", {"accept": False, "note": ""})
    assert refused.status_code == 422
    body = act(partner, case_id, "referral-answer", {"accept": False, "note": "No office there"})
    assert body.json() == {"id": case_id, "rejected": True}
    assert partner.get(f"{API}/cases/{case_id}").status_code == 404


def test_a_partner_may_not_counsel_or_lodge(world: World) -> None:
    _client, case_id = _referred(world, ["travel"])
    partner = login(Client(), world.partner)
    ok(act(partner, case_id, "referral-answer", {"accept": True}))
    refused = act(partner, case_id, "travel-document", {
        "consulate": "X", "country": "IRQ", "requested_on": TODAY,
    })  # fmt: skip
    assert refused.status_code == 403


def test_the_trafficking_link_needs_consent_and_a_case_one_works_on(world: World) -> None:
    client = login(Client(), world.counsellor)
    case_id, _person = open_case(world.counsellor)
    to_eligible(world, client, case_id, trafficking_victim=True)
    # A trafficking case the counsellor works on (opened by them) and one they do not.
    person = make_person(owner=world.counsellor)
    mine = post(client, "/api/v1/cases/", {"procedure": "trafficking", "person_id": person})
    assert mine.status_code == 201, mine.content
    theirs_person = make_person(owner=world.colleague)
    theirs = post(
        login(Client(), world.colleague),
        "/api/v1/cases/",
        {"procedure": "trafficking", "person_id": theirs_person},
    )
    no_consent = act(
        client, case_id, "trafficking-link", {"trafficking_case_id": mine.json()["id"]}
    )
    assert no_consent.status_code == 422
    assert "consent_given_on" in no_consent.json()["errors"]
    not_mine = act(
        client,
        case_id,
        "trafficking-link",
        {"trafficking_case_id": theirs.json()["id"], "consent_given_on": TODAY},
    )
    assert not_mine.status_code == 422
    linked = ok(
        act(
            client,
            case_id,
            "trafficking-link",
            {"trafficking_case_id": mine.json()["id"], "consent_given_on": TODAY},
        )
    )
    assert linked["trafficking_links"] == [mine.json()["reference"]]
    # The link is not in the case data, which a partner abroad could read.
    assert "vulnerability" not in detail(client, case_id)["progress"]
    consent = Consent.objects.get(case_id=case_id, scope="avrr:trafficking_link")
    version = detail(client, case_id)["version"]
    post(client, f"/api/v1/cases/{case_id}/consents/{consent.pk}/withdraw", {"version": version})
    assert detail(client, case_id)["trafficking_links"] == []


def test_the_case_data_a_partner_may_read_holds_nothing_told_in_confidence(world: World) -> None:
    """The cases API shows a grantee the case data: it carries only the guards' markers."""
    client, case_id = _referred(
        world, [], medical_needs=True, medical_notes="Insulin-dependent diabetes"
    )
    ready_checklist(client, case_id, fit_to_travel="fit")
    partner = login(Client(), world.partner)
    response = partner.get(f"/api/v1/cases/{case_id}")
    assert response.status_code == 200
    text = response.content.decode()
    for secret in ("Insulin", "+964", "Wants to open", "Turkish Airlines", "wishes_to_return"):
        assert secret not in text, secret
    data = response.json()["data"]
    assert set(data) <= {"counselling", "screening", "application", "pre_departure", "partner"}
    assert set(data["counselling"]) == {"last_session_on", "sessions"}


def _history(client: Client, case_id: int) -> list[dict[str, object]]:
    response = client.get(f"/api/v1/cases/{case_id}")
    assert response.status_code == 200, response.content
    history: list[dict[str, object]] = response.json()["history"]
    return history


def test_a_partner_sees_the_history_only_from_the_referral_on(world: World) -> None:
    """What happened before the referral (counselling, screening, the best-interests
    determination of a child...) stays with the directorate; the partner sees the history
    from its referral on, and its own steps."""
    client, case_id = _referred(world, ["identity"])
    before = {e["transition"] for e in _history(client, case_id)} - {""}
    assert {"record_counselling", "screen_eligible", "lodge_application"} <= before
    partner = login(Client(), world.partner)
    seen = _history(partner, case_id)
    assert not {e["transition"] for e in seen} & before
    assert all(str(e["occurred_at"]) >= str(seen[0]["occurred_at"]) for e in seen)
    page = partner.get(f"/cases/{case_id}/").content.decode()
    procedure = workflow.registry().get("avrr", 1)
    for code in ("record_counselling", "screen_eligible"):
        label = procedure.transition(code).label
        assert label in login(Client(), world.counsellor).get(f"/cases/{case_id}/").content.decode()
        assert label not in page, label
    # The directorate still sees the whole history.
    assert {e["transition"] for e in _history(client, case_id)} - {""} == before
    # The partner's own agency's steps are in its view, and so are those after the referral.
    ok(act(partner, case_id, "referral-answer", {"accept": True}))
    later = _history(partner, case_id)
    assert any(e["actor"] == world.partner.get_username() for e in later)
    assert len(later) > len(seen)


def test_the_generic_endpoints_do_not_record_the_application(world: World) -> None:
    client = login(Client(), world.counsellor)
    case_id, _person = open_case(world.counsellor)
    to_eligible(world, client, case_id)
    version = detail(client, case_id)["version"]
    lodged = post(
        client,
        f"/api/v1/cases/{case_id}/transitions",
        {"version": version, "transition": "lodge_application", "data_changes": {}},
    )
    assert lodged.status_code == 422, lodged.content
    assert "AVRR application's pages" in lodged.json()["errors"]["transition"][0]
    forged = client.patch(
        f"/api/v1/cases/{case_id}",
        json.dumps({"version": version, "data_changes": {"application.consent_id": 1}}),
        "application/json",
    )
    assert forged.status_code == 422, forged.content
    assert detail(client, case_id)["version"] == version
