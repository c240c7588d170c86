"""The whole migration profile with disclosure control: DuckDB beside plain pandas.

Run: .venv/bin/python bench/profile_bench.py [--events 10000000] [--write]
(--write replaces the "## Migration profile with disclosure control" section of
bench/RESULTS.md). Uses the synthetic national microdata of ``stats_bench.py`` (written once
into var/bench/stats, reused at the same size) and runs, each in a fresh child process so that
peak resident memory is each one's own:

1. the standard set of tables (18, 2022-2024 at each table's frequency), computed either by
   ``ura.stats.compute_tables`` on DuckDB or by the straightforward pandas implementation of
   ``stats_bench.py``;
2. disclosure control of every table by its definition's rule (``ura.stats.protection``: zero
   cells completed, primary and secondary suppression, controlled rounding, each table audited;
   the recognition rate derived from the protected decisions, ``ura.stats.derived``), as
   ``ura profile build`` does;
3. the profile report for 2024 from the protected annual tables (``ura.stats.profile``),
   rendered as HTML and PDF.

Steps 2 and 3 are the same code in both children; they run on each child's own tables so that
both columns are measured, not added up. The protected tables of both must be identical.
"""

# ruff: noqa: T201 - a command-line report
from __future__ import annotations

import os
import pickle
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_bench import write_section
from stats_bench import (
    END,
    START,
    bench_arguments,
    ensure_microdata,
    peak_mb,
    run_children,
    run_pandas,
)

from ura.stats.compute import Microdata, compute_tables
from ura.stats.definitions import Measure, TableDefinition, linked_groups, load_definitions
from ura.stats.derived import protect_derived
from ura.stats.profile import ReportMeta, build_report, load_template, render_html, render_pdf
from ura.stats.protection import protect_counts
from ura.stats.reference.unhcr import load_unhcr_context

SECTION = "## Migration profile with disclosure control"
PERIOD = str(END.year)


def tables_of(kind: str, data: Path) -> dict[str, pd.DataFrame]:
    """The standard set, unprotected, from DuckDB or pandas, in the engine's long format
    (pandas' tables get the engine's constant columns: every period of 2022-2024 is final)."""
    definitions = load_definitions()
    if kind == "duckdb":
        return compute_tables(
            definitions.values(), Microdata(data / "persons", data / "events"), start=START, end=END
        )
    tables = {}
    for table_id, frame in run_pandas(data).items():
        definition = definitions[table_id]
        out = frame.copy()
        out.insert(0, "FREQ", definition.frequency.value)
        if definition.measure is not Measure.RATIO:
            out["OBS_VALUE"] = out["OBS_VALUE"].astype("int64")
        out["OBS_STATUS"] = "A"
        out["CONF_STATUS"] = "F"
        tables[table_id] = out
    return tables


def protect_all(
    tables: dict[str, pd.DataFrame], definitions: dict[str, TableDefinition]
) -> tuple[dict[str, pd.DataFrame], dict[str, float], list[str]]:
    """Every table protected by its rule and audited; derived ratios from their protected
    source. Returns the protected tables, the seconds per table and the violations found."""
    if linked_groups(definitions.values()):
        raise SystemExit("linked tables in the standard set: protect them with protect_linked")
    protected: dict[str, pd.DataFrame] = {}
    seconds: dict[str, float] = {}
    violations: list[str] = []
    ordered = sorted(definitions.values(), key=lambda d: (d.derived_from is not None, d.id))
    for definition in ordered:
        started = time.perf_counter()
        if definition.derived_from is not None:
            source = definitions[definition.derived_from.table]
            result = protect_derived(protected[source.id], source, definition, start=START, end=END)
        else:
            result = protect_counts(tables[definition.id], definition)
        protected[definition.id] = result.table
        violations += [f"{definition.id}: {v}" for v in result.violations]
        seconds[definition.id] = time.perf_counter() - started
        print(f"  {definition.id}: {definition.rule.name}, {len(result.table):,} cells, "
              f"{seconds[definition.id]:.1f} s", flush=True)  # fmt: skip
    return protected, seconds, violations


def report_of(
    protected: dict[str, pd.DataFrame], definitions: dict[str, TableDefinition]
) -> tuple[int, int]:
    """The 2024 profile from the protected annual tables; the sizes of its HTML and PDF."""
    annual = {k: v for k, v in protected.items() if definitions[k].frequency.value == "A"}
    meta = ReportMeta(
        country="Türkiye", period=PERIOD, reference_date=END.isoformat(), edition="bench"
    )
    report = build_report(
        load_template(), {**annual, "unhcr_context": load_unhcr_context()}, {}, meta
    )
    return len(render_html(report, standalone=True)), len(render_pdf(report))


