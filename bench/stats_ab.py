"""Statistics: an older ura.stats.compute beside the current one, table by table.

Run: git show main:src/ura/stats/compute.py > /tmp/compute_old.py
     .venv/bin/python bench/stats_ab.py /tmp/compute_old.py [--events 1000000] [--reps 3]
Reads the Parquet microdata that bench/stats_bench.py wrote for the same --events (run that
first). Each table of the standard set is computed with both modules in one process,
alternately (which one goes first swaps every round), --reps times; the minimum wall and
CPU seconds (all of DuckDB's threads) of each are printed with their ratio, and the two
tables must be identical (same rows, order, types and attributes). On a shared machine the
ratios are the figures to read, not the seconds.
"""

# ruff: noqa: T201 - a command-line report
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import ura.stats.compute as current
from ura.stats.definitions import load_definitions

ROOT = Path(__file__).resolve().parents[1]
START, END = dt.date(2022, 1, 1), dt.date(2024, 12, 31)
EVENTS_PER_PERSON = 3.0


def load_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("ura_stats_compute_other", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("other", type=Path, help="the other compute.py")
    parser.add_argument("tables", nargs="*", help="only these tables")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=ROOT / "var" / "bench" / "stats")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    data = args.data / f"persons-{round(args.events / EVENTS_PER_PERSON)}"
    modules = {"other": load_module(args.other), "current": current}
    totals = {(label, kind): 0.0 for label in modules for kind in ("wall", "cpu")}
    for definition in load_definitions().values():
        if args.tables and definition.id not in args.tables:
            continue
        best: dict[tuple[str, str], float] = {}
        frames: dict[str, pd.DataFrame] = {}
        for rep in range(args.reps):
            order = list(modules.items())
            for label, module in order if rep % 2 else order[::-1]:
                wall, cpu = time.perf_counter(), time.process_time()
                microdata = module.Microdata(data / "persons", data / "events")
                frames[label] = module.compute_tables(
                    [definition], microdata, start=START, end=END, as_of=dt.date(2024, 6, 15)
                )[definition.id]
                for kind, seconds in (
                    ("wall", time.perf_counter() - wall),
                    ("cpu", time.process_time() - cpu),
                ):
                    best[label, kind] = min(seconds, best.get((label, kind), float("inf")))
        pd.testing.assert_frame_equal(frames["other"], frames["current"])
        if frames["other"].attrs != frames["current"].attrs:
            raise SystemExit(f"{definition.id}: the tables' attributes differ")
        for key, seconds in best.items():
            totals[key] += seconds
        print(report(definition.id, best) + f"  identical, {len(frames['current']):,} rows")
    print(report("all tables", totals))


def report(name: str, seconds: dict[tuple[str, str], float]) -> str:
    parts = [f"{name:26s}"]
    for kind in ("wall", "cpu"):
        old, new = seconds["other", kind], seconds["current", kind]
        parts.append(f"{kind} {old:6.2f} -> {new:6.2f} s ({new / old:.2f}x)")
    return "  ".join(parts)


if __name__ == "__main__":
    main()
