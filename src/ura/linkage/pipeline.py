"""A whole linkage run: prepare, train or load the model, score pairs, cluster under
reviewers' constraints, keep person ids stable, and report. Also incremental linkage of a
new batch against the published index, and the index export.

The same functions run Ura's model and the generic baseline (``model=``) on any engine
(``engine=``), so benchmarks compare like with like.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from splink import Linker
from splink.blocking_analysis import count_comparisons_from_blocking_rules
from splink.internals.splink_dataframe import SplinkDataFrame

from ura.linkage.clustering import Clusters, cluster, groups_as_pairs, uncertain_pairs
from ura.linkage.engines import Engine, get_engine
from ura.linkage.ids import LineageEvent, assign_person_ids
from ura.linkage.model import ModelKind, model_kind, settings_creator, settings_for_dialect, train
from ura.linkage.prepare import UNIQUE_ID, RecordKey, prepare, record_key, unique_id

#: progress(stage, fraction of the whole run done, 0..1)
Progress = Callable[[str, float], None]

#: Measured on FEBRL 3 (see docs/decisions/0012-linkage-model.md).
DEFAULT_THRESHOLD = 0.9
DEFAULT_REVIEW_BAND = (0.5, 0.9)

#: Training reads at most this many records (a seeded random sample); scoring reads all.
#: Record sampling leaves the prior unbiased (matching and all pairs both shrink with the
#: square of the rate) and bounds the EM blocks, which grow with the square of the data.
DEFAULT_TRAIN_SAMPLE = 200_000


@dataclass
class LinkResult:
    """Everything a run produced. ``pairs``: scored pairs with probability at or above the
    review band's low end (unique_id_l/r, source/record_id on each side, match_weight,
    match_probability, and per comparison ``gamma_<c>`` level, ``mw_<c>`` match weight
    (log2 Bayes factor) and ``mw_tf_adj_<c>`` term-frequency adjustment: the evidence
    :func:`ura.linkage.explain.explain` reads). ``index``: one row per record (source,
    record_id, person_id, cluster, match_probability = the weakest link that holds it)."""

    model: ModelKind
    engine: str
    model_json: str
    pairs: pa.Table
    review_pairs: pa.Table
    clusters: Clusters
    person_ids: dict[RecordKey, str]
    lineage: list[LineageEvent]
    index: pa.Table
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def _noop(stage: str, fraction: float) -> None:
    del stage, fraction


def _new_person_id() -> str:
    return f"P{uuid.uuid4().hex[:16].upper()}"


class _Timer:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.timings: dict[str, float] = {}
        self._stage = ""
        self._start = 0.0

    def stage(self, name: str, fraction: float) -> None:
        self.stop()
        self.progress(name, fraction)
        self._stage, self._start = name, time.perf_counter()

    def stop(self) -> None:
        if self._stage:
            self.timings[self._stage] = time.perf_counter() - self._start
            self._stage = ""


def _is_evidence(column: str) -> bool:
    return column.startswith(("gamma_", "mw_")) and not column.endswith(("_l", "_r"))


def _tf_columns(model: dict[str, Any]) -> list[str]:
    return sorted(
        {
            lvl["tf_adjustment_column"]
            for c in model["comparisons"]
            for lvl in c["comparison_levels"]
            if lvl.get("tf_adjustment_column")
        }
    )


def training_sample(prepared: pa.Table, size: int | None, seed: int = 7) -> pa.Table:
    """``prepared`` itself when it has at most ``size`` rows (or ``size`` is None),
    otherwise ``size`` rows drawn without replacement, in their original order."""
    if size is None or prepared.num_rows <= size:
        return prepared
    rows = np.sort(np.random.default_rng(seed).choice(prepared.num_rows, size, replace=False))
    return prepared.take(pa.array(rows))


def _pairs_table(
    engine: Engine, predictions: list[SplinkDataFrame], model: dict[str, Any], low: float
) -> tuple[pa.Table, int]:
    del model
    available = engine.to_arrow(predictions[0], ["*"], where="1 = 0").column_names
    columns = [
        "unique_id_l",
        "unique_id_r",
        "match_weight",
        "match_probability",
        *sorted(c for c in available if _is_evidence(c)),
    ]
    tables, scored = [], 0
    for df in predictions:
        scored += int(engine.to_arrow(df, ["count(*) as n"]).column("n")[0].as_py())
        tables.append(engine.to_arrow(df, columns, where=f"match_probability >= {low!r}"))
    pairs = pa.concat_tables(tables) if tables else pa.table({c: [] for c in columns})
    keys_l = [record_key(u) for u in pairs.column("unique_id_l").to_pylist()]
    keys_r = [record_key(u) for u in pairs.column("unique_id_r").to_pylist()]
    for name, values in (
        ("source_l", [k[0] for k in keys_l]),
        ("record_id_l", [k[1] for k in keys_l]),
        ("source_r", [k[0] for k in keys_r]),
        ("record_id_r", [k[1] for k in keys_r]),
    ):
        pairs = pairs.append_column(name, pa.array(values, pa.string()))
    return pairs, scored


def _candidate_pairs(df: SplinkDataFrame, model: dict[str, Any]) -> int:
    """How many pairs the model's blocking rules generate on ``df`` (each pair once)."""
    records = count_comparisons_from_blocking_rules(
        df,
        blocking_rules=[
            r["blocking_rule"] for r in model["blocking_rules_to_generate_predictions"]
        ],
        link_type="dedupe_only",
        record_sample_proportion=1.0,
    )
    return int(records[-1]["cumulative_comparison_count"]) if records else 0


