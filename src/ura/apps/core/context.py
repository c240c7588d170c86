"""Per-request audit context (client address, request id), set by the middleware."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    ip_address: str | None = None
    request_id: str = ""


_EMPTY = AuditContext()
_current: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "ura_audit_context",
    default=_EMPTY,
)


def current_audit_context() -> AuditContext:
    return _current.get()


def set_audit_context(context: AuditContext) -> contextvars.Token[AuditContext]:
    return _current.set(context)


def reset_audit_context(token: contextvars.Token[AuditContext]) -> None:
    _current.reset(token)
