# ruff: noqa: T201 -- a benchmark reports on standard output
"""The data steward's pipeline on the operational database: ingest into person records, then
a linkage run read from and published to the database.

Run: ``.venv/bin/python bench/pipeline_db_bench.py [persons] [--database-url URL]``
(default 20,000 persons, about 38,000 records, on a fresh SQLite file in a temporary
directory; with ``--database-url`` a PostgreSQL database you created for the purpose, which
is migrated and filled). It writes the synthetic extracts of ``ura.synth``, ingests each
through ``sources.services.ingest_files`` (validation, quarantine, person records, name keys,
events, audit events) and runs ``people.linking.link_records`` (read, link on DuckDB, store
links, evidence, review pairs and lineage, publish). Prints rows per second per stage and the
peak resident memory; the figures go into bench/RESULTS.md by hand, with this command.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("persons", nargs="?", type=int, default=20_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="ura-bench-"))
    os.environ["URA_VAR_DIR"] = str(work)
    os.environ["URA_ENV"] = "test"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ura.web.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from ura.apps.accounts.models import AgencyKind, RoleCode, Scope
    from ura.apps.accounts.services import agency_create, role_assign, unit_create, user_create
    from ura.apps.people.linking import link_records
    from ura.apps.sources.services import ingest_files
    from ura.ingest import parse_mapping
    from ura.synth import SYNTH_AGENCIES, write_extracts

    call_command("migrate", "--no-input", "-v", "0")
    unit = None
    for code, name in SYNTH_AGENCIES:
        agency = agency_create(
            actor=None, code=code.lower(), name=name, kind=AgencyKind.MIGRATION_HQ, country="TR"
        )
        unit = unit or unit_create(actor=None, agency=agency, code="data", name="Data")
    steward = user_create(actor=None, username="bench.steward", password="x" * 20, unit=unit)
    role_assign(actor=None, user=steward, role_code=RoleCode.DATA_STEWARD, scope=Scope.ALL)

    started = time.perf_counter()
    manifest = write_extracts(work / "extracts", persons=args.persons, seed=2026)
    written = time.perf_counter() - started
    rows = sum(s.rows for s in manifest.sources)
    print(f"extracts: {rows:,} rows from {args.persons:,} persons in {written:.1f} s")

    started = time.perf_counter()
    for source in manifest.sources:
        text = source.mapping_path.read_text(encoding="utf-8")
        text = re.sub(r"^agency: (.*)$", lambda m: f"agency: {m[1].lower()}", text, flags=re.M)
        ingest_files(actor=steward, mapping=parse_mapping(text), files=[source.path])
    ingested = time.perf_counter() - started
    print(f"ingest into the database: {ingested:.1f} s, {rows / ingested:,.0f} rows/s")

    started = time.perf_counter()
    run = link_records(actor=steward)
    linked = time.perf_counter() - started
    engine_seconds = run.figures.get("seconds", 0.0)
    print(
        f"linkage run: {linked:.1f} s in all ({engine_seconds} s in the engine), "
        f"{run.figures['records']:,} records -> {run.figures['persons']:,} persons, "
        f"{run.figures['review_pairs']:,} review pairs"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:,.0f} MiB")
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; work dir {work}")


if __name__ == "__main__":
    main(sys.argv[1:])
