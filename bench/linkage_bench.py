"""Ura's linkage model against a generically configured Splink model, side by side in one run.

Run: .venv/bin/python bench/linkage_bench.py [--sizes 10000 100000] [--write]
(--write replaces the "## Linkage accuracy" section of bench/RESULTS.md). Both models run
through the same ura.linkage.pipeline.link on DuckDB (train without labels, predict,
cluster at the default threshold), on: FEBRL 3 and FEBRL 4 (ura.linkage.datasets),
synthetic multi-agency data (ura.synth.generate, seed 7, persons chosen for about the
given record counts) and the cross-script subset of the largest synthetic set. Time is
wall-clock for the whole link() call, preparation included. Prints aggregates only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ura.linkage import datasets
from ura.linkage.evaluation import Scores, evaluate
from ura.linkage.pipeline import link
from ura.linkage.prepare import RecordKey, record_key
from ura.synth import cross_script_subset, generate

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SECTION = "## Linkage accuracy"
SEED = 7
#: generate(5000) gives 9,456 records: about 1.89 records per person.
RECORDS_PER_PERSON = 1.89

Truth = dict[RecordKey, str]


def truth_of(table: pa.Table) -> Truth:
    return {
        (s, r): p
        for s, r, p in zip(
            table["source"].to_pylist(),
            table["record_id"].to_pylist(),
            table["person_id"].to_pylist(),
            strict=True,
        )
    }


def _loader(records: pa.Table, truth: pa.Table) -> Callable[[], tuple[pa.Table, Truth]]:
    return lambda: (records, truth_of(truth))


def run(records: pa.Table, truth: Truth, model: str) -> tuple[Scores, float]:
    start = time.perf_counter()
    result = link(records, model=model)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    predicted = {
        record_key(uid): c
        for uid, c in zip(result.clusters.ids, result.clusters.cluster, strict=True)
    }
    return evaluate(predicted, truth), seconds


def row(name: str, records: int, model: str, s: Scores, seconds: float, ratio: str) -> str:
    return (
        f"| {name} | {records:,} | {model} | {s.pairwise_precision:.3f} | "
        f"{s.pairwise_recall:.3f} | {s.pairwise_f1:.3f} | {s.bcubed_precision:.3f} | "
        f"{s.bcubed_recall:.3f} | {s.bcubed_f1:.3f} | {s.exact_person_share:.3f} | "
        f"{seconds:.1f} | {ratio} |"
    )


HEADER = (
    "| data | records | model | pair P | pair R | pair F1 | B3 P | B3 R | B3 F1 | "
    "exact persons | time s | time / baseline |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()

    cases: list[tuple[str, Callable[[], tuple[pa.Table, Truth]]]] = [
        ("FEBRL 3", datasets.febrl3),
        ("FEBRL 4", datasets.febrl4),
    ]
    largest: tuple[pa.Table, pa.Table] | None = None
    for size in args.sizes:
        records, truth_table = generate(round(size / RECORDS_PER_PERSON), seed=SEED)
        largest = (records, truth_table)
        cases.append((f"synthetic ~{size // 1000}k", _loader(records, truth_table)))
    if largest is not None:
        sub, sub_truth = cross_script_subset(*largest)
        cases.append(
            (f"cross-script subset of ~{args.sizes[-1] // 1000}k", _loader(sub, sub_truth))
        )

    lines = [HEADER]
    for name, load in cases:
        records, truth = load()
        ura, ura_s = run(records, truth, "ura")
        base, base_s = run(records, truth, "baseline")
        lines.append(row(name, records.num_rows, "Ura", ura, ura_s, f"{ura_s / base_s:.2f}x"))
        lines.append(row(name, records.num_rows, "baseline", base, base_s, "1.00x"))
        sys.stdout.write(f"{lines[-2]}\n{lines[-1]}\n")
        sys.stdout.flush()
    table = "\n".join(lines)
    sys.stdout.write(table + "\n")
    if args.write:
        command = " ".join([".venv/bin/python bench/linkage_bench.py", *sys.argv[1:]])
        write_section(SECTION, table, command)


def write_section(section: str, body: str, command: str) -> None:
    """Replace (or append) ``section`` of RESULTS.md, up to the next "## " heading."""
    today = dt.datetime.now(dt.UTC).date().isoformat()
    block = f"{section}\n\nCommand: `{command}` — run {today}.\n\n{body}\n"
    text = RESULTS.read_text(encoding="utf-8")
    start = text.find(section + "\n")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + block
    else:
        end = text.find("\n## ", start + len(section))
        text = text[:start] + block + (text[end + 1 :] if end >= 0 else "")
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
