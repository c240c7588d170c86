"""Core writes: appending to the audit trail, and starting and reporting background jobs.

Every other app records its audit events through these functions, inside the same
transaction as the change they describe, so that a change and its audit event are committed
or rolled back together. Events that only say a record was shown (view, list, search) may
instead wait for the end of a read-only request (``audit_reads_at_end``): appending locks the
chain head until the transaction ends, and a read audited early would hold that lock — and
every other user's request — while the page is built.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from ura.apps.core.context import current_audit_context
from ura.apps.core.models import AuditAction, AuditChainHead, AuditEvent, Job, JobStatus
from ura.apps.core.protected import sensitive_fields
from ura.integrity import GENESIS, ChainReport, chain_digest

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser
    from django_tasks.base import Task

    Actor = AbstractUser | AnonymousUser | None


@dataclass
class AuditEntry:
    """What an event says; who and when are filled in by ``audit_append``."""

    action: AuditAction
    object_type: str = ""
    object_id: str = ""
    changes: Mapping[str, Any] = field(default_factory=dict)
    detail: Mapping[str, Any] = field(default_factory=dict)


def object_label(obj: models.Model) -> tuple[str, str]:
    """Return ``(object_type, object_id)`` of an instance: ``("people.personrecord", "42")``."""
    return obj._meta.label_lower, str(obj.pk)


def _actor_fields(actor: Actor) -> tuple[int | None, str, int | None]:
    if actor is None or not actor.is_authenticated:
        return None, "", None
    agency_id = getattr(actor, "agency_id", None)
    return int(actor.pk), actor.get_username(), agency_id


#: Events that record only that a record was shown to someone.
READ_ACTIONS = frozenset({AuditAction.VIEW, AuditAction.LIST, AuditAction.SEARCH})

#: The read events waiting for the end of an ``audit_reads_at_end`` block, with their actor.
_pending_reads: ContextVar[list[tuple[Actor, AuditEntry]] | None] = ContextVar(
    "ura_pending_read_audits", default=None
)


@contextmanager
def audit_reads_at_end() -> Iterator[None]:
    """Hold back read events (``READ_ACTIONS``) appended inside the block and append them
    together when the block ends without an error.

    For read-only requests: wrap the whole of building the response. Appending locks the
    chain head until the transaction ends; a request that audits what it shows as it loads
    it would hold the lock — under ``ATOMIC_REQUESTS``, queueing every other request that
    audits — while it goes on to load and render. Held back, the events are appended at the
    end, just before the request's transaction commits: the lock is held for the commit
    only. An auditor loses nothing: a block that raises shows nothing, and writes no event
    (its transaction would roll them back anyway); a block that returns has built what it
    shows, and every record shown has its event in the same transaction as before. Other
    events (a refused access, any write) are appended at once, as outside the block.
    """
    if _pending_reads.get() is not None:  # nested: the outermost block appends
        yield
        return
    pending: list[tuple[Actor, AuditEntry]] = []
    token = _pending_reads.set(pending)
    try:
        yield
    finally:
        _pending_reads.reset(token)
    # Reached only when the block did not raise. Consecutive events of one actor (all of
    # them, in a request) are appended in one go: one lock, one insert. Nobody needs the
    # events back.
    batch: list[AuditEntry] = []
    batch_actor: Actor = None
    for actor, entry in pending:
        if batch and actor is not batch_actor:
            audit_append(actor=batch_actor, entries=batch, returning=False)
            batch = []
        batch_actor = actor
        batch.append(entry)
    audit_append(actor=batch_actor, entries=batch, returning=False)


def audit_append(
    *, actor: Actor, entries: Sequence[AuditEntry], returning: bool = True
) -> list[AuditEvent]:
    """Append ``entries`` to the audit chain, in order, in the current transaction.

    The chain head row is locked for the rest of the transaction, so concurrent appends are
    serialised and the chain never forks. Inside ``audit_reads_at_end``, entries that are
    all reads are held back until the block ends, and none is returned.

    With ``returning`` False the same events are written, chained the same way, and not
    returned: one plain multi-row INSERT instead of ``bulk_create``, whose preparation of
    every value of every event through its field cost more than the rest of the append (the
    reads of a request, 25 to 50 events, flushed at its end).
    """
    if not entries:
        return []
    pending = _pending_reads.get()
    if pending is not None and all(e.action in READ_ACTIONS for e in entries):
        pending.extend((actor, e) for e in entries)
        return []
    key = settings.URA_AUDIT_KEY.encode("utf-8")
    context = current_audit_context()
    actor_id, actor_username, actor_agency_id = _actor_fields(actor)
    now = timezone.now()
    with transaction.atomic():
        head = _locked_head()
        events = []
        previous, sequence = head.last_hash, head.last_sequence
        for entry in entries:
            sequence += 1
            event = AuditEvent(
                sequence=sequence,
                occurred_at=now,
                actor_id=actor_id,
                actor_username=actor_username,
                actor_agency_id=actor_agency_id,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                changes=dict(entry.changes),
                detail=dict(entry.detail),
                ip_address=context.ip_address,
                request_id=context.request_id,
                previous_hash=previous,
            )
            event.hash = chain_digest(key, previous, event.chain_content())
            previous = event.hash
            events.append(event)
        if returning:
            AuditEvent.objects.bulk_create(events)
        else:
            _insert_events(events)
        head.last_sequence, head.last_hash = sequence, previous
        head.save(update_fields=["last_sequence", "last_hash"])
    return events if returning else []


#: The columns an appended event writes, in ``_insert_events``'s order (the id is the
#: database's).
_EVENT_COLUMNS = (
    "sequence",
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
    "previous_hash",
    "hash",
)


def _insert_events(events: Sequence[AuditEvent]) -> None:
    """Write ``events`` (built and chained by ``audit_append``) with multi-row INSERTs.

    Every value is what ``bulk_create`` would write: the time and client address, the same
    for the whole batch, and the two JSON fields go through their fields' own conversion
    for this database; the other columns are integers and text as they are.
    """
    meta = AuditEvent._meta
    fields: list[Any] = [meta.get_field(name) for name in _EVENT_COLUMNS]  # concrete fields
    first = events[0]
    occurred_at = meta.get_field("occurred_at").get_db_prep_save(first.occurred_at, connection)
    ip_address = meta.get_field("ip_address").get_db_prep_save(first.ip_address, connection)
    changes, detail = meta.get_field("changes"), meta.get_field("detail")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, connection.ops.bulk_batch_size(list(_EVENT_COLUMNS), list(events)))
    with connection.cursor() as cursor:
        for start in range(0, len(events), size):
            chunk = events[start : start + size]
            params: list[Any] = []
            for event in chunk:
                if event.occurred_at != first.occurred_at or event.ip_address != first.ip_address:
                    raise ValueError("one append writes events of one time and address")
                params += (
                    event.sequence,
                    occurred_at,
                    event.actor_id,
                    event.actor_username,
                    event.actor_agency_id,
                    str(event.action),
                    event.object_type,
                    event.object_id,
                    changes.get_db_prep_save(event.changes, connection),
                    detail.get_db_prep_save(event.detail, connection),
                    ip_address,
                    event.request_id,
                    event.previous_hash,
                    event.hash,
                )
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608 -- names from the model, quoted; values are parameters
                + ", ".join([row] * len(chunk)),
                params,
            )


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def audit_record(
    *,
    actor: Actor,
    action: AuditAction,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent | None:
    """Append one audit event about ``obj`` (or about ``object_type``/``object_id``).

    Returns:
        The event; None for a read event held back by ``audit_reads_at_end``.
    """
    if obj is not None:
        object_type, object_id = object_label(obj)
    appended = audit_append(
        actor=actor,
        entries=[AuditEntry(action, object_type, object_id, changes or {}, detail or {})],
    )
    return appended[0] if appended else None


def audit_records_shown(
    *,
    actor: Actor,
    action: AuditAction,
    objects: Iterable[models.Model],
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Record that each of ``objects`` was shown to ``actor`` in a list or search result."""
    entries = [AuditEntry(action, *object_label(obj), {}, detail or {}) for obj in objects]
    audit_append(actor=actor, entries=entries)


