"""The disclosure-control record of a stored table names its rule as the definitions do.

Before, ``StatTable.disclosure`` said ``method`` with disclosure control's own names
(``suppression``, ``rounding``, ``suppression+rounding``, ``dp``, ``denominator_threshold``);
now ``rule`` with the definitions' names (``suppression``, ``rounding``, ``strict``,
``differential_privacy``, ``denominator_threshold``), which is what the auditor compares
when a draft built before is published. The names are kept here, frozen, because the
vocabulary of ura.stats has moved on.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

_RULE_OF_METHOD = {
    "suppression": "suppression",
    "rounding": "rounding",
    "suppression+rounding": "strict",
    "dp": "differential_privacy",
    "denominator_threshold": "denominator_threshold",
}
_METHOD_OF_RULE = {rule: method for method, rule in _RULE_OF_METHOD.items()}


def _rename(apps: Any, schema_editor: Any, old: str, new: str, names: dict[str, str]) -> None:
    model = apps.get_model("statistics", "StatTable")
    tables = model.objects.using(schema_editor.connection.alias)
    for table in tables.exclude(disclosure={}).only("pk", "disclosure").iterator():
        record = dict(table.disclosure)
        if old not in record:
            continue
        value = record.pop(old)
        record[new] = names.get(value, value)
        tables.filter(pk=table.pk).update(disclosure=record)


def forwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, schema_editor, "method", "rule", _RULE_OF_METHOD)


def backwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, schema_editor, "rule", "method", _METHOD_OF_RULE)


class Migration(migrations.Migration):
    dependencies = [("statistics", "0002_profile_text")]

    operations = [migrations.RunPython(forwards, backwards)]
