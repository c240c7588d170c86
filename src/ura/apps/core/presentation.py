"""How audit events read to an auditor: on the page and in the CSV export.

Masked values in ``changes`` (see ``services.audit_diff``) are shown as their sensitivity
class and keyed fingerprint, never as anything that could be the value.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from ura.apps.core.exports import spreadsheet_safe
from ura.apps.core.models import AuditEvent

CSV_HEADER = (
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
    "hash",
)


def change_value_text(value: Any) -> str:
    """One side of a change as text: masked values as ``restricted (class) fp …``."""
    if value is None:
        return "—"
    if isinstance(value, dict) and "masked" in value:
        return _("restricted (%(class)s) fp %(fp)s") % {
            "class": value.get("masked", ""),
            "fp": value.get("fp", ""),
        }
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class ChangeLine:
    field: str
    old: str
    new: str


def change_lines(event: AuditEvent) -> list[ChangeLine]:
    """The event's field changes, one line per field, in field order."""
    if not isinstance(event.changes, dict):
        return [ChangeLine("", "", change_value_text(event.changes))]
    lines = []
    for name in sorted(event.changes):
        change = event.changes[name]
        if isinstance(change, dict) and ("old" in change or "new" in change):
            lines.append(
                ChangeLine(
                    name, change_value_text(change.get("old")), change_value_text(change.get("new"))
                )
            )
        else:
            lines.append(ChangeLine(name, "", change_value_text(change)))
    return lines


def changes_text(event: AuditEvent) -> str:
    """All changes on one line, for the CSV: ``field: old → new; …``."""
    return "; ".join(f"{c.field}: {c.old} → {c.new}" for c in change_lines(event))


def detail_text(event: AuditEvent) -> str:
    return json.dumps(event.detail, ensure_ascii=False, sort_keys=True) if event.detail else ""


def csv_row(event: AuditEvent) -> list[str]:
    """One CSV row, every cell made safe from spreadsheet formula injection."""
    values: list[object] = [
        event.sequence,
        event.occurred_at,
        event.actor_id,
        event.actor_username,
        event.actor_agency_id,
        event.action,
        event.object_type,
        event.object_id,
        changes_text(event),
        detail_text(event),
        event.ip_address,
        event.request_id,
        event.hash,
    ]
    return [spreadsheet_safe(v) for v in values]


class _Line:
    """A write-only file object that hands each CSV line back instead of storing it."""

    def write(self, text: str) -> str:
        return text


def csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    """The CSV file as a stream of lines: a byte-order mark, the header, one row per event.

    The byte-order mark lets spreadsheet programs detect UTF-8.
    """
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for event in events:
        yield writer.writerow(csv_row(event))
