"""Cases through the JSON API: open, read, change, persons, assignment, notes, documents,
tasks, notifications and consent — each a service with its audit event and history."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.apps.cases.factories import make_person
from tests.conftest import login
from tests.factories import make_unit, make_user
from ura.apps.accounts.models import RoleCode, Scope, Unit, User
from ura.apps.cases.models import Case, CaseDocument, CaseEvent
from ura.apps.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

API = "/api/v1/cases"


def _post(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(payload, default=str), "application/json")


def _open(client: Client, person_id: str, **extra: Any) -> dict[str, Any]:
    response = _post(client, f"{API}/", {"procedure": "asylum", "person_id": person_id, **extra})
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def worker(unit: Unit) -> User:
    return make_user(role=RoleCode.CASEWORKER, unit=unit)


@pytest.fixture
def client(worker: User) -> Client:
    return login(Client(), worker)


def test_open_a_case_for_a_person_of_the_index(worker: User, client: Client) -> None:
    """A new case follows the procedure version in force, starts in its initial state, is
    owned by the creator's unit, has the person as principal applicant and the creator
    assigned; its opening is in the history and the audit trail."""
    person = make_person(owner=worker)
    body = _open(client, person, priority="high", vulnerabilities=["pregnant"])
    assert body["reference"].startswith(f"AS-{timezone.localdate().year}-")
    assert body["procedure"] == "asylum"
    assert body["procedure_version"]
    assert body["state"]
    assert body["version"] == 1
    assert body["priority"] == "high"
    assert body["vulnerabilities"] == ["pregnant"]
    assert body["owning_unit"] == worker.unit.code  # type: ignore[union-attr]
    assert body["persons"] == [
        {"person_id": person, "role": "principal_applicant", "household_group": "1"}
    ]
    assert [a["user_id"] for a in body["assigned"]] == [worker.pk]
    assert body["history"][0]["kind"] == "created"
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="cases.case", object_id=str(body["id"])
    ).exists()


def test_references_are_unique_and_sequential(worker: User, client: Client) -> None:
    person = make_person(owner=worker)
    first, second = _open(client, person), _open(client, person)
    assert int(second["reference"][-6:]) == int(first["reference"][-6:]) + 1


def test_a_person_the_creator_cannot_see_is_refused(worker: User, client: Client) -> None:
    """Opening a case names only a person the creator may see; others look nonexistent."""
    stranger = make_user(role=RoleCode.CASEWORKER)
    hidden = make_person(owner=stranger)
    for person_id in (hidden, "PNOSUCH0000"):
        response = _post(client, f"{API}/", {"procedure": "asylum", "person_id": person_id})
        assert response.status_code == 422
        assert "person_id" in response.json()["errors"]
    assert not Case.objects.exists()


def test_an_unknown_procedure_or_flag_is_refused(worker: User, client: Client) -> None:
    person = make_person(owner=worker)
    assert _post(client, f"{API}/", {"procedure": "nosuch", "person_id": person}).status_code == 422
    response = _post(
        client, f"{API}/", {"procedure": "asylum", "person_id": person, "vulnerabilities": ["rich"]}
    )
    assert response.status_code == 422


def test_trafficking_cases_are_always_restricted(worker: User, client: Client) -> None:
    person = make_person(owner=worker)
    body = _post(client, f"{API}/", {"procedure": "trafficking", "person_id": person}).json()
    assert body["restricted"] is True
    assert body["reference"].startswith("TR-")


def test_roles_without_case_rights_cannot_open_cases() -> None:
    steward = make_user(role=RoleCode.DATA_STEWARD, scope=Scope.ALL)
    person = make_person(owner=steward)
    client = login(Client(), steward)
    assert _post(client, f"{API}/", {"procedure": "asylum", "person_id": person}).status_code == 403


def test_detail_is_audited_and_vulnerabilities_masked_without_health_permission(
    worker: User, client: Client
) -> None:
    """Reading a case writes a view event; a first responder (no health-data permission)
    sees the flags masked; the trafficking flag needs trafficking-data permission."""
    person = make_person(owner=worker)
    case = _open(client, person, vulnerabilities=["trafficking_victim", "disability"])
    before = AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(case["id"])).count()
    detail = client.get(f"{API}/{case['id']}").json()
    assert detail["vulnerabilities"] == ["disability"]  # caseworkers may not see trafficking
    after = AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(case["id"])).count()
    assert after == before + 1
    responder = make_user(role=RoleCode.FIRST_RESPONDER, scope=Scope.UNIT, unit=worker.unit)
    masked = login(Client(), responder).get(f"{API}/{case['id']}").json()
    assert masked["vulnerabilities"] == {"masked": True, "sensitivity": "health"}
    supervisor = make_user(role=RoleCode.SUPERVISOR, unit=worker.unit)
    full = login(Client(), supervisor).get(f"{API}/{case['id']}").json()
    assert sorted(full["vulnerabilities"]) == ["disability", "trafficking_victim"]


def test_update_changes_data_by_dotted_path_and_audits_only_paths(
    worker: User, client: Client
) -> None:
    person = make_person(owner=worker)
    case = _open(client, person, data={"claim": {"country": "SYR"}})
    response = client.patch(
        f"{API}/{case['id']}",
        json.dumps(
            {
                "version": 1,
                "priority": "urgent",
                "data_changes": {"claim.grounds": "political opinion"},
            }
        ),
        "application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["data"] == {"claim": {"country": "SYR", "grounds": "political opinion"}}
    assert (body["priority"], body["version"]) == ("urgent", 2)
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(case["id"])).last()
    assert event is not None
    assert event.detail["data_paths"] == ["claim.grounds"]
    assert "political opinion" not in json.dumps(list(AuditEvent.objects.values()), default=str)


def test_list_and_search_show_only_visible_cases_each_audited(worker: User, client: Client) -> None:
    person = make_person(owner=worker)
    mine = _open(client, person)
    other_worker = make_user(role=RoleCode.CASEWORKER)
    other = _open(login(Client(), other_worker), make_person(owner=other_worker))
    listed = client.get(f"{API}/").json()
    assert [c["id"] for c in listed["results"]] == [mine["id"]]
    found = client.get(f"{API}/", {"q": other["reference"]}).json()
    assert found["results"] == []
    shown = AuditEvent.objects.filter(action=AuditAction.LIST, actor_id=worker.pk)
    assert {e.object_id for e in shown} == {str(mine["id"])}


def test_persons_join_and_leave_the_case(worker: User, client: Client) -> None:
    case = _open(client, make_person(owner=worker))
    child = make_person(owner=worker)
    url = f"{API}/{case['id']}/persons"
    added = _post(
        client,
        url,
        {"version": 1, "person_id": child, "role": "dependant_child", "household_group": "A"},
    )
    assert added.status_code == 201, added.content
    again = _post(client, url, {"version": 2, "person_id": child, "role": "dependant_child"})
    assert again.status_code == 422
    removed = client.delete(f"{url}/{child}?version=2")
    assert removed.status_code == 200
    principal = case["persons"][0]["person_id"]
    assert client.delete(f"{url}/{principal}?version=3").status_code == 422
    kinds = list(CaseEvent.objects.filter(case_id=case["id"]).values_list("kind", flat=True))
    assert kinds == ["created", "person_added", "person_removed"]


def test_supervisor_assigns_in_bulk_within_the_agency_and_assignees_are_notified(
    unit: Unit,
) -> None:
    supervisor = make_user(role=RoleCode.SUPERVISOR, unit=unit)
    boss = login(Client(), supervisor)
    colleague = make_user(role=RoleCode.CASEWORKER, unit=make_unit(agency=unit.agency))
    outsider = make_user(role=RoleCode.CASEWORKER)
    cases = [_open(boss, make_person(owner=supervisor)) for _ in range(3)]
    refused = _post(
        boss,
        f"{API}/assign",
        {"cases": [{"id": c["id"], "version": 1} for c in cases], "user_ids": [outsider.pk]},
    )
    assert refused.status_code == 422
    ok = _post(
        boss,
        f"{API}/assign",
        {"cases": [{"id": c["id"], "version": 1} for c in cases], "user_ids": [colleague.pk]},
    )
    assert ok.status_code == 200, ok.content
    assert [r["version"] for r in ok.json()["results"]] == [2, 2, 2]
    mates = login(Client(), colleague)
    queue = mates.get(f"{API}/queue").json()["results"]
    assert {c["id"] for c in queue} == {c["id"] for c in cases}
    inbox = mates.get(f"{API}/notifications").json()["results"]
    assert len(inbox) == 3
    assert all("assigned" in n["message"] for n in inbox)
    read = _post(mates, f"{API}/notifications/{inbox[0]['id']}/read", {})
    assert read.json()["read"] is True
    assert len(mates.get(f"{API}/notifications?unread_only=true").json()["results"]) == 2
    # One stale version refuses the whole batch.
    stale = _post(
        boss,
        f"{API}/assign",
        {
            "cases": [{"id": cases[0]["id"], "version": 2}, {"id": cases[1]["id"], "version": 1}],
            "user_ids": [supervisor.pk],
        },
    )
    assert stale.status_code == 409
    assert Case.objects.get(pk=cases[0]["id"]).version == 2


def test_caseworkers_may_not_assign(worker: User, client: Client) -> None:
    case = _open(client, make_person(owner=worker))
    colleague = make_user(role=RoleCode.CASEWORKER, unit=worker.unit)
    response = _post(
        client, f"{API}/{case['id']}/assignments", {"version": 1, "user_ids": [colleague.pk]}
    )
    assert response.status_code == 403


def test_the_caseworker_of_a_restricted_case_brings_in_their_supervisor(unit: Unit) -> None:
    """Nobody else sees a trafficking case, so the one working on it assigns the supervisor
    who must approve its closure; a caseworker not on it cannot."""
    worker = make_user(role=RoleCode.CASEWORKER, unit=unit)
    supervisor = make_user(role=RoleCode.SUPERVISOR, unit=unit)
    mine = login(Client(), worker)
    case = _post(
        mine, f"{API}/", {"procedure": "trafficking", "person_id": make_person(owner=worker)}
    ).json()
    assert login(Client(), supervisor).get(f"{API}/{case['id']}").status_code == 404
    assigned = _post(
        mine, f"{API}/{case['id']}/assignments", {"version": 1, "user_ids": [supervisor.pk]}
    )
    assert assigned.status_code == 200, assigned.content
    assert login(Client(), supervisor).get(f"{API}/{case['id']}").status_code == 200
    other = make_user(role=RoleCode.CASEWORKER, unit=unit)
    refused = _post(
        login(Client(), other),
        f"{API}/{case['id']}/assignments",
        {"version": 2, "user_ids": [other.pk]},
    )
    assert refused.status_code == 404


def test_unassigning_ends_access_to_a_restricted_case(unit: Unit) -> None:
    supervisor = make_user(role=RoleCode.SUPERVISOR, unit=unit)
    boss = login(Client(), supervisor)
    worker = make_user(role=RoleCode.CASEWORKER, unit=unit)
    case = _post(
        boss, f"{API}/", {"procedure": "trafficking", "person_id": make_person(owner=supervisor)}
    ).json()
    assert login(Client(), worker).get(f"{API}/{case['id']}").status_code == 404
    _post(boss, f"{API}/{case['id']}/assignments", {"version": 1, "user_ids": [worker.pk]})
    assert login(Client(), worker).get(f"{API}/{case['id']}").status_code == 200
    assert boss.delete(f"{API}/{case['id']}/assignments/{worker.pk}?version=2").status_code == 200
    assert login(Client(), worker).get(f"{API}/{case['id']}").status_code == 404


def test_notes_are_added_and_their_text_stays_out_of_the_audit_trail(
    worker: User, client: Client
) -> None:
    case = _open(client, make_person(owner=worker))
    response = _post(
        client,
        f"{API}/{case['id']}/notes",
        {"version": 1, "text": "Applicant fears the militia in Idlib."},
    )
    assert response.status_code == 201
    detail = client.get(f"{API}/{case['id']}").json()
    assert [n["text"] for n in detail["notes"]] == ["Applicant fears the militia in Idlib."]
    assert detail["version"] == 2
    assert "militia" not in json.dumps(list(AuditEvent.objects.values()), default=str)


def test_documents_are_stored_under_a_random_name_and_downloads_are_checked_and_audited(
    worker: User, client: Client
) -> None:
    case = _open(client, make_person(owner=worker))
    content = b"%PDF-1.4 passport scan"
    upload = SimpleUploadedFile("passport Amina.pdf", content, content_type="application/pdf")
    response = client.post(
        f"{API}/{case['id']}/documents", {"version": 1, "kind": "passport", "file": upload}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert (body["size"], body["name"], body["kind"]) == (
        len(content),
        "passport Amina.pdf",
        "passport",
    )
    stored = CaseDocument.objects.get(pk=body["id"]).storage_name
    assert "Amina" not in stored
    assert "passport" not in stored
    assert len(stored) > 40

    download = client.get(body["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content  # type: ignore[attr-defined]
    assert download["Content-Type"] == "application/octet-stream"
    assert "attachment" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="cases.casedocument", object_id=str(body["id"])
    ).exists()

    stranger = login(Client(), make_user(role=RoleCode.CASEWORKER))
    assert stranger.get(body["download"]).status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, object_type="cases.casedocument"
    ).exists()


def test_an_empty_document_is_refused(worker: User, client: Client) -> None:
    case = _open(client, make_person(owner=worker))
    upload = SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf")
    response = client.post(
        f"{API}/{case['id']}/documents", {"version": 1, "kind": "passport", "file": upload}
    )
    assert response.status_code == 422
    assert not CaseDocument.objects.exists()


def test_tasks_go_to_assigned_users_and_are_completed(worker: User, client: Client) -> None:
    case = _open(client, make_person(owner=worker))
    outsider = make_user(role=RoleCode.CASEWORKER, unit=worker.unit)
    url = f"{API}/{case['id']}/tasks"
    refused = _post(
        client, url, {"version": 1, "title": "Book interpreter", "assignee_id": outsider.pk}
    )
    assert refused.status_code == 422
    task = _post(
        client,
        url,
        {
            "version": 1,
            "title": "Book interpreter",
            "assignee_id": worker.pk,
            "due_on": "2026-02-01",
        },
    ).json()
    assert (task["done"], task["due_on"]) == (False, "2026-02-01")
    done = _post(client, f"{url}/{task['id']}/done", {"version": 2})
    assert done.json()["done"] is True
    assert _post(client, f"{url}/{task['id']}/done", {"version": 3}).status_code == 422


def test_consent_is_recorded_for_a_person_of_the_case_and_withdrawn(
    worker: User, client: Client
) -> None:
    case = _open(client, make_person(owner=worker))
    person = case["persons"][0]["person_id"]
    url = f"{API}/{case['id']}/consents"
    stranger_person = _post(
        client,
        url,
        {"version": 1, "person_id": "PNOTINCASE", "kind": "referral", "given_on": "2026-01-06"},
    )
    assert stranger_person.status_code == 422
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    assert (
        _post(
            client, url, {"version": 1, "person_id": person, "kind": "referral", "given_on": future}
        ).status_code
        == 422
    )
    consent = _post(
        client,
        url,
        {
            "version": 1,
            "person_id": person,
            "kind": "referral",
            "scope": "legal aid",
            "given_on": "2026-01-06",
        },
    ).json()
    assert consent["withdrawn_at"] is None
    withdrawn = _post(client, f"{url}/{consent['id']}/withdraw", {"version": 2}).json()
    assert withdrawn["withdrawn_at"] is not None
    assert _post(client, f"{url}/{consent['id']}/withdraw", {"version": 3}).status_code == 422
