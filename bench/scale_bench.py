"""Scale: synthetic multi-agency records end to end on DuckDB, Ura and the generic baseline.

Run: .venv/bin/python bench/scale_bench.py [--records 1000000] [--write]
(--write replaces the "## Linkage at scale" section of bench/RESULTS.md). Writes the seven
synthetic agency extracts for about ``--records`` records (ura.synth.write_extracts, seed 7:
CSV, JSON Lines, Parquet, Windows-1254 and Cyrillic files with their mapping YAMLs and a few
invalid rows each), ingests them with ura.ingest (validation, quarantine, canonical records),
then runs ura.linkage.pipeline.link for Ura's model and for the baseline in this same process.
It reports the ingest time (shared by both: the baseline needs the same canonical records),
each linkage stage's time (LinkResult.timings: prepare = standardisation with the name layer,
train, predict, cluster, person ids), the end-to-end time and its ratio to the baseline's,
accuracy against the synthetic truth, and peak resident memory of the process (ru_maxrss, so
the figure after the second model is the maximum over both).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_bench import RECORDS_PER_PERSON, SEED, truth_of, write_section

from ura.ingest import Accepted, ingest, load_mapping
from ura.linkage.evaluation import evaluate
from ura.linkage.pipeline import link
from ura.linkage.prepare import record_key
from ura.records import LINKAGE_COLUMNS, linkage_row
from ura.synth import write_extracts

SECTION = "## Linkage at scale"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        manifest = write_extracts(
            Path(tmp), persons=round(args.records / RECORDS_PER_PERSON), seed=SEED
        )
        written_s = time.perf_counter() - start
        truth = truth_of(pq.read_table(manifest.truth_path))
        start = time.perf_counter()
        columns: dict[str, list[object]] = {c: [] for c in LINKAGE_COLUMNS}
        read = rejected = 0
        for source in manifest.sources:
            for outcome in ingest(load_mapping(source.mapping_path), [source.path]):
                read += 1
                if isinstance(outcome, Accepted):
                    for column, value in linkage_row(outcome.record).items():
                        columns[column].append(value)
                else:
                    rejected += 1
        records = pa.table(columns)
        del columns
        ingest_s = time.perf_counter() - start
    out = [
        f"{len(manifest.sources)} extracts written in {written_s:.0f} s (not timed below); "
        f"ingest read {read:,} rows, accepted {records.num_rows:,}, quarantined {rejected:,} "
        f"in {ingest_s:.1f} s ({read / ingest_s:,.0f} rows/s), peak RSS {peak_mb():,.0f} MB.",
        "",
        "End to end = ingest + linkage; the baseline is given the same ingested records.",
    ]
    lines = [
        "| model | ingest s | prepare s | train s | predict s | cluster + ids s | "
        "end to end s | time / baseline | pairs scored | pair P | pair R | pair F1 | B3 F1 "
        "| peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    totals: dict[str, float] = {}
    for model in ("ura", "baseline"):
        t0 = time.perf_counter()
        result = link(records, model=model)
        total = time.perf_counter() - t0 + ingest_s
        totals[model] = total
        predicted = {
            record_key(u): c
            for u, c in zip(result.clusters.ids, result.clusters.cluster, strict=True)
        }
        s = evaluate(predicted, truth)
        t = result.timings
        ratio = "" if model == "ura" else "1.00x"
        lines.append(
            f"| {'Ura' if model == 'ura' else 'baseline'} | {ingest_s:.1f} | "
            f"{t.get('prepare', 0):.1f} | "
            f"{t.get('train', 0):.1f} | {t.get('predict', 0):.1f} | "
            f"{t.get('cluster', 0) + t.get('person ids', 0):.1f} | {total:.1f} | {ratio} | "
            f"{result.counts['pairs_scored']:,} | {s.pairwise_precision:.3f} | "
            f"{s.pairwise_recall:.3f} | {s.pairwise_f1:.3f} | {s.bcubed_f1:.3f} | "
            f"{peak_mb():,.0f} |"
        )
        sys.stdout.write(lines[-1] + "\n")
        sys.stdout.flush()
        del result
    lines[2] = lines[2].replace("|  |", f"| {totals['ura'] / totals['baseline']:.2f}x |", 1)
    body = "\n".join([*out, "", *lines])
    sys.stdout.write(body + "\n")
    if args.write:
        command = " ".join([".venv/bin/python bench/scale_bench.py", *sys.argv[1:]])
        write_section(SECTION, body, command)


if __name__ == "__main__":
    main()
