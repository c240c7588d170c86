"""The auditor's page: who sees it, filters, masking, its own audit trail, CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.apps.core.conftest import login_verified
from tests.conftest import login
from tests.factories import make_record, make_user
from ura.apps.accounts.models import Role, RoleCode, User
from ura.apps.core.models import AuditAction, AuditEvent
from ura.apps.core.services import audit_diff, audit_record
from ura.apps.people.models import PersonRecord

pytestmark = pytest.mark.django_db


def last_event() -> AuditEvent:
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    return event


@pytest.mark.parametrize(
    "role",
    [
        RoleCode.CASEWORKER,
        RoleCode.SUPERVISOR,
        RoleCode.DATA_STEWARD,
        RoleCode.ANALYST,
        RoleCode.FIRST_RESPONDER,
        RoleCode.PARTNER_NGO,
    ],
)
@pytest.mark.parametrize("path", ["/audit/", "/audit/export.csv"])
def test_non_auditors_are_refused_and_the_attempt_is_recorded(
    client: Client, role: RoleCode, path: str
) -> None:
    """Every role but the auditor gets 403, and the refusal is in the audit trail."""
    user = make_user(role=role)
    login(client, user)
    response = client.get(path)
    assert response.status_code == 403
    denied = last_event()
    assert (denied.action, denied.actor_id) == (AuditAction.ACCESS_DENIED, user.pk)
    assert denied.object_type == "core.auditevent"


def test_administrators_are_refused_too(client: Client) -> None:
    """Administrators manage accounts but do not read the audit trail."""
    admin = make_user(role=RoleCode.ADMINISTRATOR)
    login_verified(client, admin)
    assert client.get("/audit/").status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client: Client) -> None:
    """Without a session the page redirects to the login form."""
    response = client.get("/audit/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_nav_entry_shows_only_for_auditors(
    client: Client, auditor_client: Client, caseworker: User
) -> None:
    """Auditors see the audit trail in the menu; caseworkers do not."""
    assert 'href="/audit/"' in auditor_client.get("/").content.decode()
    login(client, caseworker)
    home = client.get("/").content.decode()
    assert 'href="/audit/"' not in home
    assert 'href="/jobs/"' in home


def test_auditor_sees_events_newest_first_with_masked_changes(
    auditor_client: Client, caseworker: User
) -> None:
    """Events are listed newest first; masked values appear as class and fingerprint."""
    record = make_record(owner=caseworker)
    changes = audit_diff(
        PersonRecord,
        {"document_number": "N0123456", "family_name": "Haddad"},
        {"document_number": "N9999999", "family_name": "Hadad"},
    )
    audit_record(actor=caseworker, action=AuditAction.UPDATE, obj=record, changes=changes)
    response = auditor_client.get("/audit/", {"object_type": "people.personrecord"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "N0123456" not in html
    assert "N9999999" not in html
    assert "restricted (identity_document) fp " + changes["document_number"]["old"]["fp"] in html
    assert "Haddad → Hadad" in html
    sequences = [row.sequence for row in response.context["page"].object_list]
    assert sequences == sorted(sequences, reverse=True)


def test_filters_by_user_record_action_and_time(auditor_client: Client, caseworker: User) -> None:
    """Each filter narrows the list to the matching events."""
    other = make_user(role=RoleCode.CASEWORKER)
    audit_record(actor=caseworker, action=AuditAction.VIEW, object_type="x.thing", object_id="7")
    audit_record(actor=other, action=AuditAction.VIEW, object_type="x.thing", object_id="8")
    audit_record(actor=other, action=AuditAction.EXPORT, object_type="x.thing", object_id="7")

    def listed(**params: str) -> list[tuple[int | None, str, str]]:
        response = auditor_client.get("/audit/", params)
        assert response.status_code == 200
        return [(e.actor_id, e.action, e.object_id) for e in response.context["page"].object_list]

    assert listed(user=caseworker.username, object_type="x.thing") == [(caseworker.pk, "view", "7")]
    assert listed(user=str(other.pk), object_type="x.thing") == [
        (other.pk, "export", "7"),
        (other.pk, "view", "8"),
    ]
    assert listed(object_type="x.thing", object_id="7", action="export") == [
        (other.pk, "export", "7")
    ]
    later = (timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert listed(object_type="x.thing", since=later) == []
    assert len(listed(object_type="x.thing", until=later)) == 3


def test_bad_filters_are_explained_not_ignored(auditor_client: Client) -> None:
    """An impossible period or a malformed date shows an error and no events."""
    response = auditor_client.get("/audit/", {"since": "2026-02-01", "until": "2026-01-01"})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "before its start" in response.content.decode()
    response = auditor_client.get("/audit/", {"since": "yesterday"})
    assert response.context["page"] is None
    assert response.context["form"].errors["since"]
    fragment = auditor_client.get("/audit/", {"since": "yesterday"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    assert "From: Enter a valid date/time." in fragment.content.decode()


def test_viewing_the_audit_trail_is_audited_with_ids_only(
    auditor_client: Client, auditor: User, caseworker: User
) -> None:
    """The query is recorded with its filters; a user-name filter is recorded as ids."""
    audit_record(actor=caseworker, action=AuditAction.VIEW, object_type="x.thing", object_id="1")
    auditor_client.get("/audit/", {"user": caseworker.username, "action": "view"})
    event = last_event()
    assert (event.action, event.actor_id, event.object_type) == (
        AuditAction.LIST,
        auditor.pk,
        "core.auditevent",
    )
    assert event.detail["filters"] == {"user_ids": [caseworker.pk], "action": "view"}
    assert caseworker.username not in str(event.detail)
    assert event.detail["page"] == 1
    shown = auditor_client.get("/audit/", {"action": "list"})
    assert [e.sequence for e in shown.context["page"].object_list] == [event.sequence]
    assert "<code>{&quot;filters&quot;: {&quot;action&quot;: &quot;view&quot;" in (
        shown.content.decode()
    )


def test_pagination_keeps_the_filters(auditor_client: Client, caseworker: User) -> None:
    """Page links carry the filters; the second page holds the older events."""
    for n in range(60):
        audit_record(actor=caseworker, action=AuditAction.VIEW, object_type="x.p", object_id=str(n))
    first = auditor_client.get("/audit/", {"object_type": "x.p"})
    assert 'href="?object_type=x.p&amp;page=2"' in first.content.decode()
    second = auditor_client.get("/audit/", {"object_type": "x.p", "page": "2"})
    ids = [e.object_id for e in second.context["page"].object_list]
    assert ids == [str(n) for n in range(9, -1, -1)]


def test_htmx_requests_get_only_the_results(auditor_client: Client) -> None:
    """A filter submitted by HTMX receives the results fragment, not the whole page."""
    response = auditor_client.get("/audit/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()


def read_csv(response: object) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_export_streams_the_filtered_set_and_is_audited(
    auditor_client: Client, auditor: User, caseworker: User
) -> None:
    """The CSV holds exactly the filtered events; an export event records filter and count."""
    for n in range(3):
        audit_record(actor=caseworker, action=AuditAction.VIEW, object_type="x.e", object_id=str(n))
    response = auditor_client.get("/audit/export.csv", {"object_type": "x.e"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.streaming
    rows = read_csv(response)
    assert rows[0][:3] == ["sequence", "occurred_at", "actor_id"]
    assert [r[7] for r in rows[1:]] == ["2", "1", "0"]
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).get()
    assert event.actor_id == auditor.pk
    assert event.detail["filters"] == {"object_type": "x.e"}
    assert event.detail["rows"] == 3


def test_export_row_count_is_exact_when_unfiltered(auditor_client: Client) -> None:
    """Unfiltered, the file holds every event up to the export, and the count says so."""
    response = auditor_client.get("/audit/export.csv")
    rows = read_csv(response)
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).get()
    assert len(rows) - 1 == event.detail["rows"]
    assert int(rows[1][0]) == event.detail["up_to_sequence"] == event.sequence - 1


def test_export_neutralises_spreadsheet_formulas(auditor_client: Client) -> None:
    """Cells starting with = + - @ are prefixed with an apostrophe."""
    for evil in ('=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)"):
        audit_record(actor=None, action=AuditAction.VIEW, object_type="x.f", object_id=evil)
    rows = read_csv(auditor_client.get("/audit/export.csv", {"object_type": "x.f"}))
    assert sorted(r[7] for r in rows[1:]) == sorted(
        ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)"]
    )


def test_export_needs_the_export_permission(client: Client, auditor: User) -> None:
    """Without ``core.export_auditevent`` the export is refused even to a viewer."""
    role = Role.objects.get(code=RoleCode.AUDITOR)
    export = role.permissions.get(codename="export_auditevent")
    role.permissions.remove(export)
    login_verified(client, auditor)
    assert client.get("/audit/").status_code == 200
    assert client.get("/audit/export.csv").status_code == 403
    assert 'href="/audit/export.csv' not in client.get("/audit/").content.decode()


def test_events_name_the_actors_agency(auditor_client: Client) -> None:
    """The agency column shows the acting user's agency by name, not its id."""
    worker = make_user(role=RoleCode.CASEWORKER)
    make_record(owner=worker)
    login(Client(), worker).get("/people/")
    assert worker.agency is not None
    page = auditor_client.get("/audit/", {"user": worker.username}).content.decode()
    assert f"<td>{worker.agency.name}</td>" in page
