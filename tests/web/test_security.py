"""Production settings, security headers and the generated secret key."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import login
from ura.apps.accounts.models import User
from ura.web.secrets import load_or_create_secret

_PRINT_SETTINGS = """
import json
from ura.web import settings as s
print(json.dumps({name: getattr(s, name, None) for name in (
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_HTTPONLY",
    "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF", "PASSWORD_HASHERS")}))
"""


def _settings_in(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings module in a fresh interpreter with exactly this environment."""
    clean = {"PATH": os.environ["PATH"], "URA_VAR_DIR": str(tmp_path), **env}
    return subprocess.run(  # noqa: S603 - fixed interpreter and script
        [sys.executable, "-c", _PRINT_SETTINGS],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )


def test_production_settings_are_hardened(tmp_path: Path) -> None:
    """In production cookies are secure, HTTPS is forced with HSTS, DEBUG stays off."""
    result = _settings_in(
        tmp_path,
        URA_ENV="production",
        URA_SECRET_KEY="k" * 50,
        URA_AUDIT_KEY="a" * 50,
        URA_DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")


def test_debug_is_off_by_default_outside_development(tmp_path: Path) -> None:
    """Without URA_DEBUG=1, DEBUG is off even in development."""
    result = _settings_in(tmp_path, URA_ENV="development")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["DEBUG"] is False


@pytest.mark.parametrize("missing", ["URA_SECRET_KEY", "URA_AUDIT_KEY"])
def test_production_refuses_to_start_without_secrets(tmp_path: Path, missing: str) -> None:
    """A missing secret in production stops start-up with a message naming it."""
    env = {"URA_ENV": "production", "URA_SECRET_KEY": "k" * 50, "URA_AUDIT_KEY": "a" * 50}
    del env[missing]
    result = _settings_in(tmp_path, **env)
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_secret_key_file_is_private_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The embedded default generates the key once, mode 0600, and reads it back afterwards."""
    monkeypatch.delenv("URA_TEST_SECRET", raising=False)
    path = tmp_path / "var" / "secret_key"
    first = load_or_create_secret("URA_TEST_SECRET", path, production=False)
    assert len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret("URA_TEST_SECRET", path, production=False) == first
    monkeypatch.setenv("URA_TEST_SECRET", "from-the-environment")
    assert load_or_create_secret("URA_TEST_SECRET", path, production=False) == (
        "from-the-environment"
    )


def test_security_headers_on_pages(caseworker: User) -> None:
    """Pages carry CSP without 'unsafe-inline', Permissions-Policy, framing and sniffing bans."""
    client = login(Client(), caseworker)
    response = client.get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_login_page_has_headers_and_csrf(db: None) -> None:
    """The sign-in page is framed by nobody and its form is CSRF-protected."""
    client = Client(enforce_csrf_checks=True)
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response
    assert "csrfmiddlewaretoken" in response.content.decode()
    refused = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert refused.status_code == 403
