"""Forms for person records. Validation of business rules stays in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ura.apps.people.models import PersonRecord
from ura.apps.people.services import EDITABLE_FIELDS


class PersonRecordForm(forms.ModelForm):  # type: ignore[type-arg]
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PersonRecord
        fields = EDITABLE_FIELDS
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}),
            "health_notes": forms.Textarea(attrs={"rows": 3}),
            "trafficking_indicators": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class PersonRecordSearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=200)
    nationality = forms.CharField(
        label=_("Nationality (ISO alpha-3)"),
        required=False,
        max_length=3,
        widget=forms.TextInput(attrs={"size": 4}),
    )
