"""TOTP two-factor sign-in for administrators and auditors (django-otp)."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import login
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, User
from ura.apps.core.models import AuditAction, AuditEvent


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def administrator(db: None) -> User:
    return make_user(role=RoleCode.ADMINISTRATOR)


def _enrol(client: Client, user: User) -> TOTPDevice:
    login(client, user)
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/accounts/two-factor/", {"token": _code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


@pytest.mark.parametrize("role", [RoleCode.ADMINISTRATOR, RoleCode.AUDITOR])
def test_privileged_roles_are_sent_to_enrolment_first(db: None, role: RoleCode) -> None:
    """Administrators and auditors see a QR code (inline SVG) and the manual key first."""
    client = login(Client(), make_user(role=role))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/"
    page = client.get("/accounts/two-factor/").content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(confirmed=False)
    assert device.config_url.split("secret=")[1].split("&")[0] in page


@pytest.mark.parametrize("path", ["/", "/people/", "/audit/", "/admin/", "/api/v1/people/records"])
def test_unverified_administrator_reaches_no_page(administrator: User, path: str) -> None:
    """Before the code is entered, pages, the admin and the API (by session) are all refused."""
    client = login(Client(), administrator)
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/two-factor/")


def test_valid_code_confirms_device_and_opens_the_admin(administrator: User) -> None:
    """A valid code confirms the device; the session may then open the admin and the API."""
    client = Client()
    _enrol(client, administrator)
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200
    # Signed in to the API (not 401); administrators may not list person records (403).
    assert client.get("/api/v1/people/records").status_code == 403
    assert AuditEvent.objects.filter(
        action=AuditAction.TWO_FACTOR, detail={"outcome": "verified", "enrolment": True}
    ).exists()


def test_later_sign_in_asks_for_a_code_not_enrolment(administrator: User) -> None:
    """With a confirmed device, the next sign-in asks for a code and shows no secret."""
    client = Client()
    _enrol(client, administrator)
    client.post("/accounts/logout/")
    login(client, administrator)
    assert client.get("/").status_code == 302
    page = client.get("/accounts/two-factor/").content.decode()
    assert "<svg" not in page
    assert TOTPDevice.objects.get(user=administrator).config_url.split("secret=")[1][:16] not in (
        page
    )


def test_invalid_code_is_refused_and_audited(administrator: User) -> None:
    """A wrong code leaves the device unconfirmed and the session unverified; it is audited."""
    client = login(Client(), administrator)
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=administrator)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/two-factor/", {"token": wrong})
    assert response.status_code == 200
    assert "not valid" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditAction.TWO_FACTOR, detail={"outcome": "rejected", "enrolment": True}
    ).exists()


def test_a_code_cannot_be_used_twice(administrator: User) -> None:
    """The code used to verify one session is refused for the next (django-otp's last_t)."""
    client = Client()
    device = _enrol(client, administrator)
    used = _code(device)
    client.post("/accounts/logout/")
    login(client, administrator)
    response = client.post("/accounts/two-factor/", {"token": used})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_failures_throttle_further_attempts(administrator: User) -> None:
    """After a wrong code even the right one is refused for a while (brute-force protection)."""
    client = Client()
    device = _enrol(client, administrator)
    client.post("/accounts/logout/")
    login(client, administrator)
    device.refresh_from_db()
    device.last_t = -1  # the code of this time step has not been used yet
    device.save(update_fields=["last_t"])
    client.post("/accounts/two-factor/", {"token": f"{(int(_code(device)) + 1) % 1_000_000:06d}"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    response = client.post("/accounts/two-factor/", {"token": _code(device)})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_caseworkers_are_not_asked_for_a_code(caseworker: User) -> None:
    """Users whose roles do not require two-factor go straight to their pages."""
    client = login(Client(), caseworker)
    assert client.get("/").status_code == 200
    assert not TOTPDevice.objects.exists()
