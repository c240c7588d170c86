"""The person index as people use it: search, the person 360° view, clerical review.

Every read is scoped to the actor (need-to-know) and every record shown is audited; a person
whose records the actor may not see does not exist for that actor.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ura.apps.accounts.policy import scoped
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_record, audit_records_shown
from ura.apps.people.models import (
    IndexHead,
    LinkageRun,
    NameKeyKind,
    PairEvidence,
    Person,
    PersonEvent,
    PersonLineage,
    PersonLink,
    PersonNameKey,
    PersonRecord,
    ReviewDecisionKind,
    ReviewPair,
)
from ura.apps.people.services import document_key
from ura.linkage.names import name_keys

if TYPE_CHECKING:
    import datetime as dt

    from django.contrib.auth.models import AbstractUser, AnonymousUser

    Actor = AbstractUser | AnonymousUser

VIEW_RECORDS = "people.view_personrecord"
REVIEW = "people.review_personlink"
VIEW_RUNS = "people.view_linkagerun"

#: How much each kind of agreement counts in search ranking. A document number is close to
#: proof; a romanised token beats a skeleton, which beats a phonetic key.
_KEY_WEIGHTS = {NameKeyKind.TOKEN: 3.0, NameKeyKind.SKELETON: 2.0, NameKeyKind.PHONETIC: 1.0}
_DOCUMENT_WEIGHT = 12.0
_BIRTH_DAY_WEIGHT = 4.0
_BIRTH_YEAR_WEIGHT = 2.0
SEARCH_LIMIT = 25


def current_run() -> LinkageRun | None:
    """The published linkage run, or None before the first publication."""
    head = IndexHead.objects.select_related("run").first()
    return head.run if head else None


def _require(actor: Actor, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(_("You may not do this."))


# --- Search -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
    name: str = ""
    date_of_birth: dt.date | None = None
    year_of_birth: int | None = None
    document_number: str = ""

    def is_empty(self) -> bool:
        return not (
            self.name.strip() or self.date_of_birth or self.year_of_birth or self.document_number
        )


@dataclass
class Candidate:
    """A person (or a record not yet in the index) matching a search, best record first."""

    person_id: str
    score: float
    records: list[PersonRecord] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def person_search(
    *, actor: Actor, query: SearchQuery, limit: int = SEARCH_LIMIT
) -> list[Candidate]:
    """Rank the persons whose visible records match ``query``.

    Names match in any script or spelling through the name layer's keys (romanised tokens,
    consonant skeletons, phonetic keys); a date of birth or year and a document number add
    to the score. Records are grouped by person in the published index. Each record shown
    is audited as a search result.

    Raises:
        PermissionDenied: the actor may not view person records.
        ValidationError: the query is empty.
    """
    _require(actor, VIEW_RECORDS)
    if query.is_empty():
        raise ValidationError(_("Give a name, a date of birth or a document number."))
    visible = scoped(actor, PersonRecord.objects.all(), "view")
    scores: dict[int, float] = defaultdict(float)
    reasons: dict[int, list[str]] = defaultdict(list)

    if query.name.strip():
        keys = name_keys(query.name)
        wanted = Q(pk__in=[])
        for kind, values in (
            (NameKeyKind.TOKEN, keys.tokens),
            (NameKeyKind.SKELETON, keys.skeleton.split()),
            (NameKeyKind.PHONETIC, keys.phonetic.split()),
        ):
            if values:
                wanted |= Q(kind=kind, key__in=set(values))
        hits = (
            PersonNameKey.objects.filter(wanted, record__in=visible.values("pk"))
            .values("record_id", "kind")
            .annotate(n=Count("pk"))
        )
        for hit in hits:
            scores[hit["record_id"]] += _KEY_WEIGHTS[NameKeyKind(hit["kind"])] * hit["n"]
        for record_id in scores:
            reasons[record_id].append(_("name"))

    if query.document_number:
        for record_id in PersonNameKey.objects.filter(
            kind=NameKeyKind.DOCUMENT,
            key=document_key(query.document_number),
            record__in=visible.values("pk"),
        ).values_list("record_id", flat=True):
            scores[record_id] += _DOCUMENT_WEIGHT
            reasons[record_id].append(_("document number"))

    if query.date_of_birth or query.year_of_birth:
        year = query.date_of_birth.year if query.date_of_birth else query.year_of_birth
        born = visible.filter(date_of_birth__year=year)
        if scores:
            born = born.filter(pk__in=list(scores))
        for record_id, date, precision in born.values_list(
            "pk", "date_of_birth", "date_of_birth_precision"
        )[:5000]:
            if query.date_of_birth and precision == "day" and date == query.date_of_birth:
                scores[record_id] += _BIRTH_DAY_WEIGHT
                reasons[record_id].append(_("date of birth"))
            else:
                scores[record_id] += _BIRTH_YEAR_WEIGHT
                reasons[record_id].append(_("year of birth"))

    criteria = {
        "index_search": True,
        "by_name": bool(query.name.strip()),
        "by_birth": bool(query.date_of_birth or query.year_of_birth),
        "by_document": bool(query.document_number),
    }
    if not scores:
        # A search that finds nothing is still a search: who looked, and by what kind of
        # criteria (never the criteria themselves, which are personal data).
        audit_record(
            actor=actor,
            action=AuditAction.SEARCH,
            object_type="people.person",
            detail={**criteria, "results": 0},
        )
        return []
    best = sorted(scores, key=lambda pk: (-scores[pk], pk))[: limit * 4]
    run = current_run()
    person_of: dict[int, str] = {}
    if run is not None:
        person_of = dict(
            PersonLink.objects.filter(run=run, record_id__in=best).values_list(
                "record_id", "person__person_id"
            )
        )
    records = {
        r.pk: r for r in visible.filter(pk__in=best).select_related("owning_agency", "owning_unit")
    }
    candidates: dict[str, Candidate] = {}
    for pk in best:
        record = records.get(pk)
        if record is None:
            continue
        person_id = person_of.get(pk, "")
        group = person_id or f"record:{pk}"
        candidate = candidates.get(group)
        if candidate is None:
            candidate = candidates[group] = Candidate(person_id=person_id, score=scores[pk])
        candidate.records.append(record)
        candidate.reasons = sorted(set(candidate.reasons) | set(reasons[pk]))
    ranked = sorted(candidates.values(), key=lambda c: -c.score)[:limit]
    audit_records_shown(
        actor=actor,
        action=AuditAction.SEARCH,
        objects=[r for c in ranked for r in c.records],
        detail=criteria,
    )
    return ranked


# --- The person 360° view -----------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceItem:
    """One step of the match-weight waterfall: what was compared, what was found, how much
    it counted (bits), and where the running total stands after it (as a weight and as a
    probability), so a reader sees how the evidence added up to the decision."""

    comparison: str
    description: str
    weight: float
    total: float = 0.0

    @property
    def probability(self) -> float:
        return 1.0 / (1.0 + math.pow(2.0, -self.total))


@dataclass(frozen=True)
class LinkEvidence:
    record_l: PersonRecord
    record_r: PersonRecord
    match_probability: float
    match_weight: float
    items: list[EvidenceItem]


@dataclass(frozen=True)
class PersonView:
    person: Person
    run: LinkageRun
    records: list[PersonRecord]
    link_probability: dict[int, float | None]
    events: list[PersonEvent]
    evidence: list[LinkEvidence]
    lineage: list[PersonLineage]


def _evidence_items(raw: Any) -> list[EvidenceItem]:
    items = []
    total = 0.0
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict):
            weight = float(item.get("weight", 0.0))
            total += weight
            items.append(
                EvidenceItem(
                    comparison=str(item.get("comparison", "")),
                    description=str(item.get("description", "")),
                    weight=weight,
                    total=total,
                )
            )
    return items


def access_person_view(actor: Actor, person_id: str) -> PersonView:
    """Everything the actor may see about one person of the published index.

    Only the person's records the actor may see are shown (the others are not even
    counted); each shown record is audited as viewed.

    Raises:
        PermissionDenied: the actor may not view person records.
        Http404: no such person in the published index, or none of its records is visible
            to the actor (the two are indistinguishable).
    """
    _require(actor, VIEW_RECORDS)
    run = current_run()
    person = Person.objects.filter(person_id=person_id).first()
    records: list[PersonRecord] = []
    probability: dict[int, float | None] = {}
    if run is not None and person is not None:
        links = PersonLink.objects.filter(run=run, person=person)
        visible = scoped(actor, PersonRecord.objects.all(), "view").filter(
            pk__in=links.values("record_id")
        )
        records = list(
            visible.select_related("owning_agency", "owning_unit").order_by(
                "owning_agency__name", "source", "record_id"
            )
        )
        probability = dict(
            links.filter(record__in=[r.pk for r in records]).values_list(
                "record_id", "match_probability"
            )
        )
    if run is None or person is None or not records:
        audit_record(
            actor=actor,
            action=AuditAction.ACCESS_DENIED,
            object_type="people.person",
            object_id=person_id[:64],
            detail={"attempted": "view", "outcome": "not_found"},
        )
        raise Http404("No such person.")
    ids = [r.pk for r in records]
    pairs = PairEvidence.objects.filter(run=run, record_l__in=ids, record_r__in=ids)
    by_pk = {r.pk: r for r in records}
    evidence = [
        LinkEvidence(
            record_l=by_pk[p.record_l_id],
            record_r=by_pk[p.record_r_id],
            match_probability=p.match_probability,
            match_weight=p.match_weight,
            items=_evidence_items(p.evidence),
        )
        for p in pairs.order_by("-match_probability")
    ]
    audit_records_shown(
        actor=actor, action=AuditAction.VIEW, objects=records, detail={"person": person_id}
    )
    return PersonView(
        person=person,
        run=run,
        records=records,
        link_probability=probability,
        events=list(PersonEvent.objects.filter(record__in=ids).select_related("record")),
        evidence=evidence,
        lineage=list(PersonLineage.objects.filter(person_id=person_id).select_related("run")),
    )


# --- Clerical review ----------------------------------------------------------------------------


def review_queue(*, actor: Actor, decided: bool = False) -> QuerySet[ReviewPair]:
    """Review pairs both of whose records the actor may see (open ones by default).

    Raises:
        PermissionDenied: the actor may not review links.
    """
    _require(actor, REVIEW)
    visible = scoped(actor, PersonRecord.objects.all(), "view").values("pk")
    pairs = ReviewPair.objects.filter(record_l__in=visible, record_r__in=visible)
    pairs = pairs.exclude(decision="") if decided else pairs.filter(decision="")
    return pairs.select_related(
        "record_l__owning_agency", "record_r__owning_agency", "decided_by", "run"
    )


def access_review_pair(actor: Actor, pair_id: int) -> ReviewPair:
    """One review pair, with both records, audited as a view of both.

    Raises:
        PermissionDenied: the actor may not review links.
        Http404: no such pair, or one of its records is outside the actor's view.
    """
    pair = review_queue(actor=actor, decided=False).filter(pk=pair_id).first()
    if pair is None:
        pair = review_queue(actor=actor, decided=True).filter(pk=pair_id).first()
    if pair is None:
        audit_record(
            actor=actor,
            action=AuditAction.ACCESS_DENIED,
            object_type="people.reviewpair",
            object_id=str(pair_id),
            detail={"attempted": "view", "outcome": "not_found"},
        )
        raise Http404("No such review pair.")
    audit_records_shown(
        actor=actor,
        action=AuditAction.VIEW,
        objects=[pair.record_l, pair.record_r],
        detail={"review_pair": pair.pk},
    )
    return pair


def review_evidence(pair: ReviewPair) -> list[EvidenceItem]:
    return _evidence_items(pair.evidence)


def review_decide(
    *, actor: Actor, pair_id: int, decision: ReviewDecisionKind, note: str = ""
) -> ReviewPair:
    """Record a reviewer's decision on a pair. *Same* and *different* bind every later
    linkage run (must-link and cannot-link); *unsure* leaves the pair to the model.

    Raises:
        PermissionDenied, Http404: see ``access_review_pair``.
    """
    pair = access_review_pair(actor, pair_id)
    with transaction.atomic():
        before = {"decision": pair.decision, "note": pair.note}
        pair.decision = decision.value
        pair.note = note[:500]
        pair.decided_by_id = actor.pk
        pair.decided_at = timezone.now()
        pair.save(update_fields=["decision", "note", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=pair,
            changes={"decision": [before["decision"], pair.decision]},
            detail={"note_given": bool(note)},
        )
    return pair


def review_constraints() -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Reviewers' decisions as (must-link, cannot-link) lists of record-pk pairs."""
    must: list[tuple[int, int]] = []
    cannot: list[tuple[int, int]] = []
    for left, right, decision in ReviewPair.objects.exclude(decision="").values_list(
        "record_l_id", "record_r_id", "decision"
    ):
        if decision == ReviewDecisionKind.SAME:
            must.append((left, right))
        elif decision == ReviewDecisionKind.DIFFERENT:
            cannot.append((left, right))
    return must, cannot


