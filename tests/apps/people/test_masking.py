"""Sensitive values of person records are masked for users without the matching permission,
in pages, lists, API responses, exports and edit forms; users with it see them."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass

import pytest
from django.test import Client

from tests.conftest import login
from tests.factories import make_record, make_unit, make_user
from ura.apps.accounts.models import RoleCode, Scope, Unit, User
from ura.apps.core.models import AuditAction, AuditEvent
from ura.apps.core.protected import Sensitivity
from ura.apps.people.models import PersonRecord
from ura.apps.people.services import EDITABLE_FIELDS

# Distinctive values, so that finding one anywhere in a response is unambiguous.
SECRETS = {
    "trafficking_indicators": "recruited with false job offer QX71",
    "health_notes": "tuberculosis treatment QX72",
    "biometric_reference": "AFIS-QX73-5521",
    "document_number": "U9QX74321",
}


@dataclass(frozen=True)
class Case:
    field: str
    label: str
    without: RoleCode  # a role that may view and change records but not see this class
    with_: RoleCode  # a role that may view and change records and see this class


# Chosen from people/roles.py's intent: caseworkers do not see trafficking or biometric data,
# data stewards do not see health data, partner NGOs do not see identity documents.
CASES = {
    Sensitivity.TRAFFICKING: Case(
        "trafficking_indicators",
        "Trafficking indicators",
        RoleCode.CASEWORKER,
        RoleCode.SUPERVISOR,
    ),
    Sensitivity.HEALTH: Case(
        "health_notes", "Health and medical needs", RoleCode.DATA_STEWARD, RoleCode.CASEWORKER
    ),
    Sensitivity.BIOMETRIC: Case(
        "biometric_reference", "Biometric reference", RoleCode.CASEWORKER, RoleCode.DATA_STEWARD
    ),
    Sensitivity.IDENTITY_DOCUMENT: Case(
        "document_number", "Document number", RoleCode.PARTNER_NGO, RoleCode.CASEWORKER
    ),
}
CLASSES = [pytest.param(s, id=s.value) for s in Sensitivity]


def test_every_sensitivity_class_is_covered() -> None:
    """Each class declared in core has a case here, and each case's field carries it."""
    assert set(CASES) == set(Sensitivity)
    for sensitivity, case in CASES.items():
        assert getattr(PersonRecord._meta.get_field(case.field), "sensitivity", None) is sensitivity


def _setup(role: RoleCode) -> tuple[User, PersonRecord, Unit]:
    unit = make_unit()
    owner = make_user(role=RoleCode.CASEWORKER, unit=unit)
    record = make_record(owner=owner, family_name="Karimi", **SECRETS)
    user = make_user(role=role, scope=Scope.UNIT, unit=unit)
    return user, record, unit


def _masked_cell(label: str) -> re.Pattern[str]:
    return re.compile(rf'<dt>{label}</dt>\s*<dd><span class="masked">restricted</span></dd>')


@pytest.mark.django_db
@pytest.mark.parametrize("sensitivity", CLASSES)
def test_pages_and_api_mask_the_value_without_permission(
    client: Client, sensitivity: Sensitivity
) -> None:
    """Without ``core.see_<class>`` the detail page, the list page and the API (detail and
    list) show the masked marker, never the value."""
    case = CASES[sensitivity]
    user, record, _ = _setup(case.without)
    assert not user.has_perm(sensitivity.permission)
    secret = SECRETS[case.field]
    login(client, user)

    detail = client.get(f"/people/{record.pk}/").content.decode()
    assert secret not in detail
    assert _masked_cell(case.label).search(detail)

    for headers in ({}, {"HX-Request": "true"}):  # the full page and the search's fragment
        listing = client.get("/people/?q=Karimi", headers=headers).content.decode()
        assert f'href="/people/{record.pk}/"' in listing
        assert secret not in listing
        if case.field == "document_number":  # the only sensitive column of the list
            assert '<span class="masked"' in listing

    api = client.get(f"/api/v1/people/records/{record.pk}")
    assert secret.encode() not in api.content
    marker = {"masked": True, "sensitivity": sensitivity.value}
    assert api.json()[case.field] == marker

    api_list = client.get("/api/v1/people/records?q=Karimi")
    assert secret.encode() not in api_list.content
    assert [r[case.field] for r in api_list.json()["results"]] == [marker]