def _uids(pairs: Iterable[tuple[RecordKey, RecordKey]]) -> list[tuple[str, str]]:
    return [(unique_id(*a), unique_id(*b)) for a, b in pairs]


def _finish(
    *,
    kind: ModelKind,
    engine: Engine,
    model_json: str,
    pairs: pa.Table,
    scored: int,
    ids: list[str],
    threshold: float,
    review_band: tuple[float, float],
    must_link: list[tuple[str, str]],
    cannot_link: list[tuple[str, str]],
    previous_ids: Mapping[RecordKey, str],
    initial_weakest: Mapping[str, float | None] | None,
    new_id: Callable[[], str],
    timer: _Timer,
    records: int,
    attributes: Mapping[str, tuple[str | None, str | None]] | None = None,
) -> LinkResult:
    timer.stage("cluster", 0.85)
    clusters = cluster(
        ids,
        pairs,
        threshold,
        must_link=must_link,
        cannot_link=cannot_link,
        initial_weakest=initial_weakest,
        attributes=attributes,
    )
    timer.stage("person ids", 0.95)
    groups = [[record_key(u) for u in g] for g in clusters.groups()]
    person_ids, lineage = assign_person_ids(previous_ids, groups, new_id)
    keys = [record_key(u) for u in clusters.ids]
    index = pa.table(
        {
            "source": pa.array([k[0] for k in keys], pa.string()),
            "record_id": pa.array([k[1] for k in keys], pa.string()),
            "person_id": pa.array([person_ids[k] for k in keys], pa.string()),
            "cluster": pa.array(clusters.cluster, pa.int64()),
            "match_probability": pa.array(clusters.weakest, pa.float64()),
        }
    )
    review = uncertain_pairs(pairs, *review_band)
    timer.stop()
    timer.progress("done", 1.0)
    above = int(pc.sum(pc.greater_equal(pairs.column("match_probability"), threshold)).as_py() or 0)
    counts = {
        "records": records,
        "pairs_scored": scored,
        "pairs_kept": pairs.num_rows,
        "pairs_above_threshold": above,
        "accepted_edges": clusters.accepted_edges,
        "clusters": clusters.count,
        "review_pairs": review.num_rows,
        "constraint_conflicts": len(clusters.conflicts),
        "lineage_events": len(lineage),
    }
    return LinkResult(
        model=kind,
        engine=engine.dialect,
        model_json=model_json,
        pairs=pairs,
        review_pairs=review,
        clusters=clusters,
        person_ids=person_ids,
        lineage=lineage,
        index=index,
        counts=counts,
        timings=dict(timer.timings),
    )


