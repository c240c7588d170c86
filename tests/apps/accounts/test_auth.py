"""Sign-in security: Argon2, lockout with audit, login/logout audit, session expiry."""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.test import Client

from tests.conftest import login
from tests.factories import PASSWORD, make_user
from ura.apps.accounts.models import RoleCode, User
from ura.apps.core.models import AuditAction, AuditEvent


def _failed_login(client: Client, username: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": "wrong password!"})


def test_new_passwords_are_hashed_with_argon2(db: None, settings: Any) -> None:
    """With the real settings' hashers, a new password is stored as an Argon2 hash."""
    from ura.web import settings as ura_settings

    # The autouse fixture swapped in MD5; restore what the settings module itself declares.
    settings.PASSWORD_HASHERS = ura_settings.PASSWORD_HASHERS
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    user = make_user()
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)


def test_successful_login_and_post_logout_are_audited(caseworker: User) -> None:
    """Signing in writes ``login``; signing out by POST writes ``logout``."""
    client = login(Client(), caseworker)
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor_id=caseworker.pk).exists()
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor_id=caseworker.pk).exists()


def test_logout_by_get_is_refused(caseworker: User) -> None:
    """A GET cannot sign a user out (a link or image on another page must not do it)."""
    client = login(Client(), caseworker)
    assert client.get("/accounts/logout/").status_code == 405
    assert not AuditEvent.objects.filter(action=AuditAction.LOGOUT).exists()


def test_failures_lock_out_the_user_name_and_are_audited_without_password(
    caseworker: User,
) -> None:
    """After AXES_FAILURE_LIMIT failures the user is locked out, even with the right password."""
    client = Client()
    limit = django_settings.AXES_FAILURE_LIMIT
    for _ in range(limit):
        _failed_login(client, caseworker.username)
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failed.count() == limit
    assert all(e.detail == {"username": caseworker.username} for e in failed)
    assert AuditEvent.objects.filter(
        action=AuditAction.LOCKOUT, detail={"username": caseworker.username}
    ).exists()

    response = client.post(
        "/accounts/login/", {"username": caseworker.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()
    for event in AuditEvent.objects.all():
        assert "wrong password" not in str(event.detail) + str(event.changes)
        assert PASSWORD not in str(event.detail) + str(event.changes)


def test_lockout_is_per_user_name(caseworker: User) -> None:
    """Failures against one user name do not lock out another user from the same address."""
    other = make_user(role=RoleCode.CASEWORKER)
    client = Client()
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        _failed_login(client, other.username)
    login(client, caseworker)


def test_locked_user_can_sign_in_after_cool_off(caseworker: User, settings: Any) -> None:
    """Once the cool-off has passed, the right password works again."""
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    client = Client()
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        _failed_login(client, caseworker.username)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - django_settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )
    login(client, caseworker)


def test_idle_session_expires(caseworker: User, settings: Any) -> None:
    """A session unused for longer than URA_SESSION_IDLE_SECONDS is ended."""
    client = login(Client(), caseworker)
    assert client.get("/").status_code == 200
    session = client.session
    session["ura_last_seen"] = session["ura_last_seen"] - settings.URA_SESSION_IDLE_SECONDS - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].endswith("?expired=1")
    assert client.get("/").status_code == 302  # signed out for good
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor_id=caseworker.pk).exists()


def test_active_session_is_kept(caseworker: User, settings: Any) -> None:
    """A session used within the idle limit stays signed in."""
    client = login(Client(), caseworker)
    assert client.get("/").status_code == 200
    session = client.session
    session["ura_last_seen"] = session["ura_last_seen"] - settings.URA_SESSION_IDLE_SECONDS + 60
    session.save()
    assert client.get("/").status_code == 200


def test_session_has_an_absolute_lifetime(caseworker: User, settings: Any) -> None:
    """The session ends SESSION_COOKIE_AGE after sign-in even when it is in constant use."""
    client = login(Client(), caseworker)
    assert client.get("/").status_code == 200
    session = client.session
    session["ura_signed_in_at"] -= settings.SESSION_COOKIE_AGE + 1
    session.save()  # ura_last_seen stays recent: the session is not idle
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].endswith("?expired=1")
    assert client.get("/").status_code == 302


def test_axes_settings_are_known_to_axes() -> None:
    """Every AXES_* name in Ura's settings is one the installed django-axes reads.

    Axes ignores unknown names silently, so a renamed setting would quietly drop the lockout.
    """
    from pathlib import Path

    import axes.conf

    from ura.web import settings as ura_settings

    known = Path(axes.conf.__file__).read_text(encoding="utf-8")
    used = [name for name in vars(ura_settings) if name.startswith("AXES_")]
    assert "AXES_FAILURE_LIMIT" in used
    assert [name for name in used if f"settings.{name}" not in known] == []
