"""Building a profile (computing, protecting and storing every table) and the release
workflow of a table: draft → reviewed (by another analyst) → published (the auditor again);
the same workflow for the analysts' texts of the migration profile.

Every step leaves an audit event. Unprotected tables never leave this module and the
selectors except to analysts (``statistics.analyse_statistics``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_record
from ura.apps.statistics import roles
from ura.apps.statistics.extract import extract_microdata
from ura.apps.statistics.models import (
    ProfileRun,
    ProfileText,
    ProfileTextVersion,
    RunStatus,
    StatTable,
    TableStatus,
)
from ura.stats import Microdata, compute_table, load_definitions
from ura.stats.definitions import Measure, TableDefinition, derived_sources, linked_groups
from ura.stats.derived import audit_derived, derive_ratio, protect_derived, ratio_counts
from ura.stats.linked import audit_linked, cover_definition, member_table, protect_linked
from ura.stats.protection import (
    Protected,
    audit_ratios,
    protect_counts,
    protect_ratios,
    reaudit_counts,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    Actor = AbstractUser | AnonymousUser

ENGINES = ("duckdb", "spark")
Progress = Callable[[int, int, str], None]


def require(actor: Actor, permission: str) -> None:
    """Refuse an actor without ``permission``."""
    if not actor.has_perm(permission):
        raise PermissionDenied(_("You may not do this with statistical tables."))


def frame_to_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    plain = frame.copy()
    plain.attrs = {}
    plain.to_parquet(buffer, index=False)
    return buffer.getvalue()


def frame_from_bytes(data: bytes | memoryview) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(bytes(data)))


def microdata_from_folder(folder: Path) -> Microdata:
    """Parquet microdata produced elsewhere: ``persons`` and ``events`` in ``folder``, each
    a ``.parquet`` file or a folder of part files.

    Raises:
        ValidationError: the folder lacks one of them.
    """
    found: dict[str, Path] = {}
    for name in ("persons", "events"):
        for candidate in (folder / f"{name}.parquet", folder / name):
            if candidate.exists():
                found[name] = candidate
                break
        else:
            raise ValidationError(
                _("%(folder)s has no %(name)s.parquet (or %(name)s/ folder).")
                % {"folder": folder, "name": name}
            )
    return Microdata(str(found["persons"]), str(found["events"]))


def denominator_definition(definition: TableDefinition) -> TableDefinition:
    """The count a ratio is a share of (the same selection, counted as events)."""
    return dataclasses.replace(
        definition, measure=Measure.EVENTS, numerator=None, unit="NR", path=None
    )


def protect_computed(
    table: pd.DataFrame,
    definition: TableDefinition,
    data: Microdata,
    *,
    start: dt.date,
    end: dt.date,
    engine: str,
    as_of: dt.date,
) -> tuple[Protected, pd.DataFrame | None]:
    """The protected table, and for a ratio the denominators it was protected by."""
    if definition.rule.for_ratios:
        denominators = compute_table(
            denominator_definition(definition),
            data,
            start=start,
            end=end,
            engine=engine,
            as_of=as_of,
        )
        return protect_ratios(table, denominators, definition), denominators
    return protect_counts(table, definition), None


def protect_group(
    members: tuple[TableDefinition, ...],
    data: Microdata,
    *,
    start: dt.date,
    end: dt.date,
    engine: str,
    as_of: dt.date,
) -> dict[str, tuple[pd.DataFrame, Protected]]:
    """Each member of a linked group computed (cut from the group's cover table) and
    protected together with the others."""
    cover_def = cover_definition(members)
    cover = compute_table(cover_def, data, start=start, end=end, engine=engine, as_of=as_of)
    protected = protect_linked(cover, members)
    return {m.id: (member_table(cover, cover_def, m), protected[m.id]) for m in members}


def derived_source(run: ProfileRun, table_id: str, name: str) -> StatTable:
    """The protected table ``name`` in ``run``: the source of ``table_id``, a ratio derived
    from its published counts.

    Raises:
        ValidationError: the run lacks the source table, or it has no protected version.
    """
    source = StatTable.objects.filter(run=run, definition_id=name).first()
    if source is None:
        raise ValidationError(
            _(
                "%(table)s is computed from the protected counts of %(source)s of the same "
                "run, and this run has no %(source)s: build them again together."
            )
            % {"table": table_id, "source": name}
        )
    if source.protected is None:
        raise ValidationError(
            _("%(table)s is computed from the protected counts of %(source)s, which has none.")
            % {"table": table_id, "source": name}
        )
    return source


def protect_from_source(
    run: ProfileRun, definition: TableDefinition
) -> tuple[pd.DataFrame, Protected, pd.DataFrame]:
    """A derived ratio built from its source table stored in ``run``: the exact ratio from
    the source's unprotected counts, the published one from its protected counts, and the
    published counts it was computed from."""
    derivation = definition.derived_from
    if derivation is None:
        raise ValueError(f"{definition.id} is not derived from another table")
    source = derived_source(run, definition.id, derivation.table)
    source_def = _stored_definition(source)
    published = frame_from_bytes(source.protected)  # type: ignore[arg-type]  # checked
    span = {"start": run.period_start, "end": run.period_end, "as_of": run.as_of}
    raw = derive_ratio(frame_from_bytes(source.raw), source_def, definition, **span)
    protected = protect_derived(published, source_def, definition, **span)
    return raw, protected, ratio_counts(published, source_def, definition, **span)


def _hidden(frame: pd.DataFrame) -> int:
    return int((frame["CONF_STATUS"] != "F").sum()) if "CONF_STATUS" in frame else 0


def profile_build(
    *,
    actor: Actor,
    start: dt.date,
    end: dt.date,
    as_of: dt.date | None = None,
    engine: str = "duckdb",
    microdata: Path | None = None,
    table_ids: Iterable[str] | None = None,
    job_id: int | None = None,
    progress: Progress | None = None,
) -> ProfileRun:
    """Compute, protect and store every table of the standard set (or ``table_ids``).

    Each table is stored unprotected (analysts only) and protected with its definition's
    rule, with the auditor's verdict, as a draft. A linked table is built with every table
    of its group, protected together (``ura.stats.linked``); a derived ratio with its
    source table, after it and from its stored protected counts (``ura.stats.derived``).

    Raises:
        PermissionDenied: the actor is not an analyst.
        ValidationError: an empty period, an unknown engine or table, a bad microdata folder.
    """
    require(actor, roles.ANALYSE)
    if end < start:
        raise ValidationError(_("The period ends before it starts."))
    if engine not in ENGINES:
        raise ValidationError(_("Unknown engine %(engine)s.") % {"engine": engine})
    as_of = as_of or timezone.localdate()
    try:
        chosen = load_definitions(ids=table_ids)
        every = load_definitions()
        groups = linked_groups(every.values())
        sources = derived_sources(every)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    for definition in list(chosen.values()):
        if definition.id in sources:
            chosen[sources[definition.id].id] = sources[definition.id]
    for definition in list(chosen.values()):
        if definition.linked is not None:
            chosen.update((m.id, m) for m in groups[definition.linked])
    # A derived ratio is built after its source, from the source's stored tables.
    definitions = sorted(chosen.values(), key=lambda d: (d.derived_from is not None, d.id))
    data = microdata_from_folder(microdata) if microdata else None
    run = ProfileRun.objects.create(
        period_start=start,
        period_end=end,
        as_of=as_of,
        engine=engine,
        source=str(microdata) if microdata else "ura",
        definitions={d.id: d.version for d in definitions},
        job_id=job_id,
        created_by_id=actor.pk if actor.is_authenticated else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=run,
        detail={"start": str(start), "end": str(end), "engine": engine, "source": run.source},
    )
    total = len(definitions) + 1
    report = progress or (lambda done, total, label: None)
    try:
        report(0, total, _("Reading the microdata"))
        if data is None:
            data = extract_microdata()
            persons = data.persons.num_rows  # type: ignore[union-attr]  # pyarrow tables
            events = data.events.num_rows  # type: ignore[union-attr]
            audit_record(
                actor=actor,
                action=AuditAction.EXPORT,
                obj=run,
                detail={"microdata": "ura", "persons": persons, "events": events},
            )
            run.figures = {"persons": persons, "events": events}
        linked: dict[str, tuple[pd.DataFrame, Protected]] = {}
        for done, definition in enumerate(definitions, start=1):
            report(done, total, _("Computing %(table)s") % {"table": definition.id})
            denominators = None
            if definition.linked is not None:
                if definition.id not in linked:
                    linked.update(
                        protect_group(
                            groups[definition.linked],
                            data,
                            start=start,
                            end=end,
                            engine=engine,
                            as_of=as_of,
                        )
                    )
                table, protected = linked.pop(definition.id)
            elif definition.derived_from is not None:
                table, protected, denominators = protect_from_source(run, definition)
            else:
                table = compute_table(
                    definition, data, start=start, end=end, engine=engine, as_of=as_of
                )
                protected, denominators = protect_computed(
                    table, definition, data, start=start, end=end, engine=engine, as_of=as_of
                )
            StatTable.objects.create(
                run=run,
                definition_id=definition.id,
                definition_version=definition.version,
                title=definition.title,
                measure=str(definition.measure),
                unit=definition.unit,
                frequency=str(definition.frequency),
                sensitivity=str(definition.sensitivity),
                protection=dict(definition.protection),
                raw=frame_to_bytes(table),
                protected=frame_to_bytes(protected.table),
                denominators=frame_to_bytes(denominators) if denominators is not None else None,
                disclosure=protected.record,
                violations=protected.violations,
                audit_passed=not protected.violations,
                audited_at=timezone.now(),
                cells=len(protected.table),
                hidden_cells=_hidden(protected.table),
                note=protected.note,
                built_by_id=run.created_by_id,
            )
        run.status = RunStatus.SUCCEEDED
        run.figures = {**run.figures, "tables": len(definitions)}
        report(total, total, _("Done"))
    except Exception as exc:
        run.status = RunStatus.FAILED
        run.failure = f"{type(exc).__name__}: {exc}"[:300]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "failure", "finished_at"])
        raise
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "figures", "finished_at"])
    return run


def _locked(table_id: int) -> StatTable:
    try:
        return StatTable.objects.select_for_update().select_related("run").get(pk=table_id)
    except StatTable.DoesNotExist as exc:
        raise ValidationError(_("No such table.")) from exc


def table_review(*, actor: Actor, table_id: int) -> StatTable:
    """Mark a draft reviewed. The reviewer is another analyst than the one who built it.

    Raises:
        PermissionDenied: not an analyst, or the builder themselves.
        ValidationError: the table is not a draft.
    """
    require(actor, roles.REVIEW)
    with transaction.atomic():
        table = _locked(table_id)
        if table.status != TableStatus.DRAFT:
            raise ValidationError(_("Only a draft can be reviewed."))
        if table.built_by_id is not None and table.built_by_id == actor.pk:
            raise PermissionDenied(_("Another analyst than the one who built it must review it."))
        table.status = TableStatus.REVIEWED
        table.reviewed_by_id = actor.pk
        table.reviewed_at = timezone.now()
        table.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=table,
            changes={"status": [TableStatus.DRAFT, TableStatus.REVIEWED]},
            detail={"step": "review"},
        )
    return table


class PublicationRefusedError(ValidationError):
    """The auditor refused the table: the violations are in ``violations``."""

    def __init__(self, violations: list[str]) -> None:
        super().__init__(
            _("The auditor refused the table: %(n)d violation(s).") % {"n": len(violations)}
        )
        self.violations = violations


def _stored_definition(table: StatTable) -> TableDefinition:
    definition = load_definitions(ids=[table.definition_id])[table.definition_id]
    return dataclasses.replace(
        definition, protection=table.protection, linked=table.disclosure.get("linked")
    )


def reaudit(table: StatTable) -> list[str]:
    """Run the auditor again on the stored protected table against the stored original (and,
    for a table of shares, the denominators stored with it at the build; for a derived
    ratio, its source's protected table in the same run; for a linked table, the group
    auditor over the tables of its group in the same run)."""
    definition = _stored_definition(table)
    raw = frame_from_bytes(table.raw)
    if table.protected is None:
        return [_("The table has no protected version.")]
    protected = frame_from_bytes(table.protected)
    if definition.derived_from is not None:
        return _reaudit_derived(table, definition, definition.derived_from.table, protected)
    if definition.rule.for_ratios:
        if table.denominators is None:
            return [_("The table of shares has no stored denominators.")]
        return audit_ratios(protected, frame_from_bytes(table.denominators), definition)
    violations = reaudit_counts(protected, raw, definition, dict(table.disclosure))
    if definition.linked is None:
        return violations
    members = table.disclosure.get("members", [])
    stored = {
        t.definition_id: t
        for t in StatTable.objects.filter(run_id=table.run_id, definition_id__in=members)
    }
    missing = [m for m in members if m not in stored or stored[m].protected is None]
    if missing:
        return [
            *violations,
            _("The linked table(s) %(tables)s are missing from the run.")
            % {"tables": ", ".join(missing)},
        ]
    group = [
        (
            _stored_definition(stored[m]),
            frame_from_bytes(stored[m].raw),
            frame_from_bytes(stored[m].protected),  # type: ignore[arg-type]  # checked above
        )
        for m in members
    ]
    return violations + audit_linked(group)


def _reaudit_derived(
    table: StatTable, definition: TableDefinition, name: str, protected: pd.DataFrame
) -> list[str]:
    """The auditor of a ratio derived from table ``name``: derived again from that table's
    protected version in the same run (:func:`ura.stats.derived.audit_derived`)."""
    if table.disclosure.get("derived_from") != name:
        return [
            _(
                "The table was built as exact shares (version %(version)d of its definition), "
                "which beside the rounded counts of %(source)s can give them away: build it "
                "again."
            )
            % {"version": table.definition_version, "source": name}
        ]
    try:
        source = derived_source(table.run, table.definition_id, name)
    except ValidationError as exc:
        return list(exc.messages)
    run = table.run
    return audit_derived(
        protected,
        frame_from_bytes(source.protected),  # type: ignore[arg-type]  # checked
        _stored_definition(source),
        definition,
        start=run.period_start,
        end=run.period_end,
        as_of=run.as_of,
    )


def _require_source_published(table: StatTable) -> None:
    """A derived ratio is published after its source table of the same run (a share of
    figures nobody can read yet would be published ahead of them, and the source may yet
    be refused).

    Raises:
        ValidationError: the source is missing, unprotected or not published.
    """
    derivation = _stored_definition(table).derived_from
    if derivation is None:
        return
    source = derived_source(table.run, table.definition_id, derivation.table)
    if source.status != TableStatus.PUBLISHED:
        raise ValidationError(
            _(
                "Publish %(source)s of this run first: %(table)s is computed from its "
                "published counts."
            )
            % {"source": source.definition_id, "table": table.definition_id}
        )


def table_publish(*, actor: Actor, table_id: int) -> StatTable:
    """Publish a reviewed table after the auditor passes it again. A ratio derived from
    another table's counts is published after that table (of the same run).

    Raises:
        PermissionDenied: not an analyst.
        ValidationError: not reviewed; a derived ratio whose source table is missing,
            unprotected or not yet published.
        PublicationRefusedError: the auditor found violations (stored on the table too).
    """
    require(actor, roles.PUBLISH)
    with transaction.atomic():
        table = _locked(table_id)
        if table.status != TableStatus.REVIEWED:
            raise ValidationError(_("Only a reviewed table can be published."))
        _require_source_published(table)
        violations = reaudit(table)
        table.violations = violations
        table.audit_passed = not violations
        table.audited_at = timezone.now()
        if violations:
            table.save(update_fields=["violations", "audit_passed", "audited_at"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=table,
                detail={"step": "publish_refused", "violations": len(violations)},
            )
        else:
            table.status = TableStatus.PUBLISHED
            table.published_by_id = actor.pk
            table.published_at = timezone.now()
            table.save(
                update_fields=[
                    "violations",
                    "audit_passed",
                    "audited_at",
                    "status",
                    "published_by",
                    "published_at",
                ]
            )
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=table,
                changes={"status": [TableStatus.REVIEWED, TableStatus.PUBLISHED]},
                detail={"step": "publish"},
            )
    if violations:
        raise PublicationRefusedError(violations)
    return table


def record_download(*, actor: Actor, table: StatTable, fmt: str, raw: bool = False) -> None:
    """Audit a download of a table."""
    detail: dict[str, Any] = {"format": fmt, "status": table.status}
    if raw:
        detail["unprotected"] = True
    audit_record(actor=actor, action=AuditAction.EXPORT, obj=table, detail=detail)


class StaleTextError(ValidationError):
    """Someone else saved the text after the version the analyst edited."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            _(
                "Someone else saved this text in the meantime (now version %(version)d). "
                "Your text is below: compare it with theirs and save again."
            )
            % {"version": current_version}
        )
        self.current_version = current_version


