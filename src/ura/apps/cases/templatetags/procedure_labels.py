"""``{{ text|procedure_label:"state" }}``: a procedure's English label (read from its YAML, or
stored from it, as a deadline's label is) in the reader's language. The kinds are those of
``ura.apps.cases.procedure_labels.CONTEXTS``: ``title``, ``legal_basis``, ``state``,
``phase`` (pass the phase's code), ``transition``, ``deadline`` and ``notes``. A text that is
not catalogued is shown as it is."""

from __future__ import annotations

from typing import Any, cast

from django import template

from ura.apps.cases.procedure_labels import CONTEXTS, Kind, translate

register = template.Library()


@register.filter
def procedure_label(value: Any, kind: str) -> str:
    if kind not in CONTEXTS:
        raise template.TemplateSyntaxError(
            f"procedure_label: unknown kind {kind!r}; one of {sorted(CONTEXTS)}"
        )
    if value in (None, ""):
        return ""
    return translate(cast(Kind, kind), str(value))
