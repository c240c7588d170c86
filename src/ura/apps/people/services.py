"""Writes of person records: need-to-know checks, optimistic locking, audit in one transaction."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from ura.apps.accounts.policy import can_create
from ura.apps.core.models import AuditAction
from ura.apps.core.protected import sensitive_fields
from ura.apps.core.services import (
    AuditEntry,
    audit_append,
    audit_diff,
    audit_record,
    object_label,
)
from ura.apps.people.access import access_person_record_by_id
from ura.apps.people.models import (
    PERSON_FIELDS,
    NameKeyKind,
    PersonEvent,
    PersonNameKey,
    PersonRecord,
    PersonRecordVersion,
)
from ura.linkage.names import name_keys
from ura.records import CanonicalRecord

if TYPE_CHECKING:
    from ura.apps.accounts.models import Unit, User

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
        person_name_keys_refresh([record])
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
        person_name_keys_refresh([record])
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


# --- Name keys (search in any script) -----------------------------------------------------------


def _name_key_rows(record: PersonRecord) -> list[tuple[int, str, str]]:
    """(record pk, kind, key), one per distinct (kind, key) of the record's names and
    document number."""
    keys: set[tuple[str, str]] = set()
    for text in (
        record.given_names,
        record.family_name,
        record.father_name,
        record.full_name_original,
    ):
        if not text:
            continue
        found = name_keys(text)
        keys.update((NameKeyKind.TOKEN, token) for token in found.tokens)
        keys.update((NameKeyKind.SKELETON, key) for key in found.skeleton.split())
        keys.update((NameKeyKind.PHONETIC, key) for key in found.phonetic.split())
    if record.document_number:
        keys.add((NameKeyKind.DOCUMENT, document_key(record.document_number)))
    return [(record.pk, str(kind), key[:100]) for kind, key in sorted(keys) if key]


def document_key(number: str) -> str:
    """A document number as searched: upper-case letters and digits only."""
    return re.sub(r"[^0-9A-Z]", "", number.upper())


def person_name_keys_refresh(records: Sequence[PersonRecord]) -> None:
    """Recompute the search keys of ``records`` (after they were created or changed)."""
    PersonNameKey.objects.filter(record__in=[r.pk for r in records]).delete()
    rows = [row for record in records for row in _name_key_rows(record)]
    # A derived search index, not audited data: rows go in with one parameterised
    # executemany instead of an ORM object each (ingest writes ~15 keys per record).
    table, record, kind, key = (
        connection.ops.quote_name(name)
        for name in (PersonNameKey._meta.db_table, "record_id", "kind", "key")
    )
    insert = f"INSERT INTO {table} ({record}, {kind}, {key}) VALUES (%s, %s, %s)"  # noqa: S608 (names from the model, values bound)
    with connection.cursor() as cursor:
        cursor.executemany(insert, rows)


# --- Ingest: canonical records from agency extracts ---------------------------------------------


@dataclass(frozen=True)
class IngestedRow:
    """One accepted row of an extract, as the ingest engine produced it."""

    record: CanonicalRecord
    row_digest: str
    provenance: Mapping[str, Any]


@dataclass
class IngestCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0


def _canonical_values(record: CanonicalRecord) -> dict[str, Any]:
    return {
        "given_names": record.given_names[:200],
        "family_name": record.family_name[:200],
        "father_name": record.father_name[:200],
        "mother_name": record.mother_name[:200],
        "full_name_original": record.full_name_original[:400],
        "sex": record.sex.value,
        "date_of_birth": record.date_of_birth,
        "date_of_birth_precision": record.date_of_birth_precision.value,
        "date_of_birth_placeholder": record.date_of_birth_placeholder,
        "place_of_birth": record.place_of_birth[:200],
        "nationality": record.nationality,
        "document_type": record.document_type.value if record.document_type else "",
        "document_number": record.document_number[:64],
        "document_country": record.document_country,
    }


def _events(record: PersonRecord, canonical: CanonicalRecord) -> list[PersonEvent]:
    return [
        PersonEvent(record=record, type=event.type.value, date=event.date, place=event.place[:64])
        for event in canonical.events
    ]


def person_records_ingest(
    *,
    actor: User,
    unit: Unit,
    rows: Sequence[IngestedRow],
    batch_label: str,
) -> IngestCounts:
    """Store one chunk of accepted rows of one source as person records of ``unit``.

    A row whose (source, record id) is new becomes a record; a row whose digest differs from
    the stored one replaces the record's values, and the values it replaces are kept as a
    ``PersonRecordVersion``; an unchanged row changes nothing, so re-ingesting a file adds
    nothing. Every created or changed record leaves an audit event (without the values).
    The chunk is one transaction.

    Raises:
        PermissionDenied: the actor may not create person records, or a row of the chunk
            belongs to a record the actor may not change.
    """
    if not can_create(actor, PersonRecord):
        raise PermissionDenied("You may not create person records.")
    counts = IngestCounts()
    if not rows:
        return counts
    sources = {row.record.source for row in rows}
    with transaction.atomic():
        existing = {
            (r.source, r.record_id): r
            for r in PersonRecord.objects.select_for_update().filter(
                source__in=sources, record_id__in=[row.record.record_id for row in rows]
            )
        }
        created: list[PersonRecord] = []
        changed: list[PersonRecord] = []
        events: list[PersonEvent] = []
        versions: list[PersonRecordVersion] = []
        audit: list[AuditEntry] = []
        now = timezone.now()
        for row in rows:
            key = (row.record.source, row.record.record_id)
            values = _canonical_values(row.record)
            current = existing.get(key)
            if current is None:
                record = PersonRecord(
                    source=row.record.source,
                    record_id=row.record.record_id[:128],
                    row_digest=row.row_digest,
                    provenance=dict(row.provenance),
                    owning_agency_id=unit.agency_id,
                    owning_unit=unit,
                    created_by=actor,
                    **values,
                )
                created.append(record)
                counts.new += 1
                continue
            if current.row_digest == row.row_digest:
                counts.unchanged += 1
                continue
            versions.append(
                PersonRecordVersion(
                    record=current,
                    version=current.version,
                    data={k: _json_safe(getattr(current, k)) for k in values},
                    provenance=current.provenance,
                    replaced_by=batch_label,
                )
            )
            changed_fields = sorted(k for k, v in values.items() if getattr(current, k) != v)
            for name, value in values.items():
                setattr(current, name, value)
            current.row_digest = row.row_digest
            current.provenance = dict(row.provenance)
            current.version += 1
            current.updated_at = now
            changed.append(current)
            audit.append(
                AuditEntry(
                    AuditAction.UPDATE,
                    *object_label(current),
                    detail={"batch": batch_label, "fields": changed_fields},
                )
            )
            counts.changed += 1
        PersonRecord.objects.bulk_create(created, batch_size=1000)
        if changed:
            PersonRecord.objects.bulk_update(
                changed,
                [
                    *_canonical_values(rows[0].record),
                    "row_digest",
                    "provenance",
                    "version",
                    "updated_at",
                ],
                batch_size=1000,
            )
            PersonRecordVersion.objects.bulk_create(versions, batch_size=1000)
            PersonEvent.objects.filter(record__in=changed).delete()
        by_key = {(r.source, r.record_id): r for r in [*created, *changed]}
        for row in rows:
            stored = by_key.get((row.record.source, row.record.record_id[:128]))
            if stored is not None:
                events.extend(_events(stored, row.record))
        PersonEvent.objects.bulk_create(events, batch_size=2000)
        person_name_keys_refresh([*created, *changed])
        audit.extend(
            AuditEntry(AuditAction.CREATE, *object_label(r), detail={"batch": batch_label})
            for r in created
        )
        audit_append(actor=actor, entries=audit)
    return counts


_BOOKKEEPING = ("row_digest", "provenance", "version", "updated_at")


def _json_safe(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