def _slot_checked(slot: str) -> None:
    from ura.apps.statistics.profile import template_slots

    if slot not in template_slots():
        raise ValidationError(_("The report has no text %(slot)s.") % {"slot": slot})


def profile_text_save(
    *, actor: Actor, run_id: int, slot: str, text: str, expected_version: int
) -> ProfileText:
    """Save an analyst's text for a slot of a run's migration profile, as a new version.

    ``expected_version`` is the version the analyst edited (0 for a slot not written yet);
    the save is refused when the stored text has moved on since. The saved text is a draft,
    whatever the state of the version before (which is kept, and stays published if it was).

    Raises:
        PermissionDenied: not an analyst.
        ValidationError: no such run or slot.
        StaleTextError: the text changed since ``expected_version``.
    """
    require(actor, roles.ANALYSE)
    _slot_checked(slot)
    text = text.replace("\r\n", "\n").strip()
    with transaction.atomic():
        run = ProfileRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            raise ValidationError(_("No such profile run."))
        current = ProfileText.objects.select_for_update().filter(run=run, slot=slot).first()
        current_version = current.version if current else 0
        if current_version != expected_version:
            raise StaleTextError(current_version)
        before = current.status if current else None
        if current is None:
            current = ProfileText.objects.create(
                run=run, slot=slot, text=text, version=1, updated_by_id=actor.pk
            )
            action = AuditAction.CREATE
        else:
            current.text = text
            current.version += 1
            current.status = TableStatus.DRAFT
            current.updated_by_id = actor.pk
            current.reviewed_by = current.published_by = None
            current.reviewed_at = current.published_at = None
            current.save(
                update_fields=[
                    "text",
                    "version",
                    "status",
                    "updated_by",
                    "updated_at",
                    "reviewed_by",
                    "reviewed_at",
                    "published_by",
                    "published_at",
                ]
            )
            action = AuditAction.UPDATE
        ProfileTextVersion.objects.create(
            profile_text=current,
            version=current.version,
            text=text,
            saved_by_id=actor.pk,
            saved_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action=action,
            obj=current,
            changes={"status": [before, TableStatus.DRAFT]}
            if before not in (None, TableStatus.DRAFT)
            else None,
            detail={
                "run": run.pk,
                "slot": slot,
                "version": current.version,
                "chars": len(text),
                "step": "save",
            },
        )
    return current