def _fingerprint(value: Any) -> str:
    """A keyed, truncated fingerprint: tells an auditor a value changed without showing it."""
    key = settings.URA_AUDIT_KEY.encode("utf-8")
    return hmac.new(key, repr(value).encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return str(value.pk)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def audit_diff(
    model: type[models.Model], old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """Old and new values of the fields that changed, sensitive values masked.

    A sensitive value is replaced by its class and a keyed fingerprint, so the audit trail
    shows *that* a passport number changed (and whether two events saw the same value)
    without itself becoming a copy of the sensitive data.
    """
    classes = sensitive_fields(model)
    old = old or {}
    new = new or {}
    diff: dict[str, dict[str, Any]] = {}
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if name in classes:
            masked = classes[name].value
            diff[name] = {
                "old": None
                if before in (None, "")
                else {"masked": masked, "fp": _fingerprint(before)},
                "new": None
                if after in (None, "")
                else {"masked": masked, "fp": _fingerprint(after)},
            }
        else:
            diff[name] = {"old": _json_value(before), "new": _json_value(after)}
    return diff


def model_snapshot(instance: models.Model) -> dict[str, Any]:
    """The concrete field values of ``instance``, keyed by attribute name (FKs as ids)."""
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


# --- Chain verification outcome -------------------------------------------------------------


def audit_verification_record(
    *, actor: Actor, report: ChainReport, detail: Mapping[str, Any] | None = None
) -> AuditEvent:
    """Record that the audit chain was verified, and with what outcome.

    Appending after a break is deliberate: the chain head still links the new event, and
    the trail then shows who found the break and when.
    """
    brk = report.first_break
    entry = AuditEntry(
        AuditAction.AUDIT_VERIFY,
        AuditEvent._meta.label_lower,
        detail={
            **(detail or {}),
            "ok": report.ok,
            "checked": report.checked,
            "break_sequence": None if brk is None else brk.entry_id,
            "break_reason": None if brk is None else brk.reason.value,
        },
    )
    return audit_append(actor=actor, entries=[entry])[0]  # not a read: never held back


# --- Background jobs ---------------------------------------------------------------------------


def job_start(
    *,
    actor: Actor,
    kind: str,
    label: str,
    task: Task[..., Any],
    **kwargs: Any,
) -> Job:
    """Create a job people can follow and enqueue ``task`` to do it.

    The task is called as ``task(job_id=<id>, **kwargs)`` and reports through
    ``job_running``. The job row, its audit event and (with the database backend) the
    queued task commit together, so a worker never picks up a task without its job.

    Raises:
        ValueError: ``kind`` or ``label`` is empty or too long.
    """
    kind_max = Job._meta.get_field("kind").max_length or 0
    label_max = Job._meta.get_field("label").max_length or 0
    if not kind or len(kind) > kind_max:
        raise ValueError(f"job kind must be 1 to {kind_max} characters")
    if not label or len(label) > label_max:
        raise ValueError(f"job label must be 1 to {label_max} characters")
    requested_by_id = actor.pk if actor is not None and actor.is_authenticated else None
    with transaction.atomic():
        job = Job.objects.create(kind=kind, label=label, requested_by_id=requested_by_id)
        audit_record(actor=actor, action=AuditAction.CREATE, obj=job, detail={"kind": kind})
        # With an immediate backend the task has already run when enqueue returns; update
        # only the id so that its reported status is not overwritten by this stale copy.
        result = task.enqueue(job_id=job.pk, **kwargs)
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))
    job.refresh_from_db()
    return job