def _attributes(prepared: pa.Table) -> dict[str, tuple[str | None, str | None]]:
    """Each record's (sex, exact date of birth) for clustering's consistency rule."""
    return {
        uid: (sex, born)
        for uid, sex, born in zip(
            prepared.column(UNIQUE_ID).to_pylist(),
            prepared.column("sex").to_pylist(),
            prepared.column("dob").to_pylist(),
            strict=True,
        )
    }


def _check_band(threshold: float, review_band: tuple[float, float]) -> None:
    low, high = review_band
    if not 0.0 <= low <= high <= 1.0:
        raise ValueError("review band must satisfy 0 <= low <= high <= 1")
    if threshold < low:
        raise ValueError("threshold must not be below the review band's low end")


def link(
    records: pa.Table,
    *,
    model: ModelKind = "ura",
    engine: str | Engine = "duckdb",
    model_json: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    review_band: tuple[float, float] = DEFAULT_REVIEW_BAND,
    must_link: Iterable[tuple[RecordKey, RecordKey]] = (),
    cannot_link: Iterable[tuple[RecordKey, RecordKey]] = (),
    previous_ids: Mapping[RecordKey, str] | None = None,
    new_id: Callable[[], str] = _new_person_id,
    progress: Progress | None = None,
    train_sample: int | None = DEFAULT_TRAIN_SAMPLE,
) -> LinkResult:
    """Link ``records`` (a table with ura.records.LINKAGE_COLUMNS) into persons.

    Trains ``model`` without labels when ``model_json`` is None (on a random sample of at
    most ``train_sample`` records; None trains on all), otherwise scores with the given
    trained model (its kind then comes from the JSON). Pairs at or above
    ``threshold`` are clustered; pairs in ``review_band`` [low, high) go to clerical review.
    ``previous_ids`` (the last published index) keeps person ids stable."""
    _check_band(threshold, review_band)
    timer = _Timer(progress or _noop)
    eng = get_engine(engine)
    timer.stage("prepare", 0.0)
    prepared = prepare(records)
    db_api = eng.db_api()
    df = db_api.register(prepared)
    if model_json is None:
        kind = model
        timer.stage("train", 0.1)
        sample = training_sample(prepared, train_sample)
        if sample is prepared:
            linker = Linker(df, settings_creator(kind), log_level="WARNING")
            train(linker, kind, sample.num_rows)
        else:
            # Trained in its own database session: Splink caches intermediate tables per
            # session and model id, so the sample's tables must not be reused for scoring.
            trainer = Linker(
                eng.db_api().register(sample), settings_creator(kind), log_level="WARNING"
            )
            train(trainer, kind, sample.num_rows)
            settings = trainer.misc.save_model_to_json()
            settings.pop("linker_uid", None)
            linker = Linker(df, settings, log_level="WARNING")
    else:
        settings = settings_for_dialect(model_json, eng.dialect)
        kind = model_kind(settings)
        linker = Linker(df, settings, log_level="WARNING")
    trained = linker.misc.save_model_to_json()
    timer.stage("predict", 0.45)
    low = review_band[0]
    # Only pairs at or above the review band are kept in the engine (the rest are scored
    # and dropped as they stream); how many were scored is counted from the blocking join.
    predictions = linker.inference.predict(
        threshold_match_probability=low if low > 0 else None, warning_mode="never"
    )
    pairs, _ = _pairs_table(eng, [predictions], trained, low)
    predictions.drop_table_from_database_and_remove_from_cache()
    scored = _candidate_pairs(df, trained)
    return _finish(
        kind=kind,
        engine=eng,
        model_json=json.dumps(trained),
        pairs=pairs,
        scored=scored,
        ids=prepared.column(UNIQUE_ID).to_pylist(),
        threshold=threshold,
        review_band=review_band,
        must_link=_uids(must_link),
        cannot_link=_uids(cannot_link),
        previous_ids=previous_ids or {},
        initial_weakest=None,
        new_id=new_id,
        timer=timer,
        records=prepared.num_rows,
        attributes=_attributes(prepared),
    )