def _text_locked(run_id: int, slot: str, expected_version: int) -> ProfileText:
    _slot_checked(slot)
    current = ProfileText.objects.select_for_update().filter(run_id=run_id, slot=slot).first()
    if current is None:
        raise ValidationError(_("This text has not been written yet."))
    if current.version != expected_version:
        raise StaleTextError(current.version)
    return current


def profile_text_review(
    *, actor: Actor, run_id: int, slot: str, expected_version: int
) -> ProfileText:
    """Mark the current version of a profile text reviewed. The reviewer is another analyst
    than the one who wrote that version (four eyes), and reviews the version they read.

    Raises:
        PermissionDenied: not an analyst, or the author of the current version.
        ValidationError: no such text, the text is empty or not a draft.
        StaleTextError: the text changed since ``expected_version``.
    """
    require(actor, roles.REVIEW)
    with transaction.atomic():
        current = _text_locked(run_id, slot, expected_version)
        if current.status != TableStatus.DRAFT:
            raise ValidationError(_("Only a draft can be reviewed."))
        if not current.text.strip():
            raise ValidationError(_("An empty text cannot be reviewed."))
        if current.updated_by_id is not None and current.updated_by_id == actor.pk:
            raise PermissionDenied(
                _("Another analyst than the one who wrote this version must review it.")
            )
        now = timezone.now()
        current.status = TableStatus.REVIEWED
        current.reviewed_by_id = actor.pk
        current.reviewed_at = now
        current.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        current.versions.filter(version=current.version).update(
            reviewed_by_id=actor.pk, reviewed_at=now
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=current,
            changes={"status": [TableStatus.DRAFT, TableStatus.REVIEWED]},
            detail={"run": run_id, "slot": slot, "version": current.version, "step": "review"},
        )
    return current


