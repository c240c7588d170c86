"""JSON API of migration statistics: the catalogue, a table's protected cells, downloads.

The same selectors and permissions as the pages: ``statistics.view_statistics`` reads
published tables; analysts also drafts and reviewed tables. A table out of view is 404.
Unprotected cells are not served by the API at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from ura.apps.statistics import downloads, roles, selectors, services
from ura.apps.statistics.models import TableStatus

if TYPE_CHECKING:
    from ura.apps.statistics.models import StatTable

router = Router(tags=["statistics"])


def _table_json(table: StatTable) -> dict[str, Any]:
    return {
        "id": table.pk,
        "table": table.definition_id,
        "version": table.definition_version,
        "title": table.title,
        "period": {"start": table.run.period_start, "end": table.run.period_end},
        "reference_date": table.run.as_of,
        "status": table.status,
        "protection": table.protection,
        "note": table.note,
        "published_at": table.published_at,
    }


@router.get("/tables", summary="The catalogue: every table the caller may see")
def catalogue(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            **_table_json(entry.table),
            "last_published": entry.last_published.pk if entry.last_published else None,
        }
        for entry in selectors.catalogue(actor=request.user)
    ]


def _cell(value: Any) -> Any:
    if pd.isna(value):
        return None
    if isinstance(value, bool):
        return value
    number = float(value)
    return int(number) if number.is_integer() else number


@router.get("/tables/{table_id}", summary="A table's protected cells in the long format")
def table(request: HttpRequest, table_id: int) -> dict[str, Any]:
    found = selectors.access_table(request.user, table_id)
    frame = selectors.protected_frame(found)
    columns = list(frame.columns)
    cells = [
        {c: (_cell(row[c]) if c in ("OBS_VALUE", "ROUNDED") else str(row[c])) for c in columns}
        for row in frame.to_dict("records")
    ]
    return {**_table_json(found), "columns": columns, "cells": cells}


@router.get("/tables/{table_id}/download/{fmt}", summary="A table as CSV, XLSX, SDMX-ML, SDMX-CSV")
def download(request: HttpRequest, table_id: int, fmt: str) -> HttpResponse:
    found = selectors.access_table(request.user, table_id)
    if fmt not in downloads.FORMATS:
        raise Http404(_("Unknown format."))
    if found.status != TableStatus.PUBLISHED:
        services.require(request.user, roles.ANALYSE)
    result = downloads.render(selectors.protected_frame(found), selectors.meta_of(found), fmt)
    services.record_download(actor=request.user, table=found, fmt=fmt)
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
