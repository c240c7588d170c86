"""The case page's write forms through HTTP: documents, tasks, consent, assignment, referral
and transfer — each a POST with the case version, each going through the services (and so
their access checks, consent rule and audit)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.apps.cases.factories import make_case, make_consent, make_person
from tests.apps.cases.test_pages import procedures  # noqa: F401 -- the test procedure fixture
from tests.conftest import login
from tests.factories import make_agency, make_unit, make_user
from ura.apps.accounts.models import RoleCode, Unit, User
from ura.apps.cases.models import (
    Case,
    CaseAssignment,
    CaseDocument,
    CaseTask,
    Consent,
    Referral,
    Transfer,
)
from ura.apps.core.models import AuditAction, AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("procedures")]


@pytest.fixture
def worker(unit: Unit) -> User:
    return make_user(role=RoleCode.CASEWORKER, unit=unit)


@pytest.fixture
def supervisor(unit: Unit) -> User:
    return make_user(role=RoleCode.SUPERVISOR, unit=unit)


@pytest.fixture
def case(worker: User) -> Case:
    return make_case(owner=worker, procedure="pagetest", assigned=(worker,))


@pytest.fixture
def ngo_unit(db: None) -> Unit:
    return make_unit(agency=make_agency(code="shelter-ngo"))


@pytest.fixture
def ngo_worker(ngo_unit: Unit) -> User:
    return make_user(role=RoleCode.CASEWORKER, unit=ngo_unit)


def _version(case: Case) -> int:
    case.refresh_from_db()
    return case.version


def _messages(response: object) -> str:
    return " ".join(str(m) for m in response.context["messages"])  # type: ignore[attr-defined]


def test_a_document_is_uploaded_and_downloaded_through_the_pages(worker: User, case: Case) -> None:
    client = login(Client(), worker)
    upload = SimpleUploadedFile("decision.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(
        f"/cases/{case.pk}/documents", {"version": 1, "kind": "decision", "file": upload}
    )
    assert response.status_code == 302
    document = CaseDocument.objects.get(case=case)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/documents/{document.pk}" in page
    download = client.get(f"/cases/documents/{document.pk}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"  # type: ignore[attr-defined]
    assert download["Content-Type"] == "application/octet-stream"
    assert 'filename="decision.pdf"' in download["Content-Disposition"]
    stranger = login(Client(), make_user(role=RoleCode.CASEWORKER, unit=make_unit()))
    assert stranger.get(f"/cases/documents/{document.pk}").status_code == 404


def test_a_task_is_added_for_an_assignee_and_completed(worker: User, case: Case) -> None:
    client = login(Client(), worker)
    response = client.post(
        f"/cases/{case.pk}/tasks",
        {"version": 1, "title": "Book an interpreter", "assignee": worker.pk, "due_on": ""},
    )
    assert response.status_code == 302
    task = CaseTask.objects.get(case=case)
    assert (task.title, task.assignee_id) == ("Book an interpreter", worker.pk)
    client.post(f"/cases/{case.pk}/tasks/{task.pk}/done", {"version": _version(case)})
    task.refresh_from_db()
    assert task.done_at is not None


def test_consent_is_recorded_and_withdrawn(worker: User, case: Case) -> None:
    client = login(Client(), worker)
    person_id = case.persons.get().person_id
    response = client.post(
        f"/cases/{case.pk}/consents",
        {
            "version": 1,
            "person_id": person_id,
            "kind": "referral",
            "given_on": "2026-01-06",
            "scope": "shelter",
            "recipient_agency": "",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(case=case)
    assert (consent.kind, consent.recipient_agency_id) == ("referral", None)
    client.post(f"/cases/{case.pk}/consents/{consent.pk}/withdraw", {"version": _version(case)})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_a_referral_without_consent_is_refused_and_says_why(
    worker: User, case: Case, ngo_worker: User, ngo_unit: Unit
) -> None:
    response = login(Client(), worker).post(
        f"/cases/{case.pk}/referrals",
        {"version": 1, "recipient": f"unit:{ngo_unit.pk}", "service": "shelter"},
        follow=True,
    )
    assert "must consent (referral)" in _messages(response)
    assert not Referral.objects.exists()


def test_a_caseworker_may_not_override_consent(
    worker: User, case: Case, ngo_worker: User, ngo_unit: Unit
) -> None:
    response = login(Client(), worker).post(
        f"/cases/{case.pk}/referrals",
        {
            "version": 1,
            "recipient": f"unit:{ngo_unit.pk}",
            "service": "shelter",
            "override_consent_reason": "urgent",
        },
    )
    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_a_supervisor_overrides_consent_with_an_audited_reason(
    supervisor: User, case: Case, ngo_worker: User, ngo_unit: Unit
) -> None:
    response = login(Client(), supervisor).post(
        f"/cases/{case.pk}/referrals",
        {
            "version": 1,
            "recipient": f"agency:{ngo_unit.agency_id}",
            "service": "shelter",
            "override_consent_reason": "immediate danger",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.consent_overridden, referral.to_unit_id) == (True, None)
    override = AuditEvent.objects.get(
        action=AuditAction.PERMISSION_CHANGE, detail__change="consent_override"
    )
    assert override.detail["reason"] == "immediate danger"


def test_a_referral_is_accepted_and_completed_by_its_recipient(
    worker: User, case: Case, ngo_worker: User, ngo_unit: Unit
) -> None:
    make_consent(case=case, kind="referral")
    referring = login(Client(), worker)
    # The case page folds the referral form away; opened, it offers the shelter's unit.
    form_url = f"/cases/{case.pk}/referrals?version=1"
    assert f'href="{form_url}"' in referring.get(f"/cases/{case.pk}/").content.decode()
    assert f"unit:{ngo_unit.pk}" in referring.get(form_url).content.decode()
    referring.post(
        f"/cases/{case.pk}/referrals",
        {"version": 1, "recipient": f"unit:{ngo_unit.pk}", "service": "legal aid"},
    )
    referral = Referral.objects.get()
    recipient = login(Client(), ngo_worker)
    page = recipient.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/referrals/{referral.pk}/accept" in page
    recipient.post(
        f"/cases/{case.pk}/referrals/{referral.pk}/accept",
        {"version": _version(case), "note": "we take it"},
    )
    referral.refresh_from_db()
    assert (referral.status, referral.response_note) == ("accepted", "we take it")
    done = recipient.post(
        f"/cases/{case.pk}/referrals/{referral.pk}/complete", {"version": _version(case)}
    )
    referral.refresh_from_db()
    assert referral.status == "done"
    # The recipient's access ended with the referral: back to their work queue.
    assert done["Location"] == "/cases/queue/"
    assert recipient.get(f"/cases/{case.pk}/").status_code == 404


def test_the_referring_side_revokes_a_referral(
    worker: User, case: Case, ngo_worker: User, ngo_unit: Unit
) -> None:
    make_consent(case=case, kind="referral")
    client = login(Client(), worker)
    client.post(
        f"/cases/{case.pk}/referrals",
        {"version": 1, "recipient": f"unit:{ngo_unit.pk}", "service": "shelter"},
    )
    referral = Referral.objects.get()
    client.post(f"/cases/{case.pk}/referrals/{referral.pk}/revoke", {"version": _version(case)})
    referral.refresh_from_db()
    assert referral.status == "revoked"
    assert login(Client(), ngo_worker).get(f"/cases/{case.pk}/").status_code == 404


def test_a_transfer_is_requested_and_accepted_by_the_receiving_unit(
    worker: User, case: Case, ngo_worker: User, ngo_unit: Unit
) -> None:
    make_consent(case=case, kind="transfer")
    response = login(Client(), worker).post(
        f"/cases/{case.pk}/transfers",
        {"version": 1, "to_unit": ngo_unit.pk, "reason": "moved to the province"},
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    receiving = login(Client(), ngo_worker)
    assert (
        f"/transfers/{transfer.pk}/accept" in receiving.get(f"/cases/{case.pk}/").content.decode()
    )
    receiving.post(
        f"/cases/{case.pk}/transfers/{transfer.pk}/accept", {"version": _version(case), "note": ""}
    )
    case.refresh_from_db()
    assert case.owning_unit_id == ngo_unit.pk
    assert list(
        CaseAssignment.objects.filter(case=case, ended_at__isnull=True).values_list(
            "user_id", flat=True
        )
    ) == [ngo_worker.pk]


def test_a_supervisor_assigns_and_unassigns_users_of_the_unit(
    worker: User, supervisor: User, case: Case, unit: Unit
) -> None:
    colleague = make_user(role=RoleCode.CASEWORKER, unit=unit)
    client = login(Client(), supervisor)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'value="{colleague.pk}"' in page
    client.post(f"/cases/{case.pk}/assign", {"version": 1, "users": [colleague.pk]})
    assert CaseAssignment.objects.filter(case=case, user=colleague, ended_at__isnull=True).exists()
    client.post(f"/cases/{case.pk}/unassign/{worker.pk}", {"version": _version(case)})
    assert not CaseAssignment.objects.filter(case=case, user=worker, ended_at__isnull=True).exists()


def test_a_caseworker_may_not_assign(worker: User, case: Case, unit: Unit) -> None:
    colleague = make_user(role=RoleCode.CASEWORKER, unit=unit)
    response = login(Client(), worker).post(
        f"/cases/{case.pk}/assign", {"version": 1, "users": [colleague.pk]}
    )
    assert response.status_code == 403
    assert not CaseAssignment.objects.filter(user=colleague).exists()


def test_a_referral_rejected_by_its_recipient_ends_their_access(
    worker: User, case: Case, ngo_worker: User, ngo_unit: Unit
) -> None:
    make_consent(case=case, kind="referral")
    login(Client(), worker).post(
        f"/cases/{case.pk}/referrals",
        {"version": 1, "recipient": f"unit:{ngo_unit.pk}", "service": "shelter"},
    )
    referral = Referral.objects.get()
    recipient = login(Client(), ngo_worker)
    response = recipient.post(
        f"/cases/{case.pk}/referrals/{referral.pk}/reject",
        {"version": _version(case), "note": "no places"},
    )
    referral.refresh_from_db()
    assert (referral.status, referral.response_note) == ("rejected", "no places")
    assert response["Location"] == "/cases/queue/"
    assert recipient.get(f"/cases/{case.pk}/").status_code == 404


def test_only_the_recipient_answers_a_referral(
    worker: User, case: Case, ngo_worker: User, ngo_unit: Unit
) -> None:
    """The referring caseworker sees no accept button and cannot accept by posting."""
    make_consent(case=case, kind="referral")
    client = login(Client(), worker)
    client.post(
        f"/cases/{case.pk}/referrals",
        {"version": 1, "recipient": f"unit:{ngo_unit.pk}", "service": "shelter"},
    )
    referral = Referral.objects.get()
    assert "/accept" not in client.get(f"/cases/{case.pk}/").content.decode()
    response = client.post(
        f"/cases/{case.pk}/referrals/{referral.pk}/accept", {"version": _version(case)}
    )
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == "in_progress"


def test_a_transfer_declined_leaves_the_case_with_its_owner(
    worker: User, case: Case, ngo_worker: User, ngo_unit: Unit, unit: Unit
) -> None:
    make_consent(case=case, kind="transfer")
    login(Client(), worker).post(
        f"/cases/{case.pk}/transfers",
        {"version": 1, "to_unit": ngo_unit.pk, "reason": "moved"},
    )
    transfer = Transfer.objects.get()
    receiving = login(Client(), ngo_worker)
    response = receiving.post(
        f"/cases/{case.pk}/transfers/{transfer.pk}/reject",
        {"version": _version(case), "note": "not ours"},
    )
    transfer.refresh_from_db()
    case.refresh_from_db()
    assert (transfer.status, case.owning_unit_id) == ("rejected", unit.pk)
    assert response["Location"] == "/cases/queue/"


def test_a_household_member_is_added_and_removed_on_the_page(worker: User, case: Case) -> None:
    """Persons of the index the user may see join the case with a role and household; the
    principal applicant cannot be removed; someone the user cannot see is refused."""
    client = login(Client(), worker)
    child = make_person(owner=worker)
    added = client.post(
        f"/cases/{case.pk}/persons",
        {
            "version": _version(case),
            "person_id": child,
            "role": "dependant_child",
            "household_group": "1",
        },
        follow=True,
    )
    assert "Person added to the case." in _messages(added)
    assert case.persons.filter(person_id=child, role="dependant_child").exists()
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/persons/{child}/remove" in page
    principal = case.persons.get(role="principal_applicant").person_id
    assert f"/cases/{case.pk}/persons/{principal}/remove" not in page
    unseen = make_person(owner=make_user(role=RoleCode.CASEWORKER, unit=make_unit()))
    refused = client.post(
        f"/cases/{case.pk}/persons",
        {"version": _version(case), "person_id": unseen, "role": "spouse", "household_group": "1"},
        follow=True,
    )
    assert not case.persons.filter(person_id=unseen).exists()
    assert "person" in _messages(refused).lower()
    removed = client.post(
        f"/cases/{case.pk}/persons/{child}/remove", {"version": _version(case)}, follow=True
    )
    assert "Person removed from the case." in _messages(removed)
    assert not case.persons.filter(person_id=child).exists()


def test_priority_and_vulnerabilities_are_changed_on_the_page(worker: User, case: Case) -> None:
    client = login(Client(), worker)
    response = client.post(
        f"/cases/{case.pk}/update",
        {"version": _version(case), "priority": "urgent", "vulnerabilities": ["torture_survivor"]},
        follow=True,
    )
    assert "Priority and vulnerabilities saved." in _messages(response)
    case.refresh_from_db()
    assert (case.priority, case.vulnerabilities) == ("urgent", ["torture_survivor"])
    stale = client.post(
        f"/cases/{case.pk}/update", {"version": 1, "priority": "normal"}, follow=True
    )
    assert "Reload the page" in _messages(stale)
    case.refresh_from_db()
    assert case.priority == "urgent"
