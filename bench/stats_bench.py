"""Statistics: the migration profile's standard tables on DuckDB beside plain pandas.

Run: .venv/bin/python bench/stats_bench.py [--events 10000000] [--write]
(--write replaces the "## Statistics tables" section of bench/RESULTS.md). Writes the
synthetic national microdata (ura.synth.microdata, seed 2026, about 3 events per person,
2022-2024 plus the history stocks need) as Parquet part files once into var/bench/stats
(reused when the same size is there), then computes every table of the standard set
(ura.stats.load_definitions, each at its own frequency over 2022-2024) twice, each in a fresh
child process so that peak resident memory (ru_maxrss) is each one's own:

- ``ura.stats.compute_tables`` on DuckDB, reading the Parquet files in place;
- a straightforward pandas implementation of the same definitions (below: read the Parquet
  files into data frames, filter, sort and de-duplicate for persons and stocks, merge the
  persons, map codes, one groupby per combination of margins).

Both results are compared cell by cell (they must be identical), and the time ratio is
reported. Disclosure control (ura.stats.disclosure) is not part of this figure.
"""

# ruff: noqa: T201 - a command-line report
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import pickle
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_bench import write_section

from ura.ingest.countries import ALPHA2_TO_ALPHA3
from ura.stats.compute import Microdata, compute_tables, periods
from ura.stats.definitions import (
    AGE_BANDS,
    Measure,
    Selection,
    Source,
    TableDefinition,
    load_definitions,
)
from ura.synth.microdata import write_microdata

SECTION = "## Statistics tables"
START, END = dt.date(2022, 1, 1), dt.date(2024, 12, 31)
EVENTS_PER_PERSON = 3.0
ROOT = Path(__file__).resolve().parents[1]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


# -- the pandas implementation ---------------------------------------------------------------


def _selected(events: pd.DataFrame, selection: Selection) -> pd.Series:
    mask = events["event_type"].isin([t.value for t in selection.event_types])
    if selection.first is not None:
        mask &= events["first"] == selection.first
    if selection.unaccompanied is not None:
        mask &= events["unaccompanied"] == selection.unaccompanied
    if selection.categories:
        mask &= events["category"].isin(selection.categories)
    return mask


def _period(dates: pd.Series, freq: str) -> pd.Series:
    d = pd.to_datetime(dates)
    year = d.dt.year.astype(str)
    if freq == "A":
        return year
    if freq == "Q":
        return year + "-Q" + d.dt.quarter.astype(str)
    return year + "-" + d.dt.month.map("{:02d}".format)


def _units(definition: TableDefinition, events: pd.DataFrame) -> pd.DataFrame:
    freq = definition.frequency.value
    chosen = events[_selected(events, definition.select)]
    if definition.measure is Measure.STOCK:
        parts = []
        ending = events[events["event_type"].isin([t.value for t in definition.ended_by])]
        for span in periods(START, END, definition.frequency):
            ref = pd.Timestamp(span.end)
            rows = chosen[chosen["event_date"] <= ref]
            if definition.valid_until:
                rows = rows[rows["valid_until"].isna() | (rows["valid_until"] >= ref)]
            rows = rows.sort_values(["person_id", "event_date", "event_id"])
            rows = rows.drop_duplicates("person_id", keep="last")
            if definition.ended_by:
                x = ending[ending["event_date"] <= ref][["person_id", "event_date"]]
                joined = rows[["person_id", "event_date"]].merge(
                    x, on="person_id", suffixes=("", "_x")
                )
                closed = joined[joined["event_date_x"] >= joined["event_date"]]["person_id"]
                rows = rows[~rows["person_id"].isin(closed)]
            rows = rows.assign(time_period=span.code, ref_date=ref)
            parts.append(rows)
        return pd.concat(parts, ignore_index=True)
    rows = chosen[
        (chosen["event_date"] >= pd.Timestamp(START)) & (chosen["event_date"] <= pd.Timestamp(END))
    ]
    rows = rows.assign(time_period=_period(rows["event_date"], freq), ref_date=rows["event_date"])
    if definition.measure is Measure.PERSONS:
        rows = rows.sort_values(["person_id", "time_period", "event_date", "event_id"])
        rows = rows.drop_duplicates(["person_id", "time_period"], keep="first")
    return rows


def _age_band(birth: pd.Series, ref: pd.Series) -> pd.Series:
    b, r = pd.to_datetime(birth), pd.to_datetime(ref)
    before = (r.dt.month < b.dt.month) | ((r.dt.month == b.dt.month) & (r.dt.day < b.dt.day))
    age = r.dt.year - b.dt.year - before.astype(int)
    age = age.where(b.notna() & (b <= r))
    edges = [-1] + [high for _, _, high in AGE_BANDS if high is not None] + [1000]
    bands = pd.cut(age, bins=edges, labels=[code for code, _, _ in AGE_BANDS])
    return bands.astype(object).where(age.notna(), "UNK")


