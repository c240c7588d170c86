"""Reads of statistical tables. Analysts (``statistics.analyse_statistics``) see every run,
draft and unprotected table; everyone else with ``statistics.view_statistics`` sees only
published tables, protected. A table out of view is "not found" (404), not "forbidden", so
that its existence is not given away.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ura.apps.statistics import roles
from ura.apps.statistics.models import (
    ProfileRun,
    ProfileText,
    ProfileTextVersion,
    RunStatus,
    StatTable,
    TableStatus,
)
from ura.apps.statistics.profile import ProfileSource, used_table_ids
from ura.apps.statistics.services import frame_from_bytes, require
from ura.stats.definitions import TableDefinition
from ura.stats.outputs.meta import TableMeta, table_meta

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    Actor = AbstractUser | AnonymousUser


def is_analyst(actor: Actor) -> bool:
    return bool(actor.has_perm(roles.ANALYSE))


def runs(*, actor: Actor) -> QuerySet[ProfileRun]:
    """Profile runs, newest first (analysts only)."""
    require(actor, roles.ANALYSE)
    return ProfileRun.objects.select_related("created_by", "job")


def latest_run() -> ProfileRun | None:
    return ProfileRun.objects.filter(status=RunStatus.SUCCEEDED).first()


@dataclass(frozen=True)
class CatalogueEntry:
    """One table of the catalogue: the version the actor sees and when it was last published."""

    table: StatTable
    last_published: StatTable | None


def catalogue(*, actor: Actor) -> list[CatalogueEntry]:
    """Every table: for analysts the latest run's (any status), for others the latest
    published version of each table; with the last published version of each."""
    require(actor, roles.VIEW)
    fields = StatTable.objects.defer("raw", "protected").select_related("run")
    published = fields.filter(status=TableStatus.PUBLISHED).order_by(
        "definition_id", "-published_at"
    )
    last_published: dict[str, StatTable] = {}
    for table in published:
        last_published.setdefault(table.definition_id, table)
    if is_analyst(actor):
        run = latest_run()
        current = list(fields.filter(run=run)) if run else []
        shown = {t.definition_id: t for t in current}
        for definition_id, table in last_published.items():
            shown.setdefault(definition_id, table)
    else:
        shown = dict(last_published)
    return [CatalogueEntry(shown[k], last_published.get(k)) for k in sorted(shown)]


def access_table(actor: Actor, table_id: int) -> StatTable:
    """A table the actor may see: any for analysts, a published one for everyone else.

    Raises:
        PermissionDenied: the actor may not read statistics at all.
        Http404: no such table, or not published and the actor is not an analyst.
    """
    require(actor, roles.VIEW)
    table = StatTable.objects.select_related("run", "built_by", "reviewed_by", "published_by")
    found = table.filter(pk=table_id).first()
    if found is None or (found.status != TableStatus.PUBLISHED and not is_analyst(actor)):
        raise Http404(_("No such table."))
    return found


def protected_frame(table: StatTable) -> pd.DataFrame:
    """The protected cells of a table the caller obtained through :func:`access_table`."""
    if table.protected is None:
        raise Http404(_("The table has no protected version."))
    return frame_from_bytes(table.protected)


def raw_frame(actor: Actor, table: StatTable) -> pd.DataFrame:
    """The unprotected cells: analysts only.

    Raises:
        PermissionDenied: the actor is not an analyst.
    """
    require(actor, roles.ANALYSE)
    return frame_from_bytes(table.raw)


def definition_of(table: StatTable) -> TableDefinition | None:
    from ura.stats import load_definitions

    try:
        return load_definitions(ids=[table.definition_id])[table.definition_id]
    except ValueError:
        return None


def meta_of(table: StatTable) -> TableMeta:
    """What the outputs write beside the cells of a stored table."""
    definition = definition_of(table)
    notes = (table.note,) if table.note else ()
    base = table_meta(
        definition if definition is not None else table,
        id=table.definition_id.upper(),
        version=str(table.definition_version),
        title=table.title,
        source=_("Ura, profile run %(run)d (%(start)s to %(end)s)")
        % {"run": table.run_id, "start": table.run.period_start, "end": table.run.period_end},
        reference_date=str(table.run.as_of),
    )
    return TableMeta(
        **{**{f: getattr(base, f) for f in base.__dataclass_fields__}, "notes": base.notes + notes}
    )


def filter_frame(frame: pd.DataFrame, chosen: Mapping[str, str]) -> pd.DataFrame:
    """The rows whose dimensions hold the chosen codes (an empty choice keeps all)."""
    mask = pd.Series(True, index=frame.index)
    for dimension, code in chosen.items():
        if code and dimension in frame.columns:
            mask &= frame[dimension].astype(str) == code
    return frame[mask]


def published_table(definition_id: str) -> StatTable | None:
    """The latest published version of a table, or None."""
    return (
        StatTable.objects.filter(definition_id=definition_id, status=TableStatus.PUBLISHED)
        .select_related("run")
        .order_by("-published_at")
        .first()
    )


def access_profile(actor: Actor, run_id: int) -> ProfileSource:
    """The migration profile of a succeeded run: its annual tables the report uses (each with
    a protected version), the analysts' current texts (analysts only) and the last published
    version of each text.

    Analysts see every run's profile (a draft). Everyone else with ``view_statistics`` sees
    it only once every table it uses is published; until then it is "not found".

    Raises:
        PermissionDenied: the actor may not read statistics at all.
        Http404: no such succeeded run, or a table it uses is unpublished and the actor is
            not an analyst.
    """
    require(actor, roles.VIEW)
    run = ProfileRun.objects.filter(pk=run_id, status=RunStatus.SUCCEEDED).first()
    if run is None:
        raise Http404(_("No such profile run."))
    tables = list(
        StatTable.objects.defer("raw", "denominators")
        .filter(run=run, definition_id__in=used_table_ids(), frequency="A")
        .exclude(protected=None)
        .select_related("run")
        .order_by("definition_id")
    )
    if not is_analyst(actor) and (
        not tables or any(t.status != TableStatus.PUBLISHED for t in tables)
    ):
        raise Http404(_("This migration profile has not been published yet."))
    texts = (
        {
            t.slot: t
            for t in ProfileText.objects.filter(run=run).select_related(
                "updated_by", "reviewed_by", "published_by"
            )
        }
        if is_analyst(actor)
        else {}
    )
    return ProfileSource(run, tables, texts, published_texts(run))


def published_texts(run: ProfileRun) -> dict[str, ProfileTextVersion]:
    """The newest published version of each text of a run's profile, by slot."""
    found: dict[str, ProfileTextVersion] = {}
    versions = (
        ProfileTextVersion.objects.filter(profile_text__run=run, published_at__isnull=False)
        .select_related("profile_text", "saved_by", "published_by")
        .order_by("profile_text_id", "-version")
    )
    for version in versions:
        found.setdefault(version.profile_text.slot, version)
    return found


def text_versions(actor: Actor, text: ProfileText) -> list[ProfileTextVersion]:
    """Every kept version of a profile text, newest first (analysts only)."""
    require(actor, roles.ANALYSE)
    return list(
        text.versions.select_related("saved_by", "reviewed_by", "published_by").order_by("-version")
    )


def profile_frames(source: ProfileSource) -> dict[str, pd.DataFrame]:
    """The protected cells of the profile's tables, by table id (never the unprotected)."""
    return {t.definition_id: protected_frame(t) for t in source.tables}


def latest_profile_run(actor: Actor) -> ProfileRun | None:
    """The newest succeeded run whose profile the actor may see."""
    require(actor, roles.VIEW)
    candidates = ProfileRun.objects.filter(status=RunStatus.SUCCEEDED)
    if is_analyst(actor):
        return candidates.first()
    for run in candidates[:20]:
        used = StatTable.objects.filter(
            run=run, definition_id__in=used_table_ids(), frequency="A"
        ).exclude(protected=None)
        if used.exists() and not used.exclude(status=TableStatus.PUBLISHED).exists():
            return run
    return None
