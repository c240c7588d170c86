"""The ``ura`` command: set-up, demo, web server, worker, administration, audit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ura.apps.statistics.commands import profile_app

app = typer.Typer(
    help="Ura: migration management information system.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
index_app = typer.Typer(help="The person index.", no_args_is_help=True)
app.add_typer(index_app, name="index")
token_app = typer.Typer(help="API tokens for system-to-system integration.", no_args_is_help=True)
app.add_typer(token_app, name="token")
coi_app = typer.Typer(help="The country of origin information library.", no_args_is_help=True)
app.add_typer(coi_app, name="coi")
app.add_typer(profile_app, name="profile")
console = Console()


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ura.web.settings")
    import django

    django.setup()


def _manage(*args: str) -> None:
    _django()
    from django.core.management import call_command

    call_command(*args)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (safe to re-run)."""
    _manage("migrate", "--no-input", "-v", "0")
    console.print("[green]Database is up to date.[/green]")


@app.command()
def demo(
    serve: Annotated[bool, typer.Option(help="Start the web app and worker afterwards.")] = False,
    port: int = 8000,
) -> None:
    """Migrate, load the reproducible demo scenario, print the demo logins (safe to re-run)."""
    migrate()
    from ura.web.demo import DEMO_PASSWORD, demo_extracts_load, demo_load

    with console.status("Loading demo data…") as status:
        users = demo_load()
        from django.conf import settings

        run = demo_extracts_load(
            Path(settings.VAR_DIR) / "demo-extracts", progress=lambda m: status.update(m)
        )
        from ura.web.demo_cases import demo_cases_load

        opened = demo_cases_load(
            {user.username: user for user, _, _ in users}, progress=lambda m: status.update(m)
        )
        from ura.web.demo_readmission import demo_readmission_load

        readmissions = demo_readmission_load(
            {user.username: user for user, _, _ in users}, progress=lambda m: status.update(m)
        )
        from ura.web.demo_returns import demo_returns_load

        status.update("Opening assisted voluntary return cases…")
        users += demo_returns_load({user.username: user for user, _, _ in users})
        from ura.web.demo_removals import demo_removals_load

        removal_cases = demo_removals_load(
            {user.username: user for user, _, _ in users}, progress=lambda m: status.update(m)
        )
        from ura.web.demo_coi import demo_coi_load

        library = demo_coi_load(progress=lambda m: status.update(m))
        from ura.web.demo_statistics import demo_statistics_load

        statistics = demo_statistics_load(
            {user.username: user for user, _, _ in users}, progress=lambda m: status.update(m)
        )
    if run is not None:
        console.print(
            f"Person index published: {run.figures['records']} records from seven agency"
            f" extracts and the demo registrations, linked into {run.figures['persons']}"
            f" persons; {run.figures['review_pairs']} pairs await clerical review."
        )
    if any(opened):
        console.print(
            f"Casework opened: {opened[0]} asylum cases at every stage (with a backlog) and"
            f" {opened[1]} trafficking cases, most referred to the demo shelter organisation."
        )
    if readmissions:
        console.print(
            f"Readmission: {readmissions} requests to several counterpart countries (EU-Türkiye"
            " agreement and a bilateral example), from a fresh draft to a person returned back."
        )
    if removal_cases:
        console.print(
            f"Removals: {removal_cases} forced-return cases (a detention review due soon, a"
            " detention extended for non-cooperation, an appeal pending, a removal executed)."
        )
    if library:
        console.print(
            f"COI library: {library} synthetic documents on the main countries of origin"
            " (English, Turkish, French, Russian, Arabic, Persian), searchable under COI."
        )
    if statistics:
        console.print(
            f"Statistics: {statistics} tables computed, protected, reviewed and published"
            " (from the demo's cases and synthetic national registers), under Statistics."
        )
    from rich.table import Table

    table = Table(title=f"Demo logins — password for all: {DEMO_PASSWORD}", title_justify="left")
    for column in ("user name", "role", "agency"):
        table.add_column(column)
    for user, role, agency in users:
        table.add_row(user.username, role, agency)
    console.print(table)
    console.print(
        "\nAdministrators and auditors enrol an authenticator app (TOTP) at their first sign-in."
    )
    if serve:
        _serve(host="127.0.0.1", port=port, with_worker=True)


