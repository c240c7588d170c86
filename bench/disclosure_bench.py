# ruff: noqa: T201 -- a benchmark: reports on standard output
"""Disclosure control on a realistic large table: time of each step.

Run: ``.venv/bin/python bench/disclosure_bench.py [--provinces 81] [--nationalities 60]
[--persons 4000000] [--audit-sample 10] [--write]``.

The table: residence-permit holders by province (GEO, 81 + ``_T``) x citizenship (CITIZEN,
60 + ``_T``) x sex (F, M, ``_T``) x age band (six Eurostat bands + ``_T``), every margin
included (105,042 cells at full size). Counts are drawn (seed 2026) from skewed shares like
Türkiye's: a few provinces (İstanbul, Ankara, İzmir, Gaziantep ...) and nationalities hold most
people, so the tail has many small cells. Steps timed separately:

1. the dense structure and its additivity equations;
2. ``protect``: primary (threshold 5) and secondary suppression (hypercubes; the LP check
   runs only under its limit, see :func:`ura.stats.disclosure.suppress`), long format out;
3. simple differencing over the whole protected table (must recover no primary cell);
4. the auditor on the whole table (hypercube certificates, then small LPs around the cells
   without one, then the attacker's LP over the component for any left);
5. the attacker's LP for a random sample of primary cells over their whole component (one
   HiGHS model re-solved warm per cell: the first cell pays for the cold solve);
6. controlled rounding to base 5 of the whole table (MILP, with its fallback).

Times are wall clock with the process's CPU time beside them (the machine is shared).
``--write`` puts the table in bench/RESULTS.md under "Disclosure control".
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ura.stats.disclosure import (  # noqa: E402
    ProtectionRule,
    TableStructure,
    audit,
    controlled_round,
    difference,
    intervals,
    protect,
    threshold_cells,
)

AGES = ("Y_LT14", "Y14-17", "Y18-34", "Y35-64", "Y_GE65", "UNK")


def build(provinces: int, nationalities: int, persons: int, seed: int = 2026) -> pd.DataFrame:
    """The long-format table with all margins, counts drawn from skewed shares."""
    rng = np.random.default_rng(seed)
    geo_share = 1.0 / np.arange(1, provinces + 1) ** 1.1
    nat_share = 1.0 / np.arange(1, nationalities + 1) ** 1.3
    sex_share = np.array([0.46, 0.54])
    age_share = np.array([0.22, 0.08, 0.34, 0.30, 0.05, 0.01])
    expected = (
        persons
        * np.einsum("i,j,k,l->ijkl", geo_share, nat_share, sex_share, age_share)
        / (geo_share.sum() * nat_share.sum())
    )
    # Overdispersed like real registers: a gamma-mixed Poisson per cell.
    leaves = rng.poisson(expected * rng.gamma(2.0, 0.5, size=expected.shape))
    codes = [
        [f"TR{i + 1:02d}" for i in range(provinces)],
        [f"C{i:02d}" for i in range(nationalities)],
        ["F", "M"],
        list(AGES),
    ]
    names = ["GEO", "CITIZEN", "SEX", "AGE"]
    values = leaves
    # Add a total along every axis: the "_T" slice is the sum over the axis.
    for axis in range(4):
        values = np.concatenate([values, values.sum(axis=axis, keepdims=True)], axis=axis)
    grids = [[*c, "_T"] for c in codes]
    index = pd.MultiIndex.from_tuples(list(itertools.product(*grids)), names=names)
    frame = index.to_frame(index=False)
    frame["OBS_VALUE"] = values.ravel().astype(np.int64)
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--provinces", type=int, default=81)
    parser.add_argument("--nationalities", type=int, default=60)
    parser.add_argument("--persons", type=int, default=4_000_000)
    parser.add_argument("--audit-sample", type=int, default=10)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    rows: list[tuple[str, str]] = []

    started = time.perf_counter()
    frame = build(args.provinces, args.nationalities, args.persons)
    structure = TableStructure.from_frame(frame, dimensions=["GEO", "CITIZEN", "SEX", "AGE"])
    values = structure.dense(frame)
    matrix = structure.equations()
    rows.append(("cells / equations", f"{structure.size:,} / {matrix.shape[0]:,}"))
    rows.append(("structure and equations", f"{time.perf_counter() - started:.1f} s"))

    rule = ProtectionRule()
    started, cpu = time.perf_counter(), time.process_time()
    protected = protect(frame, rule, dimensions=["GEO", "CITIZEN", "SEX", "AGE"])
    elapsed, spent = time.perf_counter() - started, time.process_time() - cpu
    record = protected.attrs["disclosure"]
    hidden = np.isnan(structure.dense(protected))
    primary = threshold_cells(values, rule.threshold)
    rows.append(("primary cells (0 < n < 5)", f"{record['primary']:,}"))
    rows.append(("secondary cells", f"{record['secondary']:,}"))
    inner = np.ones(structure.shape, dtype=bool)
    for axis, dimension in enumerate(structure.dimensions):
        shape = [1] * len(structure.shape)
        shape[axis] = len(dimension.codes)
        inner = inner & (np.array(dimension.codes) != "_T").reshape(shape)
    share = values[hidden & inner].sum() / values[inner].sum()
    rows.append(("persons in hidden inner cells / all persons", f"{share:.2%}"))
    rows.append(("hidden inner cells / inner cells", f"{(hidden & inner).sum() / inner.sum():.2%}"))
    rows.append(
        ("protect (primary + secondary, long format out)", f"{elapsed:.1f} s ({spent:.1f} s CPU)")
    )
    rows.append(
        ("LP check inside suppression", "yes" if record["checked_by_lp"] else "no (over limit)")
    )

    started = time.perf_counter()
    recovered = difference(structure, values, hidden)
    leaked = set(recovered) & set(np.flatnonzero(primary.ravel()).tolist())
    rows.append(
        (
            "differencing attack",
            f"{time.perf_counter() - started:.1f} s, {len(leaked)} primary cells recovered",
        )
    )

    started, cpu = time.perf_counter(), time.process_time()
    violations = audit(protected, rule, original=frame)
    rows.append(
        (
            "auditor (certificates, small LPs, then the LP for the rest)",
            f"{time.perf_counter() - started:.1f} s ({time.process_time() - cpu:.1f} s CPU), "
            f"{len(violations)} violations",
        )
    )

    rng = np.random.default_rng(1)
    cells = np.flatnonzero(primary.ravel())
    sample = rng.choice(cells, size=min(args.audit_sample, cells.size), replace=False)
    started, cpu = time.perf_counter(), time.process_time()
    found = intervals(structure, values, hidden, sample)
    elapsed, spent = time.perf_counter() - started, time.process_time() - cpu
    too_narrow = 0
    for interval in found:
        value = float(values.ravel()[interval.cell])
        lower, upper = rule.required_range(value, primary=True)
        if interval.low > value - lower + 1e-6 or interval.high < value + upper - 1e-6:
            too_narrow += 1
    rows.append(
        (
            f"LP attack on {len(sample)} sampled primary cells",
            f"{elapsed:.1f} s ({spent:.1f} s CPU; {elapsed / max(len(sample), 1):.1f} s a "
            f"cell), {too_narrow} too narrow",
        )
    )

    started = time.perf_counter()
    rounding = controlled_round(structure, values)
    rows.append(
        (
            "controlled rounding to 5",
            f"{time.perf_counter() - started:.1f} s ({rounding.method}, "
            f"{'closest' if rounding.optimal else 'not proven closest'}, "
            f"{len(rounding.wide)} wide cells)",
        )
    )

    load_after = os.getloadavg()[0]
    today = dt.datetime.now(dt.UTC).date().isoformat()
    command = (
        f".venv/bin/python bench/disclosure_bench.py --provinces {args.provinces} "
        f"--nationalities {args.nationalities} --persons {args.persons} "
        f"--audit-sample {args.audit_sample} --write"
    )
    table = ["| step | result |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)]
    print("\n".join(table))
    print(f"load average {load_before:.2f} -> {load_after:.2f}")
    if args.write:
        _write(command, today, table, load_before, load_after)


def _write(command: str, today: str, table: list[str], before: float, after: float) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text(encoding="utf-8")
    heading = "## Disclosure control"
    section = "\n".join(
        [
            heading,
            "",
            f"Command: `{command}` — run {today}.",
            "",
            *table,
            "",
            f"Load average {before:.2f} before, {after:.2f} after (shared machine, 2 cores).",
            "",
        ]
    )
    if heading in text:
        start = text.index(heading)
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + section + (text[end + 1 :] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
