"""Referral and transfer between agencies: consent or an audited override, access through
explicit grants that end with the hand-off."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.apps.cases.factories import make_case, make_consent
from tests.conftest import login
from tests.factories import make_agency, make_unit, make_user
from ura.apps.accounts.models import AccessGrant, AgencyKind, RoleCode, Scope, Unit, User
from ura.apps.cases.models import Case, Notification
from ura.apps.core.models import AuditAction, AuditEvent
from ura.apps.core.selectors import audit_chain_verify

pytestmark = pytest.mark.django_db

API = "/api/v1/cases"


def _post(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(payload), "application/json")


@pytest.fixture
def owner(unit: Unit) -> User:
    return make_user(role=RoleCode.CASEWORKER, unit=unit)


@pytest.fixture
def ngo_unit() -> Unit:
    return make_unit(agency=make_agency(kind=AgencyKind.NGO))


@pytest.fixture
def ngo_worker(ngo_unit: Unit) -> User:
    return make_user(role=RoleCode.PARTNER_NGO, scope=Scope.OWN, unit=ngo_unit)


def _refer(client: Client, case: Case, unit: Unit, **extra: Any) -> Any:
    return _post(
        client,
        f"{API}/{case.pk}/referrals",
        {
            "version": case.version,
            "to_agency_id": unit.agency_id,
            "to_unit_id": unit.pk,
            "service": "shelter and legal counselling",
            **extra,
        },
    )


def test_a_referral_without_consent_is_refused_with_422(owner: User, ngo_unit: Unit) -> None:
    case = make_case(owner=owner, assigned=(owner,))
    response = _refer(login(Client(), owner), case, ngo_unit)
    assert response.status_code == 422
    assert response.json()["failures"][0]["code"] == "consent"
    assert not AccessGrant.objects.exists()


def test_a_withdrawn_or_other_recipients_consent_does_not_count(
    owner: User, ngo_unit: Unit
) -> None:
    case = make_case(owner=owner)
    make_consent(case=case, withdrawn_at="2026-01-07T10:00:00Z")
    make_consent(case=case, recipient_agency=make_agency())
    make_consent(case=case, kind="data_sharing")
    assert _refer(login(Client(), owner), case, ngo_unit).status_code == 422


def test_an_override_needs_the_permission(owner: User, ngo_unit: Unit) -> None:
    """A caseworker cannot override missing consent; the refusal is audited."""
    case = make_case(owner=owner)
    response = _refer(
        login(Client(), owner), case, ngo_unit, override_consent_reason="imminent danger"
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, detail__attempted="consent_override"
    ).exists()


def test_a_supervisor_override_is_audited_with_its_reason(unit: Unit, ngo_unit: Unit) -> None:
    supervisor = make_user(role=RoleCode.SUPERVISOR, unit=unit)
    case = make_case(owner=supervisor)
    response = _refer(
        login(Client(), supervisor),
        case,
        ngo_unit,
        override_consent_reason="child at imminent risk; guardian unreachable",
    )
    assert response.status_code == 201, response.content
    assert response.json()["consent_overridden"] is True
    event = AuditEvent.objects.get(detail__change="consent_override")
    assert event.detail["reason"] == "child at imminent risk; guardian unreachable"
    assert event.actor_id == supervisor.pk


def test_referral_lifecycle_gives_and_ends_the_recipients_access(
    owner: User, ngo_unit: Unit, ngo_worker: User
) -> None:
    """Submitted with consent: the NGO sees the case (even though it is restricted),
    accepts, completes; then its access ends. The submitter is notified of each answer."""
    case = make_case(owner=owner, assigned=(owner,), restricted=True)
    make_consent(case=case)
    referring, ngo = login(Client(), owner), login(Client(), ngo_worker)
    assert ngo.get(f"{API}/{case.pk}").status_code == 404
    referral = _refer(referring, case, ngo_unit).json()
    assert referral["status"] == "in_progress"
    assert ngo.get(f"{API}/{case.pk}").status_code == 200
    assert [c["id"] for c in ngo.get(f"{API}/").json()["results"]] == [case.pk]
    # Only the recipient answers; the referring side cannot accept its own referral.
    assert (
        _post(referring, f"{API}/referrals/{referral['id']}/accept", {"version": 2}).status_code
        == 403
    )
    accepted = _post(ngo, f"{API}/referrals/{referral['id']}/accept", {"version": 2})
    assert accepted.json()["status"] == "accepted"
    # The grant is view-only: the NGO cannot add notes.
    assert _post(ngo, f"{API}/{case.pk}/notes", {"version": 3, "text": "x"}).status_code == 403
    done = _post(ngo, f"{API}/referrals/{referral['id']}/complete", {"version": 3})
    assert done.json()["status"] == "done"
    assert ngo.get(f"{API}/{case.pk}").status_code == 404
    inbox = referring.get(f"{API}/notifications").json()["results"]
    assert len(inbox) == 2
    # Every step is in the case's history and in an intact audit chain.
    history = referring.get(f"{API}/{case.pk}").json()["history"]
    assert [h["detail"].get("status") for h in history if h["kind"] == "referral"] == [
        "in_progress",
        "accepted",
        "done",
    ]
    assert audit_chain_verify().ok


def test_a_change_grant_lets_the_recipient_work_on_the_case(
    owner: User, ngo_unit: Unit, ngo_worker: User
) -> None:
    case = make_case(owner=owner)
    make_consent(case=case)
    referral = _refer(login(Client(), owner), case, ngo_unit, can_change=True).json()
    ngo = login(Client(), ngo_worker)
    _post(ngo, f"{API}/referrals/{referral['id']}/accept", {"version": 2})
    assert (
        _post(
            ngo, f"{API}/{case.pk}/notes", {"version": 3, "text": "Shelter place found."}
        ).status_code
        == 201
    )


def test_rejecting_or_revoking_ends_the_recipients_access(
    owner: User, ngo_unit: Unit, ngo_worker: User
) -> None:
    case = make_case(owner=owner)
    make_consent(case=case)
    referring, ngo = login(Client(), owner), login(Client(), ngo_worker)
    first = _refer(referring, case, ngo_unit).json()
    rejected = _post(ngo, f"{API}/referrals/{first['id']}/reject", {"version": 2, "note": "full"})
    assert rejected.json()["status"] == "rejected"
    assert ngo.get(f"{API}/{case.pk}").status_code == 404
    case.refresh_from_db()
    second = _refer(referring, case, ngo_unit).json()
    assert ngo.get(f"{API}/{case.pk}").status_code == 200
    # The recipient cannot revoke; the referring side can.
    assert _post(ngo, f"{API}/referrals/{second['id']}/revoke", {"version": 4}).status_code == 403
    revoked = _post(referring, f"{API}/referrals/{second['id']}/revoke", {"version": 4})
    assert revoked.json()["status"] == "revoked"
    assert ngo.get(f"{API}/{case.pk}").status_code == 404
    assert not AccessGrant.objects.filter(revoked_at__isnull=True).exists()
    # A closed referral cannot be answered any more.
    assert (
        _post(referring, f"{API}/referrals/{second['id']}/revoke", {"version": 5}).status_code
        == 422
    )


def test_a_referral_of_an_invisible_case_is_not_found(owner: User, ngo_unit: Unit) -> None:
    case = make_case(owner=owner)
    make_consent(case=case)
    stranger = login(Client(), make_user(role=RoleCode.CASEWORKER))
    assert _refer(stranger, case, ngo_unit).status_code == 404


def test_transfer_moves_ownership_when_the_receiving_unit_accepts(owner: User, unit: Unit) -> None:
    other_unit = make_unit()
    receiver = make_user(role=RoleCode.CASEWORKER, unit=other_unit)
    case = make_case(owner=owner, assigned=(owner,))
    sender = login(Client(), owner)
    url = f"{API}/{case.pk}/transfers"
    payload = {"version": 1, "to_unit_id": other_unit.pk, "reason": "moved province"}
    refused = _post(sender, url, payload)
    assert refused.status_code == 422  # no consent to a transfer
    make_consent(case=case, kind="transfer")
    transfer = _post(sender, url, payload).json()
    assert transfer["status"] == "requested"
    receiving = login(Client(), receiver)
    assert receiving.get(f"{API}/{case.pk}").status_code == 200  # to decide
    assert (
        _post(sender, f"{API}/transfers/{transfer['id']}/accept", {"version": 2}).status_code == 403
    )
    accepted = _post(receiving, f"{API}/transfers/{transfer['id']}/accept", {"version": 2})
    assert accepted.json()["status"] == "accepted", accepted.content
    case.refresh_from_db()
    assert (case.owning_unit_id, case.owning_agency_id) == (other_unit.pk, other_unit.agency_id)
    assert sender.get(f"{API}/{case.pk}").status_code == 404
    detail = receiving.get(f"{API}/{case.pk}").json()
    assert [a["user_id"] for a in detail["assigned"]] == [receiver.pk]


def test_a_rejected_transfer_leaves_ownership_and_ends_access(owner: User, unit: Unit) -> None:
    other_unit = make_unit()
    receiver = make_user(role=RoleCode.CASEWORKER, unit=other_unit)
    case = make_case(owner=owner)
    make_consent(case=case, kind="transfer")
    transfer = _post(
        login(Client(), owner),
        f"{API}/{case.pk}/transfers",
        {"version": 1, "to_unit_id": other_unit.pk, "reason": "r"},
    ).json()
    receiving = login(Client(), receiver)
    rejected = _post(receiving, f"{API}/transfers/{transfer['id']}/reject", {"version": 2})
    assert rejected.json()["status"] == "rejected"
    case.refresh_from_db()
    assert case.owning_unit_id == unit.pk
    assert receiving.get(f"{API}/{case.pk}").status_code == 404


def test_withdrawing_consent_ends_the_referrals_and_transfers_made_under_it(
    owner: User, ngo_unit: Unit, ngo_worker: User
) -> None:
    """The person withdraws consent: the NGO's accepted referral is revoked and its access
    ends at once, a transfer still waiting is cancelled, and the referring side is told; a
    referral under another consent stays."""
    case = make_case(owner=owner, assigned=(owner,), restricted=True)
    referral_consent = make_consent(case=case)
    transfer_consent = make_consent(case=case, kind="transfer")
    other_ngo_unit = make_unit(agency=make_agency(kind=AgencyKind.NGO))
    other_consent = make_consent(case=case, recipient_agency=other_ngo_unit.agency)
    referring, ngo = login(Client(), owner), login(Client(), ngo_worker)
    referral = _refer(referring, case, ngo_unit).json()
    assert referral["consent_id"] == referral_consent.pk
    case.refresh_from_db()
    accepted = _post(ngo, f"{API}/referrals/{referral['id']}/accept", {"version": case.version})
    assert accepted.status_code == 200, accepted.content
    case.refresh_from_db()
    kept = _refer(referring, case, other_ngo_unit).json()
    assert kept["consent_id"] == other_consent.pk
    receiving_unit = make_unit()
    case.refresh_from_db()
    transfer = _post(
        referring,
        f"{API}/{case.pk}/transfers",
        {"version": case.version, "to_unit_id": receiving_unit.pk, "reason": "moved"},
    ).json()
    assert transfer["status"] == "requested"

    for consent in (referral_consent, transfer_consent):
        case.refresh_from_db()
        withdrawn = _post(
            referring,
            f"{API}/{case.pk}/consents/{consent.pk}/withdraw",
            {"version": case.version},
        )
        assert withdrawn.status_code == 200, withdrawn.content

    assert ngo.get(f"{API}/{case.pk}").status_code == 404
    detail = referring.get(f"{API}/{case.pk}").json()
    status = {r["id"]: r["status"] for r in detail["referrals"]}
    assert status == {referral["id"]: "revoked", kept["id"]: "in_progress"}
    assert [t["status"] for t in detail["transfers"]] == ["cancelled"]
    assert AccessGrant.objects.filter(revoked_at__isnull=True).count() == 1
    # The NGO's notice is kept for it, though its list shows only cases it still sees.
    assert Notification.objects.filter(user=ngo_worker, message__contains="withdrew").exists()
    told = [n["message"] for n in referring.get(f"{API}/notifications").json()["results"]]
    assert sum("withdrew consent" in message for message in told) == 2
    assert audit_chain_verify().ok
