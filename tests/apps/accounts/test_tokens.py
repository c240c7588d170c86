"""API token management: the ``ura token`` commands and the admin's revoke action."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from typer.testing import CliRunner

from tests.factories import make_user
from ura.apps.accounts.models import ApiToken, RoleCode, User
from ura.apps.accounts.services import api_token_authenticate, api_token_create, role_assign
from ura.apps.core.models import AuditAction, AuditEvent
from ura.cli import app

runner = CliRunner()


def test_cli_creates_a_token_printing_the_secret_once(caseworker: User) -> None:
    """``ura token create`` prints a working secret; only its digest is stored; it is audited."""
    result = runner.invoke(
        app, ["token", "create", caseworker.username, "registry sync", "--expires-days", "30"]
    )
    assert result.exit_code == 0, result.output
    raw = result.output.strip().splitlines()[-1]
    assert raw.startswith("ura_")
    token = ApiToken.objects.get()
    assert token.digest != raw
    assert raw not in token.digest + token.prefix + token.name
    assert token.expires_at is not None
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert api_token_authenticate(raw) == caseworker
    event = AuditEvent.objects.get(action=AuditAction.API_TOKEN)
    assert event.detail == {"change": "created", "user_id": caseworker.pk}
    assert raw not in str(event.detail) + str(event.changes)


def test_cli_refuses_unknown_user_and_bad_expiry(caseworker: User) -> None:
    """Unknown users and non-positive expiries are clear errors, and create nothing."""
    assert runner.invoke(app, ["token", "create", "nobody", "x"]).exit_code == 2
    bad = runner.invoke(app, ["token", "create", caseworker.username, "x", "--expires-days", "0"])
    assert bad.exit_code == 2
    assert not ApiToken.objects.exists()


def test_cli_lists_and_revokes(caseworker: User) -> None:
    """``ura token list`` shows the prefix and state; ``ura token revoke`` stops the token."""
    token, raw = api_token_create(actor=None, user=caseworker, name="sync")
    listed = runner.invoke(app, ["token", "list"])
    assert token.prefix in listed.output
    assert "active" in listed.output
    assert raw not in listed.output
    assert runner.invoke(app, ["token", "revoke", token.prefix]).exit_code == 0
    assert api_token_authenticate(raw) is None
    assert "revoked" in runner.invoke(app, ["token", "list"]).output
    assert AuditEvent.objects.filter(
        action=AuditAction.API_TOKEN, detail={"change": "revoked"}
    ).exists()
    assert runner.invoke(app, ["token", "revoke", token.prefix]).exit_code == 2


def test_admin_action_revokes_tokens_with_audit(db: None) -> None:
    """The admin's "revoke" action revokes the selected tokens through the audited service."""
    admin_user = make_user(role=RoleCode.ADMINISTRATOR)
    admin_user.is_staff = True
    admin_user.is_superuser = True
    admin_user.save()
    token, raw = api_token_create(actor=None, user=make_user(), name="sync")
    client = Client()
    client.force_login(admin_user)
    session = client.session
    # The admin needs a verified second factor; stand in for django-otp's session marker.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=admin_user, name="app", confirmed=True)
    session["otp_device_id"] = device.persistent_id
    session.save()
    response = client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302, response.content[:300]
    assert api_token_authenticate(raw) is None
    event = AuditEvent.objects.filter(action=AuditAction.API_TOKEN).last()
    assert event is not None
    assert event.detail == {"change": "revoked"}
    assert event.actor_id == admin_user.pk


@pytest.mark.django_db
@pytest.mark.parametrize("role", [RoleCode.ADMINISTRATOR, RoleCode.AUDITOR])
def test_privileged_users_get_no_token(role: RoleCode) -> None:
    """Roles that require two-factor sign-in cannot hold bearer tokens, which would skip it."""
    user = make_user(role=role)
    with pytest.raises(PermissionDenied):
        api_token_create(actor=None, user=user, name="integration")
    assert not ApiToken.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_token_stops_working_when_its_user_gains_a_privileged_role(client: Client) -> None:
    """A token made for a caseworker is refused once that user also becomes an auditor."""
    user = make_user(role=RoleCode.CASEWORKER)
    _, raw = api_token_create(actor=None, user=user, name="integration")
    auth = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/people/records", headers=auth).status_code == 200
    role_assign(actor=None, user=user, role_code=RoleCode.AUDITOR)
    assert client.get("/api/v1/people/records", headers=auth).status_code == 401
