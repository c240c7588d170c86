# ruff: noqa: T201, S311, S603, S607, S608 -- a benchmark: reports on standard output, reproducible
# synthetic data (not security), starts its own server, load tool and psql; SQL names are its own
"""Case management at scale: the work queue, case search and case page under concurrent users,
on PostgreSQL with a million cases.

Run: ``.venv/bin/python bench/cases_bench.py [--cases 1000000] [--users 50] [--duration 3m]
[--keep] [--reuse] [--write] [--servers 1]`` (``pip install -e .[bench]`` for locust).

1. Creates the database ``ura_bench_cases`` on 127.0.0.1:5432 (user postgres), migrates it,
   loads the demo's agencies and users (``ura.web.demo.demo_load``) and bench users (10
   provincial directorates x 4 units x 10 caseworkers, one supervisor per directorate), then
   the cases with PostgreSQL COPY: asylum and (restricted) trafficking cases opened over
   three years, states spread over each procedure, priorities, one or two persons, a current
   assignment for most open cases, deadlines (open, due soon, overdue, met), history events,
   and referrals to other units with their access grants.
2. Starts a real server (``ura serve``, waitress, ``URA_ENV=production``, DEBUG off; with
   ``--servers N`` several, on consecutive ports) on this database, creates signed-in
   sessions for ``--users`` distinct users straight in the session store (no password
   hashing in the loop) and times each request once alone, ten times, before the load.
3. Runs locust headless (``bench/locustfile_cases.py``): each simulated user reads their work
   queue, searches (reference prefix, state and priority filters, random pages) and opens
   cases they may see, through the JSON API and — when they exist — the HTML pages, each as
   its own request name.
4. Prints p50/p95/p99, requests/s and errors per request from locust's CSV (and fails if any
   request failed); ``--write`` puts them into bench/RESULTS.md under "Case management at
   scale". The database is dropped at the end unless ``--keep``; ``--reuse`` skips seeding
   when the database is already there.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PG = "postgres://postgres@127.0.0.1:5432"
SEED = 2026
TODAY = dt.date(2026, 11, 29)
SECTION = "## Case management at scale"

#: Bench structure: provincial directorates x units x caseworkers.
AGENCIES, UNITS, CASEWORKERS = 10, 4, 10
TRAFFICKING_SHARE = 0.07
#: A case's chance of being closed grows with its age: (1 - OPEN_FLOOR) of the oldest.
OPEN_AT_START, OPEN_FLOOR = 0.85, 0.05
NATIONALITIES = ("SYR", "AFG", "IRQ", "IRN", "PAK", "UZB", "TKM", "GEO", "UKR", "RUS")
FLAGS = ("unaccompanied_child", "disability", "serious_illness", "torture_survivor", "pregnant")


def _env(database: str, var_dir: Path, secret: str, audit_key: str) -> dict[str, str]:
    """The environment of the bench process and of the server: production settings on the
    bench database (no TLS in front of the server here, so no redirect to https)."""
    return {
        "URA_ENV": "production",
        "URA_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"{PG}/{database}",
        "URA_SECRET_KEY": secret,
        "URA_AUDIT_KEY": audit_key,
        "URA_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "URA_SSL_REDIRECT": "0",
        "URA_HSTS_SECONDS": "0",
        "URA_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "ura.web.settings",
    }


def _psql(sql: str) -> str:
    done = subprocess.run(
        ["psql", f"{PG}/postgres", "-tAc", sql], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def _database_exists(name: str) -> bool:
    return _psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


# --- Seeding ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    """Who works where: ids only, for the row generators."""

    units: list[tuple[int, int]]  # (agency id, unit id)
    caseworkers: dict[int, list[int]]  # unit id -> user ids
    supervisors: dict[int, int]  # agency id -> user id
    ngo_unit: tuple[int, int]  # (agency id, unit id) of the demo's shelter NGO


def seed_staff() -> Staff:
    """The demo scenario's agencies and users, plus the bench directorates, units, caseworkers
    (unit scope) and supervisors (agency scope), through the accounts services."""
    from django.db import transaction

    from ura.apps.accounts.models import Agency, AgencyKind, RoleCode, Scope, Unit
    from ura.apps.accounts.services import agency_create, role_assign, unit_create, user_create
    from ura.web.demo import demo_load

    demo_load()
    hq = Agency.objects.get(code="tr-pmm-hq")
    units: list[tuple[int, int]] = []
    caseworkers: dict[int, list[int]] = {}
    supervisors: dict[int, int] = {}
    with transaction.atomic():
        for a in range(1, AGENCIES + 1):
            agency = agency_create(
                actor=None,
                code=f"bench-{a:02d}",
                name=f"Bench Provincial Directorate {a:02d}",
                kind=AgencyKind.MIGRATION_PROVINCIAL,
                country="TR",
                parent=hq,
            )
            for u in range(1, UNITS + 1):
                unit = unit_create(
                    actor=None, agency=agency, code=f"protection-{u}", name=f"Protection {u}"
                )
                units.append((agency.pk, unit.pk))
                caseworkers[unit.pk] = []
                for c in range(1, CASEWORKERS + 1):
                    user = user_create(
                        actor=None,
                        username=f"bench.cw.{a:02d}.{u}.{c:02d}",
                        password=None,
                        unit=unit,
                    )
                    role_assign(actor=None, user=user, role_code=RoleCode.CASEWORKER)
                    caseworkers[unit.pk].append(user.pk)
            supervisor = user_create(
                actor=None, username=f"bench.sup.{a:02d}", password=None, unit=unit
            )
            role_assign(
                actor=None, user=supervisor, role_code=RoleCode.SUPERVISOR, scope=Scope.AGENCY
            )
            supervisors[agency.pk] = supervisor.pk
    ngo = Unit.objects.get(agency__code="tr-ngo-shelter", code="victim-support")
    return Staff(units, caseworkers, supervisors, (ngo.agency_id, ngo.pk))


def _copy(
    table: str, columns: list[str], rows: Iterator[str], progress: Callable[[int], None]
) -> int:
    """COPY text lines (tab-separated, ``\\N`` for NULL) into ``table``; returns the count."""
    from django.db import connection

    count = 0
    buffer = io.StringIO()
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for line in rows:
                buffer.write(line)
                count += 1
                if count % 50_000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
                    progress(count)
            copy.write(buffer.getvalue())
    progress(count)
    return count


def _ts(day: dt.date, rng: random.Random) -> str:
    return f"{day.isoformat()} {rng.randrange(7, 18):02d}:{rng.randrange(60):02d}:00+00"


@dataclass
class CaseRow:
    """What the child-row generators need to know about one generated case."""

    pk: int
    agency: int
    unit: int
    creator: int
    procedure: str
    state: str
    opened_on: dt.date
    closed_on: dt.date | None
    restricted: bool


def seed_cases(*, staff: Staff, cases: int, progress: Callable[[str], None]) -> dict[str, int]:
    """Write ``cases`` cases and their persons, assignments, deadlines, events, referrals and
    grants with COPY; returns the row count per table. PostgreSQL only."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from ura.apps.cases.models import Case
    from ura.apps.cases.workflow import REFERENCE_PREFIXES, registry

    rng = random.Random(SEED)
    procedures = {code: registry().get(code, 1) for code in ("asylum", "trafficking")}
    open_states = {c: [s.code for s in p.states if not s.terminal] for c, p in procedures.items()}
    closed_states = {c: [s.code for s in p.states if s.terminal] for c, p in procedures.items()}
    rules = {
        c: [(d.code, d.label, d.legal_reference) for d in p.deadlines]
        for c, p in procedures.items()
    }
    counters: dict[tuple[str, int], int] = {}
    generated: list[CaseRow] = []
    span = 3 * 365

    def case_lines() -> Iterator[str]:
        for pk in range(1, cases + 1):
            agency, unit = staff.units[rng.randrange(len(staff.units))]
            creator = rng.choice(staff.caseworkers[unit])
            procedure = "trafficking" if rng.random() < TRAFFICKING_SHARE else "asylum"
            age = rng.randrange(span)
            opened_on = TODAY - dt.timedelta(days=age)
            still_open = rng.random() < OPEN_AT_START - (OPEN_AT_START - OPEN_FLOOR) * age / span
            closed_on = None
            if still_open:
                state = rng.choice(open_states[procedure])
            else:
                state = rng.choice(closed_states[procedure])
                closed_on = opened_on + dt.timedelta(days=rng.randrange(max(1, age)))
            prefix = REFERENCE_PREFIXES[procedure]
            number = counters[prefix, opened_on.year] = (
                counters.get((prefix, opened_on.year), 0) + 1
            )
            roll = rng.random()
            priority = "urgent" if roll < 0.05 else "high" if roll < 0.2 else "normal"
            flags = json.dumps([rng.choice(FLAGS)]) if rng.random() < 0.2 else "[]"
            data = json.dumps({"nationality": rng.choice(NATIONALITIES)})
            restricted = procedure == "trafficking"
            generated.append(
                CaseRow(
                    pk, agency, unit, creator, procedure, state, opened_on, closed_on, restricted
                )
            )
            created = _ts(opened_on, rng)
            yield (
                f"{pk}\t{agency}\t{unit}\t{creator}\t{created}\t{created}\t{2 + pk % 3}\t"
                f"{prefix}-{opened_on.year}-{number:06d}\t{procedure}\t1\t{state}\t{priority}\t"
                f"{flags}\t{data}\t{opened_on.isoformat()}\t"
                f"{_ts(closed_on, rng) if closed_on else chr(92) + 'N'}\t"
                f"{'t' if restricted else 'f'}\t\\N\n"  # nearest_due_on: after the deadlines
            )

    def person_lines() -> Iterator[str]:
        pk = 0
        for case in generated:
            for role in ("principal_applicant", "spouse")[: 1 + (rng.random() < 0.3)]:
                pk += 1
                yield (
                    f"{pk}\t{case.pk}\tPB{rng.randrange(10**9):09d}\t{role}\t1\t"
                    f"{_ts(case.opened_on, rng)}\t{case.creator}\n"
                )

    def assignment_lines() -> Iterator[str]:
        pk = 0
        for case in generated:
            # Trafficking cases are always assigned: nobody else would ever see them.
            if case.closed_on is None and not case.restricted and rng.random() >= 0.95:
                continue
            pk += 1
            user = rng.choice(staff.caseworkers[case.unit])
            ended = _ts(case.closed_on, rng) if case.closed_on else "\\N"
            yield f"{pk}\t{case.pk}\t{user}\t{case.creator}\t{_ts(case.opened_on, rng)}\t{ended}\n"

    def deadline_lines() -> Iterator[str]:
        pk = 0
        for case in generated:
            chosen = rng.sample(rules[case.procedure], rng.randint(1, 3))
            for code, label, reference in chosen:
                pk += 1
                started = case.opened_on + dt.timedelta(days=rng.randrange(30))
                if case.closed_on is not None:
                    status, due = (
                        rng.choice(("met", "met", "met_late")),
                        started + dt.timedelta(days=rng.randrange(10, 120)),
                    )
                    met = (due - dt.timedelta(days=3)).isoformat()
                else:
                    due = TODAY + dt.timedelta(days=rng.randrange(-40, 120))
                    days_left = (due - TODAY).days
                    status = (
                        "overdue" if days_left < 0 else "due_soon" if days_left <= 7 else "open"
                    )
                    if rng.random() < 0.15:
                        status, met = "met", (started + dt.timedelta(days=5)).isoformat()
                    else:
                        met = "\\N"
                yield (
                    f"{pk}\t{case.pk}\t{code}\t1\t{label}\t{started.isoformat()}\t"
                    f"{due.isoformat()}\t{met}\t{status}\t{reference}\tt\tf\t{TODAY.isoformat()}\n"
                )

    def event_lines() -> Iterator[str]:
        pk = 0
        for case in generated:
            pk += 1
            yield (
                f"{pk}\t{case.pk}\t1\tcreated\t\t\t\t{case.creator}\t{_ts(case.opened_on, rng)}\t"
                f"{case.opened_on.isoformat()}\t{{}}\n"
            )
            day = case.opened_on
            for version in range(2, 2 + rng.randint(0, 3)):
                pk += 1
                day = min(TODAY, day + dt.timedelta(days=rng.randrange(1, 60)))
                yield (
                    f"{pk}\t{case.pk}\t{version}\ttransition\tbench_step\t\t{case.state}\t"
                    f"{case.creator}\t{_ts(day, rng)}\t{day.isoformat()}\t{{}}\n"
                )

    def show(table: str) -> Callable[[int], None]:
        started = time.perf_counter()

        def report(done: int) -> None:
            rate = done / max(time.perf_counter() - started, 1e-6)
            progress(f"{table}: {done:,} rows ({rate:,.0f}/s)")

        return report

    def columns(model: Any) -> list[str]:
        return [f.column for f in model._meta.concrete_fields]

    from ura.apps.accounts.models import AccessGrant
    from ura.apps.cases.models import CaseAssignment, CaseDeadline, CaseEvent, CasePerson, Referral

    counts: dict[str, int] = {}
    counts["cases"] = _copy(Case._meta.db_table, columns(Case), case_lines(), show("cases"))
    for name, model, lines in (
        ("persons", CasePerson, person_lines()),
        ("assignments", CaseAssignment, assignment_lines()),
        ("deadlines", CaseDeadline, deadline_lines()),
        ("events", CaseEvent, event_lines()),
    ):
        counts[name] = _copy(model._meta.db_table, columns(model), lines, show(name))

    # Each case's nearest running deadline, as workflow.deadlines_refresh keeps it.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET nearest_due_on = d.nearest FROM ("
            "SELECT case_id, MIN(due_on) AS nearest FROM cases_casedeadline "
            "WHERE status IN ('open', 'due_soon', 'overdue') GROUP BY case_id) d "
            "WHERE d.case_id = cases_case.id"
        )

    # Referrals to another directorate's unit or to the shelter NGO, each with its grant:
    # the recipients see these cases only through the grant.
    content_type = ContentType.objects.get_for_model(Case).pk
    open_cases = [c for c in generated if c.closed_on is None]
    referred = rng.sample(open_cases, min(len(open_cases), max(10, cases // 200)))
    grant_base = AccessGrant.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    grant_rows, referral_rows = [], []
    for n, case in enumerate(referred, start=1):
        to_agency, to_unit = (
            staff.ngo_unit if case.restricted else staff.units[rng.randrange(len(staff.units))]
        )
        grant = grant_base + n
        when = _ts(TODAY - dt.timedelta(days=rng.randrange(60)), rng)
        grant_rows.append(
            f"{grant}\t{content_type}\t{case.pk}\t\\N\t{to_unit}\t\\N\tf\tReferral (bench)\t"
            f"{case.creator}\t{when}\t\\N\t\\N\n"
        )
        referral_rows.append(
            f"{n}\t{case.pk}\t{case.agency}\t{case.unit}\t{to_agency}\t{to_unit}\t"
            f"Legal counselling\tin_progress\tf\t{grant}\t\\N\tt\tBench data\t{case.creator}\t"
            f"{when}\t\\N\t\\N\t\t\\N\n"
        )
    counts["grants"] = _copy(
        AccessGrant._meta.db_table, columns(AccessGrant), iter(grant_rows), show("grants")
    )
    counts["referrals"] = _copy(
        Referral._meta.db_table, columns(Referral), iter(referral_rows), show("referrals")
    )

    from ura.apps.cases.models import ReferenceCounter

    ReferenceCounter.objects.bulk_create(
        [ReferenceCounter(prefix=p, year=y, last=n) for (p, y), n in counters.items()]
    )
    with connection.cursor() as cursor:
        filled: list[Any] = [
            Case,
            CasePerson,
            CaseAssignment,
            CaseDeadline,
            CaseEvent,
            Referral,
            AccessGrant,
        ]
        for table in (m._meta.db_table for m in filled):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    progress("vacuum analyze")
    with connection.cursor() as cursor:
        # Outside a transaction (the script runs in autocommit): sets the visibility map too,
        # as autovacuum would in a database that has been running for a while.
        cursor.execute("VACUUM ANALYZE")
    return counts


# --- Load test ----------------------------------------------------------------------------------


def bench_users(count: int) -> list[Any]:
    """``count`` distinct users: a tenth supervisors (agency scope), the rest caseworkers
    (unit scope) spread over the units."""
    from ura.apps.accounts.models import User

    supervisors = list(User.objects.filter(username__startswith="bench.sup.").order_by("username"))
    workers = list(User.objects.filter(username__startswith="bench.cw.").order_by("username"))
    by_unit: dict[int | None, list[Any]] = {}
    for user in workers:
        by_unit.setdefault(user.unit_id, []).append(user)
    spread = [u for row in zip(*by_unit.values(), strict=False) for u in row]
    chosen = supervisors[: max(1, count // 10)]
    return chosen + spread[: count - len(chosen)]


def session_for(user: Any) -> str:
    """A signed-in session for ``user`` written straight to the session store, as
    ``django.contrib.auth.login`` would leave it (no password check, no hashing)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "ura.apps.accounts.backends.RoleBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)


def plan_for(users: list[Any]) -> list[dict[str, Any]]:
    """Per simulated user: the session and a sample of cases that user may see."""
    from ura.apps.cases.access import cases_for

    plans = []
    for user in users:
        visible = cases_for(user, "view")
        sample = list(visible.order_by("?").values_list("pk", flat=True)[:200])
        restricted = list(visible.filter(restricted=True).values_list("pk", flat=True)[:20])
        plans.append(
            {
                "username": user.username,
                "session": session_for(user),
                "cases": sample + restricted,
                # Supervisors are assigned no cases: their queue is their unit's.
                "unit_wide": user.username.startswith("bench.sup."),
            }
        )
    return plans


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (our own local server)
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def alone(base: str, cookie: str, plan: dict[str, Any], pages: bool) -> dict[str, float]:
    """Median milliseconds of each request made one at a time (no other user), ten times
    each, by a caseworker: what the request costs without waiting for others."""
    case = plan["cases"][0]
    paths = {
        "api: work queue": "/api/v1/cases/queue",
        "api: case search": "/api/v1/cases/?q=AS-2025-01&page=2",
        "api: case": f"/api/v1/cases/{case}",
    }
    if pages:
        paths |= {
            "page: work queue": "/cases/queue/",
            "page: case search": "/cases/?q=AS-2025-01&page=2",
            "page: case": f"/cases/{case}/",
        }
    medians = {}
    for name, path in paths.items():
        times = []
        for _ in range(10):
            started = time.perf_counter()
            _get_status(base + path, cookie)
            times.append(time.perf_counter() - started)
        medians[name] = 1000 * sorted(times)[len(times) // 2]
    return medians


def _get_status(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@dataclass(frozen=True)
class Row:
    name: str
    requests: int
    failures: int
    p50: float
    p95: float
    p99: float
    rps: float


def read_stats(path: Path) -> list[Row]:
    """locust's ``*_stats.csv``: one row per request name, and the aggregate."""
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            rows.append(
                Row(
                    name=record["Name"],
                    requests=int(record["Request Count"]),
                    failures=int(record["Failure Count"]),
                    p50=float(record["50%"] or 0),
                    p95=float(record["95%"] or 0),
                    p99=float(record["99%"] or 0),
                    rps=float(record["Requests/s"] or 0),
                )
            )
    return rows


def _load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])


def run_load(
    *, env: dict[str, str], plans: list[dict[str, Any]], args: argparse.Namespace, work: Path
) -> tuple[list[Row], bool, dict[str, float]]:
    """Start ``--servers`` server processes (``ura serve``, one port each: what a reverse
    proxy in front of several processes would spread), run locust against them; returns the
    stats rows and whether the HTML pages were part of the run."""
    bases = [f"http://127.0.0.1:{args.port + n}" for n in range(args.servers)]
    base = bases[0]
    full_env = {**os.environ, **env}
    servers: list[subprocess.Popen[bytes]] = []
    try:
        # One after the other: each runs collectstatic into the same directory first.
        for n, url in enumerate(bases):
            servers.append(
                subprocess.Popen(
                    [
                        str(VENV_BIN / "ura"),
                        "serve",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(args.port + n),
                        "--workers",
                        str(args.workers),
                    ],
                    env=full_env,
                    stdout=(work / f"server-{n}.log").open("w"),
                    stderr=subprocess.STDOUT,
                )
            )
            _wait_for(f"{url}/accounts/login/", 300)
        from django.conf import settings

        cookie = f"{settings.SESSION_COOKIE_NAME}={plans[0]['session']}"
        pages = _get_status(f"{base}/cases/queue/", cookie) == 200
        api = _get_status(f"{base}/api/v1/cases/queue", cookie)
        if api != 200:
            raise SystemExit(f"the API answers {api} to a signed-in user: see {work}/server-0.log")
        found = "found" if pages else "not found: API only"
        print(f"{len(bases)} server process(es) up from {base}; HTML pages {found}")
        caseworker = next(p for p in plans if not p["unit_wide"])
        one_at_a_time = alone(
            base, f"{settings.SESSION_COOKIE_NAME}={caseworker['session']}", caseworker, pages
        )
        print("one request at a time (median ms): " + repr(one_at_a_time))
        plan_file = work / "plan.json"
        plan_file.write_text(
            json.dumps(
                {
                    "cookie_name": settings.SESSION_COOKIE_NAME,
                    "users": plans,
                    "hosts": bases,
                    "pages": pages,
                    "wait": args.wait,
                    "years": sorted({TODAY.year - n for n in range(3)}),
                }
            ),
            encoding="utf-8",
        )
        prefix = work / "locust"
        command = [
            str(VENV_BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile_cases.py"),
            "--headless",
            "--host",
            base,
            "-u",
            str(args.users),
            "-r",
            str(args.spawn_rate),
            "-t",
            args.duration,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        print("$ " + " ".join(command[1:]))
        subprocess.run(command, env={**full_env, "URA_BENCH_PLAN": str(plan_file)}, check=False)
        return read_stats(Path(f"{prefix}_stats.csv")), pages, one_at_a_time
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)


# --- Report -------------------------------------------------------------------------------------


def table(rows: list[Row], one_at_a_time: dict[str, float]) -> str:
    lines = [
        "| request | requests | errors | p50 ms | p95 ms | p99 ms | requests/s | p95 < 150 ms "
        "| alone, median ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        met = "yes" if row.p95 < 150 else "**no**"
        single = one_at_a_time.get(row.name)
        lines.append(
            f"| {row.name} | {row.requests:,} | {row.failures:,} | {row.p50:.0f} | {row.p95:.0f} | "
            f"{row.p99:.0f} | {row.rps:.1f} | {met} | {'' if single is None else f'{single:.0f}'} |"
        )
    return "\n".join(lines)


def write_run(heading: str, text: str) -> None:
    """Replace (or add at the end) this run's subsection, ``heading``, of the "Case management
    at scale" section of bench/RESULTS.md; the rest of that section and the other sections
    stay as they are."""
    path = ROOT / "bench" / "RESULTS.md"
    current = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    block = f"{heading}\n\n{text.strip()}\n"
    start = current.find(SECTION)
    if start == -1:
        path.write_text(f"{current}\n{SECTION}\n\n{block}", encoding="utf-8")
        return
    found = current.find("\n## ", start + len(SECTION))
    section_end = len(current) if found == -1 else found + 1
    section, rest = current[start:section_end].rstrip("\n") + "\n", current[section_end:]
    at = section.find(heading + "\n")
    if at == -1:
        section = f"{section}\n{block}"
    else:
        found = section.find("\n### ", at + len(heading))
        after = "" if found == -1 else section[found:]
        section = section[:at] + block + after
    path.write_text(current[:start] + section + ("\n" + rest if rest else ""), encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", default="3m", help="locust run time, e.g. 3m or 90s")
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--wait", default="1,5", help="think time between requests, seconds")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--servers", type=int, default=1, help="server processes, on --port and the next ports"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes behind each port (`ura serve --workers`, gunicorn)",
    )
    parser.add_argument("--database", default="ura_bench_cases")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="skip seeding if the database exists")
    parser.add_argument("--seed-only", action="store_true", help="seed, then stop (implies --keep)")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args(argv)
    started_at = dt.datetime.now(dt.UTC)
    load_start = _load_average()
    print(f"load average at start: {load_start}")
    work = Path(tempfile.mkdtemp(prefix="ura-cases-bench-"))
    env = _env(args.database, work, secrets.token_urlsafe(40), secrets.token_urlsafe(40))
    os.environ.update(env)
    reuse = args.reuse and _database_exists(args.database)
    if not reuse:
        _psql(f"DROP DATABASE IF EXISTS {args.database}")
        _psql(f"CREATE DATABASE {args.database}")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    seeded = ""
    try:
        # A reused database gets any index added since it was seeded.
        call_command("migrate", "--no-input", "-v", "0")
        if not reuse:
            clock = time.perf_counter()
            staff = seed_staff()
            print(f"schema, demo and bench users: {time.perf_counter() - clock:.0f} s")
            clock = time.perf_counter()
            counts = seed_cases(
                staff=staff, cases=args.cases, progress=lambda m: print(f"  {m}", flush=True)
            )
            seeded = f"{time.perf_counter() - clock:.0f} s"
            print(
                f"cases loaded in {seeded}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items())
            )
        if args.seed_only:
            args.keep = True
            return 0
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT COUNT(*) FROM cases_case), "
                "(SELECT COUNT(*) FROM cases_case WHERE closed_at IS NULL), "
                "(SELECT COUNT(*) FROM cases_case WHERE restricted), "
                "(SELECT COUNT(*) FROM cases_caseperson), "
                "(SELECT COUNT(*) FROM cases_caseassignment WHERE ended_at IS NULL), "
                "(SELECT COUNT(*) FROM cases_casedeadline), "
                "(SELECT COUNT(*) FROM cases_caseevent), "
                "(SELECT COUNT(*) FROM cases_referral)"
            )
            shape = cursor.fetchone()
        users = bench_users(args.users)
        plans = plan_for(users)
        connection.close()
        rows, pages, one_at_a_time = run_load(env=env, plans=plans, args=args, work=work)
    finally:
        connection.close()
        if not args.keep:
            _psql(f"DROP DATABASE IF EXISTS {args.database}")
    load_end = _load_average()
    print(table(rows, one_at_a_time))
    print(f"load average at end: {load_end}")
    failures = sum(r.failures for r in rows if r.name != "Aggregated")
    if args.write:
        count = args.servers * args.workers
        processes = "1 server process" if count == 1 else f"{count} server processes"
        write_run(
            f"### {args.cases:,} cases, {args.users} users, {processes}",
            report(
                args=args,
                argv=argv,
                started_at=started_at,
                loads=(load_start, load_end),
                shape=shape,
                seeded=seeded,
                rows=rows,
                pages=pages,
                one_at_a_time=one_at_a_time,
            ),
        )
        print("bench/RESULTS.md updated")
    if failures:
        print(f"FAILED: {failures} requests failed (see {work}/locust_failures.csv)")
        return 1
    return 0


def report(
    *,
    args: argparse.Namespace,
    argv: list[str],
    started_at: dt.datetime,
    loads: tuple[str, str],
    shape: Any,
    seeded: str,
    rows: list[Row],
    pages: bool,
    one_at_a_time: dict[str, float],
) -> str:
    cases, open_cases, restricted, persons, assignments, deadlines, events, referrals = shape
    command = " ".join([".venv/bin/python bench/cases_bench.py", *argv])
    wait_low, wait_high = args.wait.split(",")
    if args.workers > 1:
        servers = (
            f"`ura serve --workers {args.workers}`: {args.workers} processes behind one port "
            f"(gunicorn, 8 threads each"
        )
    elif args.servers == 1:
        servers = "one `ura serve` process (waitress, 8 threads"
    else:
        servers = (
            f"{args.servers} `ura serve` processes on consecutive ports, the users spread over "
            f"them as a reverse proxy would (waitress, 8 threads each"
        )
    return "\n".join(
        [
            f"Command: `{command}` — run {started_at:%Y-%m-%d} (started {started_at:%H:%M} UTC).",
            "",
            f"Machine: the shared development machine (2 cores, shared with other work); load "
            f"average (1, 5, 15 min) {loads[0]} at the start and {loads[1]} at the end. "
            f"PostgreSQL 15 (default settings: 128 MB shared buffers) on the same machine; "
            f"{servers}, URA_ENV=production, DEBUG off); locust runs on the same cores.",
            "",
            f"Data: {cases:,} cases ({open_cases:,} open, {restricted:,} restricted trafficking "
            f"cases) in 40 units of 10 directorates; {persons:,} case persons, {assignments:,} "
            f"current assignments, {deadlines:,} deadlines, {events:,} history events, "
            f"{referrals:,} referrals with their grants"
            + (f"; loaded in {seeded} with COPY." if seeded else " (database reused)."),
            "",
            f"Load: {args.users} distinct signed-in users ({max(1, args.users // 10)} supervisors "
            f"with agency scope, the rest caseworkers with unit scope), spawned "
            f"{args.spawn_rate}/s, "
            f"for {args.duration}, each waiting {wait_low}-{wait_high} s between requests. "
            + (
                "HTML pages and JSON API are separate request names."
                if pages
                else "The HTML pages did not exist at the time of the run: JSON API only."
            ),
            "Alone: each request made ten times, one at a time, by one caseworker just before "
            "the load (median).",
            "",
            table(rows, one_at_a_time),
            "",
        ]
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
