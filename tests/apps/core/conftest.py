"""Fixtures for the core app: auditors signed in with their second factor."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import login
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, User


def login_verified(client: Client, user: User) -> Client:
    """Sign in through the login form, then enrol TOTP through the two-factor page."""
    login(client, user)
    assert client.get("/accounts/two-factor/").status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = client.post("/accounts/two-factor/", {"token": f"{totp.token():06d}"})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def auditor(db: None) -> User:
    return make_user(role=RoleCode.AUDITOR)


@pytest.fixture
def auditor_client(auditor: User) -> Client:
    return login_verified(Client(), auditor)
