"""Linkage runs: from person records to a published person index.

The pure engine (``ura.linkage``) scores and clusters; this module feeds it the records,
the reviewers' decisions and the current person ids, stores what it found under a new run,
and publishes the run by moving the index head in one transaction. A run that fails, or
stops half-way, is never published: the current index stays what it was.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_record
from ura.apps.people.index import review_constraints
from ura.apps.people.models import (
    IndexHead,
    LinkageRun,
    LinkageRunStatus,
    PairEvidence,
    Person,
    PersonLineage,
    PersonLink,
    PersonRecord,
    ReviewPair,
)
from ura.linkage.engines import get_engine
from ura.linkage.explain import explain
from ura.linkage.pipeline import (
    LinkResult,
    link,
    link_incremental,
)
from ura.records import LINKAGE_COLUMNS

if TYPE_CHECKING:
    from ura.apps.accounts.models import User

START_RUN = "people.add_linkagerun"
#: Person ids: "P" and ten characters of an alphabet without look-alikes (0/O, 1/I/L).
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

Progress = Callable[[str, float], None]


def person_id_minter() -> Callable[[], str]:
    """A source of person ids unused so far: random (they reveal nothing, not even the order
    of registration), checked against every id in the index, read once, and against the ids
    it has already minted."""
    taken = set(Person.objects.values_list("person_id", flat=True))

    def mint() -> str:
        while True:
            candidate = "P" + "".join(secrets.choice(_ALPHABET) for _ in range(10))
            if candidate not in taken:
                taken.add(candidate)
                return candidate

    return mint


def record_key(source: str, record_id: str) -> str:
    """The engine's key of a record (matches ura.linkage's unique id)."""
    return f"{source}/{record_id}"


# --- What a run produces, in Ura's terms ---------------------------------------------------------


@dataclass(frozen=True)
class ScoredPair:
    left: int  # record pk
    right: int
    probability: float
    weight: float
    evidence: list[dict[str, Any]]


@dataclass(frozen=True)
class LineageChange:
    kind: str  # new | merge | split
    person_id: str
    related_ids: list[str]
    record_count: int


@dataclass
class RunOutcome:
    """A finished linkage, keyed by record pk, ready to store and publish."""

    model_json: str
    person_of: dict[int, str]
    weakest: dict[int, float | None]
    pairs: list[ScoredPair]
    review: list[ScoredPair]
    lineage: list[LineageChange]
    figures: dict[str, Any] = field(default_factory=dict)


# --- Reading records for the engine --------------------------------------------------------


def linkage_table(records: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Person records as the engine's input table (``ura.records.LINKAGE_COLUMNS``)."""
    columns: dict[str, list[Any]] = {name: [] for name in LINKAGE_COLUMNS}
    for row in records:
        for name in LINKAGE_COLUMNS:
            value = row.get(name)
            if name == "date_of_birth":
                value = value.isoformat() if value else ""
            elif name == "date_of_birth_placeholder":
                value = bool(value)
            else:
                value = "" if value is None else str(value)
            columns[name].append(value)
    schema = pa.schema(
        [
            pa.field(n, pa.bool_() if n == "date_of_birth_placeholder" else pa.string())
            for n in LINKAGE_COLUMNS
        ]
    )
    return pa.table(columns, schema=schema)


# --- Storing and publishing ---------------------------------------------------------------------


def _ordered(left: int, right: int) -> tuple[int, int]:
    return (left, right) if left < right else (right, left)


