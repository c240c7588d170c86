"""Saved searches: a user's own queries with their filters, re-run later to see what the
library added since the last run.

A saved search belongs to one user: nobody else sees, runs, renames or deletes it (another
user's search is "not found", as if it did not exist). Saving, renaming and deleting are
audited without the query text (a query may name what a caseworker is researching).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ura.apps.coi import roles, selectors
from ura.apps.coi.models import SavedSearch
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_record
from ura.coi import Sort

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    Actor = AbstractUser | AnonymousUser


MAX_SAVED = 200


def _owner(actor: Actor) -> int:
    if not actor.is_authenticated or not actor.has_perm(roles.VIEW):
        raise PermissionDenied(_("You may not read the COI library."))
    return int(actor.pk)


def _name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the search a name.")})
    if len(name) > 200:
        raise ValidationError({"name": _("A name has at most 200 characters.")})
    return name


def _unique(owner_id: int, name: str, exclude: int | None = None) -> None:
    taken = SavedSearch.objects.filter(owner_id=owner_id, name=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"name": _("You already have a saved search of that name.")})


def saved_search_save(*, actor: Actor, name: str, params: selectors.SearchParams) -> SavedSearch:
    """Save the search ``params`` under ``name`` for the actor. Saving counts as a run: the
    saved search shows what is new from now on.

    Raises:
        PermissionDenied: the actor may not read the library.
        ValidationError: an empty or taken name, a malformed query, too many saved searches.
    """
    owner_id = _owner(actor)
    name = _name(name)
    selectors.parse(params.query, title_only=params.title_only)  # refuse what cannot run
    with transaction.atomic():
        _unique(owner_id, name)
        if SavedSearch.objects.filter(owner_id=owner_id).count() >= MAX_SAVED:
            raise ValidationError(
                {"name": _("You have %(n)d saved searches; delete some first.") % {"n": MAX_SAVED}}
            )
        total = selectors.search(actor=actor, params=params).total
        saved = SavedSearch.objects.create(
            owner_id=owner_id,
            name=name,
            query=params.query,
            params=params.as_json(),
            last_run_at=timezone.now(),
            last_total=total,
        )
        audit_record(actor=actor, action=AuditAction.CREATE, obj=saved)
    return saved


def saved_searches(*, actor: Actor) -> QuerySet[SavedSearch]:
    """The actor's own saved searches, by name."""
    return SavedSearch.objects.filter(owner_id=_owner(actor)).order_by("name")


def saved_search_get(*, actor: Actor, saved_id: int) -> SavedSearch:
    """One of the actor's saved searches.

    Raises:
        PermissionDenied: the actor may not read the library.
        Http404: no such saved search of the actor's (another user's is not found).
    """
    saved = saved_searches(actor=actor).filter(pk=saved_id).first()
    if saved is None:
        raise Http404("No such saved search.")
    return saved


def saved_search_params(saved: SavedSearch) -> selectors.SearchParams:
    """The search parameters a saved search keeps, its order included.

    Raises:
        ValidationError: stored parameters of the wrong kind.
    """
    return selectors.SearchParams.from_json(saved.query, saved.params or {})


@dataclass(frozen=True)
class SavedSearchRow:
    """A saved search with the number of matching documents added since its last run."""

    saved: SavedSearch
    new: int | None
    """None when the saved query cannot run (the syntax changed, the index is being
    rebuilt)."""


def saved_searches_with_news(*, actor: Actor) -> list[SavedSearchRow]:
    """The actor's saved searches, each with how many matching documents were added to the
    library since it was last run."""
    rows = []
    for saved in saved_searches(actor=actor):
        new: int | None
        try:
            since = saved.last_run_at or saved.created_at
            new = selectors.count_added_since(
                actor=actor, params=saved_search_params(saved), since=since
            )
        except (ValidationError, selectors.SearchUnavailableError):
            new = None
        rows.append(SavedSearchRow(saved, new))
    return rows


#: Documents new since the previous run listed apart on a run's first page.
NEW_SHOWN = 20


@dataclass(frozen=True)
class SavedSearchRun:
    """A saved search run: the results, and what was added since the run before."""

    saved: SavedSearch
    results: selectors.SearchPage
    previous_run: dt.datetime | None
    new: int | None
    """Documents matching the search added since the previous run; None on later pages of
    a run (the run has already moved the mark)."""
    new_hits: list[selectors.ResultHit]
    """Up to :data:`NEW_SHOWN` of them (the most relevant), the most recently added first."""


def saved_search_run(*, actor: Actor, saved_id: int, page: int = 1) -> SavedSearchRun:
    """Run one of the actor's saved searches and remember the run: the next run's "new"
    counts documents added after this moment.

    Raises:
        PermissionDenied: the actor may not read the library.
        Http404: no such saved search of the actor's.
        ValidationError: the saved query no longer parses.
    """
    saved = saved_search_get(actor=actor, saved_id=saved_id)
    params = saved_search_params(saved)
    previous = saved.last_run_at
    results = selectors.search(actor=actor, params=replace(params, page=page))
    if page != 1:  # turning pages of one run is not another run
        return SavedSearchRun(saved, results, previous, None, [])
    now = timezone.now()
    added = selectors.search(
        actor=actor,
        params=replace(
            params,
            added_after=previous or saved.created_at,
            sort=Sort.RELEVANCE,
            page=1,
            per_page=NEW_SHOWN,
        ),
    )
    SavedSearch.objects.filter(pk=saved.pk).update(last_run_at=now, last_total=results.total)
    saved.last_run_at, saved.last_total = now, results.total
    new_hits = sorted(added.hits, key=lambda h: h.document.added_at, reverse=True)
    return SavedSearchRun(saved, results, previous, added.total, new_hits)


def saved_search_rename(*, actor: Actor, saved_id: int, name: str) -> SavedSearch:
    """Rename one of the actor's saved searches.

    Raises:
        PermissionDenied, Http404: as :func:`saved_search_get`.
        ValidationError: an empty or taken name.
    """
    with transaction.atomic():
        saved = saved_search_get(actor=actor, saved_id=saved_id)
        name = _name(name)
        _unique(saved.owner_id, name, exclude=saved.pk)
        saved.name = name
        saved.save(update_fields=["name"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=saved)
    return saved


def saved_search_delete(*, actor: Actor, saved_id: int) -> None:
    """Delete one of the actor's saved searches.

    Raises:
        PermissionDenied, Http404: as :func:`saved_search_get`.
    """
    with transaction.atomic():
        saved = saved_search_get(actor=actor, saved_id=saved_id)
        audit_record(actor=actor, action=AuditAction.DELETE, obj=saved)
        saved.delete()
