"""Scale: synthetic multi-agency records end to end on DuckDB, Ura and the generic baseline.

Run: .venv/bin/python bench/scale_bench.py [--records 1000000] [--write]
(--write replaces the "## Linkage at scale" section of bench/RESULTS.md). Generates about
``--records`` records (ura.synth.generate, seed 7), then runs ura.linkage.pipeline.link for
Ura's model and for the baseline in this same process, reporting each stage's time (from
LinkResult.timings: prepare = standardisation with the name layer, train, predict, cluster,
person ids), accuracy against the synthetic truth, and peak resident memory of the process
(ru_maxrss, so the figure after the second model is the maximum over both).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_bench import RECORDS_PER_PERSON, SEED, truth_of, write_section

from ura.linkage.evaluation import evaluate
from ura.linkage.pipeline import link
from ura.linkage.prepare import record_key
from ura.synth import generate

SECTION = "## Linkage at scale"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()

    start = time.perf_counter()
    records, truth_table = generate(round(args.records / RECORDS_PER_PERSON), seed=SEED)
    truth = truth_of(truth_table)
    gen_s = time.perf_counter() - start
    out = [f"{records.num_rows:,} records generated in {gen_s:.0f} s (not part of linkage)."]
    lines = [
        "| model | prepare s | train s | predict s | cluster + ids s | total s | "
        "time / baseline | pairs scored | pair P | pair R | pair F1 | B3 F1 | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    totals: dict[str, float] = {}
    for model in ("ura", "baseline"):
        t0 = time.perf_counter()
        result = link(records, model=model)
        total = time.perf_counter() - t0
        totals[model] = total
        predicted = {
            record_key(u): c
            for u, c in zip(result.clusters.ids, result.clusters.cluster, strict=True)
        }
        s = evaluate(predicted, truth)
        t = result.timings
        ratio = "" if model == "ura" else "1.00x"
        lines.append(
            f"| {'Ura' if model == 'ura' else 'baseline'} | {t.get('prepare', 0):.1f} | "
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
