"""Forms of the removals app: one per step of the removal procedure (``removal-lfip.yaml``).

A step form turns its fields into the case-data paths the procedure's guards and the
removals rules read, and names the day the step happened (``occurred_on``: deadlines count
from it). The pages and the JSON API use the same forms, so the two validate alike. Business
rules stay in the procedure, ``rules.py`` and the services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from ura.apps.removals.models import ReviewOutcome
from ura.ingest.countries import ISO3166_ALPHA3

_DATE = forms.DateInput(attrs={"type": "date"})
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_TEXT = forms.Textarea(attrs={"rows": 3})


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, second=0, microsecond=0).isoformat(timespec="minutes")
    return value.isoformat() if value else None


def _day(value: dt.date | dt.datetime | None) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


class CountryField(forms.CharField):
    """An ISO 3166-1 alpha-3 country code (``AFG``, ``SYR``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("help_text", _("ISO 3166-1 alpha-3 code, e.g. AFG, PAK, SYR."))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        code = str(super().clean(value) or "").strip().upper()
        if code and code not in ISO3166_ALPHA3:
            raise forms.ValidationError(_("Give an ISO 3166-1 alpha-3 country code."))
        return code


#: LFIP Art. 54(1): the grounds for a removal decision (abridged; the decision's reasons
#: state the facts).
REMOVAL_GROUNDS = [
    ("art54_1_a", _("(a) Removal required by Art. 59 of Turkish Criminal Code")),
    ("art54_1_b", _("(b) Leader, member or supporter of a terrorist or criminal organisation")),
    ("art54_1_c", _("(c) False information or documents in entry, visa or permit procedures")),
    ("art54_1_d", _("(d) Livelihood by illegitimate means")),
    ("art54_1_e", _("(e) Threat to public order, security or public health")),
    ("art54_1_f", _("(f) Visa or visa exemption overstayed by more than 10 days")),
    ("art54_1_g", _("(g) Visa cancelled")),
    ("art54_1_h", _("(h) Residence permit cancelled, or stay after its expiry")),
    ("art54_1_i", _("(i) Work without a work permit")),
    ("art54_1_j", _("(j) Illegal entry or exit, or attempt")),
    ("art54_1_k", _("(k) Entry despite an entry ban")),
    ("art54_1_l", _("(l) International protection application rejected, excluded or withdrawn")),
    ("other", _("Other ground of Art. 54 (state it in the reasons)")),
]
IDENTIFIED_BY = [
    ("passport", _("Passport or national identity document")),
    ("fingerprints", _("Fingerprints (database match)")),
    ("statement", _("Own statement")),
    ("consular", _("Consular identification")),
    ("language_analysis", _("Language or origin analysis")),
    ("other", _("Other")),
]
PLACE_KINDS = [
    ("removal_centre", _("Removal centre")),
    ("police_custody", _("Police or gendarmerie custody (transfer due within 48 h)")),
    ("other", _("Other place")),
]
#: LFIP Art. 57/A(1) (Law 7196): the alternatives to administrative detention.
ALTERNATIVES = [
    ("residence", _("Residence at a designated address")),
    ("reporting", _("Reporting duty")),
    ("family_return", _("Family-based return")),
    ("return_counselling", _("Return counselling")),
    ("public_service", _("Public service work")),
    ("guarantee", _("Financial guarantee")),
    ("electronic_monitoring", _("Electronic monitoring")),
]
ESCORTS = [
    ("none", _("Unescorted")),
    ("police", _("Police escort")),
    ("escort_team", _("Escort team to destination")),
    ("medical", _("With medical escort")),
]
ROUTES = [
    ("air", _("By air")),
    ("land", _("By land (border gate)")),
    ("sea", _("By sea")),
]
EXCLUSION_GROUNDS = [
    ("absconding_risk", _("Risk of absconding")),
    ("illegal_entry_or_stay", _("Illegal entry or stay")),
    ("false_documents", _("False or forged documents")),
    ("unlawful_stay_after_permit", _("Stayed after the permit ended without excuse")),
    ("public_order_security_health", _("Threat to public order, security or health")),
]
DETENTION_END_REASONS = [
    ("released", _("Released (grounds no longer hold)")),
    ("alternative", _("Replaced by an alternative to detention")),
    ("removed", _("Removed")),
    ("court_order", _("Released by court order")),
    ("maximum_reached", _("Maximum period reached")),
    ("protection_claim", _("International protection claim")),
]
DOCUMENT_KINDS = [
    ("passport", _("Passport")),
    ("laissez_passer", _("Laissez-passer / emergency travel document")),
]
CONSULATE_ANSWERS = [("issued", _("Travel document issued")), ("refused", _("Refused"))]
#: What the case data's coded values mean, for the pages (``removal_label`` filter).
TRAVEL_DOCUMENT_STATUSES = [
    ("requested", _("Requested")),
    ("issued", _("Issued")),
    ("refused", _("Refused")),
]
LABELS = {
    "exclusion_ground": dict(EXCLUSION_GROUNDS),
    "detention_end_reason": dict(DETENTION_END_REASONS),
    "document_kind": dict(DOCUMENT_KINDS),
    "travel_document_status": dict(TRAVEL_DOCUMENT_STATUSES),
    "alternative": dict(ALTERNATIVES),
    "route": dict(ROUTES),
    "escort": dict(ESCORTS),
    "place_kind": dict(PLACE_KINDS),
    "identified_by": dict(IDENTIFIED_BY),
    "removal_ground": dict(REMOVAL_GROUNDS),
}


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class StepForm(VersionedForm):
    """A structured step: ``data_changes`` maps the fields onto case-data paths."""

    help: ClassVar[Any] = ""
    #: The field that says when the step happened; its day is the step's ``occurred_on``.
    day_field: ClassVar[str] = ""

    def data_changes(self) -> dict[str, Any]:
        return {}

    def occurred_on(self) -> dt.date | None:
        return _day(self.cleaned_data.get(self.day_field)) if self.day_field else None


class OverrideMixin(forms.Form):
    """A step that may record detention past its legal maximum: only with a justification."""

    override_justification = forms.CharField(
        label=_("Justification for detention past the legal maximum (audited)"),
        required=False,
        widget=_TEXT,
        help_text=_(
            "Only if the step goes past the maximum of LFIP Art. 57(3) and your role allows it."
        ),
    )

    def override_changes(self) -> dict[str, Any]:
        text = str(self.cleaned_data.get("override_justification") or "").strip()
        return {"override.justification": text} if text else {}


class ApprehensionForm(StepForm):
    day_field = "at"
    at = forms.DateTimeField(label=_("Apprehended at (date and time)"), widget=_DATETIME)
    place = forms.CharField(label=_("Place of apprehension"), max_length=200)
    unit = forms.CharField(label=_("Apprehending unit"), max_length=200)
    identified_by = forms.ChoiceField(
        label=_("How the person was identified"), choices=IDENTIFIED_BY
    )
    notes = forms.CharField(label=_("Circumstances"), widget=_TEXT, required=False)

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "apprehension.at": _iso(d["at"]),
            "apprehension.place": d["place"],
            "apprehension.unit": d["unit"],
            "apprehension.identified_by": d["identified_by"],
            "apprehension.notes": d["notes"] or None,
        }


