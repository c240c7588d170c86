"""Person-record exports: scoped, masked per sensitivity, spreadsheet-safe, audited."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from tests.conftest import login
from tests.factories import make_record, make_user
from ura.apps.accounts.models import RoleCode
from ura.apps.core.models import AuditAction, AuditEvent


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_export_holds_only_records_in_scope_and_masks_sensitive_values(client: Client) -> None:
    """A caseworker's export has their unit's records only; trafficking and biometric
    values, which caseworkers may not see, are replaced by a marker."""
    worker = make_user(role=RoleCode.CASEWORKER)
    mine = make_record(owner=worker, family_name="Karimi")
    foreign = make_record(owner=make_user(role=RoleCode.CASEWORKER), family_name="Karimi")
    response = login(client, worker).get("/people/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(response.content)
    assert [r["id"] for r in rows] == [str(mine.pk)]
    assert rows[0]["document_number"] == mine.document_number  # caseworkers see documents
    assert rows[0]["trafficking_indicators"] == "[restricted: trafficking]"
    assert rows[0]["biometric_reference"] == "[restricted: biometric]"
    assert b"debt bondage" not in response.content
    assert str(foreign.pk) not in {r["id"] for r in rows}


@pytest.mark.django_db
def test_each_exported_record_is_audited(client: Client) -> None:
    """Every exported record leaves an export event naming it."""
    worker = make_user(role=RoleCode.CASEWORKER)
    records = [make_record(owner=worker) for _ in range(3)]
    login(client, worker).get("/people/export.csv")
    exported = set(
        AuditEvent.objects.filter(action=AuditAction.EXPORT, actor_id=worker.pk).values_list(
            "object_id", flat=True
        )
    )
    assert exported == {str(r.pk) for r in records}


@pytest.mark.django_db
def test_cells_that_spreadsheets_would_execute_are_neutralised(client: Client) -> None:
    """A name starting with '=' is exported as text, not as a formula."""
    worker = make_user(role=RoleCode.CASEWORKER)
    make_record(owner=worker, given_names='=HYPERLINK("http://x","y")')
    rows = _rows(login(client, worker).get("/people/export.csv").content)
    assert rows[0]["given_names"].startswith("'=")


@pytest.mark.django_db
def test_roles_without_export_permission_cannot_export(client: Client) -> None:
    """A first responder may register people but not export them."""
    responder = make_user(role=RoleCode.FIRST_RESPONDER)
    make_record(owner=responder)
    assert login(client, responder).get("/people/export.csv").status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
