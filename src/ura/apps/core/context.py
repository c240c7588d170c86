"""Per-request audit context (client address, request id) and per-request memo, both set
by the middleware."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


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


_memo: contextvars.ContextVar[dict[Any, Any] | None] = contextvars.ContextVar(
    "ura_request_memo", default=None
)


@contextmanager
def request_memo_scope() -> Iterator[None]:
    """Keep a memo for the duration of one request (``request_memo``)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def request_memo() -> dict[Any, Any] | None:
    """A dictionary that lives as long as the current request, for values worked out once
    per request and reused (None outside a request: tasks, commands and tests calling
    services directly recompute every time)."""
    return _memo.get()


def forget_request_memo() -> None:
    """Empty the current request's memo (after a change that may make a value wrong)."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()
