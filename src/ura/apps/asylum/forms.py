"""Forms of the asylum pages. They only shape input: every rule is checked by the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ura.apps.asylum.models import ReportingStatus
from ura.apps.asylum.vocabulary import (
    PROVINCE_CHOICES,
    AcceleratedGround,
    AppealOutcome,
    AssessmentSection,
    ConventionGround,
    CredibilityFinding,
    ExclusionClause,
    InadmissibilityGround,
    Modality,
    NotificationMethod,
    ReportingFrequency,
    SeriousHarm,
    WithdrawalGround,
    WithdrawalKind,
)

_DATE = forms.DateInput(attrs={"type": "date"})
_TIME = forms.TimeInput(attrs={"type": "time"})


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class VersionedForm(forms.Form):
    """Every write names the case version the user read (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class RegisterForm(VersionedForm):
    foreigner_id = forms.CharField(
        label=_("Foreigner identification number"),
        max_length=20,
        help_text=_("11 digits beginning with 99"),
    )
    province = forms.ChoiceField(label=_("Assigned province"), choices=_blank(PROVINCE_CHOICES))
    reporting_frequency = forms.ChoiceField(
        label=_("Reporting duty"), choices=_blank(ReportingFrequency.choices)
    )
    reporting_place = forms.CharField(label=_("Where to report"), max_length=200)
    applicant_name = forms.CharField(
        label=_("Name as registered"),
        max_length=200,
        help_text=_("Prefilled from the person index; the decision carries this name"),
    )
    date_of_birth = forms.CharField(
        label=_("Date of birth as registered"),
        max_length=10,
        required=False,
        help_text=_("YYYY-MM-DD, or the year alone"),
    )
    nationality = forms.CharField(
        label=_("Nationality (ISO alpha-3)"), max_length=3, help_text=_("e.g. AFG, IRQ, SYR")
    )
    languages = forms.CharField(
        label=_("Languages"), max_length=200, help_text=_("Language codes, comma-separated: fa, ps")
    )

    def clean_languages(self) -> list[str]:
        return [c.strip() for c in self.cleaned_data["languages"].split(",") if c.strip()]


class ScreeningForm(VersionedForm):
    inadmissibility_grounds = forms.MultipleChoiceField(
        label=_("Inadmissibility grounds found (LFIP Art. 72)"),
        choices=InadmissibilityGround.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    accelerated_grounds = forms.MultipleChoiceField(
        label=_("Accelerated procedure grounds found (LFIP Art. 79)"),
        choices=AcceleratedGround.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)


class ModalityForm(VersionedForm):
    modality = forms.ChoiceField(label=_("Processing modality"), choices=Modality.choices)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when you choose another modality than the one proposed"),
    )


class InadmissibilityForm(VersionedForm):
    ground = forms.ChoiceField(
        label=_("Ground of inadmissibility"), choices=_blank(InadmissibilityGround.choices)
    )


class ScheduleForm(VersionedForm):
    date = forms.DateField(label=_("Date"), widget=_DATE)
    time = forms.TimeField(label=_("Time"), widget=_TIME, required=False)
    place = forms.CharField(label=_("Place"), max_length=200)
    language = forms.CharField(label=_("Language of the interview"), max_length=40)
    interpreter_needed = forms.BooleanField(label=_("Interpreter needed"), required=False)
    interpreter = forms.CharField(label=_("Interpreter assigned"), max_length=200, required=False)
    lawyer = forms.CharField(label=_("Lawyer to be present"), max_length=200, required=False)
    guardian = forms.CharField(
        label=_("Guardian to be present"),
        max_length=200,
        required=False,
        help_text=_("Required for an unaccompanied child"),
    )


class RescheduleForm(VersionedForm):
    date = forms.DateField(label=_("New date"), widget=_DATE)
    time = forms.TimeField(label=_("Time"), widget=_TIME, required=False)
    place = forms.CharField(label=_("Place (if it changes)"), max_length=200, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class InterviewRecordForm(VersionedForm):
    held_on = forms.DateField(label=_("Held on"), widget=_DATE)
    language = forms.CharField(label=_("Language used"), max_length=40)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1)
    interpreter = forms.CharField(label=_("Interpreter"), max_length=200, required=False)
    lawyer_present = forms.BooleanField(label=_("Lawyer present"), required=False)
    guardian_present = forms.BooleanField(label=_("Guardian present"), required=False)
    record = forms.CharField(
        label=_("Interview record (summary)"), widget=forms.Textarea(attrs={"rows": 14})
    )
    applicant_confirmed = forms.BooleanField(
        label=_("The record was read back and the applicant confirmed it"), required=False
    )


class InformationRequestForm(VersionedForm):
    subject = forms.CharField(label=_("Information or documents requested"), max_length=500)
    addressee = forms.CharField(label=_("Requested from"), max_length=200)
    due_on = forms.DateField(label=_("Answer expected by"), widget=_DATE, required=False)


class InformationReceivedForm(VersionedForm):
    summary = forms.CharField(
        label=_("What was received"), widget=forms.Textarea(attrs={"rows": 3})
    )
    received = forms.BooleanField(
        label=_("Received (untick if the request lapsed)"), required=False, initial=True
    )


class NotificationForm(VersionedForm):
    notified_on = forms.DateField(label=_("Notified on"), widget=_DATE)
    method = forms.ChoiceField(label=_("How"), choices=_blank(NotificationMethod.choices))


class AppealForm(VersionedForm):
    court = forms.CharField(label=_("Administrative court"), max_length=200)
    lodged_on = forms.DateField(label=_("Lodged on"), widget=_DATE)


class AppealDecisionForm(VersionedForm):
    outcome = forms.ChoiceField(label=_("Judgment"), choices=_blank(AppealOutcome.choices))
    decided_on = forms.DateField(label=_("Decided on"), widget=_DATE)


class FinalForm(VersionedForm):
    final_on = forms.DateField(label=_("Final on"), widget=_DATE)


class WithdrawForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(WithdrawalKind.choices))
    ground = forms.ChoiceField(label=_("Ground"), choices=_blank(WithdrawalGround.choices))
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class AssessmentForm(VersionedForm):
    """One textarea per section; paragraphs are separated by a blank line."""

    convention_grounds = forms.MultipleChoiceField(
        label=_("Convention grounds"),
        choices=ConventionGround.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    serious_harm = forms.MultipleChoiceField(
        label=_("Serious harm (LFIP Art. 63)"),
        choices=SeriousHarm.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    credibility_finding = forms.ChoiceField(
        label=_("Credibility finding"), choices=_blank(CredibilityFinding.choices), required=False
    )
    exclusion_clause = forms.ChoiceField(
        label=_("Exclusion clause (LFIP Art. 64)"),
        choices=_blank(ExclusionClause.choices),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in AssessmentSection.choices:
            self.fields[f"section_{code}"] = forms.CharField(
                label=label,
                widget=forms.Textarea(attrs={"rows": 5}),
                required=False,
                help_text=_("Separate paragraphs with a blank line"),
            )

    def sections(self) -> dict[str, list[str]]:
        return {
            code: [p.strip() for p in self.cleaned_data[f"section_{code}"].split("\n\n")]
            for code in AssessmentSection.values
        }


class CitationForm(VersionedForm):
    title = forms.CharField(label=_("Title of the source"), max_length=300)
    publisher = forms.CharField(label=_("Publisher"), max_length=200)
    date = forms.DateField(label=_("Date of the source"), widget=_DATE)
    url = forms.URLField(label=_("Web address"), max_length=1000, assume_scheme="https")
    anchor = forms.CharField(
        label=_("Where in the source"),
        max_length=200,
        required=False,
        help_text=_("Page, section or paragraph"),
    )
    passage = forms.CharField(
        label=_("Passage"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000
    )


class ReportingForm(VersionedForm):
    due_on = forms.DateField(label=_("Reporting day"), widget=_DATE)
    status = forms.ChoiceField(label=_("What happened"), choices=_blank(ReportingStatus.choices))
    excuse = forms.CharField(label=_("Excuse"), max_length=300, required=False)


class QueueForm(forms.Form):
    state = forms.ChoiceField(label=_("Stage"), required=False)
    modality = forms.ChoiceField(
        label=_("Modality"),
        required=False,
        choices=[("", _("any")), *Modality.choices, ("none", _("not yet triaged"))],
    )
    unit_id = forms.TypedChoiceField(
        label=_("Office"), required=False, coerce=int, empty_value=None
    )
    nationality = forms.CharField(
        label=_("Nationality (ISO alpha-3)"), max_length=3, required=False
    )

    def __init__(
        self,
        *args: Any,
        states: list[tuple[str, str]],
        offices: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("all open")), *states]  # type: ignore[attr-defined]
        self.fields["unit_id"].choices = [("", _("all")), *offices]  # type: ignore[attr-defined]
