"""The profile build form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ura.apps.statistics.services import ENGINES


class BuildForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    as_of = forms.DateField(
        label=_("Reference date"),
        required=False,
        help_text=_("The day the data stand at; periods ending later are provisional."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    engine = forms.ChoiceField(label=_("Engine"), choices=[(e, e) for e in ENGINES])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["start"].initial = dt.date(today.year - 1, 1, 1)
        self.fields["end"].initial = dt.date(today.year - 1, 12, 31)
        self.fields["as_of"].initial = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period ends before it starts."))
        return data


class ProfileTextForm(forms.Form):
    """An analyst's text for one slot of a migration profile, with the version edited."""

    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=20000,
        help_text=_("Plain text; separate paragraphs with a blank line."),
        widget=forms.Textarea(attrs={"rows": 16}),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