class ReleaseForm(StepForm):
    reason = forms.CharField(label=_("Why no removal decision is taken"), widget=_TEXT)

    def data_changes(self) -> dict[str, Any]:
        return {"release.reason": self.cleaned_data["reason"]}


class DecisionForm(StepForm):
    help = _(
        "The governorate decides within 48 hours of the apprehension (LFIP Art. 57(1)); a later "
        "decision needs the reason for the delay."
    )
    day_field = "at"
    at = forms.DateTimeField(label=_("Decided at (date and time)"), widget=_DATETIME)
    authority = forms.CharField(label=_("Deciding governorate"), max_length=200)
    grounds = forms.MultipleChoiceField(
        label=_("Grounds (LFIP Art. 54)"),
        choices=REMOVAL_GROUNDS,
        widget=forms.CheckboxSelectMultiple,
    )
    reasons = forms.CharField(label=_("Reasons (facts and assessment)"), widget=_TEXT)
    late_reason = forms.CharField(
        label=_("Reason for a decision after 48 hours"), widget=_TEXT, required=False
    )

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "decision.at": _iso(d["at"]),
            "decision.authority": d["authority"],
            "decision.grounds": list(d["grounds"]),
            "decision.reasons": d["reasons"],
            "decision.late_reason": d["late_reason"] or None,
        }


