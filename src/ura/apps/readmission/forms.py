"""Forms of the readmission app: drafting a request, sending it, one form per recorded step
(built from ``services.STEP_FIELDS``, so the pages and the JSON API record the same values),
and the dashboard's filters. Business rules stay in the services and the procedure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ura.apps.readmission import selectors, services

_DATE = forms.DateInput(attrs={"type": "date"})
_TEXT = forms.Textarea(attrs={"rows": 3})


class DraftForm(forms.Form):
    person_id = forms.CharField(label=_("person (stable person id from the person index)"))
    agreement = forms.ChoiceField(label=_("agreement"))
    counterpart = forms.ChoiceField(label=_("requested state"))
    procedure = forms.ChoiceField(label=_("procedure"), choices=services.choices(services.REGIMES))
    grounds = forms.ChoiceField(label=_("grounds"), choices=services.choices(services.GROUNDS))
    evidence = forms.MultipleChoiceField(
        label=_("means of evidence"),
        choices=services.choices(services.EVIDENCE),
        widget=forms.CheckboxSelectMultiple,
    )
    nationality = forms.CharField(
        label=_("nationality (ISO 3166 alpha-3)"), max_length=3, min_length=3
    )
    apprehended_on = forms.DateField(label=_("apprehended on"), widget=_DATE)
    apprehension_place = forms.CharField(label=_("place of apprehension"), max_length=200)
    border_region = forms.BooleanField(label=_("apprehended in the border region"), required=False)
    notes = forms.CharField(label=_("remarks"), required=False, widget=_TEXT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agreements = selectors.agreements_in_force()
        self.fields["agreement"].choices = [(a.code, a.short_title) for a in agreements]  # type: ignore[attr-defined]
        counterparts: dict[str, str] = {}
        for agreement in agreements:
            counterparts.update(selectors.counterpart_choices(agreement))
        self.fields["counterpart"].choices = sorted(  # type: ignore[attr-defined]
            counterparts.items(), key=lambda pair: pair[1]
        )


class SendForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    sent_on = forms.DateField(label=_("sent on"), widget=_DATE)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StepForm(forms.Form):
    """The values of one step, under their case-data paths."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, transition: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for spec in services.STEP_FIELDS[transition]:
            name = spec.path.replace(".", "__")
            field: forms.Field
            if spec.kind == "date":
                field = forms.DateField(label=str(spec.label), required=spec.required, widget=_DATE)
            elif spec.kind == "choice":
                field = forms.ChoiceField(
                    label=str(spec.label),
                    required=spec.required,
                    choices=[("", "—"), *services.choices(spec.choices or {})],
                )
            else:
                field = forms.CharField(
                    label=str(spec.label), required=spec.required, widget=_TEXT, max_length=1000
                )
            self.fields[name] = field

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name == "version":
                continue
            if isinstance(value, dt.date):
                value = value.isoformat()
            found[name.replace("__", ".")] = value
        return found


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("from"), required=False, widget=_DATE)
    until = forms.DateField(label=_("until"), required=False, widget=_DATE)
    counterpart = forms.CharField(label=_("counterpart (ISO code)"), required=False, max_length=2)

    def period(self) -> tuple[dt.date, dt.date, str]:
        data = self.cleaned_data if self.is_valid() else {}
        until = data.get("until") or timezone.localdate()
        since = data.get("since") or until.replace(month=1, day=1)
        return min(since, until), until, (data.get("counterpart") or "").upper()
