"""``{{ value|removal_label:"vocabulary" }}``: a coded value of a removal case's data in the
reader's language (the forms' choice labels); a list is joined with commas, an unknown code is
shown as it is."""

from __future__ import annotations

from typing import Any

from django import template

from ura.apps.removals.forms import LABELS

register = template.Library()


@register.filter
def removal_label(value: Any, vocabulary: str) -> str:
    labels = LABELS[vocabulary]
    if isinstance(value, list | tuple):
        return ", ".join(str(labels.get(v, v)) for v in value)
    if value in (None, ""):
        return ""
    return str(labels.get(value, value))
