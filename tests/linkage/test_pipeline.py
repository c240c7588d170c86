"""End-to-end runs on DuckDB over a FEBRL 3 sample (about 1,000 records, a few seconds)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from ura.linkage.evaluation import evaluate
from ura.linkage.explain import explain
from ura.linkage.pipeline import LinkResult, link, link_incremental, write_index_parquet
from ura.linkage.prepare import RecordKey

Sample = tuple[pa.Table, dict[RecordKey, str]]


@pytest.fixture(scope="module")
def ura_run(febrl_sample: Sample) -> LinkResult:
    records, _ = febrl_sample
    return link(records)


def test_ura_model_is_accurate_on_febrl(ura_run: LinkResult, febrl_sample: Sample) -> None:
    _, truth = febrl_sample
    scores = evaluate(ura_run.person_ids, truth)
    # measured on this sample (1,013 records): pairwise F1 0.982, B-cubed F1 0.989;
    # the generic baseline 0.962 and 0.978
    assert scores.pairwise_f1 > 0.95
    assert scores.bcubed_f1 > 0.95
    assert scores.exact_person_share > 0.9


def test_result_shape_and_stages(ura_run: LinkResult) -> None:
    assert ura_run.model == "ura"
    assert ura_run.engine == "duckdb"
    assert set(ura_run.timings) == {"prepare", "train", "predict", "cluster", "person ids"}
    assert ura_run.counts["pairs_scored"] >= ura_run.counts["pairs_kept"]
    assert {"gamma_given", "mw_given", "mw_tf_adj_given", "source_l", "record_id_r"} <= set(
        ura_run.pairs.column_names
    )
    low = pc.min(ura_run.pairs.column("match_probability")).as_py()
    assert low >= 0.5
    band = ura_run.review_pairs.column("match_probability").to_pylist()
    assert all(0.5 <= p < 0.9 for p in band)
    assert ura_run.index.num_rows == ura_run.counts["records"]


def test_explain_adds_up_to_match_weight(ura_run: LinkResult) -> None:
    for row in ura_run.pairs.slice(0, 20).to_pylist():
        items = explain(row, ura_run.model_json)
        assert items[0].name == "Starting point"
        names = [i.name for i in items[1:]]
        assert names[:4] == ["Given names", "Family name", "Full name", "Date of birth"]
        assert sum(i.weight for i in items) == pytest.approx(row["match_weight"], abs=1e-6)
        assert all(i.description for i in items)


def test_saved_model_scores_without_retraining(ura_run: LinkResult, febrl_sample: Sample) -> None:
    records, _ = febrl_sample
    progress: list[tuple[str, float]] = []
    again = link(
        records, model_json=ura_run.model_json, progress=lambda s, f: progress.append((s, f))
    )
    assert "train" not in again.timings

    def params(model_json: str) -> list[tuple[float | None, float | None]]:
        model = json.loads(model_json)
        return [(model["probability_two_random_records_match"], None)] + [
            (lvl.get("m_probability"), lvl.get("u_probability"))
            for c in model["comparisons"]
            for lvl in c["comparison_levels"]
        ]

    assert params(again.model_json) == params(ura_run.model_json)
    assert again.clusters.groups() == ura_run.clusters.groups()
    assert progress[-1] == ("done", 1.0)
    assert [f for _, f in progress] == sorted(f for _, f in progress)


def test_previous_ids_are_kept(ura_run: LinkResult, febrl_sample: Sample) -> None:
    records, _ = febrl_sample
    again = link(records, model_json=ura_run.model_json, previous_ids=ura_run.person_ids)
    assert again.person_ids == ura_run.person_ids
    assert again.lineage == []


def test_index_parquet(ura_run: LinkResult, tmp_path: Path) -> None:
    path = tmp_path / "index.parquet"
    write_index_parquet(path, ura_run)
    table = pq.read_table(path)
    assert {"source", "record_id", "person_id", "match_probability"} <= set(table.column_names)
    singles = [
        w
        for w, c in zip(ura_run.clusters.weakest, ura_run.clusters.cluster, strict=True)
        if ura_run.clusters.cluster.count(c) == 1
    ]
    assert all(w is None for w in singles)


def test_incremental_keeps_ids_and_scores_only_new_pairs(
    ura_run: LinkResult, febrl_sample: Sample
) -> None:
    records, truth = febrl_sample
    is_new = pc.match_substring(records.column("record_id"), "dup-0")
    existing, new = records.filter(pc.invert(is_new)), records.filter(is_new)
    first = link(existing, model_json=ura_run.model_json)
    counter = itertools.count(1)
    first_keys = list(
        zip(
            first.index.column("source").to_pylist(),
            first.index.column("record_id").to_pylist(),
            strict=True,
        )
    )
    weakest = first.index.column("match_probability").to_pylist()
    second = link_incremental(
        existing,
        first.person_ids,
        new,
        ura_run.model_json,
        previous_weakest=dict(zip(first_keys, weakest, strict=True)),
        new_id=lambda: f"NEW{next(counter)}",
    )
    new_ids = {("febrl3", r) for r in new.column("record_id").to_pylist()}
    for row in second.pairs.select(["record_id_l", "record_id_r"]).to_pylist():
        assert ("febrl3", row["record_id_l"]) in new_ids or (
            "febrl3",
            row["record_id_r"],
        ) in new_ids
    for key, pid in first.person_ids.items():
        assert second.person_ids[key] == pid or any(
            e.kind == "merge" and pid in e.related_ids for e in second.lineage
        )
    assert not any(e.kind == "split" for e in second.lineage)
    scores = evaluate(second.person_ids, truth)
    assert scores.pairwise_f1 > 0.95


def test_baseline_runs_through_the_same_function(febrl_sample: Sample) -> None:
    records, truth = febrl_sample
    result = link(records, model="baseline")
    assert result.model == "baseline"
    assert "gamma_given" in result.pairs.column_names
    scores = evaluate(result.person_ids, truth)
    assert scores.pairwise_f1 > 0.9
    items = explain(result.pairs.slice(0, 1).to_pylist()[0], result.model_json)
    assert [i.name for i in items][1:3] == ["Given names", "Family name"]