SERVER_THREADS = 8


def _serve(*, host: str, port: int, with_worker: bool, workers: int = 1) -> None:
    if workers < 1:
        console.print("[red]--workers must be 1 or more.[/red]")
        raise typer.Exit(2)
    if workers > 1 and os.name != "posix":
        console.print(
            "[red]Several server processes need Linux or macOS; on this system run one "
            "(--workers 1) per port behind the reverse proxy.[/red]"
        )
        raise typer.Exit(2)
    _django()
    from django.core.management import call_command

    call_command("collectstatic", "--no-input", "-v", "0")
    worker = None
    if with_worker:
        worker = subprocess.Popen([sys.executable, "-m", "ura.cli", "worker"])
    processes = "" if workers == 1 else f", {workers} server processes"
    console.print(
        f"Ura is running on [bold]http://{host}:{port}/[/bold]{processes}  (Ctrl+C stops it)"
    )
    try:
        if workers == 1:
            from waitress import serve as waitress_serve

            from ura.web.wsgi import application

            waitress_serve(application, host=host, port=port, threads=SERVER_THREADS, ident="Ura")
        else:
            from ura.web.multiprocess import serve_processes

            serve_processes(host=host, port=port, workers=workers, threads=SERVER_THREADS)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[
        int,
        typer.Option(
            help="Server processes (Linux and macOS). One uses one core for Python; on "
            "PostgreSQL give it about one per core.",
        ),
    ] = 1,
    with_worker: Annotated[bool, typer.Option(help="Also run a background worker.")] = False,
) -> None:
    """Serve the web app (waitress; several processes through gunicorn with --workers)."""
    _serve(host=host, port=port, with_worker=with_worker, workers=workers)


@app.command()
def worker() -> None:
    """Run background tasks from the database queue until stopped."""
    _manage("db_worker")