def child(kind: str, data: Path, out: Path) -> None:
    definitions = load_definitions()
    started = time.perf_counter()
    cpu_started = time.process_time()
    tables = tables_of(kind, data)
    steps = {"tables": time.perf_counter() - started}
    mark = time.perf_counter()
    protected, per_table, violations = protect_all(tables, definitions)
    steps["disclosure control"] = time.perf_counter() - mark
    mark = time.perf_counter()
    html_size, pdf_size = report_of(protected, definitions)
    steps["report (HTML and PDF)"] = time.perf_counter() - mark
    result: dict[str, Any] = {
        "steps": steps,
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu_started,
        "peak_mb": peak_mb(),
        "per_table": per_table,
        "violations": violations,
        "sizes": (html_size, pdf_size),
        "cells": sum(len(t) for t in protected.values()),
        "hidden": sum(int((t["CONF_STATUS"] != "F").sum()) for t in protected.values()),
        "tables": {k: v.reset_index(drop=True) for k, v in protected.items()},
    }
    with out.open("wb") as handle:
        pickle.dump(result, handle)


def same_protection(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> list[str]:
    """Tables whose protected cells (values and flags) differ."""
    differing = []
    for table_id, left in a.items():
        right = b[table_id]
        keys = [c for c in left.columns if c not in ("OBS_VALUE", "CONF_STATUS", "OBS_STATUS")]
        merged = left.merge(right, on=keys, how="outer", suffixes=("_l", "_r"), indicator=True)
        flags = (merged["CONF_STATUS_l"].fillna("") == merged["CONF_STATUS_r"].fillna("")).all()
        values = merged["OBS_VALUE_l"].astype(float).fillna(-1).to_numpy()
        others = merged["OBS_VALUE_r"].astype(float).fillna(-1).to_numpy()
        if not (
            (merged["_merge"] == "both").all() and flags and (abs(values - others) < 1e-9).all()
        ):
            differing.append(table_id)
    return differing


def main() -> None:
    args, data, persons = bench_arguments(__doc__)
    if args.child:
        child(args.child[0], data, Path(args.child[1]))
        return
    manifest = ensure_microdata(data, persons)

    results = run_children(__file__, args, data)

    duck = results["duckdb"]
    base = results.get("pandas")
    lines = [
        f"Synthetic national microdata (ura.synth.microdata, seed 2026): "
        f"{manifest['persons']:,} persons, {manifest['events']:,} events. The standard set "
        f"(18 tables, 2022-2024 at each table's frequency) computed, every table protected by "
        f"its rule and audited ({duck['cells']:,} published cells, {duck['hidden']:,} of them "
        f"hidden), and the {PERIOD} profile built from the protected annual tables and "
        f"rendered as HTML ({duck['sizes'][0]:,} bytes) and PDF ({duck['sizes'][1]:,} bytes). "
        f"Each implementation in its own child process; machine: {os.cpu_count()} cores, "
        f"shared.",
        "",
        "| step | ura.stats on DuckDB, s | pandas, straightforward, s |",
        "|---|---|---|",
    ]
    for step in duck["steps"]:
        other = f"{base['steps'][step]:.1f}" if base else "n/a"
        lines.append(f"| {step} | {duck['steps'][step]:.1f} | {other} |")
    ratio = f" ({duck['seconds'] / base['seconds']:.2f}x)" if base else ""
    lines += [
        f"| **whole profile** | **{duck['seconds']:.1f}**{ratio} | "
        + (f"**{base['seconds']:.1f}** (1.00x) |" if base else "n/a |"),
        f"| CPU time of the process | {duck['cpu']:.1f} | "
        + (f"{base['cpu']:.1f} |" if base else "n/a |"),
        f"| peak RSS, MB | {duck['peak_mb']:,.0f} | "
        + (f"{base['peak_mb']:,.0f} |" if base else "n/a |"),
        f"| load average at start | {duck['load']:.2f} | "
        + (f"{base['load']:.2f} |" if base else "n/a |"),
        "",
        "Auditor's violations: "
        + (", ".join(duck["violations"]) if duck["violations"] else "none")
        + ".",
    ]
    if base:
        differing = same_protection(duck["tables"], base["tables"])
        verdict = "yes, every cell and flag." if not differing else f"NO: {', '.join(differing)}"
        lines.append(f"Identical protected tables from both: {verdict}")
    slowest = sorted(duck["per_table"].items(), key=lambda kv: -kv[1])[:5]
    lines.append(
        "Disclosure control, slowest tables (DuckDB run): "
        + ", ".join(f"{k} {v:.1f} s" for k, v in slowest)
        + "."
    )
    body = "\n".join(lines)
    print(body)
    if args.write:
        command = f".venv/bin/python bench/profile_bench.py --events {args.events} --write"
        write_section(SECTION, body, command)


if __name__ == "__main__":
    main()