def run_store_and_publish(*, actor: User | None, run: LinkageRun, outcome: RunOutcome) -> None:
    """Store ``outcome`` under ``run`` and publish it, all in one transaction.

    Persons new to the index are created; merged-away persons point to their survivor;
    review pairs are added or refreshed (a decided pair keeps its decision).
    """
    with transaction.atomic():
        # Read the whole id map once: a query naming every person of a large index would
        # exceed the database's limit on query parameters.
        persons = dict(Person.objects.values_list("person_id", "pk"))
        created = Person.objects.bulk_create(
            [
                Person(person_id=pid, created_by_run=run)
                for pid in sorted(set(outcome.person_of.values()) - persons.keys())
            ],
            batch_size=2000,
        )
        persons.update((p.person_id, p.pk) for p in created)
        PersonLink.objects.bulk_create(
            [
                PersonLink(
                    run=run,
                    record_id=record,
                    person_id=persons[pid],
                    match_probability=outcome.weakest.get(record),
                )
                for record, pid in outcome.person_of.items()
            ],
            batch_size=5000,
        )
        PairEvidence.objects.bulk_create(
            [
                PairEvidence(
                    run=run,
                    record_l_id=_ordered(p.left, p.right)[0],
                    record_r_id=_ordered(p.left, p.right)[1],
                    match_probability=p.probability,
                    match_weight=p.weight,
                    evidence=p.evidence,
                )
                for p in outcome.pairs
            ],
            batch_size=2000,
        )
        _review_pairs_refresh(run, outcome.review)
        PersonLineage.objects.bulk_create(
            [
                PersonLineage(
                    run=run,
                    kind=change.kind,
                    person_id=change.person_id,
                    related_ids=change.related_ids,
                    record_count=change.record_count,
                )
                for change in outcome.lineage
            ],
            batch_size=2000,
        )
        for change in outcome.lineage:
            if change.kind == "merge" and change.related_ids:
                Person.objects.filter(person_id__in=change.related_ids).update(
                    merged_into=persons.get(change.person_id)
                )
        run.model_json = outcome.model_json
        run.figures = {
            **outcome.figures,
            "persons": len(set(outcome.person_of.values())),
            "records": len(outcome.person_of),
            "review_pairs": len(outcome.review),
            "merges": sum(1 for c in outcome.lineage if c.kind == "merge"),
            "splits": sum(1 for c in outcome.lineage if c.kind == "split"),
        }
        run.finished_at = run.published_at = timezone.now()
        previous = IndexHead.objects.select_for_update().first()
        if previous is not None:
            LinkageRun.objects.filter(pk=previous.run_id).update(status=LinkageRunStatus.SUPERSEDED)
            previous.run = run
            previous.save()
        else:
            IndexHead.objects.create(run=run)
        run.status = LinkageRunStatus.PUBLISHED
        run.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=run,
            detail={"published": True, **{k: v for k, v in run.figures.items() if k != "stages"}},
        )


def _review_pairs_refresh(run: LinkageRun, pairs: Sequence[ScoredPair]) -> None:
    if not pairs:
        return
    wanted = {_ordered(p.left, p.right): p for p in pairs}
    # The whole queue is read once (a filter naming every pair would exceed the database's
    # limit on query parameters in a large run).
    existing = {
        (r.record_l_id, r.record_r_id): r
        for r in ReviewPair.objects.only("pk", "record_l", "record_r", "decision").iterator()
        if (r.record_l_id, r.record_r_id) in wanted
    }
    new, refreshed = [], []
    for key, pair in wanted.items():
        found = existing.get(key)
        if found is None:
            new.append(
                ReviewPair(
                    record_l_id=key[0],
                    record_r_id=key[1],
                    run=run,
                    match_probability=pair.probability,
                    evidence=pair.evidence,
                )
            )
        elif not found.decision:
            found.run, found.match_probability, found.evidence = (
                run,
                pair.probability,
                pair.evidence,
            )
            refreshed.append(found)
    ReviewPair.objects.bulk_create(new, batch_size=2000)
    ReviewPair.objects.bulk_update(
        refreshed, ["run", "match_probability", "evidence"], batch_size=2000
    )


def run_fail(run: LinkageRun, error: BaseException) -> None:
    """Mark a run failed (the index head does not move)."""
    LinkageRun.objects.filter(pk=run.pk).update(
        status=LinkageRunStatus.FAILED,
        failure=type(error).__name__,
        finished_at=timezone.now(),
    )


def run_start(
    *,
    actor: User | None,
    mode: str,
    engine: str,
    threshold: float,
    review_band: tuple[float, float],
    job_id: int | None = None,
) -> LinkageRun:
    """Create a run in state *running* (not yet visible in the index).

    Raises:
        PermissionDenied: a user who may not start linkage runs.
    """
    if actor is not None and not actor.has_perm(START_RUN):
        raise PermissionDenied(_("You may not start linkage runs."))
    head = IndexHead.objects.first()
    run = LinkageRun.objects.create(
        mode=mode,
        engine=engine,
        threshold=threshold,
        review_low=review_band[0],
        review_high=review_band[1],
        started_by=actor,
        job_id=job_id,
        based_on_id=head.run_id if head else None,
    )
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=run, detail={"mode": mode, "engine": engine}
    )
    return run


def current_assignment() -> dict[int, str]:
    """Record pk -> person id in the published index."""
    head = IndexHead.objects.first()
    if head is None:
        return {}
    return dict(
        PersonLink.objects.filter(run_id=head.run_id).values_list("record_id", "person__person_id")
    )


def current_model_json() -> str:
    head = IndexHead.objects.select_related("run").first()
    return head.run.model_json if head else ""


# --- A whole run -------------------------------------------------------------------------------


def _evidence(pair: Mapping[str, Any], model_json: str) -> list[dict[str, Any]]:
    return [
        {"comparison": e.name, "description": e.description, "weight": round(e.weight, 2)}
        for e in explain(pair, model_json)
    ]


