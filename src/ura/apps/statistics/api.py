"""JSON API of migration statistics: the catalogue, a table's protected cells, downloads, and
the migration profile's texts with their review workflow.

The same selectors and permissions as the pages: ``statistics.view_statistics`` reads
published tables and published texts; analysts also drafts and reviewed tables and the
current texts, which they save, review (another analyst than the author) and publish. A
table or profile out of view is 404. Unprotected cells are not served by the API at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from ura.apps.accounts.selectors import acting_user
from ura.apps.statistics import downloads, profile, roles, selectors, services
from ura.apps.statistics.models import TableStatus

if TYPE_CHECKING:
    from ura.apps.statistics.models import ProfileText, ProfileTextVersion, StatTable

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


# --- The migration profile's texts ------------------------------------------------------------


class TextIn(Schema):
    """``version`` is the version the client last read (0 for a slot not written yet)."""

    text: str
    version: int


class VersionIn(Schema):
    """``version`` is the version the reviewer or publisher read."""

    version: int


def _user(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _published_json(found: ProfileTextVersion | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "version": found.version,
        "text": found.text,
        "published_at": found.published_at,
        "published_by": _user(found.published_by),
    }


def _text_json(
    slot: str, current: ProfileText | None, published: ProfileTextVersion | None
) -> dict[str, Any]:
    item = profile.template_slots()[slot]
    found: dict[str, Any] = {
        "slot": slot,
        "label": _(item.label),
        "required": item.required,
        "published": _published_json(published),
        "current": None,
    }
    if current is not None:
        found["current"] = {
            "version": current.version,
            "text": current.text,
            "status": current.status,
            "updated_by": _user(current.updated_by),
            "updated_at": current.updated_at,
            "reviewed_by": _user(current.reviewed_by),
            "reviewed_at": current.reviewed_at,
        }
    return found


@router.get(
    "/runs/{run_id}/profile/texts",
    summary="The migration profile's texts: the published version of each, and for analysts "
    "the current one with its review status",
)
def profile_texts(request: HttpRequest, run_id: int) -> list[dict[str, Any]]:
    source = selectors.access_profile(request.user, run_id)  # current texts: analysts only
    return [
        _text_json(slot, source.texts.get(slot), source.published.get(slot))
        for slot in profile.template_slots()
    ]


def _one(request: HttpRequest, run_id: int, slot: str) -> dict[str, Any]:
    source = selectors.access_profile(request.user, run_id)
    return _text_json(slot, source.texts.get(slot), source.published.get(slot))


@router.put(
    "/runs/{run_id}/profile/texts/{slot}",
    summary="Save a text as a new draft version (409 when someone saved since `version`)",
)
def profile_text_save(
    request: HttpRequest, run_id: int, slot: str, payload: TextIn
) -> dict[str, Any]:
    services.require(request.user, roles.ANALYSE)
    selectors.access_profile(request.user, run_id)
    services.profile_text_save(
        actor=acting_user(request.user),
        run_id=run_id,
        slot=slot,
        text=payload.text,
        expected_version=payload.version,
    )
    return _one(request, run_id, slot)


@router.post(
    "/runs/{run_id}/profile/texts/{slot}/review",
    summary="Review the text's current version (another analyst than its author)",
)
def profile_text_review(
    request: HttpRequest, run_id: int, slot: str, payload: VersionIn
) -> dict[str, Any]:
    selectors.access_profile(request.user, run_id)
    services.profile_text_review(
        actor=acting_user(request.user), run_id=run_id, slot=slot, expected_version=payload.version
    )
    return _one(request, run_id, slot)


@router.post(
    "/runs/{run_id}/profile/texts/{slot}/publish",
    summary="Publish the text's reviewed current version",
)
def profile_text_publish(
    request: HttpRequest, run_id: int, slot: str, payload: VersionIn
) -> dict[str, Any]:
    selectors.access_profile(request.user, run_id)
    services.profile_text_publish(
        actor=acting_user(request.user), run_id=run_id, slot=slot, expected_version=payload.version
    )
    return _one(request, run_id, slot)