# --- Run history --------------------------------------------------------------------------------


def linkage_runs(*, actor: Actor) -> QuerySet[LinkageRun]:
    """Linkage runs, newest first, with their quality figures (no personal data).

    Raises:
        PermissionDenied: the actor may not see linkage runs.
    """
    _require(actor, VIEW_RUNS)
    return LinkageRun.objects.select_related("started_by", "job")


def index_export_rows(*, actor: Actor) -> pa.Table:
    """The published person index as a table (source, record_id, person_id,
    match_probability, run_id) for the actor's visible records; the export is audited as
    one event (identifiers only, no names).

    Raises:
        PermissionDenied: the actor may not export person records.
        ValidationError: no run has been published yet.
    """
    _require(actor, "people.export_personrecord")
    run = current_run()
    if run is None:
        raise ValidationError(_("No person index has been published yet."))
    visible = scoped(actor, PersonRecord.objects.all(), "export").values("pk")
    rows = list(
        PersonLink.objects.filter(run=run, record__in=visible)
        .order_by("record__source", "record__record_id")
        .values_list(
            "record__source", "record__record_id", "person__person_id", "match_probability"
        )
    )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="people.linkagerun",
        object_id=str(run.pk),
        detail={"format": "parquet", "records": len(rows)},
    )
    return pa.table(
        {
            "source": pa.array([r[0] for r in rows], pa.string()),
            "record_id": pa.array([r[1] for r in rows], pa.string()),
            "person_id": pa.array([r[2] for r in rows], pa.string()),
            "match_probability": pa.array([r[3] for r in rows], pa.float64()),
            "run_id": pa.array([run.pk] * len(rows), pa.int64()),
        }
    )


