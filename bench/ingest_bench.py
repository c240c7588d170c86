"""Ingest throughput: rows per second and peak memory for a generated Windows-1254 CSV.

Run: ``.venv/bin/python bench/ingest_bench.py [rows]`` (default 200,000 rows). The file is
generated in a temporary directory with the columns of the DGMM registration example
(docs/examples/mappings/dgmm-registration.yaml), about 1% of rows invalid, and ingested with a
streaming quality report; peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from ura.ingest import QualityAccumulator, ingest, load_mapping

EXAMPLE = Path(__file__).resolve().parents[1] / "docs/examples/mappings/dgmm-registration.yaml"
HEADER = "KAYIT_NO;AD;SOYAD;BABA_ADI;ANA_ADI;CINSIYET;DOGUM_TARIHI;DOGUM_YERI;UYRUK;YKN;KAYIT_TARIHI;IL_KODU"  # noqa: E501
GIVEN = ["Ahmet", "Ayşe", "Mehmet", "Fatma", "Ömer", "Şükrü", "İlkay", "Gülşen", "Yusuf", "Zeynep"]
FAMILY = ["Yılmaz", "Kaya", "Demir", "Çelik", "Şahin", "Öztürk", "Ağaoğlu", "Işık", "Al-Ahmad"]
NATIONALITY = ["SUR", "AFG", "IRK", "IRN", "PAK", "SYR"]


def write_csv(path: Path, rows: int, seed: int = 2026) -> None:
    rng = random.Random(seed)  # noqa: S311 -- synthetic benchmark data, not security
    with path.open("w", encoding="cp1254", newline="") as out:
        out.write(HEADER + "\r\n")
        for i in range(rows):
            day, month = rng.randint(0, 28), rng.randint(1, 12)
            dob = f"{day:02d}.{month:02d}.{rng.randint(1950, 2020)}" if day else f"{month:02d}.1990"
            sex = rng.choice("EK") if i % 97 else "?"
            row = [
                f"K-{i}",
                rng.choice(GIVEN),
                rng.choice(FAMILY) if i % 211 else "",
                rng.choice(GIVEN),
                rng.choice(GIVEN),
                sex,
                dob,
                "Halep",
                rng.choice(NATIONALITY) if i % 151 else "XXX",
                f"99{rng.randrange(10**9):09d}",
                f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2025",
                f"{rng.randint(1, 81):02d}",
            ]
            out.write(";".join(row) + "\r\n")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    mapping = load_mapping(EXAMPLE)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dgmm.csv"
        write_csv(path, rows)
        size_mb = path.stat().st_size / 1e6
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        quality = QualityAccumulator(mapping)
        for outcome in ingest(mapping, [path]):
            quality.add(outcome)
        elapsed = time.perf_counter() - started
        report = quality.report()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ingest: {rows:,} rows ({size_mb:.1f} MB cp1254 CSV) in {elapsed:.2f} s")  # noqa: T201
    counts = f"accepted {report.rows_accepted:,}, quarantined {report.rows_quarantined:,}"
    print(f"  {rows / elapsed:,.0f} rows/s; {counts}")  # noqa: T201
    print(f"  peak RSS {rss_after:.0f} MiB (before ingest {rss_before:.0f} MiB)")  # noqa: T201


if __name__ == "__main__":
    main()
