"""Binds each request's client address and a request id to the audit context, and gives the
request its memo (``core.context.request_memo``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ura.apps.core.context import (
    AuditContext,
    request_memo_scope,
    reset_audit_context,
    set_audit_context,
)


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy
        # rewrites it, and a forged address in the audit trail is worse than none.
        token = set_audit_context(
            AuditContext(
                ip_address=request.META.get("REMOTE_ADDR") or None, request_id=str(uuid.uuid4())
            )
        )
        try:
            with request_memo_scope():
                response = self.get_response(request)
        finally:
            reset_audit_context(token)
        return response
