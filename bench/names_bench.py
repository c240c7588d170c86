"""Benchmark of the name layer (ura.linkage.names) against generic string matching.

Run: .venv/bin/python bench/names_bench.py [--write]   (fixed seed; --write updates
bench/RESULTS.md). Data: /work/shared/data/names (Wikidata CC0 and Google Apache-2.0 name
transliteration lists). Positive pairs are spellings of one name (Arabic script <-> Latin,
Latin <-> Latin sharing one Arabic spelling, Russian Cyrillic <-> Latin); as many negative
pairs pair random different entries. A key "matches" a pair when both sides have equal keys.
Prints aggregate figures only, never the names.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jellyfish
from anyascii import anyascii

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ura.linkage.names import clear_caches, name_keys

DATA = Path("/work/shared/data/names")
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SEED = 20261129
MAX_POSITIVES = 5000
Pair = tuple[str, str]


@dataclass(frozen=True)
class Dataset:
    name: str
    file: str
    positives: list[Pair]
    negatives: list[Pair]


def _read_wikidata(path: Path) -> list[Pair]:
    """(latin, other-script) pairs seen at least twice."""
    rows: list[Pair] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and int(parts[2]) >= 2:
            rows.append((parts[0], parts[1].replace(" ", "")))
    return rows


def _read_google(path: Path) -> list[Pair]:
    rows: list[Pair] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2:
            rows.append((parts[1], parts[0]))  # (latin, arabic)
    return rows


def _negatives(positives: list[Pair], truth: set[Pair], rng: random.Random) -> list[Pair]:
    lefts = [a for a, _ in positives]
    rights = [b for _, b in positives]
    out: list[Pair] = []
    while len(out) < len(positives):
        a, b = rng.choice(lefts), rng.choice(rights)
        if a != b and (a, b) not in truth and (b, a) not in truth:
            out.append((a, b))
    return out


def _sample(pairs: list[Pair], rng: random.Random) -> list[Pair]:
    return rng.sample(pairs, MAX_POSITIVES) if len(pairs) > MAX_POSITIVES else list(pairs)


def cross_script(name: str, file: str, rows: list[Pair], rng: random.Random) -> Dataset:
    """Other script <-> Latin: each row is one positive pair."""
    truth = set(rows)
    positives = _sample([(b, a) for a, b in rows], rng)
    swapped = {(b, a) for a, b in truth}
    return Dataset(name, file, positives, _negatives(positives, truth | swapped, rng))


def latin_variants(name: str, file: str, rows: list[Pair], rng: random.Random) -> Dataset:
    """Latin <-> Latin spellings that share one Arabic-script spelling."""
    groups: dict[str, set[str]] = defaultdict(set)
    for latin, arabic in rows:
        groups[arabic].add(latin)
    truth: set[Pair] = set()
    for latins in groups.values():
        ordered = sorted(latins)
        truth.update((a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :])
    positives = _sample(sorted(truth), rng)
    return Dataset(name, file, positives, _negatives(positives, truth, rng))


KeyFn = Callable[[str], str]


def _ascii(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", "", anyascii(text).lower()).strip()


KEYS: dict[str, KeyFn] = {
    "romanised": lambda s: name_keys(s).romanised,
    "sorted": lambda s: name_keys(s).sorted,
    "skeleton": lambda s: name_keys(s).skeleton,
    "phonetic": lambda s: name_keys(s).phonetic,
    "anyascii (baseline)": _ascii,
}


def _match(key: str, a: str, b: str) -> bool:
    if key == "jaro-winkler>=0.9 (baseline)":
        return jellyfish.jaro_winkler_similarity(_ascii(a), _ascii(b)) >= 0.9
    fa, fb = KEYS[key](a), KEYS[key](b)
    return bool(fa) and fa == fb


def evaluate(ds: Dataset) -> list[tuple[str, float, float, float]]:
    """(key, recall, precision, false-match rate) for each key on one dataset."""
    rows = []
    for key in [*KEYS, "jaro-winkler>=0.9 (baseline)"]:
        tp = sum(_match(key, a, b) for a, b in ds.positives)
        fp = sum(_match(key, a, b) for a, b in ds.negatives)
        recall = tp / len(ds.positives)
        precision = tp / (tp + fp) if tp + fp else 1.0
        rows.append((key, recall, precision, fp / len(ds.negatives)))
    return rows


def throughput(names: list[str]) -> tuple[float, float]:
    """(cold, warm) names per second: cold with empty caches, warm with every name cached."""
    clear_caches()
    start = time.perf_counter()
    for s in names:
        name_keys(s)
    cold = len(names) / (time.perf_counter() - start)
    start = time.perf_counter()
    for s in names:
        name_keys(s)
    warm = len(names) / (time.perf_counter() - start)
    return cold, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--eval", action="store_true", help="also score the google EVAL file")
    args = parser.parse_args()
    rng = random.Random(SEED)  # noqa: S311 -- reproducible sampling, not security
    wd_ar = _read_wikidata(DATA / "wikidata_arabic_latin_train.tsv")
    wd_ru = _read_wikidata(DATA / "wikidata_russian_latin_train.tsv")
    g_train = _read_google(DATA / "google_arabic_latin_train.tsv")
    datasets = [
        cross_script("Arabic <-> Latin", "wikidata_arabic_latin_train", wd_ar, rng),
        latin_variants(
            "Latin <-> Latin (one Arabic form)", "wikidata_arabic_latin_train", wd_ar, rng
        ),
        cross_script("Russian <-> Latin", "wikidata_russian_latin_train", wd_ru, rng),
        cross_script("Arabic <-> Latin", "google_arabic_latin_train", g_train, rng),
        latin_variants(
            "Latin <-> Latin (one Arabic form)", "google_arabic_latin_train", g_train, rng
        ),
    ]
    if args.eval:
        g_eval = _read_google(DATA / "google_arabic_latin_eval.tsv")
        datasets += [
            cross_script("Arabic <-> Latin", "google_arabic_latin_eval", g_eval, rng),
            latin_variants(
                "Latin <-> Latin (one Arabic form)", "google_arabic_latin_eval", g_eval, rng
            ),
        ]
    lines = [
        "| file | pairs | positives | key | recall | precision | false-match rate |",
        "|---|---|---|---|---|---|---|",
    ]
    datasets = [ds for ds in datasets if ds.positives]  # the eval file has no variant groups
    for ds in datasets:
        for key, recall, precision, fmr in evaluate(ds):
            lines.append(
                f"| {ds.file} | {ds.name} | {len(ds.positives)} | {key} "
                f"| {recall:.3f} | {precision:.3f} | {fmr:.4f} |"
            )
    all_names = sorted({s for ds in datasets for pair in ds.positives for s in pair})
    cold, warm = throughput(all_names)
    lines.append("")
    lines.append(
        f"Throughput of `name_keys` on the {len(all_names)} distinct benchmark names: "
        f"{cold:,.0f} names/s with empty caches, {warm:,.0f} names/s cached."
    )
    table = "\n".join(lines)
    print(table)  # noqa: T201 -- a command-line report of aggregate figures
    if args.write:
        _write(table, " ".join(["bench/names_bench.py", *sys.argv[1:]]))


def _write(table: str, command: str) -> None:
    intro = (
        "# Benchmark results\n\n"
        "Figures measured on the shared development machine (2 cores, shared). Every figure "
        "records the exact command that produced it and the date it was run (UTC), so that "
        "it can be reproduced and compared over time.\n"
    )
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else intro
    section = (
        "## Name layer\n\n"
        f"Command: `.venv/bin/python {command}` — run {dt.datetime.now(dt.UTC).date()}.\n\n"
        f"{table}\n\n"
        "Notes. Rules were tuned on the *_train files only; google_arabic_latin_eval is held "
        "out. Negatives are random pairs (as many as positives), so precision is optimistic; "
        "the false-match rate on random pairs is the more telling figure. These lists are mostly "
        "non-Arabic names written in Arabic or Cyrillic script (wikidata, google), not the "
        "Arabic, Persian and Turkic names Ura mostly sees; their recall is a floor, not a "
        "forecast. Language is auto-detected (no hints). Keys equal only when non-empty.\n"
    )
    head, sep, tail = text.partition("## Name layer\n")
    if sep:
        rest = tail.split("\n## ", 1)
        after = "\n## " + rest[1] if len(rest) > 1 else ""
        text = head + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
