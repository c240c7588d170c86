"""Person records over JSON: the same services, access rules, masking and audit as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from ura.apps.accounts.selectors import acting_user
from ura.apps.core.protected import Masked, visible_values
from ura.apps.people import selectors, services
from ura.apps.people.access import access_person_record_by_id
from ura.apps.people.models import PersonRecord

router = Router(tags=["people"])

DETAIL_FIELDS = ("id", "version", *services.EDITABLE_FIELDS)


def _as_json(request: HttpRequest, record: PersonRecord) -> dict[str, Any]:
    values = visible_values(request.user, record, DETAIL_FIELDS)
    out = {k: (v.as_json() if isinstance(v, Masked) else v) for k, v in values.items()}
    out["owning_agency"] = record.owning_agency.code
    out["owning_unit"] = record.owning_unit.code
    return out


class PersonRecordIn(Schema):
    given_names: str
    family_name: str
    father_name: str = ""
    mother_name: str = ""
    full_name_original: str = ""
    sex: str = "U"
    date_of_birth: dt.date | None = None
    date_of_birth_precision: str = "unknown"
    place_of_birth: str = ""
    nationality: str = ""
    document_type: str = ""
    document_number: str = ""
    document_country: str = ""
    biometric_reference: str = ""
    health_notes: str = ""
    trafficking_indicators: str = ""
    notes: str = ""


class PersonRecordPatch(Schema):
    """Fields to change; ``version`` is the version the client last read."""

    version: int
    given_names: str | None = None
    family_name: str | None = None
    father_name: str | None = None
    mother_name: str | None = None
    full_name_original: str | None = None
    sex: str | None = None
    date_of_birth: dt.date | None = None
    date_of_birth_precision: str | None = None
    place_of_birth: str | None = None
    nationality: str | None = None
    document_type: str | None = None
    document_number: str | None = None
    document_country: str | None = None
    biometric_reference: str | None = None
    health_notes: str | None = None
    trafficking_indicators: str | None = None
    notes: str | None = None


@router.get("/records", summary="List or search person records you may see")
def list_records(
    request: HttpRequest, q: str = "", nationality: str = "", page: int = 1
) -> dict[str, Any]:
    result = selectors.person_record_page(
        actor=request.user,
        filters=selectors.PersonRecordFilters(q=q, nationality=nationality),
        page=page,
        per_page=50,
    )
    return {
        "count": result.paginator.count,
        "page": result.number,
        "pages": result.paginator.num_pages,
        "results": [_as_json(request, r) for r in result.object_list],
    }


@router.get("/records/{record_id}", summary="One person record")
def get_record(request: HttpRequest, record_id: int) -> dict[str, Any]:
    return _as_json(request, access_person_record_by_id(request.user, record_id))


@router.post("/records", response={201: dict[str, Any]}, summary="Register a person record")
def create_record(request: HttpRequest, payload: PersonRecordIn) -> Status[dict[str, Any]]:
    record = services.person_record_create(actor=acting_user(request.user), **payload.dict())
    return Status(201, _as_json(request, record))


@router.patch("/records/{record_id}", summary="Change a person record (optimistic locking)")
def update_record(
    request: HttpRequest, record_id: int, payload: PersonRecordPatch
) -> dict[str, Any]:
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    try:
        record = services.person_record_update(
            actor=acting_user(request.user),
            record_id=record_id,
            expected_version=version,
            **changes,
        )
    except services.StaleVersionError as exc:
        raise HttpError(409, str(exc)) from exc
    return _as_json(request, record)


@router.delete("/records/{record_id}", response={204: None}, summary="Delete a person record")
def delete_record(request: HttpRequest, record_id: int) -> Status[None]:
    services.person_record_delete(actor=acting_user(request.user), record_id=record_id)
    return Status(204, None)
