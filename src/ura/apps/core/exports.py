"""Exports people open in spreadsheets: CSV with formula-injection protection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

from ura.apps.core.protected import Masked

# A cell starting with one of these is run as a formula by Excel and LibreOffice (OWASP
# "CSV injection"); such cells get a leading apostrophe so they are shown as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """Render ``value`` as a CSV cell that a spreadsheet will not execute.

    ``None`` becomes an empty cell and a ``Masked`` value the neutral marker
    ``[restricted: <class>]``, never the value itself.
    """
    if value is None:
        return ""
    if isinstance(value, Masked):
        return f"[restricted: {value.sensitivity.value}]"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A downloadable UTF-8 CSV (with BOM, so spreadsheet programs detect the encoding)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(v) for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