class _NotificationForm(StepForm):
    day_field = "date"
    date = forms.DateField(label=_("Notified on"), widget=_DATE)
    language = forms.CharField(
        label=_("Language of notification"),
        max_length=35,
        help_text=_("A language the person understands (BCP 47 code, e.g. ar, fa, ps)."),
    )
    interpreter = forms.CharField(label=_("Interpreter"), max_length=200, required=False)

    def notification_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "notification.date": _iso(d["date"]),
            "notification.language": d["language"],
            "notification.interpreter": d["interpreter"] or None,
        }


class NotifyWithDepartureForm(_NotificationForm):
    help = _("LFIP Art. 56: a period of 15 to 30 days to leave voluntarily.")
    days = forms.IntegerField(
        label=_("Voluntary departure period (days)"), min_value=15, max_value=30
    )

    def data_changes(self) -> dict[str, Any]:
        return {
            **self.notification_changes(),
            "voluntary_departure.days": self.cleaned_data["days"],
        }


class NotifyWithoutDepartureForm(_NotificationForm):
    help = _(
        "LFIP Art. 56(2): no period is granted to persons at risk of absconding, who entered or "
        "stayed unlawfully, used false documents, or are a threat to public order, security or "
        "health."
    )
    exclusion_ground = forms.ChoiceField(
        label=_("Why no voluntary departure period"),
        choices=EXCLUSION_GROUNDS,
    )

    def data_changes(self) -> dict[str, Any]:
        return {
            **self.notification_changes(),
            "voluntary_departure.exclusion_ground": self.cleaned_data["exclusion_ground"],
        }


class VoluntaryDepartureForm(StepForm):
    day_field = "date"
    date = forms.DateField(label=_("Left on"), widget=_DATE)
    border_gate = forms.CharField(label=_("Border gate"), max_length=200)
    destination_country = CountryField(label=_("Destination country"))

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "departure.date": _iso(d["date"]),
            "departure.border_gate": d["border_gate"],
            "departure.destination_country": d["destination_country"],
        }


class DepartureEndForm(StepForm):
    reason = forms.CharField(label=_("Why the removal is now enforced"), widget=_TEXT)

    def data_changes(self) -> dict[str, Any]:
        return {"voluntary_departure.end_reason": self.cleaned_data["reason"]}


class AppealForm(StepForm):
    help = _("LFIP Art. 53(3): the appeal suspends the removal until the court decides.")
    day_field = "lodged_on"
    lodged_on = forms.DateField(label=_("Lodged on"), widget=_DATE)
    court = forms.CharField(label=_("Administrative court"), max_length=200)
    file_number = forms.CharField(label=_("Court file number"), max_length=100, required=False)

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "appeal.lodged_on": _iso(d["lodged_on"]),
            "appeal.court": d["court"],
            "appeal.file_number": d["file_number"] or None,
        }


class DecisionFinalForm(StepForm):
    help = _("After the seven days, confirm with the court that no appeal was lodged.")
    day_field = "checked_on"
    checked_on = forms.DateField(label=_("Checked with the court on"), widget=_DATE)

    def data_changes(self) -> dict[str, Any]:
        return {"appeal.none_lodged_checked_on": _iso(self.cleaned_data["checked_on"])}


class AppealDecidedForm(StepForm):
    day_field = "decided_on"
    decided_on = forms.DateField(label=_("Judgment of"), widget=_DATE)
    judgment_reference = forms.CharField(label=_("Judgment reference"), max_length=100)
    summary = forms.CharField(label=_("Summary of the judgment"), widget=_TEXT, required=False)

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "appeal.decided_on": _iso(d["decided_on"]),
            "appeal.judgment_reference": d["judgment_reference"],
            "appeal.summary": d["summary"] or None,
        }