def link_incremental(
    existing: pa.Table,
    previous_ids: Mapping[RecordKey, str],
    new: pa.Table,
    model_json: str,
    *,
    engine: str | Engine = "duckdb",
    previous_weakest: Mapping[RecordKey, float | None] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    review_band: tuple[float, float] = DEFAULT_REVIEW_BAND,
    must_link: Iterable[tuple[RecordKey, RecordKey]] = (),
    cannot_link: Iterable[tuple[RecordKey, RecordKey]] = (),
    new_id: Callable[[], str] = _new_person_id,
    progress: Progress | None = None,
) -> LinkResult:
    """Link a ``new`` batch against the published index without retraining and without
    rescoring existing pairs: the saved model scores new x existing and new x new pairs
    only, term frequencies come from existing and new records together, and every
    existing person is kept together (its records enter clustering as must-links) so new
    records can join or bridge persons but existing persons never fall apart.
    ``previous_weakest`` carries each existing record's weakest link forward."""
    _check_band(threshold, review_band)
    timer = _Timer(progress or _noop)
    eng = get_engine(engine)
    timer.stage("prepare", 0.0)
    old_prepared, new_prepared = prepare(existing), prepare(new)
    old_ids = old_prepared.column(UNIQUE_ID).to_pylist()
    new_ids = new_prepared.column(UNIQUE_ID).to_pylist()
    if set(old_ids) & set(new_ids):
        raise ValueError("new batch repeats records already in the index")
    db_api = eng.db_api()
    all_df = db_api.register(pa.concat_tables([old_prepared, new_prepared]))
    old_df, new_df = db_api.register(old_prepared), db_api.register(new_prepared)
    settings = settings_for_dialect(model_json, eng.dialect)
    kind = model_kind(settings)
    linker = Linker(all_df, settings, log_level="WARNING")
    for column in _tf_columns(settings):
        linker.table_management.compute_tf_table(column)
    timer.stage("predict", 0.3)
    between = linker.inference.predict_between(old_df, new_df, warning_mode="never")
    within = linker.inference.predict_within(new_df, warning_mode="never")
    pairs, scored = _pairs_table(eng, [between, within], settings, review_band[0])
    groups: dict[str, list[str]] = {}
    for key, pid in previous_ids.items():
        groups.setdefault(pid, []).append(unique_id(*key))
    weakest = {unique_id(*k): w for k, w in previous_weakest.items()} if previous_weakest else None
    return _finish(
        kind=kind,
        engine=eng,
        model_json=model_json,
        pairs=pairs,
        scored=scored,
        ids=old_ids + new_ids,
        threshold=threshold,
        review_band=review_band,
        must_link=groups_as_pairs(list(groups.values())) + _uids(must_link),
        cannot_link=_uids(cannot_link),
        previous_ids=previous_ids,
        initial_weakest=weakest,
        new_id=new_id,
        timer=timer,
        records=len(old_ids) + len(new_ids),
        attributes={**_attributes(old_prepared), **_attributes(new_prepared)},
    )


def write_index_parquet(path: str | Path, result: LinkResult) -> None:
    """Write the person index: source, record_id, person_id, cluster and
    match_probability (the weakest link holding the record; null when alone)."""
    pq.write_table(result.index, str(path))