def pandas_table(
    definition: TableDefinition, events: pd.DataFrame, persons: pd.DataFrame
) -> pd.DataFrame:
    countries = {a3: {"GR": "EL", "GB": "UK"}.get(a2, a2) for a2, a3 in ALPHA2_TO_ALPHA3.items()}
    units = _units(definition, events).merge(persons, on="person_id", how="left")
    cells = pd.DataFrame({"TIME_PERIOD": units["time_period"].to_numpy()})
    for d in definition.dimensions:
        if d.source is Source.SEX:
            values = units["sex"].astype(object).where(units["sex"].isin(["F", "M"]), "UNK")
        elif d.source is Source.AGE:
            values = _age_band(units["birth_date"], units["ref_date"])
        elif d.source in (Source.CITIZENSHIP, Source.DESTINATION):
            column = "citizenship" if d.source is Source.CITIZENSHIP else "destination"
            values = units[column].astype(object).map(countries).fillna("UNK")
        else:
            column = {Source.PROVINCE: "province", Source.CATEGORY: "category",
                      Source.EVENT_TYPE: "event_type", Source.FIRST: "first"}[d.source]  # fmt: skip
            raw = units[column].astype(object)
            if d.source is Source.FIRST:
                raw = raw.map({True: "true", False: "false"})
            if d.codes:
                values = raw.map(dict(d.codes)).fillna(d.other)
            else:
                values = raw.where(raw.notna() & (raw != ""), d.other)
        cells[d.id] = values.to_numpy()
    if definition.numerator is not None:
        cells["num"] = _selected(units, definition.numerator).to_numpy().astype(int)
    ids = list(definition.dimension_ids)
    free = [d.id for d in definition.dimensions if d.total]
    fixed = [d.id for d in definition.dimensions if not d.total]
    parts = []
    for size in range(len(free) + 1):
        for kept in itertools.combinations(free, size):
            keys = ["TIME_PERIOD", *fixed, *kept]
            grouped = cells.groupby(keys, observed=True)
            if definition.measure is Measure.RATIO:
                out = grouped["num"].agg(["sum", "count"]).reset_index()
                out["OBS_VALUE"] = out["sum"] * 100 / out["count"]
                out = out.drop(columns=["sum", "count"])
            else:
                out = grouped.size().reset_index(name="OBS_VALUE")
            for d in free:
                if d not in kept:
                    out[d] = "_T"
            parts.append(out[["TIME_PERIOD", *ids, "OBS_VALUE"]])
    table = pd.concat(parts, ignore_index=True)
    for d in definition.dimensions:
        extra = []
        for code, members in d.groups.items():
            rows = table[table[d.id].isin(members)]
            others = ["TIME_PERIOD", *(i for i in ids if i != d.id)]
            summed = rows.groupby(others, as_index=False)["OBS_VALUE"].sum()
            summed[d.id] = code
            extra.append(summed)
        table = pd.concat([table, *extra], ignore_index=True)
    return table.sort_values(["TIME_PERIOD", *ids]).reset_index(drop=True)


def run_pandas(data: Path) -> dict[str, pd.DataFrame]:
    events = pd.read_parquet(data / "events")
    persons = pd.read_parquet(data / "persons")
    for frame in (events, persons):
        for column in frame.columns:
            if column.endswith("date") or column == "valid_until":
                frame[column] = pd.to_datetime(frame[column])
    return {d.id: pandas_table(d, events, persons) for d in load_definitions().values()}


def run_duckdb(data: Path) -> dict[str, pd.DataFrame]:
    tables = compute_tables(
        load_definitions().values(),
        Microdata(data / "persons", data / "events"),
        start=START,
        end=END,
    )
    return {
        k: v.drop(columns=["FREQ", "OBS_STATUS", "CONF_STATUS"]).reset_index(drop=True)
        for k, v in tables.items()
    }


def child(kind: str, data: Path, out: Path) -> None:
    start = time.perf_counter()
    tables = run_duckdb(data) if kind == "duckdb" else run_pandas(data)
    seconds = time.perf_counter() - start
    with out.open("wb") as handle:
        pickle.dump({"seconds": seconds, "peak_mb": peak_mb(), "tables": tables}, handle)


