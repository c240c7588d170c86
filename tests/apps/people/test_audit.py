"""Every read and write of a person record leaves an audit event in the same transaction;
sensitive values reach the audit trail only as class + fingerprint."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import login
from tests.factories import make_record, make_unit, make_user
from ura.apps.accounts.models import RoleCode, User
from ura.apps.core.models import AuditAction, AuditEvent
from ura.apps.core.selectors import audit_chain_verify
from ura.apps.people.models import PersonRecord

SENSITIVE = {
    "document_number": "identity_document",
    "biometric_reference": "biometric",
    "health_notes": "health",
    "trafficking_indicators": "trafficking",
}
FINGERPRINT = re.compile(r"^[0-9a-f]{12}$")


def _events(action: AuditAction, user: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, actor_id=user.pk))


def _trail_text() -> str:
    """Every audit row, serialised as a whole, to search for values that must not be there."""
    return json.dumps(list(AuditEvent.objects.values()), default=str)


def _assert_masked(change: dict[str, Any], cls: str, side: str) -> None:
    value = change[side]
    assert set(value) == {"masked", "fp"}
    assert value["masked"] == cls
    assert FINGERPRINT.match(value["fp"])


def _supervisor() -> tuple[User, Client]:
    user = make_user(role=RoleCode.SUPERVISOR)
    return user, login(Client(), user)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/people/{pk}/", "/api/v1/people/records/{pk}"])
def test_viewing_a_record_writes_one_view_event(url: str) -> None:
    """Opening a record, on the page or over the API, writes one ``view`` event naming it."""
    user, client = _supervisor()
    record = make_record(owner=user)
    assert client.get(url.format(pk=record.pk)).status_code == 200
    views = _events(AuditAction.VIEW, user)
    assert [(e.object_type, e.object_id) for e in views] == [
        ("people.personrecord", str(record.pk))
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["edit", "delete"])
def test_opening_the_edit_or_delete_page_is_audited_as_a_view(page: str) -> None:
    """The edit form and the delete confirmation show the record, so opening them writes a
    ``view`` event; saving the form writes the ``update`` event and no further ``view``."""
    user, client = _supervisor()
    record = make_record(owner=user)
    assert client.get(f"/people/{record.pk}/{page}").status_code == 200
    assert [e.object_id for e in _events(AuditAction.VIEW, user)] == [str(record.pk)]
    if page == "edit":
        data = {"version": "1", "given_names": "Amina", "family_name": "Karimi", "sex": "F"}
        data |= {"date_of_birth_precision": "unknown", "document_type": "passport"}
        assert client.post(f"/people/{record.pk}/edit", data).status_code == 302
        assert len(_events(AuditAction.VIEW, user)) == 1
        assert len(_events(AuditAction.UPDATE, user)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/people/", "/api/v1/people/records"])
def test_listing_writes_one_list_event_per_record_shown(url: str) -> None:
    """A list writes one ``list`` event for each record on the page and none for records the
    user may not see."""
    user, client = _supervisor()
    shown = {str(make_record(owner=user).pk) for _ in range(3)}
    make_record(owner=make_user(role=RoleCode.SUPERVISOR))  # another agency's
    assert client.get(url).status_code == 200
    listed = [e.object_id for e in _events(AuditAction.LIST, user)]
    assert sorted(listed) == sorted(shown)
    assert not _events(AuditAction.SEARCH, user)


@pytest.mark.django_db
def test_only_the_records_on_the_page_shown_are_audited() -> None:
    """With more records than fit on a page, only those on the page shown get ``list``
    events: page 2 of 30 records (25 a page) audits the last 5."""
    user, client = _supervisor()
    records = [make_record(owner=user, family_name=f"Karimi{n:02d}") for n in range(30)]
    response = client.get("/people/?page=2")
    assert response.status_code == 200
    listed = sorted(int(e.object_id) for e in _events(AuditAction.LIST, user))
    assert listed == sorted(r.pk for r in records[25:])
    assert {e.detail["page"] for e in _events(AuditAction.LIST, user)} == {2}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/people/?q=Karimi", "/api/v1/people/records?q=Karimi"])
def test_searching_writes_one_search_event_per_result(url: str) -> None:
    """A search writes one ``search`` event per record found, none for the others."""
    user, client = _supervisor()
    found = {str(make_record(owner=user, family_name="Karimi").pk) for _ in range(2)}
    make_record(owner=user, family_name="Sayed")
    assert client.get(url).status_code == 200
    searched = [e.object_id for e in _events(AuditAction.SEARCH, user)]
    assert sorted(searched) == sorted(found)
    assert not _events(AuditAction.LIST, user)


SECRET_VALUES = {
    "document_number": "P7QZ00112",
    "biometric_reference": "AFIS-7QZ-001",
    "health_notes": "pregnant 7QZ",
    "trafficking_indicators": "passport confiscated 7QZ",
}


@pytest.mark.django_db
def test_create_records_new_values_with_sensitive_ones_masked() -> None:
    """The ``create`` event holds the new values; sensitive ones only as class and
    fingerprint, never in clear anywhere in the trail."""
    user, client = _supervisor()
    payload = {"given_names": "Nour", "family_name": "Haddad", **SECRET_VALUES}
    response = client.post("/api/v1/people/records", json.dumps(payload), "application/json")
    assert response.status_code == 201
    (event,) = _events(AuditAction.CREATE, user)
    assert event.object_id == str(response.json()["id"])
    assert event.changes["family_name"] == {"old": None, "new": "Haddad"}
    for name, cls in SENSITIVE.items():
        assert event.changes[name]["old"] is None
        _assert_masked(event.changes[name], cls, "new")
    trail = _trail_text()
    for value in SECRET_VALUES.values():
        assert value not in trail
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_update_records_old_and_new_values_with_sensitive_ones_masked() -> None:
    """The ``update`` event holds old and new values of the changed fields only; a changed
    sensitive value shows as two different fingerprints, neither value in clear."""
    user, client = _supervisor()
    record = make_record(owner=user, **SECRET_VALUES)
    new_values = {
        "document_number": "P7QZ99887",
        "health_notes": "diabetes 7QZ",
        "notes": "moved to shelter",
    }
    response = client.patch(
        f"/api/v1/people/records/{record.pk}",
        json.dumps({"version": 1, **new_values}),
        "application/json",
    )
    assert response.status_code == 200
    (event,) = _events(AuditAction.UPDATE, user)
    assert set(event.changes) == {"document_number", "health_notes", "notes"}
    assert event.changes["notes"] == {"old": "", "new": "moved to shelter"}
    for name in ("document_number", "health_notes"):
        _assert_masked(event.changes[name], SENSITIVE[name], "old")
        _assert_masked(event.changes[name], SENSITIVE[name], "new")
        assert event.changes[name]["old"]["fp"] != event.changes[name]["new"]["fp"]
    trail = _trail_text()
    for value in [*SECRET_VALUES.values(), new_values["document_number"], "diabetes 7QZ"]:
        assert value not in trail


@pytest.mark.django_db
def test_delete_records_the_old_values_with_sensitive_ones_masked() -> None:
    """The ``delete`` event keeps what the record held, sensitive values masked."""
    user, client = _supervisor()
    record = make_record(owner=user, family_name="Karimi", **SECRET_VALUES)
    assert client.delete(f"/api/v1/people/records/{record.pk}").status_code == 204
    assert not PersonRecord.objects.filter(pk=record.pk).exists()
    (event,) = _events(AuditAction.DELETE, user)
    assert event.object_id == str(record.pk)
    assert event.changes["family_name"] == {"old": "Karimi", "new": None}
    for name, cls in SENSITIVE.items():
        _assert_masked(event.changes[name], cls, "old")
        assert event.changes[name]["new"] is None
    trail = _trail_text()
    for value in SECRET_VALUES.values():
        assert value not in trail


@pytest.mark.django_db
def test_failed_update_leaves_no_event_and_no_change() -> None:
    """An invalid PATCH is refused with 422; the record and the audit trail are untouched."""
    user, client = _supervisor()
    record = make_record(owner=user, nationality="SYR")
    before = AuditEvent.objects.count()
    response = client.patch(
        f"/api/v1/people/records/{record.pk}",
        json.dumps({"version": 1, "nationality": "SYRIA", "notes": "should not stay"}),
        "application/json",
    )
    assert response.status_code == 422
    assert "nationality" in response.json()["errors"]
    assert AuditEvent.objects.count() == before
    record.refresh_from_db()
    assert (record.nationality, record.notes, record.version) == ("SYR", "", 1)


@pytest.mark.django_db
def test_failed_create_leaves_no_event_and_no_record() -> None:
    """An invalid POST is refused with 422; no record and no audit event are written."""
    _, client = _supervisor()
    before = AuditEvent.objects.count()
    payload = {"given_names": "Nour", "family_name": "Haddad", "sex": "Q"}
    response = client.post("/api/v1/people/records", json.dumps(payload), "application/json")
    assert response.status_code == 422
    assert AuditEvent.objects.count() == before
    assert not PersonRecord.objects.filter(family_name="Haddad").exists()


def _denials(user: User, record_id: int) -> list[dict[str, Any]]:
    return [
        e.detail
        for e in AuditEvent.objects.filter(
            action=AuditAction.ACCESS_DENIED, actor_id=user.pk, object_id=str(record_id)
        )
    ]


ATTEMPTS = [
    pytest.param("get", "/people/{pk}/", "view", id="page-view"),
    pytest.param("get", "/people/{pk}/edit", "change", id="page-edit"),
    pytest.param("post", "/people/{pk}/edit", "change", id="page-edit-save"),
    pytest.param("get", "/people/{pk}/delete", "delete", id="page-delete"),
    pytest.param("post", "/people/{pk}/delete", "delete", id="page-delete-confirm"),
    pytest.param("get", "/api/v1/people/records/{pk}", "view", id="api-get"),
    pytest.param("patch", "/api/v1/people/records/{pk}", "change", id="api-patch"),
    pytest.param("delete", "/api/v1/people/records/{pk}", "delete", id="api-delete"),
]


def _attempt(client: Client, method: str, url: str) -> int:
    if method == "patch":
        body = json.dumps({"version": 1, "notes": "x"})
        return client.patch(url, body, "application/json").status_code
    if method == "post":
        return client.post(
            url, {"version": "1", "given_names": "X", "family_name": "Y"}
        ).status_code
    if method == "delete":
        return client.delete(url).status_code
    return client.get(url).status_code


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url", "attempted"), ATTEMPTS)
def test_an_attempt_on_another_agencys_record_is_404_and_audited(
    method: str, url: str, attempted: str
) -> None:
    """A user of another agency gets 404, and the attempt leaves an ``access_denied`` event
    (it is not rolled back with the refused request)."""
    record = make_record(owner=make_user(role=RoleCode.SUPERVISOR), family_name="Karimi")
    outsider, client = _supervisor()
    assert _attempt(client, method, url.format(pk=record.pk)) == 404
    assert _denials(outsider, record.pk) == [{"attempted": attempted, "outcome": "not_found"}]
    record.refresh_from_db()
    assert (record.family_name, record.version) == ("Karimi", 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url"),
    [
        pytest.param("get", "/people/{pk}/delete", id="page-delete"),
        pytest.param("post", "/people/{pk}/delete", id="page-delete-confirm"),
        pytest.param("delete", "/api/v1/people/records/{pk}", id="api-delete"),
    ],
)
def test_a_forbidden_deletion_is_403_and_audited(method: str, url: str) -> None:
    """A caseworker sees their unit's records but may not delete them: 403, the record stays,
    and the attempt leaves an ``access_denied`` event."""
    unit = make_unit()
    record = make_record(owner=make_user(role=RoleCode.CASEWORKER, unit=unit))
    worker = make_user(role=RoleCode.CASEWORKER, unit=unit)
    client = login(Client(), worker)
    assert _attempt(client, method, url.format(pk=record.pk)) == 403
    assert _denials(worker, record.pk) == [{"attempted": "delete", "outcome": "forbidden"}]
    assert PersonRecord.objects.filter(pk=record.pk).exists()
