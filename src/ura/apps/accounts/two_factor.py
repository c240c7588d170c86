"""TOTP two-factor authentication on django-otp (RFC 6238 devices)."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import segno
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_record

if TYPE_CHECKING:
    from ura.apps.accounts.models import User


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (created on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def provisioning_qr_svg(device: TOTPDevice) -> str:
    """The ``otpauth://`` URI as an inline SVG QR code (no external service)."""
    return str(
        segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#111", light="#fff")
    )


def two_factor_verify(*, request: HttpRequest, device: TOTPDevice, token: str) -> bool:
    """Check a code; on success confirm the device (enrolment) and mark the session verified."""
    with transaction.atomic():
        ok = bool(device.verify_token(token.strip()))
        audit_record(
            actor=request.user,
            action=AuditAction.TWO_FACTOR,
            detail={"outcome": "verified" if ok else "rejected", "enrolment": not device.confirmed},
        )
        if ok:
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
    return ok
