"""Audit events for logins, failed logins, logouts and lockouts.

Django and django-axes announce these only through signals, so this module is the one place
in Ura that listens to signals; everything else calls services explicitly.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action=AuditAction.LOGIN, obj=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGOUT, obj=user)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The attempted user name is kept (it identifies the targeted account); the password
    # never is (Django already scrubs it from ``credentials``).
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        detail={"username": str(credentials.get("username", ""))[:150]},
    )


@receiver(user_locked_out)
def _locked_out(
    sender: Any, request: HttpRequest | None, username: str | None = None, **kwargs: Any
) -> None:
    audit_record(
        actor=None, action=AuditAction.LOCKOUT, detail={"username": (username or "")[:150]}
    )
