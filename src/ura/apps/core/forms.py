"""The auditor's filter form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ura.apps.core.models import AuditAction, AuditEvent
from ura.apps.core.selectors import AuditEventFilters

_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


def _field_max(name: str) -> int:
    return int(getattr(AuditEvent._meta.get_field(name), "max_length", 0) or 0)


class AuditEventFilterForm(forms.Form):
    user = forms.CharField(
        label=_("User"),
        required=False,
        max_length=_field_max("actor_username"),
        help_text=_("User name, or user number."),
    )
    object_type = forms.CharField(
        label=_("Record type"),
        required=False,
        max_length=_field_max("object_type"),
        help_text=_("For example people.personrecord."),
    )
    object_id = forms.CharField(
        label=_("Record number"), required=False, max_length=_field_max("object_id")
    )
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Any action")), *AuditAction.choices],
    )
    since = forms.DateTimeField(
        label=_("From"),
        required=False,
        input_formats=_DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    until = forms.DateTimeField(
        label=_("To"),
        required=False,
        input_formats=_DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("object_id") and not cleaned.get("object_type"):
            self.add_error("object_type", _("Give the record type with the record number."))
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period is before its start."))
        return cleaned

    def filters(self) -> AuditEventFilters:
        """The validated filters (call after ``is_valid``)."""
        data = self.cleaned_data
        return AuditEventFilters(
            user=data.get("user", "").strip(),
            object_type=data.get("object_type", "").strip(),
            object_id=data.get("object_id", "").strip(),
            action=data.get("action", ""),
            since=data.get("since"),
            until=data.get("until"),
        )
