"""Forms of the returns app, one per action on an AVRR case (``actions.ACTIONS``); the pages
and the JSON API use the same forms, so the two validate alike. Business rules stay in the
services and the procedure (``avrr.yaml``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from ura.apps.returns.models import (
    AssistanceKind,
    AssistanceLevel,
    BestInterestsOutcome,
    DataCategory,
    DocumentStatus,
    Escort,
    FitToTravel,
    MovementKind,
    SessionOutcome,
)
from ura.casework import reintegration

_DATE = forms.DateInput(attrs={"type": "date"})
_TEXT = forms.Textarea(attrs={"rows": 3})

TOPICS = [
    ("return_options", _("Return options and what AVRR offers")),
    ("legal_status", _("Legal status and alternatives (asylum, regularisation)")),
    ("travel", _("Travel arrangements and documents")),
    ("reintegration", _("Reintegration opportunities at home")),
    ("health", _("Health and medical needs")),
    ("family", _("Family situation")),
    ("risks", _("Risks on return")),
]
VULNERABILITIES = [
    ("single_parent", _("Single parent")),
    ("elderly", _("Elderly person")),
    ("disability", _("Person with a disability")),
    ("gbv_survivor", _("Survivor of gender-based violence")),
    ("mental_health", _("Mental health condition")),
]
NEEDS = [
    ("income", _("Income and employment")),
    ("housing", _("Housing")),
    ("health", _("Health care")),
    ("psychosocial", _("Psychosocial support")),
    ("education", _("Education of the children")),
    ("documents", _("Civil documents")),
    ("community", _("Acceptance by the community")),
]


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    help: ClassVar[Any] = ""


class CounsellingForm(VersionedForm):
    help = _(
        "Record each session. Counselling is confidential: it stays with your agency and is "
        "never shared with the destination."
    )
    held_on = forms.DateField(label=_("Held on"), widget=_DATE)
    language = forms.CharField(label=_("Language of the session"), max_length=64)
    interpreter = forms.CharField(
        label=_("Interpreter"), max_length=128, required=False, help_text=_("Empty: none")
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics"), choices=TOPICS, widget=forms.CheckboxSelectMultiple
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=SessionOutcome.choices)
    notes = forms.CharField(label=_("Notes"), widget=_TEXT, required=False)


class ScreeningForm(VersionedForm):
    help = _(
        "An unaccompanied child needs a best-interests determination before the application; "
        "medical needs need a fit-to-travel assessment before departure."
    )
    screened_on = forms.DateField(label=_("Screened on"), widget=_DATE)
    eligible = forms.TypedChoiceField(
        label=_("Eligible for assisted voluntary return"),
        choices=[("yes", _("Eligible")), ("no", _("Not eligible"))],
        coerce=lambda v: v == "yes",
    )
    basis = forms.CharField(label=_("Basis"), widget=_TEXT)
    unaccompanied_child = forms.BooleanField(
        label=_("Unaccompanied or separated child"), required=False
    )
    trafficking_victim = forms.BooleanField(label=_("Victim of trafficking"), required=False)
    medical_needs = forms.BooleanField(label=_("Medical needs"), required=False)
    medical_notes = forms.CharField(label=_("Medical needs"), widget=_TEXT, required=False)
    other_vulnerabilities = forms.MultipleChoiceField(
        label=_("Other vulnerabilities"),
        choices=VULNERABILITIES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class TraffickingLinkForm(VersionedForm):
    help = _(
        "Only with the person's consent to the link, and only to a trafficking case you work on."
    )
    trafficking_case_id = forms.IntegerField(label=_("Trafficking case (number)"), min_value=1)
    consent_given_on = forms.DateField(
        label=_("Consent to the link given on"),
        widget=_DATE,
        required=False,
        help_text=_("Leave empty if the consent is recorded already."),
    )


class BestInterestsForm(VersionedForm):
    help = _(
        "The best-interests procedure of an unaccompanied or separated child, with the "
        "guardian present; the application waits for a determination that favours return."
    )
    held_on = forms.DateField(label=_("Held on"), widget=_DATE)
    guardian_name = forms.CharField(label=_("Guardian"), max_length=128)
    guardian_present = forms.BooleanField(label=_("The guardian was present"), required=False)
    family_tracing = forms.CharField(
        label=_("Family tracing and assessment"), widget=_TEXT, required=False
    )
    child_views = forms.CharField(label=_("The child's views"), widget=_TEXT)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=BestInterestsOutcome.choices)
    reasoning = forms.CharField(label=_("Reasoning"), widget=_TEXT)


class ApplicationForm(VersionedForm):
    help = _(
        "The person signs the declaration of voluntariness and chooses what may be shared with "
        "the organisation that receives them at destination; nothing else is shared."
    )
    lodged_on = forms.DateField(label=_("Lodged on"), widget=_DATE)
    destination_country = forms.CharField(
        label=_("Country of return (ISO alpha-3)"), max_length=3, min_length=3
    )
    destination_place = forms.CharField(label=_("Place of return"), max_length=128, required=False)
    voluntariness_declared = forms.BooleanField(
        label=_("The person signed the declaration of voluntariness")
    )
    shared_categories = forms.MultipleChoiceField(
        label=_("Data the person agrees to share with the destination"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    partner_agency_id = forms.TypedChoiceField(
        label=_("Partner organisation at destination"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Empty: the consent covers whichever partner receives the person."),
    )
    contact_at_destination = forms.CharField(
        label=_("Contact at destination"), widget=_TEXT, required=False
    )
    reintegration_intentions = forms.CharField(
        label=_("Reintegration intentions and skills"), widget=_TEXT, required=False
    )

    def __init__(self, *args: Any, partners: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["partner_agency_id"].choices = [("", "—"), *partners]  # type: ignore[attr-defined]


class PreDepartureForm(VersionedForm):
    help = _(
        "The checklist: fitness to travel (required for medical needs), booking, the "
        "reinstallation allowance and the escort decision. Travel documents are requested below."
    )
    fit_to_travel = forms.ChoiceField(
        label=_("Fit to travel"), choices=[("", "—"), *FitToTravel.choices], required=False
    )
    fit_to_travel_on = forms.DateField(label=_("Assessed on"), widget=_DATE, required=False)
    carrier = forms.CharField(label=_("Carrier"), max_length=64, required=False)
    booking_reference = forms.CharField(label=_("Booking reference"), max_length=32, required=False)
    departure_planned_on = forms.DateField(
        label=_("Planned departure"), widget=_DATE, required=False
    )
    route = forms.CharField(label=_("Route"), max_length=200, required=False)
    allowance_amount = forms.DecimalField(
        label=_("Reinstallation allowance"), min_value=0, decimal_places=2, required=False
    )
    allowance_currency = forms.CharField(
        label=_("Currency (ISO 4217)"), max_length=3, required=False
    )
    escort = forms.ChoiceField(
        label=_("Escort"), choices=[("", "—"), *Escort.choices], required=False
    )
    escort_reason = forms.CharField(label=_("Why"), max_length=200, required=False)

    def changes(self) -> dict[str, Any]:
        """The fields given (an empty field leaves the checklist's value as it is)."""
        return {
            k: v for k, v in self.cleaned_data.items() if k != "version" and v not in (None, "")
        }


class DocumentRequestForm(VersionedForm):
    consulate = forms.CharField(label=_("Consulate"), max_length=128)
    country = forms.CharField(label=_("Country (ISO alpha-3)"), max_length=3, min_length=3)
    requested_on = forms.DateField(label=_("Requested on"), widget=_DATE)


class DocumentAnswerForm(VersionedForm):
    request_id = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Answer"),
        choices=[(DocumentStatus.ISSUED, _("Issued")), (DocumentStatus.REFUSED, _("Refused"))],
    )
    answered_on = forms.DateField(label=_("Answered on"), widget=_DATE)
    valid_until = forms.DateField(label=_("Valid until"), widget=_DATE, required=False)


