"""The JSON API: schema, local docs page, session and token authentication."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import login
from tests.factories import make_record, make_user
from ura.apps.accounts.models import RoleCode, User
from ura.apps.accounts.services import api_token_create, api_token_revoke

RECORDS = "/api/v1/people/records"


def _bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def test_openapi_schema_lists_the_people_endpoints(db: None) -> None:
    """The OpenAPI document describes the person-record endpoints and both auth schemes."""
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/people/records" in schema["paths"]
    assert "/api/v1/people/records/{record_id}" in schema["paths"]
    assert {"SessionAuth", "BearerToken"} <= set(schema["components"]["securitySchemes"])


def test_docs_page_uses_only_local_assets_and_no_inline_script(db: None) -> None:
    """The docs page loads Swagger UI from Ura's static files, with no script inline (CSP)."""
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", html)
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui-init.js" in html
    # The only inline <script> is JSON data, which browsers do not execute.
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        assert "src=" in attributes or 'type="application/json"' in attributes, body
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_unauthenticated_request_gets_401_json(db: None) -> None:
    """Without a session or a token the API answers 401 with a JSON body."""
    response = Client().get(RECORDS)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Unauthorized"}


def test_session_auth_reads_records(caseworker: User) -> None:
    """A signed-in caseworker reads their agency's records over the API."""
    record = make_record(owner=caseworker)
    client = login(Client(), caseworker)
    response = client.get(f"{RECORDS}/{record.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == record.pk


def test_session_post_without_csrf_token_is_refused(caseworker: User) -> None:
    """Unsafe methods with the session cookie need the CSRF token."""
    client = login(Client(), caseworker)
    client.handler.enforce_csrf_checks = True  # from here on, as a browser would be checked
    response = client.post(
        RECORDS, json.dumps({"given_names": "A", "family_name": "B"}), "application/json"
    )
    assert response.status_code in {401, 403}
    client.get("/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        RECORDS,
        json.dumps({"given_names": "A", "family_name": "B"}),
        "application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201, response.content


def test_valid_token_reads_and_writes(caseworker: User) -> None:
    """A bearer token authenticates without a session and without CSRF."""
    _token, raw = api_token_create(actor=caseworker, user=caseworker, name="integration")
    client = Client(enforce_csrf_checks=True)
    assert client.get(RECORDS, headers=_bearer(raw)).status_code == 200
    response = client.post(
        RECORDS,
        json.dumps({"given_names": "A", "family_name": "B"}),
        "application/json",
        headers=_bearer(raw),
    )
    assert response.status_code == 201, response.content
    _token.refresh_from_db()
    assert _token.last_used_at is not None


def test_revoked_expired_and_unknown_tokens_are_refused(caseworker: User) -> None:
    """Revoked, expired and unknown tokens all get 401."""
    revoked, revoked_raw = api_token_create(actor=caseworker, user=caseworker, name="r")
    api_token_revoke(actor=caseworker, token=revoked)
    _expired, expired_raw = api_token_create(
        actor=caseworker,
        user=caseworker,
        name="e",
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    unknown = "ura_" + "x" * 43
    for raw in (revoked_raw, expired_raw, unknown, "not-a-ura-token"):
        assert Client().get(RECORDS, headers=_bearer(raw)).status_code == 401, raw


def test_token_of_deactivated_user_is_refused(caseworker: User) -> None:
    """A token stops working when its user is deactivated."""
    _token, raw = api_token_create(actor=caseworker, user=caseworker, name="i")
    caseworker.is_active = False
    caseworker.save(update_fields=["is_active"])
    assert Client().get(RECORDS, headers=_bearer(raw)).status_code == 401


def test_token_of_another_agency_gets_404(caseworker: User) -> None:
    """A token's user sees only what that user may see: another agency's record is 404."""
    record = make_record(owner=caseworker)
    stranger = make_user(role=RoleCode.CASEWORKER)
    _token, raw = api_token_create(actor=stranger, user=stranger, name="other")
    response = Client().get(f"{RECORDS}/{record.pk}", headers=_bearer(raw))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    listed = Client().get(RECORDS, headers=_bearer(raw)).json()
    assert record.pk not in [r["id"] for r in listed["results"]]


@pytest.mark.parametrize("role", [RoleCode.ADMINISTRATOR, RoleCode.AUDITOR])
def test_privileged_session_without_otp_is_refused(db: None, role: RoleCode) -> None:
    """An administrator's or auditor's session that has not passed TOTP gets 401."""
    client = login(Client(), make_user(role=role))
    assert client.get(RECORDS).status_code == 401
