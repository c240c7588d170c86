"""``ura manage procedure_messages``: write ``ura/apps/cases/procedure_messages.py``, the list
of every label of the shipped procedure definitions that ``makemessages`` reads (it does not
read YAML). ``--check`` writes nothing and fails when the file is out of date (CI, a pre-commit
hook). Run it after changing or adding a procedure file, then update the catalogues
(``make messages``, docs/translations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ura.apps.cases import procedure_labels
from ura.casework.procedures import builtin_procedures

MODULE = Path(procedure_labels.__file__).with_name("procedure_messages.py")


class Command(BaseCommand):
    help = "Regenerate the list of procedure labels that makemessages collects."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="write nothing; fail if the file is out of date"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = procedure_labels.render_messages_module()
        current = MODULE.read_text(encoding="utf-8") if MODULE.is_file() else ""
        if options["check"]:
            if current != text:
                raise CommandError(f"{MODULE} is out of date: run `ura manage procedure_messages`")
            self.stdout.write(f"{MODULE} is up to date")
            return
        if current == text:
            self.stdout.write(f"{MODULE} is up to date")
            return
        MODULE.write_text(text, encoding="utf-8")
        count = len(procedure_labels.catalogue(builtin_procedures()))
        self.stdout.write(f"wrote {MODULE} ({count} texts)")
