"""Tamper evidence: the database refuses edits, and verification finds any that get through.

The tamper tests act as a database administrator would: they switch the append-only
trigger off (dropping it on SQLite, disabling it on PostgreSQL) and change rows with raw SQL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.db import DatabaseError, connection, connections, transaction
from typer.testing import CliRunner

from ura.apps.core.models import AuditAction, AuditChainHead, AuditEvent
from ura.apps.core.selectors import audit_chain_verify
from ura.apps.core.services import audit_record
from ura.cli import app
from ura.integrity import BreakReason, chain_digest

pytestmark = pytest.mark.django_db

# How a database administrator switches the append-only guard off, per database.
_DISABLE_TRIGGERS = {
    "sqlite": [
        "DROP TRIGGER core_auditevent_no_update",
        "DROP TRIGGER core_auditevent_no_delete",
    ],
    "postgresql": ["ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update"],
}


def raw(sql: str, params: list[str | int] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.fixture
def events() -> list[AuditEvent]:
    """Ten chained events (besides any written while setting up)."""
    written = [
        audit_record(actor=None, action=AuditAction.VIEW, object_type="x.thing", object_id=str(n))
        for n in range(10)
    ]
    found = [e for e in written if e is not None]  # none is held back outside a request
    assert len(found) == 10
    return found


@pytest.fixture
def triggers_off(events: list[AuditEvent]) -> None:
    statements = _DISABLE_TRIGGERS.get(connection.vendor)
    if statements is None:
        pytest.skip("no known way to switch this database's audit trigger off")
    for statement in statements:
        raw(statement)


def first_break() -> tuple[object, BreakReason]:
    report = audit_chain_verify()
    assert report.first_break is not None, "tampering went unnoticed"
    return report.first_break.entry_id, report.first_break.reason


def test_an_untouched_chain_verifies(events: list[AuditEvent]) -> None:
    """Every event written through the services verifies, head included."""
    report = audit_chain_verify()
    assert report.ok
    assert report.checked == AuditEvent.objects.count() >= 10


def test_progress_reports_checked_and_total(events: list[AuditEvent]) -> None:
    """Progress ends at (all events, all events)."""
    seen: list[tuple[int, int]] = []
    audit_chain_verify(progress=lambda done, total: seen.append((done, total)))
    total = AuditEvent.objects.count()
    assert seen[-1] == (total, total)


def test_the_orm_refuses_changes(events: list[AuditEvent]) -> None:
    """save() of a stored event, delete(), and bulk update/delete all raise."""
    event = events[3]
    event.object_id = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(object_id="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert audit_chain_verify().ok


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET object_id = 'changed' WHERE sequence = %s",
        "DELETE FROM core_auditevent WHERE sequence = %s",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes(events: list[AuditEvent], sql: str) -> None:
    """With the trigger in place, even raw SQL cannot change or remove an event."""
    if connection.vendor not in _DISABLE_TRIGGERS:
        pytest.skip("this database has no append-only trigger")
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(sql, [events[4].sequence])
    assert AuditEvent.objects.get(sequence=events[4].sequence).object_id == "4"
    assert audit_chain_verify().ok


@pytest.mark.usefixtures("triggers_off")
@pytest.mark.parametrize("column", ["object_id", "action", "actor_username", "ip_address"])
def test_a_changed_field_is_reported_at_its_event(events: list[AuditEvent], column: str) -> None:
    """Changing any covered field of one event breaks the chain exactly at that event."""
    target = events[5].sequence
    value = "127.0.0.2" if column == "ip_address" else "login"
    raw(f"UPDATE core_auditevent SET {column} = %s WHERE sequence = %s", [value, target])  # noqa: S608
    assert first_break() == (target, BreakReason.ALTERED)


@pytest.mark.usefixtures("triggers_off")
def test_a_changed_link_is_reported(events: list[AuditEvent]) -> None:
    """Rewriting an event's stored link to its predecessor is detected."""
    target = events[2].sequence
    raw("UPDATE core_auditevent SET previous_hash = %s WHERE sequence = %s", ["0" * 64, target])
    assert first_break() == (target, BreakReason.LINK)


@pytest.mark.usefixtures("triggers_off")
def test_a_deleted_event_is_reported_as_missing(events: list[AuditEvent]) -> None:
    """Removing an event leaves a gap, named by the missing sequence number."""
    target = events[6].sequence
    raw("DELETE FROM core_auditevent WHERE sequence = %s", [target])
    assert first_break() == (target, BreakReason.MISSING)


