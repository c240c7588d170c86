"""Core reads: the audit trail for auditors, its verification, and background jobs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Max, Q, QuerySet

from ura.apps.core.models import AuditAction, AuditChainHead, AuditEvent, Job
from ura.apps.core.services import audit_record
from ura.integrity import ChainReport, LogEntry, LogHead, verify_log

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

VIEW_AUDIT = "core.view_auditevent"
EXPORT_AUDIT = "core.export_auditevent"
VIEW_ALL_JOBS = "core.view_job"

_BATCH = 2000


# --- The audit trail, for auditors ------------------------------------------------------------


@dataclass(frozen=True)
class AuditEventFilters:
    """What an auditor can filter on. Empty fields do not filter.

    ``user`` matches the actor's id when it is a number, and the actor's user name
    (as it was when the event was written) otherwise.
    """

    user: str = ""
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def for_audit(self, events: QuerySet[AuditEvent]) -> dict[str, Any]:
        """These filters as they go into the audit trail: ids, never a user name.

        A user-name filter is recorded as the ids of the actors it matched, so that the
        audit trail about auditors does not itself collect names.
        """
        recorded: dict[str, Any] = {}
        if self.user:
            if self.user.isdigit():
                recorded["user_ids"] = [int(self.user)]
            else:
                matched = (
                    events.filter(actor_username__iexact=self.user, actor_id__isnull=False)
                    .order_by()
                    .values_list("actor_id", flat=True)
                    .distinct()
                )
                recorded["user_ids"] = sorted(matched[:50])
        for name in ("object_type", "object_id", "action"):
            if getattr(self, name):
                recorded[name] = getattr(self, name)
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None:
                recorded[name] = value.isoformat()
        return recorded


def audit_require(actor: AbstractUser | AnonymousUser, permission: str) -> None:
    """Let only holders of ``permission`` through; record everyone else's attempt.

    Raises:
        PermissionDenied: the actor lacks ``permission``. The refusal is in the audit trail;
            a web view must answer with a response rather than let the exception roll the
            request's transaction (and with it that event) back.
    """
    if actor.is_authenticated and actor.has_perm(permission):
        return
    audit_record(
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        object_type=AuditEvent._meta.label_lower,
        detail={"attempted": permission},
    )
    raise PermissionDenied("Only auditors may read the audit trail.")


def audit_event_queryset(
    *, actor: AbstractUser | AnonymousUser, filters: AuditEventFilters | None = None
) -> QuerySet[AuditEvent]:
    """The audit events matching ``filters``, newest first. Not audited: callers audit.

    Raises:
        PermissionDenied: the actor is not an auditor (``core.view_auditevent``).
    """
    audit_require(actor, VIEW_AUDIT)
    filters = filters or AuditEventFilters()
    events = AuditEvent.objects.order_by("-sequence")
    if filters.user:
        if filters.user.isdigit():
            events = events.filter(actor_id=int(filters.user))
        else:
            events = events.filter(actor_username__iexact=filters.user)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type.lower())
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.since is not None:
        events = events.filter(occurred_at__gte=filters.since)
    if filters.until is not None:
        events = events.filter(occurred_at__lte=filters.until)
    return events


def audit_event_page(
    *,
    actor: AbstractUser | AnonymousUser,
    filters: AuditEventFilters | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[AuditEvent]:
    """One page of audit events, newest first; the query itself is audited.

    Raises:
        PermissionDenied: the actor is not an auditor.
    """
    filters = filters or AuditEventFilters()
    events = audit_event_queryset(actor=actor, filters=filters)
    result = Paginator(events, per_page).get_page(page)
    # Read the page now, so that it shows the trail as it was queried and not the event
    # that records this very query.
    result.object_list = list(result.object_list)
    audit_record(
        actor=actor,
        action=AuditAction.LIST,
        object_type=AuditEvent._meta.label_lower,
        detail={
            "filters": filters.for_audit(events),
            "page": result.number,
            "matched": result.paginator.count,
        },
    )
    return result


@dataclass(frozen=True)
class AuditExport:
    """A fixed set of events to export: those matching the filters up to ``last_sequence``."""

    events: QuerySet[AuditEvent]
    rows: int
    last_sequence: int


def audit_event_export_set(
    *, actor: AbstractUser | AnonymousUser, filters: AuditEventFilters | None = None
) -> AuditExport:
    """The events an export will contain, bounded so that the row count stays exact.

    Events appended while the file streams (including the export's own event) are left
    out, so the count recorded in the audit trail is the number of rows in the file.

    Raises:
        PermissionDenied: the actor may not export the audit trail.
    """
    audit_require(actor, EXPORT_AUDIT)
    events = audit_event_queryset(actor=actor, filters=filters)
    last = AuditEvent.objects.aggregate(last=Max("sequence"))["last"] or 0
    bounded = events.filter(sequence__lte=last)
    return AuditExport(events=bounded, rows=bounded.count(), last_sequence=last)


# --- Chain verification -------------------------------------------------------------------------


def _entries(seen_head: list[LogHead | None]) -> Iterator[LogEntry]:
    """Every event in sequence order, read in batches.

    When the table is exhausted, the chain head is read; if it names events beyond those
    read (appended meanwhile by a committed transaction), they are read too. The head a
    writer commits always matches the events it commits in the same transaction, so a head
    ahead of the events found after a re-read means that events were removed.
    """
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(sequence__gt=last).order_by("sequence")[:_BATCH])
        if not batch:
            head = AuditChainHead.objects.filter(pk=1).first()
            seen_head[0] = None if head is None else LogHead(head.last_sequence, head.last_hash)
            if head is None or head.last_sequence <= last:
                return
            batch = list(AuditEvent.objects.filter(sequence__gt=last).order_by("sequence")[:_BATCH])
            if not batch:
                return
        for event in batch:
            yield LogEntry(event.sequence, event.chain_content(), event.previous_hash, event.hash)
        last = batch[-1].sequence


def audit_chain_verify(*, progress: Callable[[int, int], None] | None = None) -> ChainReport:
    """Verify the whole audit chain: content, order, links, completeness and head.

    Not scoped to an actor: the report names sequence numbers and digests only, and the
    callers (the ``ura audit verify`` command, the auditor's verification job) decide who
    may run it.

    Args:
        progress: called with (events checked, events in total) as verification proceeds.

    Returns:
        The number of intact events and the first break, if any; the break's ``entry_id``
        is the sequence number of the first event that cannot be trusted.
    """
    total = AuditEvent.objects.count()
    key = settings.URA_AUDIT_KEY.encode("utf-8")
    seen_head: list[LogHead | None] = [None]
    return verify_log(
        key,
        _entries(seen_head),
        head=lambda: seen_head[0],
        progress=(lambda n: progress(n, max(n, total))) if progress else None,
    )


# --- Background jobs -----------------------------------------------------------------------------


def job_queryset(*, actor: AbstractUser | AnonymousUser) -> QuerySet[Job]:
    """The jobs the actor may follow: their own, or all with ``core.view_job``."""
    if not actor.is_authenticated:
        return Job.objects.none()
    jobs = Job.objects.order_by("-created_at", "-pk")
    if actor.has_perm(VIEW_ALL_JOBS):
        return jobs
    return jobs.filter(Q(requested_by_id=actor.pk))


def job_list(*, actor: AbstractUser | AnonymousUser, limit: int = 50) -> list[Job]:
    """The actor's most recent jobs, newest first."""
    return list(job_queryset(actor=actor).select_related("requested_by")[:limit])