class JobFailedError(Exception):
    """A job's body raised; the original exception is withheld (see ``job_running``)."""


class JobReporter:
    """Writes a running job's progress where people can see it.

    Every write is one ``UPDATE`` of the job row. A worker runs tasks outside any
    transaction, so each write commits at once and the jobs page shows it while the job is
    still running. Progress writes are spaced at least ``min_interval`` seconds apart, so a
    tight loop does not turn into a write per item.
    """

    def __init__(self, job: Job, *, min_interval: float = 0.5) -> None:
        self.job = job
        self.min_interval = min_interval
        self._last_write: float | None = None

    @property
    def requested_by(self) -> Actor:
        return self.job.requested_by

    def _write(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self.job, name, value)
        Job.objects.filter(pk=self.job.pk).update(**values)
        self._last_write = time.monotonic()

    def start(self) -> None:
        self._write(status=JobStatus.RUNNING, started_at=timezone.now(), message="")
        # The first progress report is always written: it is what turns "running" into a
        # bar, and a job may well work for a long time before its next one. (None, not 0.0:
        # the monotonic clock starts near zero at boot, so "long ago" has no number.)
        self._last_write = None

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Report ``done`` of ``total`` items (``total`` None keeps the last one known).

        A report inside the spacing interval is kept and written with the next write, so
        the job's final state always carries the last progress reported.
        """
        self.job.done = done
        if total is not None:
            self.job.total = total
        if message is not None:
            self.job.message = message[:300]
        finished_step = self.job.total is not None and done >= self.job.total
        recent = (
            self._last_write is not None and time.monotonic() - self._last_write < self.min_interval
        )
        if recent and not finished_step:
            return
        self._write(done=self.job.done, total=self.job.total, message=self.job.message)

    def succeed(self, *, message: str = "", result: Mapping[str, Any] | None = None) -> None:
        self._write(
            status=JobStatus.SUCCEEDED,
            finished_at=timezone.now(),
            done=self.job.done,
            total=self.job.total,
            message=message[:300],
            result=dict(result or {}),
        )

    def fail(self, *, message: str) -> None:
        self._write(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            done=self.job.done,
            total=self.job.total,
            message=message[:300],
        )


@contextmanager
def job_running(job_id: int) -> Iterator[JobReporter]:
    """Run the body as job ``job_id``: running on entry, failed if it raises.

    The body should call ``reporter.succeed``; a body that returns without doing so leaves
    the job succeeded with no message.

    A failure is raised on as ``JobFailedError`` naming only the original exception's type, so
    that the task backend records the failure: the backend logs the traceback and stores it
    with the task result, and an exception's text (a value that failed validation, a row
    that broke a constraint) can carry personal data.
    """
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    reporter = JobReporter(job)
    reporter.start()
    try:
        yield reporter
    except Exception as exc:
        reporter.fail(message=f"The job stopped with an error ({type(exc).__name__}).")
        raise JobFailedError(f"job {job_id} failed with {type(exc).__name__}") from None
    if reporter.job.status == JobStatus.RUNNING:
        reporter.succeed()