@app.command()
def createadmin(
    username: str,
    unit: Annotated[str, typer.Option(help="Unit as AGENCY_CODE/UNIT_CODE")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Create an administrator (who then enrols TOTP at first sign-in)."""
    _django()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from ura.apps.accounts.models import RoleCode, Unit
    from ura.apps.accounts.services import role_assign, user_create

    agency_code, _, unit_code = unit.partition("/")
    found = Unit.objects.filter(agency__code=agency_code, code=unit_code).first()
    if found is None:
        console.print(f"[red]No unit {unit!r}. Use AGENCY_CODE/UNIT_CODE.[/red]")
        raise typer.Exit(2)
    try:
        validate_password(password)
    except ValidationError as exc:
        console.print("[red]" + " ".join(exc.messages) + "[/red]")
        raise typer.Exit(2) from exc
    with transaction.atomic():
        user = user_create(
            actor=None, username=username, password=password, unit=found, is_staff=True
        )
        role_assign(actor=None, user=user, role_code=RoleCode.ADMINISTRATOR)
    console.print(f"[green]Administrator {username} created.[/green]")


@audit_app.command("verify")
def audit_verify(
    record: Annotated[
        bool,
        typer.Option(help="Record the outcome in the audit trail (off for a read-only replica)."),
    ] = True,
) -> None:
    """Recompute the hash chain; report the first altered, removed or inserted event.

    Exits with 0 when the chain is intact and 1 when it is broken.
    """
    _django()
    from ura.apps.core.selectors import audit_chain_verify
    from ura.apps.core.services import audit_verification_record

    with Progress(
        TextColumn("Verifying audit chain"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("verify", total=None)
        report = audit_chain_verify(
            progress=lambda n, total: progress.update(task, completed=n, total=total)
        )
    if record:
        audit_verification_record(actor=None, report=report, detail={"via": "cli"})
    brk = report.first_break
    if brk is None:
        console.print(f"[green]Audit chain intact: {report.checked} events verified.[/green]")
        return
    explanation = {
        "altered": "its content, digest or key differs from what was chained",
        "link": "its link to the event before it was altered",
        "missing": "this event is missing (deleted)",
        "out_of_order": "its sequence number repeats an earlier one",
        "head": "the chain head does not name the last event (events added around it)",
    }[brk.reason.value]
    console.print(
        f"[red bold]Audit chain BROKEN at event #{brk.entry_id}[/red bold] "
        f"({brk.reason.value}: {explanation}); {report.checked} events before it are intact."
    )
    raise typer.Exit(1)


@token_app.command("create")
def token_create(
    username: str,
    name: str,
    expires_days: Annotated[int | None, typer.Option(help="Days until it expires.")] = None,
) -> None:
    """Create a token for USERNAME and print its secret (shown this once only)."""
    _django()
    from datetime import timedelta

    from django.utils import timezone

    from ura.apps.accounts.models import User
    from ura.apps.accounts.services import api_token_create

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        console.print(f"[red]No active user {username!r}.[/red]")
        raise typer.Exit(2)
    if expires_days is not None and expires_days < 1:
        console.print("[red]--expires-days must be at least 1.[/red]")
        raise typer.Exit(2)
    expires_at = None if expires_days is None else timezone.now() + timedelta(days=expires_days)
    from django.core.exceptions import PermissionDenied

    try:
        token, raw = api_token_create(actor=None, user=user, name=name, expires_at=expires_at)
    except PermissionDenied as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"Token {token.prefix} created. Secret (store it now, it is not kept):")
    print(raw)  # plain, without rich markup, so that scripts can capture it


@token_app.command("revoke")
def token_revoke(prefix: str) -> None:
    """Revoke the active token whose prefix is PREFIX."""
    _django()
    from ura.apps.accounts.models import ApiToken
    from ura.apps.accounts.services import api_token_revoke

    tokens = list(ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True))
    if len(tokens) != 1:
        console.print(f"[red]{len(tokens)} active tokens have prefix {prefix!r}; need one.[/red]")
        raise typer.Exit(2)
    api_token_revoke(actor=None, token=tokens[0])
    console.print(f"[green]Token {prefix} revoked.[/green]")


@token_app.command("list")
def token_list() -> None:
    """List tokens (prefix, user, name, expiry, state); secrets are never stored."""
    _django()
    from ura.apps.accounts.models import ApiToken

    for t in ApiToken.objects.select_related("user").order_by("created_at"):
        state = "revoked" if t.revoked_at else "active"
        expires = t.expires_at.date().isoformat() if t.expires_at else "never"
        console.print(f"{t.prefix}  {t.user.username:<20} {t.name:<24} {expires:<10} {state}")


def _acting_steward(username: str, what: str) -> object:
    """The active user a pipeline command acts for (its writes are audited as theirs);
    exits 2 when ``--user`` is missing or names no active user."""
    from ura.apps.accounts.models import User

    if not username:
        console.print(f"[red]--user is required: {what} are recorded for a data steward.[/red]")
        raise typer.Exit(2)
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        console.print(f"[red]No active user {username!r}.[/red]")
        raise typer.Exit(2)
    return user


@app.command()
def ingest(
    mapping: Annotated[Path, typer.Argument(help="The source's mapping file (YAML).")],
    files: Annotated[
        list[Path] | None, typer.Argument(help="Extract files (none for an SQL source).")
    ] = None,
    user: Annotated[
        str, typer.Option("--user", help="The data steward the ingest is recorded for.")
    ] = "",
    quality: Annotated[bool, typer.Option(help="Print the data-quality report.")] = True,
) -> None:
    """Validate and store an agency extract; rejected rows go to the quarantine.

    Prints the reconciliation (read = accepted + quarantined) and the data-quality report.
    Re-ingesting an unchanged file adds nothing; changed rows replace their previous
    version, which is kept. Exits 2 on a mapping or permission error.
    """
    _django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from ura.apps.sources.services import ingest_files
    from ura.ingest import MappingError, load_mapping

    actor = _acting_steward(user, "ingests")
    try:
        parsed = load_mapping(mapping)
        with Progress(
            TextColumn(f"Ingesting {parsed.source}"),
            BarColumn(),
            TextColumn("{task.completed} rows"),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("ingest", total=None)
            outcome = ingest_files(
                actor=actor,  # type: ignore[arg-type]
                mapping=parsed,
                files=list(files or []),
                progress=lambda n: bar.update(task, completed=n),
            )
    except (MappingError, PermissionDenied, ValidationError, FileNotFoundError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    batch = outcome.batch
    console.print(
        f"Batch {batch.pk}: {batch.rows_read} read = {batch.rows_accepted} accepted"
        f" + {batch.rows_quarantined} quarantined. Records: {batch.records_new} new,"
        f" {batch.records_changed} changed, {batch.records_unchanged} unchanged."
    )
    for code, count in sorted(batch.reasons.items()):
        console.print(f"  quarantined for {code}: {count}")
    if quality:
        console.print(outcome.quality_text, markup=False, highlight=False)


@app.command()
def link(
    user: Annotated[
        str, typer.Option("--user", help="The data steward the run is recorded for.")
    ] = "",
    engine: Annotated[str, typer.Option(help="duckdb (embedded) or spark.")] = "duckdb",
    spark_master: Annotated[
        str | None, typer.Option(help="Spark master URL (default local[2]).")
    ] = None,
    incremental: Annotated[
        bool,
        typer.Option(help="Link only records new since the published run, with its model."),
    ] = False,
    threshold: Annotated[
        float | None, typer.Option(help="Match probability that links two records.")
    ] = None,
    review_low: Annotated[
        float | None, typer.Option(help="Pairs from here up to the threshold go to review.")
    ] = None,
) -> None:
    """Link every person record into the person index and publish it atomically.

    Exits 2 on a permission error, 1 when the run failed (the published index is unchanged).
    """
    _django()
    from django.conf import settings
    from django.core.exceptions import PermissionDenied

    from ura.apps.people.linking import NothingToLinkError, link_records

    actor = _acting_steward(user, "runs")
    cut = float(settings.URA_LINK_THRESHOLD) if threshold is None else threshold
    low = float(settings.URA_REVIEW_LOW) if review_low is None else review_low
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("Linking", total=1.0)
        try:
            run = link_records(
                actor=actor,  # type: ignore[arg-type]
                engine=engine,
                incremental=incremental,
                threshold=cut,
                review_band=(low, cut),
                spark_master=spark_master,
                progress=lambda stage, done: bar.update(
                    task, completed=done, description=f"Linking: {stage}"
                ),
            )
        except PermissionDenied as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
        except NothingToLinkError as exc:
            console.print("Nothing new to link; the published index is unchanged.")
            raise typer.Exit(0) from exc
        except ValueError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
    figures = run.figures
    console.print(
        f"Run {run.pk} published: {figures['records']} records, {figures['persons']} persons,"
        f" {figures['pairs_scored']} pairs scored, {figures['review_pairs']} for review,"
        f" {figures['merges']} merges, {figures['splits']} splits, {figures['seconds']} s."
    )


@index_app.command("export")
def index_export(
    path: Annotated[Path, typer.Argument(help="Parquet file to write.")],
    user: Annotated[
        str, typer.Option("--user", help="The data steward the export is recorded for.")
    ] = "",
) -> None:
    """Write the published person index as Parquet: source, record_id, person_id and the
    weakest match probability that holds the record in its person (null when alone)."""
    _django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from ura.apps.people.index import index_export_rows

    actor = _acting_steward(user, "exports")
    try:
        table = index_export_rows(actor=actor)  # type: ignore[arg-type]
    except (PermissionDenied, ValidationError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    import pyarrow.parquet as pq

    pq.write_table(table, path)
    console.print(f"{table.num_rows} records written to {path}.")


# --- The COI library ---------------------------------------------------------------------------


@coi_app.command("import")
def coi_import(
    folder: Annotated[Path, typer.Argument(help="Folder of documents (PDF, HTML, DOCX, text).")],
    metadata: Annotated[
        Path, typer.Option("--metadata", help="Metadata file (.csv or .jsonl), see docs.")
    ],
    user: Annotated[
        str, typer.Option("--user", help="The COI researcher the import is recorded for.")
    ] = "",
) -> None:
    """Import a folder of COI documents described by a metadata file (docs/coi-import.md).

    Every file becomes a document, a new edition or a rejection with its reason (the file is
    kept). Prints the reconciliation and each rejection. Exits 1 if anything was rejected,
    2 when nothing could be imported (metadata file, folder or permission).
    """
    _django()
    from django.core.exceptions import PermissionDenied

    from ura.apps.coi.importing import MetadataFileError, folder_import
    from ura.apps.core.services import JobFailedError

    actor = _acting_steward(user, "imports")
    for path, kind in ((folder, "folder"), (metadata, "metadata file")):
        if not (path.is_dir() if kind == "folder" else path.is_file()):
            console.print(f"No such {kind}: {path}", style="red", markup=False, highlight=False)
            raise typer.Exit(2)
    try:
        with Progress(
            TextColumn("Importing COI documents"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("import", total=None)
            batch = folder_import(
                actor=actor,  # type: ignore[arg-type]
                folder=folder,
                metadata_path=metadata,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except (PermissionDenied, MetadataFileError, NotADirectoryError, OSError) as exc:
        console.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    except JobFailedError as exc:
        console.print(f"[red]The import stopped: {exc}. What was imported is kept.[/red]")
        raise typer.Exit(2) from exc
    console.print(
        f"Import {batch.pk}: {batch.files_total} files = {batch.imported} imported"
        f" + {batch.new_editions} new editions + {batch.rejected} rejected;"
        f" {batch.near_duplicates} near-duplicates to review."
    )
    rejections = list(batch.rejections.order_by("pk"))
    for rejection in rejections:
        where = rejection.filename or "-"
        if rejection.row is not None:
            where += f" (row {rejection.row})"
        console.print(f"  rejected {where}: {rejection.reason}", markup=False, highlight=False)
    if rejections:
        raise typer.Exit(1)


@coi_app.command("reindex")
def coi_reindex() -> None:
    """Rebuild the COI search index from the database (the system of record)."""
    _django()
    from ura.apps.coi.search import reindex
    from ura.coi.index import IndexBusyError

    try:
        with Progress(
            TextColumn("Indexing COI documents"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("reindex", total=None)
            count = reindex(
                progress=lambda done, total: bar.update(task, completed=done, total=total)
            )
    except IndexBusyError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"{count} documents indexed.")


@coi_app.command("thesaurus")
def coi_thesaurus(
    file: Annotated[
        Path | None, typer.Option(help="A thesaurus file (default: the one shipped with Ura).")
    ] = None,
) -> None:
    """Load or update the topic thesaurus (new terms, changed labels, retired codes)."""
    _django()
    from ura.apps.coi.thesaurus import ThesaurusError, parse_thesaurus, thesaurus_load

    try:
        parsed = parse_thesaurus(file.read_text(encoding="utf-8")) if file else None
    except (OSError, UnicodeDecodeError, ThesaurusError) as exc:
        console.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    report = thesaurus_load(actor=None, thesaurus=parsed)
    console.print(
        f"Thesaurus version {report.version}: {len(report.created)} topics added,"
        f" {len(report.updated)} updated, {len(report.retired)} retired,"
        f" {report.unchanged} unchanged."
    )


@app.command()
def synth(
    out_dir: Annotated[Path, typer.Argument(help="Folder for the extracts and mappings.")],
    persons: Annotated[int, typer.Option(help="Persons in the synthetic population.")] = 5000,
    seed: Annotated[int, typer.Option(help="Same seed, same files.")] = 2026,
) -> None:
    """Write synthetic agency extracts, their mapping files and the ground truth."""
    from ura.synth import write_extracts

    manifest = write_extracts(out_dir, persons=persons, seed=seed)
    for source in manifest.sources:
        console.print(f"{source.name:<24} {source.rows:>9} rows  {source.mapping_path}")
    console.print(f"truth: {manifest.truth_path}")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command (e.g. ``ura manage shell``)."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ura manage", *ctx.args])


def main() -> None:
    app()


if __name__ == "__main__":
    main()