def compare(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> list[str]:
    differing = []
    for table_id, left in a.items():
        right = b[table_id]
        keys = [c for c in left.columns if c != "OBS_VALUE"]
        merged = left.merge(right, on=keys, how="outer", suffixes=("_l", "_r"), indicator=True)
        same = (merged["_merge"] == "both").all() and np.allclose(
            merged["OBS_VALUE_l"].astype(float), merged["OBS_VALUE_r"].astype(float)
        )
        if not same:
            differing.append(table_id)
    return differing


def ensure_microdata(data: Path, persons: int) -> dict[str, Any]:
    """Write the synthetic microdata into ``data`` unless the same size is there; its
    manifest (persons, events and, when written, the seconds it took)."""
    marker = data / "manifest.json"
    if marker.exists():
        manifest: dict[str, Any] = json.loads(marker.read_text())
        generated = "reused"
    else:
        started = time.perf_counter()
        files = write_microdata(data, persons)
        manifest = {"persons": files.person_count, "events": files.event_count,
                    "seconds": round(time.perf_counter() - started, 1)}  # fmt: skip
        marker.write_text(json.dumps(manifest))
        generated = "written"
    print(f"microdata {generated}: {manifest}", flush=True)
    return manifest


def bench_arguments(description: str | None) -> tuple[argparse.Namespace, Path, int]:
    """The statistics benches' command line: the arguments, the microdata folder and the
    number of persons."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--data", type=Path, default=ROOT / "var" / "bench" / "stats")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    persons = round(args.events / EVENTS_PER_PERSON)
    return args, args.data / f"persons-{persons}", persons


def run_children(script: str, args: argparse.Namespace, data: Path) -> dict[str, dict[str, Any]]:
    """Run ``script`` as a child process for DuckDB (and pandas unless skipped), each writing
    its pickled result; the results by kind, with the load average at each one's start."""
    results: dict[str, dict[str, Any]] = {}
    for kind in ("duckdb", *(() if args.skip_pandas else ("pandas",))):
        out = data / f"{Path(script).stem}-{kind}.pickle"
        load = os.getloadavg()[0]
        print(f"{kind}:", flush=True)
        subprocess.run(  # noqa: S603 - our own script, with our own arguments
            [sys.executable, script, "--events", str(args.events), "--data", str(args.data),
             "--child", kind, str(out)],
            check=True,
        )  # fmt: skip
        with out.open("rb") as handle:
            results[kind] = pickle.load(handle)  # noqa: S301 - written by our own child
        out.unlink()
        results[kind]["load"] = load
    return results


def main() -> None:
    args, data, persons = bench_arguments(__doc__)
    if args.child:
        child(args.child[0], data, Path(args.child[1]))
        return

    manifest = ensure_microdata(data, persons)

    results = run_children(__file__, args, data)
    for kind, r in results.items():
        print(f"{kind}: {r['seconds']:.1f} s, peak {r['peak_mb']:.0f} MB"
              f" (load average {r['load']:.2f} at start)", flush=True)  # fmt: skip

    duck = results["duckdb"]
    cells = sum(len(t) for t in duck["tables"].values())
    lines = [
        f"Synthetic national microdata (ura.synth.microdata, seed 2026): "
        f"{manifest['persons']:,} persons, {manifest['events']:,} events as zstd Parquet"
        + (f", written in {manifest['seconds']} s" if "seconds" in manifest else "")
        + f". {len(duck['tables'])} tables of the standard set, 2022-2024 at each table's "
        f"frequency, {cells:,} cells with all margins. Each run in its own child process; "
        f"machine: {os.cpu_count()} cores, shared.",
        "",
        "| implementation | time s | time / pandas | peak RSS MB | load average at start |",
        "|---|---|---|---|---|",
    ]
    base = results.get("pandas", {}).get("seconds")
    for kind, label in (("duckdb", "ura.stats on DuckDB"), ("pandas", "pandas, straightforward")):
        if kind not in results:
            continue
        r = results[kind]
        ratio = f"{r['seconds'] / base:.2f}x" if base else "n/a"
        lines.append(
            f"| {label} | {r['seconds']:.1f} | {ratio} | {r['peak_mb']:,.0f} | {r['load']:.2f} |"
        )
    if "pandas" in results:
        differing = compare(duck["tables"], results["pandas"]["tables"])
        verdict = "yes, every cell." if not differing else f"NO: {', '.join(differing)}"
        lines += ["", f"Identical tables from both: {verdict}"]
    lines += ["", "Disclosure control is not included in these figures."]
    body = "\n".join(lines)
    print(body)
    if args.write:
        command = f".venv/bin/python bench/stats_bench.py --events {args.events} --write"
        write_section(SECTION, body, command)


if __name__ == "__main__":
    main()
