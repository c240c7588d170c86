"""``ura profile …``: build the migration statistics from the command line (added to the
``ura`` command by ``ura.cli``). Django is set up by the command, not on import."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

profile_app = typer.Typer(
    help="Migration statistics and the migration profile.", no_args_is_help=True
)
console = Console()


def _date(text: str | None, default: dt.date) -> dt.date:
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        console.print(f"[red]{text!r} is not a date (YYYY-MM-DD).[/red]")
        raise typer.Exit(2) from exc


@profile_app.command("build")
def build(
    user: Annotated[str, typer.Option("--user", help="The analyst the run is recorded for.")] = "",
    start: Annotated[
        str | None, typer.Option("--from", help="First day (default: 1 January of last year).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day (default: 31 December of last year).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Reference date (default: today).")
    ] = None,
    microdata: Annotated[
        Path | None,
        typer.Option(help="A folder with persons and events Parquet (default: Ura's database)."),
    ] = None,
    engine: Annotated[str, typer.Option(help="duckdb (default) or spark.")] = "duckdb",
    table: Annotated[list[str] | None, typer.Option(help="Only these tables (repeatable).")] = None,
) -> None:
    """Compute every table of the standard set, protect it and store it as a draft.

    Exits 2 on bad input or a permission error, 1 when the build failed.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ura.web.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied, ValidationError

    from ura.apps.statistics.services import profile_build

    if not user:
        console.print("[red]--user is required: a profile run is recorded for an analyst.[/red]")
        raise typer.Exit(2)
    actor = get_user_model().objects.filter(username=user, is_active=True).first()
    if actor is None:
        console.print(f"[red]No active user {user!r}.[/red]")
        raise typer.Exit(2)
    from django.utils import timezone

    today = timezone.localdate()
    first = _date(start, dt.date(today.year - 1, 1, 1))
    last = _date(end, dt.date(today.year - 1, 12, 31))
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("Profile", total=None)
        try:
            run = profile_build(
                actor=actor,
                start=first,
                end=last,
                as_of=_date(as_of, today),
                engine=engine,
                microdata=microdata,
                table_ids=table or None,
                progress=lambda done, total, label: bar.update(
                    task, completed=done, total=total, description=str(label)
                ),
            )
        except (PermissionDenied, ValidationError) as exc:
            console.print(f"[red]{' '.join(getattr(exc, 'messages', [str(exc)]))}[/red]")
            raise typer.Exit(2) from exc
        except Exception as exc:
            console.print(f"[red]The build failed: {type(exc).__name__}: {exc}[/red]")
            raise typer.Exit(1) from exc
    tables = run.tables.all()
    refused = [t.definition_id for t in tables if not t.audit_passed]
    console.print(
        f"Run {run.pk}: {tables.count()} tables computed and protected ({first} to {last},"
        f" {engine}); drafts await review."
        + (f" The auditor refused: {', '.join(refused)}." if refused else "")
    )