class DetentionOrderForm(StepForm):
    day_field = "started_on"
    order_reference = forms.CharField(label=_("Detention order reference"), max_length=100)
    started_on = forms.DateField(label=_("Detained from"), widget=_DATE)
    place = forms.CharField(label=_("Place of detention"), max_length=200)
    place_kind = forms.ChoiceField(label=_("Kind of place"), choices=PLACE_KINDS)
    reasons = forms.CharField(
        label=_("Reasons (risk of absconding, threat, false identity…)"), widget=_TEXT
    )

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "detention.order_reference": d["order_reference"],
            "detention.started_on": _iso(d["started_on"]),
            "detention.place": d["place"],
            "detention.place_kind": d["place_kind"],
            "detention.reasons": d["reasons"],
        }


class TransferForm(StepForm):
    day_field = "transferred_on"
    removal_centre = forms.CharField(label=_("Removal centre"), max_length=200)
    transferred_on = forms.DateField(label=_("Transferred on"), widget=_DATE)

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "detention.removal_centre": d["removal_centre"],
            "detention.transferred_on": _iso(d["transferred_on"]),
        }


class AlternativeForm(StepForm):
    day_field = "started_on"
    kinds = forms.MultipleChoiceField(
        label=_("Alternatives (LFIP Art. 57/A)"),
        choices=ALTERNATIVES,
        widget=forms.CheckboxSelectMultiple,
    )
    started_on = forms.DateField(label=_("From"), widget=_DATE)
    conditions = forms.CharField(
        label=_("Conditions (address, reporting days, guarantee amount…)"), widget=_TEXT
    )

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "alternative.kinds": list(d["kinds"]),
            "alternative.started_on": _iso(d["started_on"]),
            "alternative.conditions": d["conditions"],
        }


class ReviewForm(OverrideMixin, StepForm):
    help = _(
        "LFIP Art. 57(4): the need to continue detention is reviewed every month; the next "
        "review falls due one month after this one."
    )
    day_field = "date"
    date = forms.DateField(label=_("Review date"), widget=_DATE)
    reviewer = forms.CharField(label=_("Reviewer (name and office)"), max_length=200)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReviewOutcome.choices)
    reasons = forms.CharField(label=_("Reasons"), widget=_TEXT)

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "review.date": _iso(d["date"]),
            "review.reviewer": d["reviewer"],
            "review.outcome": d["outcome"],
            "review.reasons": d["reasons"],
            **self.override_changes(),
        }


class ExtensionForm(OverrideMixin, StepForm):
    help = _(
        "LFIP Art. 57(3): if the person does not cooperate in the removal (identity, travel "
        "document), detention may be extended once by at most six months."
    )
    day_field = "decided_on"
    decided_on = forms.DateField(label=_("Extension decided on"), widget=_DATE)
    months = forms.IntegerField(label=_("Extension (months)"), min_value=1, max_value=6)
    reasons = forms.CharField(label=_("Non-cooperation: facts and reasons"), widget=_TEXT)

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "detention.extension.decided_on": _iso(d["decided_on"]),
            "detention.extension.months": d["months"],
            "detention.extension.reasons": d["reasons"],
            **self.override_changes(),
        }


class DetentionEndForm(OverrideMixin, StepForm):
    day_field = "ended_on"
    ended_on = forms.DateField(label=_("Detention ended on"), widget=_DATE)
    reason = forms.ChoiceField(
        label=_("Why"),
        choices=DETENTION_END_REASONS,
    )

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "detention.ended_on": _iso(d["ended_on"]),
            "detention.end_reason": d["reason"],
            **self.override_changes(),
        }


class AlternativeEndForm(StepForm):
    day_field = "ended_on"
    ended_on = forms.DateField(label=_("Ended on"), widget=_DATE)
    reason = forms.CharField(label=_("Why"), max_length=300)

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"alternative.ended_on": _iso(d["ended_on"]), "alternative.end_reason": d["reason"]}