@pytest.mark.django_db
@pytest.mark.parametrize("sensitivity", CLASSES)
def test_pages_and_api_show_the_value_with_permission(
    client: Client, sensitivity: Sensitivity
) -> None:
    """With ``core.see_<class>`` the detail page and the API show the value."""
    case = CASES[sensitivity]
    user, record, _ = _setup(case.with_)
    assert user.has_perm(sensitivity.permission)
    secret = SECRETS[case.field]
    login(client, user)
    detail = client.get(f"/people/{record.pk}/").content.decode()
    assert secret in detail
    assert not _masked_cell(case.label).search(detail)
    assert client.get(f"/api/v1/people/records/{record.pk}").json()[case.field] == secret
    results = client.get("/api/v1/people/records?q=Karimi").json()["results"]
    assert [r[case.field] for r in results] == [secret]
    if case.field == "document_number":
        assert secret in client.get("/people/?q=Karimi").content.decode()
    form = client.get(f"/people/{record.pk}/edit").content.decode()
    assert f'name="{case.field}"' in form
    assert secret in form


@pytest.mark.django_db
@pytest.mark.parametrize("sensitivity", CLASSES)
def test_export_masks_the_value_without_permission(
    client: Client, sensitivity: Sensitivity
) -> None:
    """In the CSV export a value the user may not see is the marker ``[restricted: class]``.

    Every role that may export also sees identity documents, so that class is checked in
    the other direction: the exporter sees the value.
    """
    case = CASES[sensitivity]
    # Partner NGOs may not export at all.
    exporter = RoleCode.CASEWORKER if case.without is RoleCode.PARTNER_NGO else case.without
    user, record, _ = _setup(exporter)
    login(client, user)
    response = client.get("/people/export.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == [str(record.pk)]
    secret = SECRETS[case.field]
    if user.has_perm(sensitivity.permission):
        assert rows[0][case.field] == secret
    else:
        assert rows[0][case.field] == f"[restricted: {sensitivity.value}]"
        assert secret.encode() not in response.content


def _form_data(record: PersonRecord, *, leave_out: str) -> dict[str, str]:
    data = {
        name: "" if getattr(record, name) is None else str(getattr(record, name))
        for name in EDITABLE_FIELDS
        if name != leave_out
    }
    data["version"] = str(record.version)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("sensitivity", CLASSES)
def test_edit_form_leaves_out_masked_fields_and_keeps_their_values(
    client: Client, sensitivity: Sensitivity
) -> None:
    """A masked field is not in the edit form at all; saving the form changes the other
    fields and leaves the masked one as it was, even if a value for it is forged into the
    submission."""
    case = CASES[sensitivity]
    user, record, _ = _setup(case.without)
    secret = SECRETS[case.field]
    login(client, user)
    form = client.get(f"/people/{record.pk}/edit")
    assert form.status_code == 200
    html = form.content.decode()
    assert f'name="{case.field}"' not in html
    assert secret not in html
    assert 'name="notes"' in html

    data = _form_data(record, leave_out=case.field)
    data["notes"] = "reviewed"
    data[case.field] = "forged value"
    response = client.post(f"/people/{record.pk}/edit", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    record.refresh_from_db()
    assert record.notes == "reviewed"
    assert getattr(record, case.field) == secret
    assert record.version == 2


@pytest.mark.django_db
@pytest.mark.parametrize("sensitivity", CLASSES)
def test_api_refuses_to_overwrite_a_value_the_user_may_not_see(
    client: Client, sensitivity: Sensitivity
) -> None:
    """A PATCH that sets a field the user may not see is refused with 403 as a whole (other
    fields in it are not saved either), the value stays, and the attempt is audited."""
    case = CASES[sensitivity]
    user, record, _ = _setup(case.without)
    login(client, user)
    body = json.dumps({"version": 1, case.field: "overwritten", "notes": "with it"})
    response = client.patch(f"/api/v1/people/records/{record.pk}", body, "application/json")
    assert response.status_code == 403
    record.refresh_from_db()
    assert (getattr(record, case.field), record.notes, record.version) == (
        SECRETS[case.field],
        "",
        1,
    )
    denied = AuditEvent.objects.get(action=AuditAction.ACCESS_DENIED, actor_id=user.pk)
    assert denied.detail == {
        "attempted": "change",
        "outcome": "forbidden_fields",
        "fields": [case.field],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("sensitivity", CLASSES)
def test_api_lets_a_user_who_may_see_the_value_change_it(
    client: Client, sensitivity: Sensitivity
) -> None:
    """With ``core.see_<class>`` a PATCH of that field is saved."""
    case = CASES[sensitivity]
    user, record, _ = _setup(case.with_)
    login(client, user)
    body = json.dumps({"version": 1, case.field: "corrected"})
    response = client.patch(f"/api/v1/people/records/{record.pk}", body, "application/json")
    assert response.status_code == 200
    assert response.json()[case.field] == "corrected"
    record.refresh_from_db()
    assert getattr(record, case.field) == "corrected"
