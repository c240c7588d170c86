"""Load the default topic thesaurus (data/topics.yaml) into a new library, so the import page
offers its topics from the start. Later versions are applied by ``ura coi thesaurus`` (and
new terms by the next import): see ura.apps.coi.thesaurus."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from ura.apps.coi.thesaurus import DEFAULT_PATH, parse_thesaurus

    topic_model = apps.get_model("coi", "Topic")
    thesaurus = parse_thesaurus(DEFAULT_PATH.read_text(encoding="utf-8"))
    existing = {t.code: t for t in topic_model.objects.using(schema_editor.connection.alias)}
    for term in thesaurus.terms:  # broader terms first
        if term.code in existing:
            continue
        existing[term.code] = topic_model.objects.using(schema_editor.connection.alias).create(
            code=term.code,
            label=term.label,
            scope_note=term.scope_note,
            parent=existing[term.broader] if term.broader else None,
        )


class Migration(migrations.Migration):
    dependencies = [("coi", "0002_duplicate_keys")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
