"""Forms for person records. Validation of business rules stays in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ura.apps.people.models import PersonRecord, ReviewDecisionKind
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


class PersonIndexSearchForm(forms.Form):
    """Search the person index: any of name (any script or spelling), birth, document."""

    name = forms.CharField(
        label=_("Name, in any script or spelling"), required=False, max_length=200
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    year_of_birth = forms.IntegerField(
        label=_("or year of birth"), required=False, min_value=1900, max_value=2100
    )
    document_number = forms.CharField(label=_("Document number"), required=False, max_length=64)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not any(
            data.get(k) for k in ("name", "date_of_birth", "year_of_birth", "document_number")
        ):
            raise forms.ValidationError(_("Give a name, a date of birth or a document number."))
        return data


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ReviewDecisionKind.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)
