"""Optimistic locking: two people editing the same record never silently overwrite each other."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.conftest import login
from tests.factories import make_record, make_unit, make_user
from ura.apps.accounts.models import RoleCode
from ura.apps.core.models import AuditAction, AuditEvent
from ura.apps.people.models import PersonRecord
from ura.apps.people.services import EDITABLE_FIELDS


@pytest.mark.django_db
def test_second_patch_with_the_same_version_is_refused_and_the_first_change_survives() -> None:
    """Two caseworkers read version 1; the first PATCH wins (version 2), the second gets 409
    and changes nothing."""
    unit = make_unit()
    record = make_record(owner=make_user(role=RoleCode.CASEWORKER, unit=unit))
    first = login(Client(), make_user(role=RoleCode.CASEWORKER, unit=unit))
    second = login(Client(), make_user(role=RoleCode.CASEWORKER, unit=unit))
    url = f"/api/v1/people/records/{record.pk}"
    assert first.get(url).json()["version"] == second.get(url).json()["version"] == 1

    ok = first.patch(url, json.dumps({"version": 1, "notes": "first"}), "application/json")
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    late = second.patch(url, json.dumps({"version": 1, "notes": "second"}), "application/json")
    assert late.status_code == 409
    assert "changed by someone else" in late.json()["detail"]

    record.refresh_from_db()
    assert (record.notes, record.version) == ("first", 2)
    updates = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(record.pk))
    assert updates.count() == 1


@pytest.mark.django_db
def test_patch_with_the_current_version_after_a_conflict_succeeds() -> None:
    """After reloading, the second editor applies their change on top of the first."""
    user = make_user(role=RoleCode.CASEWORKER)
    record = make_record(owner=user)
    client = login(Client(), user)
    url = f"/api/v1/people/records/{record.pk}"
    client.patch(url, json.dumps({"version": 1, "notes": "first"}), "application/json")
    assert (
        client.patch(url, json.dumps({"version": 1, "sex": "M"}), "application/json").status_code
        == 409
    )
    again = client.patch(url, json.dumps({"version": 2, "sex": "M"}), "application/json")
    assert again.status_code == 200
    record.refresh_from_db()
    assert (record.notes, record.sex, record.version) == ("first", "M", 3)


def _form(record: PersonRecord, **changes: str) -> dict[str, str]:
    data = {
        name: "" if getattr(record, name) is None else str(getattr(record, name))
        for name in EDITABLE_FIELDS
    }
    data["version"] = str(record.version)
    data.update(changes)
    return data


@pytest.mark.django_db
def test_second_save_of_the_edit_form_shows_the_conflict_and_does_not_overwrite() -> None:
    """Two people open the edit form at version 1; the first save goes through, the second
    is shown the conflict message and the record keeps the first person's change."""
    unit = make_unit()
    record = make_record(owner=make_user(role=RoleCode.CASEWORKER, unit=unit))
    first = login(Client(), make_user(role=RoleCode.CASEWORKER, unit=unit))
    second = login(Client(), make_user(role=RoleCode.CASEWORKER, unit=unit))
    edit = f"/people/{record.pk}/edit"
    for client in (first, second):
        page = client.get(edit).content.decode()
        assert 'name="version" value="1"' in page

    saved = first.post(edit, _form(record, notes="first"))
    assert saved.status_code == 302
    refused = second.post(edit, _form(record, notes="second"))
    assert refused.status_code == 200
    assert "Someone else changed this record while you were editing it." in (
        refused.content.decode()
    )
    record.refresh_from_db()
    assert (record.notes, record.version) == ("first", 2)