def _outcome(
    result: LinkResult, pk_of: Mapping[tuple[str, str], int], threshold: float
) -> RunOutcome:
    person_of = {pk_of[key]: pid for key, pid in result.person_ids.items()}
    index = result.index.to_pydict()
    weakest = {
        pk_of[(s, r)]: p
        for s, r, p in zip(
            index["source"], index["record_id"], index["match_probability"], strict=True
        )
    }
    pairs: list[ScoredPair] = []
    for row in result.pairs.to_pylist():
        left = pk_of[(row["source_l"], row["record_id_l"])]
        right = pk_of[(row["source_r"], row["record_id_r"])]
        if row["match_probability"] >= threshold and person_of[left] == person_of[right]:
            pairs.append(
                ScoredPair(
                    left,
                    right,
                    float(row["match_probability"]),
                    float(row["match_weight"]),
                    _evidence(row, result.model_json),
                )
            )
    review = [
        ScoredPair(
            pk_of[(row["source_l"], row["record_id_l"])],
            pk_of[(row["source_r"], row["record_id_r"])],
            float(row["match_probability"]),
            float(row["match_weight"]),
            _evidence(row, result.model_json),
        )
        for row in result.review_pairs.to_pylist()
    ]
    lineage = [
        LineageChange(e.kind, e.person_id, list(e.related_ids), len(e.record_keys))
        for e in result.lineage
    ]
    return RunOutcome(
        model_json=result.model_json,
        person_of=person_of,
        weakest=weakest,
        pairs=pairs,
        review=review,
        lineage=lineage,
        figures={
            **result.counts,
            "seconds": round(sum(result.timings.values()), 1),
            "stages": {k: round(v, 2) for k, v in result.timings.items()},
        },
    )


class NothingToLinkError(Exception):
    """An incremental run found no record that is not already in the index."""


def link_records(
    *,
    actor: User | None,
    engine: str = "duckdb",
    incremental: bool = False,
    threshold: float | None = None,
    review_band: tuple[float, float] | None = None,
    spark_master: str | None = None,
    progress: Progress | None = None,
    job_id: int | None = None,
) -> LinkageRun:
    """Link every person record into the person index and publish the result.

    A full run trains the model without labels and links all records; an incremental run
    scores only the records not yet in the published index against it, with the published
    run's model (no retraining, existing persons kept together). Both respect reviewers'
    decisions and keep person ids stable. The index is published only when the whole run
    succeeded. ``threshold`` and ``review_band`` default to the settings
    ``URA_LINK_THRESHOLD`` and ``URA_REVIEW_LOW`` (band: from the latter to the threshold).

    Raises:
        PermissionDenied: the actor may not start linkage runs.
        NothingToLinkError: an incremental run with no new record (the index is unchanged).
    """
    if threshold is None:
        threshold = float(settings.URA_LINK_THRESHOLD)
    if review_band is None:
        review_band = (min(float(settings.URA_REVIEW_LOW), threshold), threshold)
    # Incremental needs a published run to build on; the first run always trains.
    model_json = current_model_json()
    incremental = incremental and bool(model_json)
    run = run_start(
        actor=actor,
        mode="incremental" if incremental else "full",
        engine=engine,
        threshold=threshold,
        review_band=review_band,
        job_id=job_id,
    )
    try:
        rows = list(PersonRecord.objects.order_by("pk").values("pk", *LINKAGE_COLUMNS))
        pk_of = {(r["source"], r["record_id"]): r["pk"] for r in rows}
        key_of = {pk: key for key, pk in pk_of.items()}
        previous = {key_of[pk]: pid for pk, pid in current_assignment().items() if pk in key_of}
        must, cannot = review_constraints()
        engine_obj = get_engine(engine, **({"master": spark_master} if spark_master else {}))
        common: dict[str, Any] = {
            "engine": engine_obj,
            "threshold": threshold,
            "review_band": review_band,
            "must_link": [(key_of[a], key_of[b]) for a, b in must if a in key_of and b in key_of],
            "cannot_link": [
                (key_of[a], key_of[b]) for a, b in cannot if a in key_of and b in key_of
            ],
            "new_id": person_id_minter(),
            "progress": progress,
        }
        if incremental and previous:
            fresh = [r for r in rows if (r["source"], r["record_id"]) not in previous]
            if not fresh:
                raise NothingToLinkError
            known = [r for r in rows if (r["source"], r["record_id"]) in previous]
            head = IndexHead.objects.first()
            weakest = {
                key_of[pk]: p
                for pk, p in PersonLink.objects.filter(
                    run_id=head.run_id if head else None
                ).values_list("record_id", "match_probability")
                if pk in key_of
            }
            result = link_incremental(
                linkage_table(known),
                previous,
                linkage_table(fresh),
                model_json,
                previous_weakest=weakest,
                **common,
            )
        else:
            result = link(linkage_table(rows), previous_ids=previous, **common)
        outcome = _outcome(result, pk_of, threshold)
        run_store_and_publish(actor=actor, run=run, outcome=outcome)
    except BaseException as error:
        run_fail(run, error)
        raise
    run.refresh_from_db()
    return run
