"""Reads of sources, batches and the quarantine: scoped to the actor, quarantine rows audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ura.apps.accounts.policy import Scope, scoped, scopes_for
from ura.apps.core.models import AuditAction
from ura.apps.core.protected import Sensitivity
from ura.apps.core.services import audit_records_shown
from ura.apps.sources.models import IngestBatch, QuarantinedRow, Source
from ura.apps.sources.roles import VIEW_BATCH, VIEW_QUARANTINE, VIEW_SOURCE

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    Actor = AbstractUser | AnonymousUser

#: Canonical fields whose source columns are masked in the quarantine like the record field.
_SENSITIVE_FIELDS = {"document_number": Sensitivity.IDENTITY_DOCUMENT}


def source_queryset(*, actor: Actor) -> QuerySet[Source]:
    """Sources the actor may see: all of them with a national scope, else their agency's.

    Raises:
        PermissionDenied: the actor may not see sources.
    """
    scopes = scopes_for(actor, VIEW_SOURCE)
    if not scopes:
        raise PermissionDenied(_("You may not see sources."))
    sources = Source.objects.select_related("agency")
    if Scope.ALL not in scopes:
        agency_id = getattr(actor, "agency_id", None)
        sources = sources.filter(agency_id=agency_id) if agency_id else sources.none()
    return sources


def sources_with_last_batch(*, actor: Actor) -> list[tuple[Source, IngestBatch | None]]:
    """Each visible source with its latest batch (figures only; no rows)."""
    return [(s, s.batches.order_by("-pk").first()) for s in source_queryset(actor=actor)]


def last_good_batch(batches: QuerySet[IngestBatch]) -> IngestBatch | None:
    return batches.filter(status="succeeded").first()


def source_by_name(*, actor: Actor, name: str) -> Source:
    source = source_queryset(actor=actor).filter(name=name).first()
    if source is None:
        raise Http404("No such source.")
    return source


def batch_queryset(*, actor: Actor, source: Source) -> QuerySet[IngestBatch]:
    if not actor.has_perm(VIEW_BATCH):
        raise PermissionDenied(_("You may not see ingest batches."))
    return source.batches.select_related("started_by", "job")


def batch_by_id(*, actor: Actor, source: Source, batch_id: int) -> IngestBatch:
    batch = batch_queryset(actor=actor, source=source).filter(pk=batch_id).first()
    if batch is None:
        raise Http404("No such batch.")
    return batch


def _masked_columns(actor: Actor, source: Source) -> set[str]:
    """Source columns that feed a sensitive field the actor may not see."""
    try:
        fields = (yaml.safe_load(source.mapping_text) or {}).get("fields") or {}
    except yaml.YAMLError:
        return set()
    masked: set[str] = set()
    for name, sensitivity in _SENSITIVE_FIELDS.items():
        spec = fields.get(name) or {}
        if actor.has_perm(sensitivity.permission) or not isinstance(spec, dict):
            continue
        columns = [spec.get("column"), *list(spec.get("columns") or [])]
        masked.update(str(c) for c in columns if c)
    return masked


def quarantine_rows(
    *, actor: Actor, batch: IngestBatch, limit: int = 200
) -> tuple[list[dict[str, Any]], int]:
    """The batch's quarantined rows the actor may see (first ``limit``), as received,
    with every reason; columns feeding sensitive fields are masked. Each row shown is
    audited. Returns (rows, total visible).

    Raises:
        PermissionDenied: the actor may not see quarantined rows.
    """
    if not actor.has_perm(VIEW_QUARANTINE):
        raise PermissionDenied(_("You may not see quarantined rows."))
    rows = scoped(actor, QuarantinedRow.objects.filter(batch=batch), "view")
    total = rows.count()
    shown = list(rows[:limit])
    audit_records_shown(
        actor=actor, action=AuditAction.LIST, objects=shown, detail={"batch": batch.pk}
    )
    masked = _masked_columns(actor, batch.source)
    result = []
    for row in shown:
        raw = row.raw if isinstance(row.raw, dict) else None
        result.append(
            {
                "row": row,
                "raw": (
                    {k: (None if k in masked else v) for k, v in raw.items()}
                    if raw is not None
                    else None
                ),
                "raw_text": "" if masked and raw is None else row.raw_text,
            }
        )
    return result, total


def quality_summary(quality: dict[str, Any]) -> dict[str, Any]:
    """A stored data-quality report (``ura.ingest.QualityReport.as_dict``) shaped for a
    page: percentages, and one row per canonical field with its invalid values."""
    if not quality:
        return {}
    completeness = quality.get("completeness") or {}
    invalid = quality.get("invalid") or {}
    fields = sorted(set(completeness) | set(invalid))
    return {
        "rows_read": quality.get("rows_read", 0),
        "rows_accepted": quality.get("rows_accepted", 0),
        "rows_quarantined": quality.get("rows_quarantined", 0),
        "placeholder_share_percent": 100 * float(quality.get("dob_placeholder_share") or 0),
        "dob_present": quality.get("dob_present", 0),
        "dob_placeholder": quality.get("dob_placeholder", 0),
        "duplicate_record_ids": quality.get("duplicate_record_ids", 0),
        "likely_duplicate_groups": quality.get("likely_duplicate_groups", 0),
        "likely_duplicate_records": quality.get("likely_duplicate_records", 0),
        "fields": [
            {
                "field": name,
                "filled_percent": (
                    100 * float(completeness[name]) if name in completeness else None
                ),
                "invalid": sorted((invalid.get(name) or {}).items()),
            }
            for name in fields
        ],
        "identifiers": [
            {"column": column, "filled_percent": 100 * float(v.get("filled") or 0), **v}
            for column, v in sorted((quality.get("identifiers") or {}).items())
        ],
    }
