# ruff: noqa: T201, S101, PT018 -- a profiling tool: reports on standard output, stops on a failed request
"""Where a case request's time goes, one request at a time, on the bench database.

Run after ``cases_bench.py --seed-only`` (or ``--keep``):
``.venv/bin/python bench/profile_cases.py [--runs 10] [--profile "page: case"]``.

For each request the bench's load test makes (the work queue, case search and case page, as
JSON and as HTML), made through Django's test client in this process by a caseworker (and the
queue by a supervisor too; the case both for a case referred to the caseworker's unit, which
they may only view, and for an open case of their own unit, which they may change): the
median time, the CPU time of this process (the server's Python, without PostgreSQL's; less
disturbed by other work on the machine than the time), the number of SQL queries and their
time, the time spent appending to the audit trail and the audit events written. ``--profile NAME``
prints the functions that took the most time (cProfile) for that request.

Settings are production's (``URA_ENV=production``, DEBUG off) on ``ura_bench_cases``, so the
templates are cached as in the real server.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases_bench import PG, _env


@contextmanager
def _timed(module: Any, name: str, spent: list[float]) -> Iterator[None]:
    """Add the time spent in ``module.name`` to ``spent`` while the block runs."""
    original: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    setattr(module, name, wrapper)
    try:
        yield
    finally:
        setattr(module, name, original)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="ura_bench_cases")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--profile", default="", help="request name to profile with cProfile")
    parser.add_argument("--only", default="", help="only requests whose name contains this")
    parser.add_argument("--sql", action="store_true", help="print each request's slowest queries")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key (tottime…)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="ura-cases-profile-"))
    os.environ.update(
        _env(args.database, work, secrets.token_urlsafe(40), secrets.token_urlsafe(40))
    )
    os.environ["DATABASE_URL"] = f"{PG}/{args.database}"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("collectstatic", "--no-input", "-v", "0")  # production pages need it
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from ura.apps.accounts.models import User
    from ura.apps.cases.access import cases_for
    from ura.apps.core import services as core_services
    from ura.apps.core.models import AuditEvent

    worker = User.objects.filter(username__startswith="bench.cw.").order_by("username").first()
    supervisor = User.objects.filter(username__startswith="bench.sup.").order_by("username").first()
    assert worker is not None and supervisor is not None, "seed the bench database first"
    case_id = cases_for(worker, "view").order_by("pk").values_list("pk", flat=True)[500]
    # Most cases a caseworker opens are open cases of their own unit, which they may change:
    # the page then offers every write form (case_id above is one referred to their unit).
    unit_case_id = (
        cases_for(worker, "change")
        .filter(owning_unit_id=worker.unit_id, closed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[500]
    )
    requests: list[tuple[str, Any, str]] = [
        ("api: work queue", worker, "/api/v1/cases/queue"),
        ("api: work queue (unit)", supervisor, "/api/v1/cases/queue?unit_wide=true"),
        ("api: case search", worker, "/api/v1/cases/?q=AS-2025-01&page=2"),
        ("api: case search (state)", worker, "/api/v1/cases/?state=screening&page=5"),
        ("api: case", worker, f"/api/v1/cases/{case_id}"),
        ("api: case (own unit)", worker, f"/api/v1/cases/{unit_case_id}"),
        ("page: work queue", worker, "/cases/queue/"),
        ("page: work queue (unit)", supervisor, "/cases/queue/?unit=1"),
        ("page: case search", worker, "/cases/?q=AS-2025-01&page=2"),
        ("page: case search (state)", worker, "/cases/?state=screening&page=5"),
        ("page: case", worker, f"/cases/{case_id}/"),
        ("page: case (own unit)", worker, f"/cases/{unit_case_id}/"),
    ]
    clients: dict[int, Client] = {}
    for user in (worker, supervisor):
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        clients[user.pk] = client
    print(
        f"{'request':28} {'median ms':>9} {'cpu ms':>7} {'queries':>7} {'sql ms':>7}"
        f" {'audit ms':>8} events"
    )
    for name, user, path in requests:
        if args.only and args.only not in name:
            continue
        client = clients[user.pk]
        assert client.get(path).status_code == 200, path  # warm up
        times, cpu, sql, audit, counts, events = [], [], [], [], [], []
        for _ in range(args.runs):
            spent: list[float] = []
            before = AuditEvent.objects.count()
            with (
                CaptureQueriesContext(connection) as queries,
                _timed(core_services, "audit_append", spent),
            ):
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            assert response.status_code == 200, path
            counts.append(len(queries.captured_queries))
            sql.append(sum(float(q["time"]) for q in queries.captured_queries))
            audit.append(sum(spent))
            events.append(AuditEvent.objects.count() - before)
        print(
            f"{name:28} {1000 * statistics.median(times):9.1f} {1000 * statistics.median(cpu):7.1f}"
            f" {statistics.median(counts):7.0f}"
            f" {1000 * statistics.median(sql):7.1f} {1000 * statistics.median(audit):8.1f}"
            f" {statistics.median(events):.0f}"
        )
        if args.sql:
            slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:4]
            for query in slowest:
                print(f"    {1000 * float(query['time']):6.1f} ms  {query['sql'][:1500]}")
        if name == args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.runs):
                client.get(path)
            profiler.disable()
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(45)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