def profile_text_publish(
    *, actor: Actor, run_id: int, slot: str, expected_version: int
) -> ProfileText:
    """Publish the reviewed current version of a profile text: from now on the published
    profile (what non-analysts read, and the final report) shows this version.

    Raises:
        PermissionDenied: not an analyst.
        ValidationError: no such text, or not reviewed.
        StaleTextError: the text changed since ``expected_version``.
    """
    require(actor, roles.PUBLISH)
    with transaction.atomic():
        current = _text_locked(run_id, slot, expected_version)
        if current.status != TableStatus.REVIEWED:
            raise ValidationError(_("Only a reviewed text can be published."))
        now = timezone.now()
        current.status = TableStatus.PUBLISHED
        current.published_by_id = actor.pk
        current.published_at = now
        current.save(update_fields=["status", "published_by", "published_at"])
        current.versions.filter(version=current.version).update(
            published_by_id=actor.pk, published_at=now
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=current,
            changes={"status": [TableStatus.REVIEWED, TableStatus.PUBLISHED]},
            detail={"run": run_id, "slot": slot, "version": current.version, "step": "publish"},
        )
    return current


def record_profile_pdf(*, actor: Actor, run: ProfileRun, final: bool, tables: list[str]) -> None:
    """Audit a download of a run's migration profile as PDF."""
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=run,
        detail={"report": "migration_profile", "format": "pdf", "final": final, "tables": tables},
    )
