"""Reads of person records, always scoped to the actor, each shown record audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from ura.apps.accounts.policy import scoped
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_records_shown
from ura.apps.people.models import PersonRecord

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
    """One page of the actor's visible records; each record on it is audited as shown."""
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
