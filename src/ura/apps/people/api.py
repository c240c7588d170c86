"""Person records over JSON: the same services, access rules, masking and audit as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from ura.apps.accounts.selectors import acting_user
from ura.apps.core.protected import Masked, visible_values
from ura.apps.people import index, selectors, services
from ura.apps.people.access import access_person_record_by_id
from ura.apps.people.models import PersonRecord, ReviewDecisionKind

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


# --- The person index ---------------------------------------------------------------------------


class ReviewDecisionIn(Schema):
    decision: str  # same | different | unsure
    note: str = ""


@router.get("/index/search", summary="Search the person index (any script or spelling)")
def search_index(
    request: HttpRequest,
    name: str = "",
    date_of_birth: dt.date | None = None,
    year_of_birth: int | None = None,
    document_number: str = "",
) -> dict[str, Any]:
    found = index.person_search(
        actor=request.user,
        query=index.SearchQuery(
            name=name,
            date_of_birth=date_of_birth,
            year_of_birth=year_of_birth,
            document_number=document_number,
        ),
    )
    return {
        "results": [
            {
                "person_id": c.person_id or None,
                "score": c.score,
                "matched_on": c.reasons,
                "records": [_as_json(request, r) for r in c.records],
            }
            for c in found
        ]
    }


@router.get("/index/persons/{person_id}", summary="A person: linked records and the evidence")
def get_person(request: HttpRequest, person_id: str) -> dict[str, Any]:
    view = index.access_person_view(request.user, person_id)
    return {
        "person_id": view.person.person_id,
        "run": view.run.pk,
        "records": [
            {
                **_as_json(request, r),
                "source": r.source,
                "record_id": r.record_id,
                "weakest_link": view.link_probability.get(r.pk),
            }
            for r in view.records
        ],
        "events": [
            {"record": e.record_id, "type": e.type, "date": e.date, "place": e.place}
            for e in view.events
        ],
        "links": [
            {
                "records": [link.record_l.pk, link.record_r.pk],
                "match_probability": link.match_probability,
                "match_weight": link.match_weight,
                "evidence": [
                    {"comparison": i.comparison, "finding": i.description, "weight": i.weight}
                    for i in link.items
                ],
            }
            for link in view.evidence
        ],
    }


@router.post("/index/review/{pair_id}", summary="Decide a review pair: same, different, unsure")
def decide_pair(request: HttpRequest, pair_id: int, payload: ReviewDecisionIn) -> dict[str, Any]:
    try:
        decision = ReviewDecisionKind(payload.decision)
    except ValueError as exc:
        raise HttpError(422, "decision must be same, different or unsure") from exc
    pair = index.review_decide(
        actor=request.user, pair_id=pair_id, decision=decision, note=payload.note
    )
    return {"id": pair.pk, "decision": pair.decision}