class TravelDocumentRequestForm(StepForm):
    day_field = "requested_on"
    country = CountryField(label=_("Country of the consulate"))
    consulate = forms.CharField(label=_("Consulate or embassy"), max_length=200)
    requested_on = forms.DateField(label=_("Requested on"), widget=_DATE)

    def request(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "country": d["country"],
            "consulate": d["consulate"],
            "requested_on": _iso(d["requested_on"]),
            "status": "requested",
        }


class ConsulateAnswerForm(StepForm):
    day_field = "answered_on"
    request_number = forms.IntegerField(label=_("Request number (1 = first)"), min_value=1)
    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=CONSULATE_ANSWERS,
    )
    answered_on = forms.DateField(label=_("Answered on"), widget=_DATE)
    document_kind = forms.ChoiceField(
        label=_("Document"),
        choices=[("", "—"), *DOCUMENT_KINDS],
        required=False,
    )
    document_number = forms.CharField(label=_("Document number"), max_length=64, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("answer") == "issued" and not cleaned.get("document_kind"):
            self.add_error("document_kind", _("Say which document was issued."))
        return cleaned


class RemovalForm(StepForm):
    day_field = "executed_on"
    executed_on = forms.DateField(label=_("Removed on"), widget=_DATE)
    route = forms.ChoiceField(label=_("Route"), choices=ROUTES)
    route_detail = forms.CharField(label=_("Flight or border gate"), max_length=200, required=False)
    escort = forms.ChoiceField(label=_("Escort"), choices=ESCORTS)
    destination_country = CountryField(label=_("Destination country"))

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "removal.executed_on": _iso(d["executed_on"]),
            "removal.route": d["route"],
            "removal.route_detail": d["route_detail"] or None,
            "removal.escort": d["escort"],
            "removal.destination_country": d["destination_country"],
        }


class EntryBanForm(StepForm):
    help = _("LFIP Art. 9: an entry ban of up to five years (longer for serious threats).")
    starts_on = forms.DateField(label=_("Ban starts on"), widget=_DATE)
    months = forms.IntegerField(label=_("Duration (months)"), min_value=1, max_value=180)
    reasons = forms.CharField(label=_("Reasons"), widget=_TEXT)

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "entry_ban.starts_on": _iso(d["starts_on"]),
            "entry_ban.months": d["months"],
            "entry_ban.reasons": d["reasons"],
        }


class ClosureForm(StepForm):
    reason = forms.CharField(label=_("Why the case can close"), widget=_TEXT)

    def data_changes(self) -> dict[str, Any]:
        return {"closure.reason": self.cleaned_data["reason"]}


class DiscontinueForm(StepForm):
    reason = forms.CharField(
        label=_("Why the removal is discontinued (protection claim, permit, other)"),
        widget=_TEXT,
    )

    def data_changes(self) -> dict[str, Any]:
        return {"discontinuation.reason": self.cleaned_data["reason"]}


#: The form of each step (transition code -> form).
STEP_FORMS: dict[str, type[StepForm]] = {
    "record_apprehension": ApprehensionForm,
    "release_without_decision": ReleaseForm,
    "order_removal": DecisionForm,
    "notify_with_voluntary_departure": NotifyWithDepartureForm,
    "notify_without_voluntary_departure": NotifyWithoutDepartureForm,
    "record_voluntary_departure": VoluntaryDepartureForm,
    "end_voluntary_departure": DepartureEndForm,
    "lodge_appeal": AppealForm,
    "record_decision_final": DecisionFinalForm,
    "record_appeal_rejected": AppealDecidedForm,
    "record_appeal_upheld": AppealDecidedForm,
    "order_detention": DetentionOrderForm,
    "record_transfer_to_removal_centre": TransferForm,
    "order_alternative": AlternativeForm,
    "review_detention": ReviewForm,
    "extend_detention": ExtensionForm,
    "end_detention": DetentionEndForm,
    "end_alternative": AlternativeEndForm,
    "request_travel_document": TravelDocumentRequestForm,
    "record_consulate_answer": ConsulateAnswerForm,
    "execute_removal": RemovalForm,
    "impose_entry_ban": EntryBanForm,
    "close_case": ClosureForm,
    "discontinue": DiscontinueForm,
}