@dataclass(frozen=True)
class StatisticalPerson:
    """What statistics disaggregate a person of the index by (no name, no document)."""

    person_id: str
    sex: str  # M, F, X, U
    birth_date: dt.date | None
    citizenship: str  # ISO 3166-1 alpha-3, "" when unknown


def statistical_persons() -> list[StatisticalPerson]:
    """Every person of the published index with the attributes statistics count by.

    For the statistics app's extraction only, which runs on the server and keeps what it
    reads inside the analysts' workspace as aggregated tables; it audits the extraction.
    A person's attributes come from their records in the published run: the sex and
    nationality most records agree on (a known value before an unknown one), and the
    earliest exact date of birth (a year-only date when no record has the day).
    """
    run = current_run()
    if run is None:
        return []
    rows = (
        PersonLink.objects.filter(run=run)
        .order_by("person__person_id", "record_id")
        .values_list(
            "person__person_id",
            "record__sex",
            "record__date_of_birth",
            "record__date_of_birth_precision",
            "record__nationality",
        )
    )
    people: list[StatisticalPerson] = []
    current: str | None = None
    sexes: Counter[str] = Counter()
    nationalities: Counter[str] = Counter()
    births: list[tuple[int, dt.date]] = []

    def flush() -> None:
        if current is None:
            return
        sex = next((s for s, _n in sexes.most_common() if s not in ("", "U")), "U")
        nationality = next((c for c, _n in nationalities.most_common() if c), "")
        birth = min(births)[1] if births else None
        people.append(StatisticalPerson(current, sex, birth, nationality.upper()))

    for person_id, sex, birth, precision, nationality in rows.iterator(chunk_size=5000):
        if person_id != current:
            flush()
            current, sexes, nationalities, births = person_id, Counter(), Counter(), []
        sexes[sex or "U"] += 1
        nationalities[nationality or ""] += 1
        if birth is not None:
            births.append((0 if precision == "day" else 1, birth))
    flush()
    return people
