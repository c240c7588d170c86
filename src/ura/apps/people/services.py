"""Writes of person records: need-to-know checks, optimistic locking, audit in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ura.apps.accounts.policy import can_create
from ura.apps.core.models import AuditAction
from ura.apps.core.protected import sensitive_fields
from ura.apps.core.services import audit_diff, audit_record
from ura.apps.people.access import access_person_record_by_id
from ura.apps.people.models import PERSON_FIELDS, PersonRecord

if TYPE_CHECKING:
    from ura.apps.accounts.models import User

#: Fields a user may set directly.
EDITABLE_FIELDS = PERSON_FIELDS


class StaleVersionError(Exception):
    """Someone else saved the record after the version the user edited."""

    def __init__(self, current_version: int) -> None:
        super().__init__(f"The record was changed by someone else (now version {current_version}).")
        self.current_version = current_version


def _snapshot(record: PersonRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in EDITABLE_FIELDS}


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for code_field in ("nationality", "document_country"):
        if values.get(code_field):
            values[code_field] = str(values[code_field]).upper()
    return values


def person_record_create(*, actor: User, **values: Any) -> PersonRecord:
    """Register a person record owned by the actor's unit and agency.

    Raises:
        PermissionDenied: the actor may not create person records or belongs to no unit.
        ValidationError: a value is invalid.
    """
    agency_id, unit_id = actor.agency_id, actor.unit_id
    if not can_create(actor, PersonRecord) or agency_id is None or unit_id is None:
        raise PermissionDenied("You may not register person records.")
    record = PersonRecord(
        owning_agency_id=agency_id,
        owning_unit_id=unit_id,
        created_by=actor,
        **_clean(dict(values)),
    )
    record.full_clean()
    with transaction.atomic():
        record.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=record,
            changes=audit_diff(PersonRecord, None, _snapshot(record)),
        )
    return record


def _refuse_unseen_fields(actor: User, record: PersonRecord, values: dict[str, Any]) -> None:
    """Refuse to write a sensitive field the actor may not see.

    The edit page leaves such fields out; the API refuses them, so that nobody overwrites a
    value they cannot see (and the page and the API behave alike).
    """
    classes = sensitive_fields(PersonRecord)
    unseen = sorted(
        name for name in values if name in classes and not actor.has_perm(classes[name].permission)
    )
    if unseen:
        audit_record(
            actor=actor,
            action=AuditAction.ACCESS_DENIED,
            obj=record,
            detail={"attempted": "change", "outcome": "forbidden_fields", "fields": unseen},
        )
        raise PermissionDenied(f"You may not change fields you may not see: {', '.join(unseen)}.")


def person_record_update(
    *, actor: User, record_id: int, expected_version: int, **values: Any
) -> PersonRecord:
    """Change fields of a record the actor may change.

    Raises:
        Http404, PermissionDenied: see ``access_person_record_by_id``; also when ``values``
            set a sensitive field the actor may not see.
        StaleVersionError: the record changed since ``expected_version`` was read.
        ValidationError: a value is invalid.
    """
    values = _clean(dict(values))
    # Checked once before the transaction: a refused attempt leaves an ``access_denied``
    # event, which must not be rolled back together with the write that is refused.
    checked = access_person_record_by_id(actor, record_id, action="change")
    _refuse_unseen_fields(actor, checked, values)
    with transaction.atomic():
        record = access_person_record_by_id(actor, record_id, action="change")
        before = _snapshot(record)
        for name, value in values.items():
            setattr(record, name, value)
        record.full_clean()
        # Optimistic locking: the update only happens if nobody saved in between.
        updated = PersonRecord.objects.filter(pk=record.pk, version=expected_version).update(
            **{name: getattr(record, name) for name in values},
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if not updated:
            current = PersonRecord.objects.values_list("version", flat=True).get(pk=record.pk)
            raise StaleVersionError(current)
        record.refresh_from_db()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=record,
            changes=audit_diff(PersonRecord, before, _snapshot(record)),
            detail={"version": record.version},
        )
    return record


def person_record_delete(*, actor: User, record_id: int) -> None:
    """Delete a record the actor may delete; the audit event keeps what it held (masked).

    Raises:
        Http404, PermissionDenied: see ``access_person_record_by_id``.
    """
    # Checked before the transaction too, so that a refusal stays in the audit trail.
    access_person_record_by_id(actor, record_id, action="delete")
    with transaction.atomic():
        record = access_person_record_by_id(actor, record_id, action="delete")
        before = _snapshot(record)
        pk = record.pk
        record.delete()
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            object_type="people.personrecord",
            object_id=str(pk),
            changes=audit_diff(PersonRecord, before, None),
        )