@pytest.mark.usefixtures("triggers_off")
def test_a_deleted_last_event_is_reported_by_the_head(events: list[AuditEvent]) -> None:
    """Cutting off the end changes no digest; the chain head still names the lost event."""
    target = events[-1].sequence
    raw("DELETE FROM core_auditevent WHERE sequence = %s", [target])
    assert first_break() == (target, BreakReason.MISSING)


@pytest.mark.usefixtures("triggers_off")
def test_reordered_events_are_reported(events: list[AuditEvent]) -> None:
    """Swapping the sequence numbers of two events breaks the chain at the earlier one."""
    a, b = events[3].sequence, events[4].sequence
    raw("UPDATE core_auditevent SET sequence = -1 WHERE sequence = %s", [a])
    raw("UPDATE core_auditevent SET sequence = %s WHERE sequence = %s", [a, b])
    raw("UPDATE core_auditevent SET sequence = %s WHERE sequence = -1", [b])
    assert first_break()[0] == a


@pytest.mark.usefixtures("triggers_off")
def test_an_event_moved_to_the_end_is_reported(events: list[AuditEvent]) -> None:
    """Re-inserting an event at the end (a delete plus an insert) leaves its gap behind."""
    moved = events[1].sequence
    last = AuditChainHead.objects.get().last_sequence
    raw("UPDATE core_auditevent SET sequence = %s WHERE sequence = %s", [last + 1, moved])
    assert first_break() == (moved, BreakReason.MISSING)


def test_a_forged_event_with_the_wrong_key_is_reported(events: list[AuditEvent]) -> None:
    """An event appended by someone without the key fails, even with a matching head."""
    head = AuditChainHead.objects.get()
    forged = AuditEvent(
        sequence=head.last_sequence + 1,
        occurred_at=events[-1].occurred_at,
        action=AuditAction.LOGIN,
        previous_hash=head.last_hash,
    )
    forged.hash = chain_digest(b"not the key", head.last_hash, forged.chain_content())
    forged.save()
    head.last_sequence, head.last_hash = forged.sequence, forged.hash
    head.save()
    assert first_break() == (forged.sequence, BreakReason.ALTERED)


def test_an_event_appended_around_the_head_is_reported(events: list[AuditEvent]) -> None:
    """An insert that bypasses the chain head (without the key) is caught."""
    head = AuditChainHead.objects.get()
    AuditEvent.objects.create(
        sequence=head.last_sequence + 1,
        occurred_at=events[-1].occurred_at,
        action=AuditAction.LOGIN,
        previous_hash=head.last_hash,
        hash="0" * 64,
    )
    assert first_break() == (head.last_sequence + 1, BreakReason.ALTERED)


# --- The command line -----------------------------------------------------------------------


def test_cli_exits_zero_on_an_intact_chain_and_records_the_check(
    events: list[AuditEvent],
) -> None:
    """``ura audit verify`` says the chain is intact, exits 0 and leaves an audit event."""
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Audit chain intact" in result.output
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert event.action == AuditAction.AUDIT_VERIFY
    assert event.detail["ok"] is True
    assert event.detail["via"] == "cli"


@pytest.mark.usefixtures("triggers_off")
def test_cli_exits_one_and_names_the_broken_event(events: list[AuditEvent]) -> None:
    """On a broken chain the command exits 1 and prints the first broken event's number."""
    target = events[7].sequence
    raw("UPDATE core_auditevent SET object_id = 'x' WHERE sequence = %s", [target])
    before = AuditEvent.objects.count()
    result = CliRunner().invoke(app, ["audit", "verify", "--no-record"])
    assert result.exit_code == 1, result.output
    assert f"BROKEN at event #{target}" in result.output
    assert AuditEvent.objects.count() == before


# --- Concurrency --------------------------------------------------------------------------------


@pytest.fixture
def thread_connections() -> Iterator[None]:
    yield
    connections.close_all()


@pytest.mark.skipif(
    not connection.features.has_select_for_update,
    reason="the chain head is locked with SELECT ... FOR UPDATE",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("thread_connections")
def test_concurrent_appends_never_fork_the_chain() -> None:
    """Two writers appending at once, each in its own transactions, keep one chain."""
    per_thread = 60
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            start.wait()
            for n in range(per_thread):
                with transaction.atomic():
                    audit_record(
                        actor=None,
                        action=AuditAction.VIEW,
                        object_type="x.concurrent",
                        object_id=f"{name}-{n}",
                    )
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, len(sequences) + 1))
    assert AuditEvent.objects.filter(object_type="x.concurrent").count() == 2 * per_thread
    report = audit_chain_verify()
    assert report.ok, report
    assert report.checked == len(sequences)
