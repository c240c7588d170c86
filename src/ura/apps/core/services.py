"""Core writes: appending to the audit trail.

Every other app records its audit events through these functions, inside the same
transaction as the change they describe, so that a change and its audit event are committed
or rolled back together.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from ura.apps.core.context import current_audit_context
from ura.apps.core.models import AuditAction, AuditChainHead, AuditEvent
from ura.apps.core.protected import sensitive_fields
from ura.integrity import GENESIS, chain_digest

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

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
    """Return ``(object_type, object_id)`` of an instance, e.g. ``("people.personrecord", "42")``."""
    return obj._meta.label_lower, str(obj.pk)


def _actor_fields(actor: Actor) -> tuple[int | None, str, int | None]:
    if actor is None or not actor.is_authenticated:
        return None, "", None
    agency_id = getattr(actor, "agency_id", None)
    return int(actor.pk), actor.get_username(), agency_id


def audit_append(*, actor: Actor, entries: Sequence[AuditEntry]) -> list[AuditEvent]:
    """Append ``entries`` to the audit chain, in order, in the current transaction.

    The chain head row is locked for the rest of the transaction, so concurrent appends are
    serialised and the chain never forks.
    """
    if not entries:
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
        AuditEvent.objects.bulk_create(events)
        head.last_sequence, head.last_hash = sequence, previous
        head.save(update_fields=["last_sequence", "last_hash"])
    return events


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
) -> AuditEvent:
    """Append one audit event about ``obj`` (or about ``object_type``/``object_id``)."""
    if obj is not None:
        object_type, object_id = object_label(obj)
    return audit_append(
        actor=actor,
        entries=[AuditEntry(action, object_type, object_id, changes or {}, detail or {})],
    )[0]


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
