"""``ura manage readmission_deemed_consent --user <username>``: the daily job that applies
deemed consent to every request whose reply time limit has passed under an agreement that
makes silence consent. It acts as a named user (a supervisor holding
``readmission.apply_deemed_consent``), so every application is audited under that name and
reaches only the requests that user may change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ura.apps.readmission import services


class Command(BaseCommand):
    help = "Apply deemed consent where the reply time limit has passed (audited as --user)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="username the job acts as")
        parser.add_argument("--date", help="the day to apply it on (YYYY-MM-DD; default today)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            actor = get_user_model().objects.get(username=options["user"], is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no active user {options['user']!r}") from None
        today = dt.date.fromisoformat(options["date"]) if options.get("date") else None
        try:
            done = services.deemed_consent_apply_due(actor=actor, today=today)
        except PermissionDenied as exc:
            raise CommandError(f"{options['user']} may not apply deemed consent") from exc
        for case in done:
            self.stdout.write(f"deemed accepted: {case.reference}")
        self.stdout.write(f"{len(done)} request(s) deemed accepted")
