"""The ``ura`` command: set-up, demo, web server, worker, administration, audit."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

app = typer.Typer(
    help="Ura: migration management information system.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
token_app = typer.Typer(help="API tokens for system-to-system integration.", no_args_is_help=True)
app.add_typer(token_app, name="token")
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
    from ura.web.demo import DEMO_PASSWORD, demo_load

    with console.status("Loading demo data…"):
        users = demo_load()
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


def _serve(*, host: str, port: int, with_worker: bool) -> None:
    _django()
    from django.core.management import call_command

    call_command("collectstatic", "--no-input", "-v", "0")
    worker = None
    if with_worker:
        worker = subprocess.Popen([sys.executable, "-m", "ura.cli", "worker"])
    console.print(f"Ura is running on [bold]http://{host}:{port}/[/bold]  (Ctrl+C stops it)")
    try:
        from waitress import serve as waitress_serve

        from ura.web.wsgi import application

        waitress_serve(application, host=host, port=port, threads=8, ident="Ura")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    with_worker: Annotated[bool, typer.Option(help="Also run a background worker.")] = False,
) -> None:
    """Serve the web app (waitress, a production WSGI server)."""
    _serve(host=host, port=port, with_worker=with_worker)


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