class MovementForm(VersionedForm):
    help = _(
        "Departure needs the complete checklist; the arrival starts the one-month period for "
        "the reintegration assessment and plan."
    )
    kind = forms.ChoiceField(label=_("Movement"), choices=MovementKind.choices)
    date = forms.DateField(label=_("Date"), widget=_DATE)
    place = forms.CharField(label=_("Place (airport, border crossing)"), max_length=128)
    confirmed_by = forms.CharField(label=_("Arrival confirmed by"), max_length=128, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)


class PartnerReferralForm(VersionedForm):
    help = _(
        "The organisation sees the case's progress and only the data the person agreed to share."
    )
    to_agency_id = forms.TypedChoiceField(label=_("Partner organisation"), coerce=int)

    def __init__(self, *args: Any, partners: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["to_agency_id"].choices = partners  # type: ignore[attr-defined]


class ReferralAnswerForm(VersionedForm):
    accept = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("yes", _("Accept")), ("no", _("Reject"))],
        coerce=lambda v: v == "yes",
    )
    note = forms.CharField(label=_("Note (required to reject)"), widget=_TEXT, required=False)


class ReceptionForm(VersionedForm):
    help = _("Who received the person on arrival, and when.")
    date = forms.DateField(label=_("Received on"), widget=_DATE)
    organisation = forms.CharField(label=_("Received by (organisation)"), max_length=128)
    notes = forms.CharField(label=_("Immediate needs met"), widget=_TEXT, required=False)

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "reception.date": d["date"].isoformat(),
            "reception.organisation": d["organisation"],
            "reception.notes": d["notes"] or None,
        }


