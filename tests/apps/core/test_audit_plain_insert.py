"""The reads flushed at the end of a request are written with plain multi-row INSERTs
(``audit_append(returning=False)``): the rows must be exactly those ``bulk_create`` writes,
and the chain must verify across both kinds of append."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import make_user
from ura.apps.accounts.models import RoleCode
from ura.apps.core.context import AuditContext, reset_audit_context, set_audit_context
from ura.apps.core.models import AuditAction, AuditEvent
from ura.apps.core.selectors import audit_chain_verify
from ura.apps.core.services import AuditEntry, audit_append, audit_reads_at_end, audit_record

pytestmark = pytest.mark.django_db

_COMPARED = (
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_agency_id",
    "action",
    "object_type",
    "object_id",
    "changes",
    "detail",
    "ip_address",
    "request_id",
)


def _entries(count: int) -> list[AuditEntry]:
    return [
        AuditEntry(
            AuditAction.LIST,
            "cases.case",
            str(n),
            {},
            {"queue": True, "page": n, "note": "ünïcode ' \" \\ and quotes"},
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [1, 25, 150])
def test_plain_inserts_write_what_bulk_create_writes(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(role=RoleCode.CASEWORKER)
    now = dt.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=dt.UTC)
    monkeypatch.setattr("ura.apps.core.services.timezone.now", lambda: now)
    token = set_audit_context(AuditContext(ip_address="2001:db8::7", request_id="r-1"))
    try:
        returned = audit_append(actor=user, entries=_entries(count))
        assert audit_append(actor=user, entries=_entries(count), returning=False) == []
    finally:
        reset_audit_context(token)
    assert len(returned) == count
    rows = list(AuditEvent.objects.order_by("sequence"))[-2 * count :]
    by_bulk, by_plain = rows[:count], rows[count:]
    assert [e.sequence for e in rows] == list(
        range(by_bulk[0].sequence, by_bulk[0].sequence + 2 * count)
    )
    assert by_plain[0].occurred_at == now
    for bulk, plain in zip(by_bulk, by_plain, strict=True):
        for name in _COMPARED:
            assert getattr(plain, name) == getattr(bulk, name), name
    assert by_plain[0].previous_hash == by_bulk[-1].hash
    report = audit_chain_verify()
    assert report.ok, report.first_break


def test_reads_held_back_in_a_request_are_written_and_chained(client: Any) -> None:
    user = make_user(role=RoleCode.CASEWORKER)
    with audit_reads_at_end():
        audit_record(actor=user, action=AuditAction.VIEW, object_type="cases.case", object_id="7")
        assert not AuditEvent.objects.filter(object_id="7").exists()  # held back
        audit_append(actor=user, entries=_entries(3))
    written = list(AuditEvent.objects.filter(actor_id=user.pk).order_by("sequence"))
    assert [(e.action, e.object_id) for e in written] == [
        ("view", "7"),
        ("list", "0"),
        ("list", "1"),
        ("list", "2"),
    ]
    assert all(e.pk is not None for e in written)
    report = audit_chain_verify()
    assert report.ok, report.first_break


def test_the_plain_insert_writes_every_column() -> None:
    """A field added to AuditEvent must be added to the plain insert too (or it would be left
    to the database's default on the reads of every request)."""
    from ura.apps.core.services import _EVENT_COLUMNS

    fields = {f.name for f in AuditEvent._meta.concrete_fields if not f.primary_key}
    assert set(_EVENT_COLUMNS) == fields
    assert len(_EVENT_COLUMNS) == len(fields)
