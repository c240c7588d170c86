"""Ingest of agency extracts into Ura: sources, batches, quarantine, data quality.

The pure engine (``ura.ingest``) reads and validates rows; this module stores the outcome:
accepted rows become person records (through ``people.services``), rejected rows are kept in
the quarantine with every reason, and the batch records a summary that reconciles exactly
(read = accepted + quarantined) and the source's data-quality report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ura.apps.accounts.selectors import agency_by_code
from ura.apps.accounts.services import agency_records_unit
from ura.apps.core.models import AuditAction
from ura.apps.core.services import AuditEntry, audit_append, audit_record, object_label
from ura.apps.people.services import IngestedRow, person_records_ingest
from ura.apps.sources.models import BatchStatus, IngestBatch, QuarantinedRow, Source
from ura.ingest import Accepted, Mapping, QualityAccumulator, Rejected, ingest

if TYPE_CHECKING:
    from ura.apps.accounts.models import User

INGEST = "sources.add_ingestbatch"
#: Rows stored per transaction: large enough to be fast, small enough to keep locks short.
CHUNK = 2000

Progress = Callable[[int], None]


def _require(actor: User, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(_("You may not ingest agency extracts."))


def source_register(*, actor: User, mapping: Mapping) -> Source:
    """Create the source a mapping describes, or update its mapping when it changed.

    Raises:
        PermissionDenied: the actor may not ingest extracts.
        ValidationError: the mapping names an agency Ura does not know, or a source of the
            same name belongs to another agency.
    """
    _require(actor, INGEST)
    agency = agency_by_code(mapping.agency)
    if agency is None:
        raise ValidationError(
            _("The mapping names agency %(code)s, which is not registered in Ura.")
            % {"code": mapping.agency}
        )
    with transaction.atomic():
        source = Source.objects.select_for_update().filter(name=mapping.source).first()
        if source is not None and source.agency_id != agency.pk:
            raise ValidationError(
                _("Source %(name)s belongs to another agency.") % {"name": mapping.source}
            )
        if source is None:
            source = Source.objects.create(
                name=mapping.source,
                agency=agency,
                description=(mapping.description or "")[:300],
                format=mapping.format,
                mapping_text=mapping.text,
                mapping_digest=mapping.digest,
            )
            audit_record(actor=actor, action=AuditAction.CREATE, obj=source)
        elif source.mapping_digest != mapping.digest:
            before = source.mapping_digest
            source.mapping_text, source.mapping_digest = mapping.text, mapping.digest
            source.format = mapping.format
            source.description = (mapping.description or "")[:300]
            source.save()
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=source,
                changes={"mapping_digest": [before, mapping.digest]},
            )
    return source


def _file_facts(path: Path) -> dict[str, object]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"name": path.name, "size": path.stat().st_size, "sha256": digest.hexdigest()}


@dataclass(frozen=True)
class IngestOutcome:
    batch: IngestBatch
    quality_text: str


def _chunks(
    outcomes: Iterable[Accepted | Rejected], size: int
) -> Iterator[list[Accepted | Rejected]]:
    chunk: list[Accepted | Rejected] = []
    for outcome in outcomes:
        chunk.append(outcome)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ingest_files(
    *,
    actor: User,
    mapping: Mapping,
    files: Sequence[Path],
    progress: Progress | None = None,
    job_id: int | None = None,
) -> IngestOutcome:
    """Ingest ``files`` (none for an SQL source) as described by ``mapping``.

    Accepted rows become person records of the source's agency (new, changed with history
    kept, or unchanged); rejected rows go to the quarantine with the row as received and every
    reason. Rows are stored in chunks, so a failure part-way keeps what was stored, and the
    batch is marked failed; re-running the ingest completes it (unchanged rows add nothing).

    Raises:
        PermissionDenied, ValidationError: see ``source_register``.
        ura.ingest.MappingError: the files do not fit the mapping.
    """
    source = source_register(actor=actor, mapping=mapping)
    unit = agency_records_unit(source.agency)
    batch = IngestBatch.objects.create(
        source=source,
        job_id=job_id,
        mapping_digest=mapping.digest,
        files=[_file_facts(Path(f)) for f in files],
        started_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=batch,
        detail={"source": source.name, "files": [f["sha256"] for f in batch.files]},
    )
    label = f"ingest batch {batch.pk}"
    quality = QualityAccumulator(mapping)
    reasons: dict[str, int] = {}
    try:
        for chunk in _chunks(ingest(mapping, list(files)), CHUNK):
            accepted: list[IngestedRow] = []
            rejected: list[Rejected] = []
            for outcome in chunk:
                quality.add(outcome)
                batch.rows_read += 1
                if isinstance(outcome, Accepted):
                    accepted.append(
                        IngestedRow(
                            record=outcome.record,
                            row_digest=outcome.row_digest,
                            provenance={
                                "batch": batch.pk,
                                "file": outcome.file,
                                "row": outcome.row_number,
                            },
                        )
                    )
                else:
                    rejected.append(outcome)
                    for reason in outcome.reasons:
                        reasons[reason.code] = reasons.get(reason.code, 0) + 1
            with transaction.atomic():
                counts = person_records_ingest(
                    actor=actor, unit=unit, rows=accepted, batch_label=label
                )
                _quarantine(actor, batch, unit.agency_id, unit.pk, rejected)
                batch.rows_accepted += len(accepted)
                batch.rows_quarantined += len(rejected)
                batch.records_new += counts.new
                batch.records_changed += counts.changed
                batch.records_unchanged += counts.unchanged
                batch.reasons = reasons
                batch.save()
            if progress is not None:
                progress(batch.rows_read)
    except Exception as error:
        batch.status = BatchStatus.FAILED
        batch.failure = type(error).__name__
        batch.finished_at = timezone.now()
        batch.save()
        raise
    report = quality.report()
    batch.quality = report.as_dict()
    batch.status = BatchStatus.SUCCEEDED
    batch.finished_at = timezone.now()
    batch.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=batch,
        detail={
            "read": batch.rows_read,
            "accepted": batch.rows_accepted,
            "quarantined": batch.rows_quarantined,
            "new": batch.records_new,
            "changed": batch.records_changed,
        },
    )
    return IngestOutcome(batch=batch, quality_text=report.render())


def _quarantine(
    actor: User, batch: IngestBatch, agency_id: int, unit_id: int, rows: Sequence[Rejected]
) -> None:
    if not rows:
        return
    stored = QuarantinedRow.objects.bulk_create(
        [
            QuarantinedRow(
                batch=batch,
                file=row.file[:300],
                row_number=row.row_number,
                raw=row.raw,
                raw_text=row.raw_text,
                reasons=[
                    {"field": r.field, "code": r.code, "message": r.message} for r in row.reasons
                ],
                row_digest=row.row_digest,
                owning_agency_id=agency_id,
                owning_unit_id=unit_id,
                created_by=actor,
            )
            for row in rows
        ],
        batch_size=1000,
    )
    audit_append(
        actor=actor,
        entries=[
            AuditEntry(
                AuditAction.CREATE,
                *object_label(row),
                detail={"batch": batch.pk, "reasons": sorted({r["code"] for r in row.reasons})},
            )
            for row in stored
        ],
    )