class PlanForm(VersionedForm):
    help = _(
        "IOM recommends the reintegration assessment and plan within one month of arrival; "
        "Ura shows the deadline on the case."
    )
    assessed_on = forms.DateField(label=_("Assessed on"), widget=_DATE)
    needs = forms.MultipleChoiceField(
        label=_("Needs found"), choices=NEEDS, widget=forms.CheckboxSelectMultiple
    )
    plan_goals = forms.CharField(label=_("The plan's goals"), widget=_TEXT)

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "reintegration.assessed_on": d["assessed_on"].isoformat(),
            "reintegration.needs": list(d["needs"]),
            "reintegration.plan_goals": d["plan_goals"],
        }


class AssistanceForm(VersionedForm):
    help = _("Individual, community or structural assistance, provided by a partner organisation.")
    level = forms.ChoiceField(label=_("Level"), choices=AssistanceLevel.choices)
    kind = forms.ChoiceField(label=_("Assistance"), choices=AssistanceKind.choices)
    description = forms.CharField(label=_("Description"), max_length=300)
    provider_agency_id = forms.TypedChoiceField(label=_("Provider"), coerce=int)
    planned_on = forms.DateField(label=_("Planned on"), widget=_DATE)
    amount = forms.DecimalField(label=_("Value"), min_value=0, decimal_places=2, required=False)
    currency = forms.CharField(label=_("Currency (ISO 4217)"), max_length=3, required=False)

    def __init__(self, *args: Any, partners: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["provider_agency_id"].choices = partners  # type: ignore[attr-defined]


class DeliverForm(VersionedForm):
    item_id = forms.IntegerField(widget=forms.HiddenInput)
    delivered_on = forms.DateField(label=_("Delivered on"), widget=_DATE)


_SCALE = [("", _("Not applicable")), *[(str(i), str(i)) for i in range(1, 6)]]


class MonitoringForm(VersionedForm):
    help = _(
        "The reintegration sustainability survey: answer each indicator from 1 (worst) to 5 "
        "(best); each dimension needs at least one answer. Visits repeat."
    )
    visited_on = forms.DateField(label=_("Visited on"), widget=_DATE)
    notes = forms.CharField(label=_("Notes"), widget=_TEXT, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for indicator in reintegration.INDICATORS:
            self.fields[f"rss_{indicator.code}"] = forms.TypedChoiceField(
                label=f"{reintegration.DIMENSION_LABELS[indicator.dimension]}: {indicator.label}",
                choices=_SCALE,
                coerce=int,
                empty_value=None,
                required=False,
            )

    def answers(self) -> dict[str, int | None]:
        return {i.code: self.cleaned_data.get(f"rss_{i.code}") for i in reintegration.INDICATORS}


class ReasonForm(VersionedForm):
    """A step that needs only a reason (rejection, withdrawal, closure)."""

    reason = forms.CharField(label=_("Reason"), widget=_TEXT)
    path: ClassVar[str] = ""

    def data_changes(self) -> dict[str, Any]:
        return {self.path: self.cleaned_data["reason"]}


class RejectForm(ReasonForm):
    path = "application.rejection_reason"


class WithdrawForm(ReasonForm):
    help = _("The person no longer wishes to return; the case closes.")
    path = "withdrawal.reason"


class CloseForm(ReasonForm):
    path = "closure.reason"


class ApproveForm(VersionedForm):
    help = _("A second person approves the application (four eyes).")

    def data_changes(self) -> dict[str, Any]:
        return {}
