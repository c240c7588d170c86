"""Reads of person records, always scoped to the actor, each shown record audited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ura.apps.accounts.policy import scope_filter, scoped
from ura.apps.core.models import AuditAction
from ura.apps.core.protected import Masked, visible_value
from ura.apps.core.services import audit_records_shown
from ura.apps.people.models import PERSON_FIELDS, IndexHead, PersonLink, PersonRecord

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser


@dataclass(frozen=True)
class PersonRecordFilters:
    """What a user can search on. Empty fields do not filter."""

    q: str = ""
    nationality: str = ""


def person_record_queryset(
    *, actor: AbstractUser | AnonymousUser, filters: PersonRecordFilters | None = None
) -> QuerySet[PersonRecord]:
    """Every person record the actor may see, matching ``filters``. Not audited: callers
    that show records use ``person_record_page`` or audit what they show."""
    records = scoped(
        actor, PersonRecord.objects.select_related("owning_agency", "owning_unit"), "view"
    )
    filters = filters or PersonRecordFilters()
    for term in filters.q.split():
        records = records.filter(
            Q(given_names__icontains=term)
            | Q(family_name__icontains=term)
            | Q(father_name__icontains=term)
            | Q(full_name_original__icontains=term)
        )
    if filters.nationality:
        records = records.filter(nationality=filters.nationality.upper())
    return records


def person_record_page(
    *,
    actor: AbstractUser | AnonymousUser,
    filters: PersonRecordFilters | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Page[PersonRecord]:
    """One page of the actor's visible records; each record on it is audited as shown.

    Raises:
        PermissionDenied: the actor's roles do not let them view person records at all
            (the same answer on the page and in the API).
    """
    if not actor.has_perm("people.view_personrecord"):
        raise PermissionDenied("You may not view person records.")
    filters = filters or PersonRecordFilters()
    paginator = Paginator(person_record_queryset(actor=actor, filters=filters), per_page)
    result = paginator.get_page(page)
    action = AuditAction.SEARCH if (filters.q or filters.nationality) else AuditAction.LIST
    audit_records_shown(
        actor=actor,
        action=action,
        objects=result.object_list,
        detail={"page": result.number},
    )
    return result


#: The columns of a person-record export, in order.
EXPORT_FIELDS = ("id", *PERSON_FIELDS, "version")
#: Exports larger than this must be narrowed by filters: bulk extraction of personal data
#: is a job for the data steward's controlled pipelines, not a button.
EXPORT_LIMIT = 10_000


@dataclass(frozen=True)
class PersonRecordExport:
    header: list[str]
    rows: list[list[object]]


def person_record_export(
    *, actor: AbstractUser | AnonymousUser, filters: PersonRecordFilters | None = None
) -> PersonRecordExport:
    """The records the actor may export, matching ``filters``, sensitive values masked.

    Each exported record leaves an ``export`` audit event.

    Raises:
        PermissionDenied: the actor may not export person records.
        ValidationError: more than ``EXPORT_LIMIT`` records match.
    """
    if not actor.has_perm("people.export_personrecord"):
        raise PermissionDenied("You may not export person records.")
    filters = filters or PersonRecordFilters()
    records = person_record_queryset(actor=actor, filters=filters).filter(
        scope_filter(actor, PersonRecord, "export")
    )
    count = records.count()
    if count > EXPORT_LIMIT:
        raise ValidationError(
            _("%(count)d records match; narrow the search to at most %(limit)d to export.")
            % {"count": count, "limit": EXPORT_LIMIT}
        )
    chosen = list(records.select_related("owning_agency", "owning_unit"))
    audit_records_shown(
        actor=actor,
        action=AuditAction.EXPORT,
        objects=chosen,
        detail={"format": "csv", "q": bool(filters.q), "nationality": filters.nationality},
    )
    return PersonRecordExport(
        header=[*EXPORT_FIELDS, "owning_agency", "owning_unit"],
        rows=[
            [
                *(visible_value(actor, record, name) for name in EXPORT_FIELDS),
                record.owning_agency.code,
                record.owning_unit.code,
            ]
            for record in chosen
        ],
    )


def person_ids_visible(
    *, actor: AbstractUser | AnonymousUser, person_ids: Iterable[str]
) -> set[str]:
    """Those of ``person_ids`` that are persons of the published index with at least one
    record the actor may see (other apps link persons by these stable ids: a case names a
    person only if its creator can see that person). Shows no record, so it is not audited.
    """
    wanted = {p for p in person_ids if p}
    head = IndexHead.objects.first()
    if not wanted or head is None:
        return set()
    visible = scoped(actor, PersonRecord.objects.all(), "view")
    return set(
        PersonLink.objects.filter(
            run_id=head.run_id, person__person_id__in=wanted, record__in=visible
        ).values_list("person__person_id", flat=True)
    )


@dataclass(frozen=True)
class PersonName:
    """How a person is named to a user: from the most recent record of the person the user
    may see, each part masked if the user may not see it."""

    person_id: str
    family_name: object
    given_names: object
    date_of_birth: object


def person_names(
    *, actor: AbstractUser | AnonymousUser, person_ids: Iterable[str]
) -> dict[str, PersonName]:
    """Names for persons of the published index, from records the actor may see (persons
    with none are left out); each record used is audited as shown in a list.

    For pages that name the people of a case or a queue without opening each person.
    """
    wanted = {p for p in person_ids if p}
    head = IndexHead.objects.first()
    if not wanted or head is None:
        return {}
    visible = scoped(actor, PersonRecord.objects.all(), "view")
    links = (
        PersonLink.objects.filter(
            run_id=head.run_id, person__person_id__in=wanted, record__in=visible
        )
        .select_related("record", "person")
        .order_by("person__person_id", "-record__updated_at", "-record_id")
    )
    chosen: dict[str, PersonRecord] = {}
    for link in links:
        chosen.setdefault(link.person.person_id, link.record)
    audit_records_shown(actor=actor, action=AuditAction.LIST, objects=chosen.values())
    return {
        person_id: PersonName(
            person_id=person_id,
            family_name=visible_value(actor, record, "family_name"),
            given_names=visible_value(actor, record, "given_names"),
            date_of_birth=_date_of_birth_shown(actor, record),
        )
        for person_id, record in chosen.items()
    }


def _date_of_birth_shown(actor: AbstractUser | AnonymousUser, record: PersonRecord) -> object:
    value = visible_value(actor, record, "date_of_birth")
    return value if isinstance(value, Masked) else record.date_of_birth_text()


def person_records_for_case_work(
    *, actor: AbstractUser | AnonymousUser, person_ids: Iterable[str], basis: str
) -> dict[str, list[PersonRecord]]:
    """The records of persons of the published index for a user whose need to know who they
    are comes from a case they work on, not from the records' own scope — for example a
    partner organisation that accepted the referral of a trafficking case and must know whom
    it shelters.

    The caller establishes that need (the case's access, the procedure's permission, a
    stated reason) and names it in ``basis``; every record returned is audited as viewed with
    that basis. Sensitive fields still pass through ``visible_value`` for the actor.
    """
    wanted = {p for p in person_ids if p}
    head = IndexHead.objects.first()
    if not wanted or head is None:
        return {}
    found: dict[str, list[PersonRecord]] = {}
    links = (
        PersonLink.objects.filter(run_id=head.run_id, person__person_id__in=wanted)
        .select_related("record", "person")
        .order_by("person__person_id", "-record__updated_at", "-record_id")
    )
    for link in links:
        found.setdefault(link.person.person_id, []).append(link.record)
    for records in found.values():
        audit_records_shown(
            actor=actor, action=AuditAction.VIEW, objects=records, detail={"basis": basis[:100]}
        )
    return found
