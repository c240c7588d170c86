"""``{{ deadline.status|deadline_status }}``: a deadline's status in words, not only colour —
strong when it needs action (overdue, due soon); an unknown status as it is.

A filter rather than an included template: the work queue shows a status on every row, and an
include per row cost more than the rest of the row.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ura.apps.cases.models import DeadlineStatus

register = template.Library()

#: The statuses shown in bold: those that ask the caseworker to act.
_PRESSING = frozenset({DeadlineStatus.OVERDUE, DeadlineStatus.DUE_SOON})


@register.filter
def deadline_status(status: str) -> SafeString:
    try:
        known = DeadlineStatus(status)
    except ValueError:
        return format_html("{}", status)
    return format_html("<strong>{}</strong>" if known in _PRESSING else "{}", known.label)
