"""Forms of the trafficking app: the screening, the referral, the partner organisation's
answer, services, the identity reveal, and one form per structured step of the procedure.

A step form turns its fields into the case-data paths the procedure's guards read
(``trafficking-nrm.yaml``: ``required``); the pages and the JSON API use the same forms, so
the two validate alike. Business rules stay in the services and the procedure.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from ura.apps.trafficking.models import ScreeningConclusion, ServiceKind
from ura.casework import htcds

_DATE = forms.DateInput(attrs={"type": "date"})
_TEXT = forms.Textarea(attrs={"rows": 3})


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _choices(kind: type[StrEnum], labels: dict[str, Any] | None = None) -> list[Any]:
    return [
        (m.value, (labels or {}).get(m.value, m.value.replace("_", " ").capitalize())) for m in kind
    ]


#: The profile's HTCDS vocabularies in the users' words (the codes are IOM's).
GENDER_LABELS: dict[str, Any] = {
    "male": _("Male"),
    "female": _("Female"),
    "transgender_nonconforming": _("Transgender or gender non-conforming"),
    "unknown": _("Unknown"),
}
EXPLOITATION_LABELS: dict[str, Any] = {
    "labour": _("Labour exploitation"),
    "sexual": _("Sexual exploitation"),
    "forced_criminality": _("Forced criminality"),
    "forced_marriage": _("Forced marriage"),
    "organ_removal": _("Removal of organs"),
    "begging": _("Forced begging"),
    "forced_military_service": _("Forced military service"),
    "illegal_adoption": _("Illegal adoption"),
    "surrogacy": _("Forced surrogacy"),
    "other": _("Other"),
}
CONTROL_LABELS: dict[str, Any] = {
    "debt_bondage": _("Debt bondage"),
    "takes_earnings": _("Takes the earnings"),
    "restricts_financial_access": _("Restricts access to money"),
    "threats": _("Threats"),
    "psychological_abuse": _("Psychological abuse"),
    "physical_abuse": _("Physical abuse"),
    "sexual_abuse": _("Sexual abuse"),
    "false_promises": _("False promises"),
    "psychoactive_substances": _("Psychoactive substances"),
    "restricts_movement": _("Restricts movement"),
    "restricts_medical_care": _("Restricts medical care"),
    "excessive_working_hours": _("Excessive working hours"),
    "uses_children": _("Uses the person's children"),
    "threat_of_law_enforcement": _("Threat of denunciation to the authorities"),
    "withholds_necessities": _("Withholds food, sleep or other necessities"),
    "withholds_documents": _("Withholds identity documents"),
    "other": _("Other"),
}
RECRUITMENT_LABELS: dict[str, Any] = {
    "abduction": _("Abduction"),
    "educational_facility": _("At a school or other place of education"),
    "familial": _("By a family member"),
    "internet": _("Over the internet"),
    "marriage_broker": _("Through a marriage broker"),
    "intimate_partner": _("By an intimate partner"),
    "job_offer": _("Job offer"),
    "posing_as_benefactor": _("Someone posing as a benefactor"),
    "public_area": _("In a public place"),
    "offer_of_accommodation": _("Offer of accommodation"),
    "shelter": _("At a shelter"),
    "smuggling": _("During smuggling"),
    "work": _("At work"),
    "other": _("Other"),
    "unknown": _("Unknown"),
}
#: The HTCDS services a person may be referred for, in the users' words.
SERVICE_LABELS: dict[str, Any] = {
    "accommodation": _("Accommodation (shelter)"),
    "medical": _("Medical care"),
    "psychosocial": _("Psychosocial support"),
    "legal": _("Legal counselling and aid"),
    "interpretation": _("Interpretation"),
    "education": _("Education"),
    "employment": _("Employment and vocational training"),
    "financial": _("Financial assistance"),
    "return": _("Return assistance"),
    "reintegration": _("Reintegration"),
    "child_protection": _("Child protection"),
    "other": _("Other"),
}


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


# --- Screening -----------------------------------------------------------------------------------


class ScreeningForm(VersionedForm):
    """The screener ticks observed indicators of one list and records their conclusion.

    ``observed`` choices are the indicators of the list chosen (set by the view)."""

    list_code = forms.ChoiceField(label=_("Indicator list"))
    observed = forms.MultipleChoiceField(
        label=_("Observed indicators"), required=False, widget=forms.CheckboxSelectMultiple
    )
    conclusion = forms.ChoiceField(
        label=_("Your conclusion"),
        choices=ScreeningConclusion.choices,
        help_text=_(
            "The rule's outcome is advice. Support does not wait for it: a person may be a "
            "victim without meeting the rule."
        ),
    )
    basis = forms.CharField(
        label=_("Basis of your conclusion"),
        widget=_TEXT,
        help_text=_(
            "What you observed and why you conclude so; say why if you depart from the rule."
        ),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("", "—"), *_choices(htcds.Gender, GENDER_LABELS)],
        required=False,
    )
    age_band = forms.CharField(
        label=_("Age band"), required=False, max_length=8, help_text=_("For example 18-24 or 48+.")
    )
    citizenship = forms.CharField(
        label=_("Citizenship (ISO alpha-3)"), required=False, max_length=3
    )
    country_of_exploitation = forms.CharField(
        label=_("Country of exploitation (ISO alpha-3)"), required=False, max_length=3
    )
    exploitation_types = forms.MultipleChoiceField(
        label=_("Forms of exploitation"),
        choices=_choices(htcds.ExploitationType, EXPLOITATION_LABELS),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    means_of_control = forms.MultipleChoiceField(
        label=_("Means of control"),
        choices=_choices(htcds.MeansOfControl, CONTROL_LABELS),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recruitment = forms.MultipleChoiceField(
        label=_("Recruitment"),
        choices=_choices(htcds.RecruitmentMethod, RECRUITMENT_LABELS),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    PROFILE_FIELDS: ClassVar[tuple[str, ...]] = (
        "gender",
        "age_band",
        "citizenship",
        "country_of_exploitation",
        "exploitation_types",
        "means_of_control",
        "recruitment",
    )

    def __init__(
        self,
        *args: Any,
        lists: list[tuple[str, str]],
        indicators: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["list_code"].choices = lists  # type: ignore[attr-defined]
        self.fields["observed"].choices = indicators  # type: ignore[attr-defined]

    def profile(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) or None for name in self.PROFILE_FIELDS}


# --- Referral ------------------------------------------------------------------------------------


class ReferralForm(VersionedForm):
    to_unit = forms.TypedChoiceField(label=_("Refer to"), coerce=int)
    reason = forms.CharField(label=_("Reason for the referral"), widget=_TEXT)
    reason_code = forms.ChoiceField(
        label=_("Kind of reason"),
        choices=_choices(
            htcds.ReferralReason,
            {
                "additional_services": _("Services the referring agency cannot provide"),
                "change_of_location": _("Change of location"),
                "other": _("Other"),
            },
        ),
    )
    services = forms.MultipleChoiceField(
        label=_("Services requested"),
        choices=_choices(htcds.Service, SERVICE_LABELS),
        widget=forms.CheckboxSelectMultiple,
    )
    override_consent_reason = forms.CharField(
        label=_("Reason to refer without recorded consent"),
        required=False,
        widget=_TEXT,
        help_text=_(
            "Only if the person could not consent and you hold the override permission; "
            "every override is audited."
        ),
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].choices = units  # type: ignore[attr-defined]


class ReferralAnswerForm(VersionedForm):
    answer = forms.ChoiceField(
        label=_("Answer"), choices=[("accept", _("Accept")), ("reject", _("Reject"))]
    )
    note = forms.CharField(
        label=_("Note (the reason, when rejecting)"), required=False, widget=_TEXT
    )


# --- Services and identity -------------------------------------------------------------------


class ServiceForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Service"), choices=ServiceKind.choices)
    provider = forms.TypedChoiceField(label=_("Provided by"), coerce=int)
    started_on = forms.DateField(label=_("From"), widget=_DATE)
    ended_on = forms.DateField(label=_("Until"), widget=_DATE, required=False)
    notes = forms.CharField(label=_("Notes"), widget=_TEXT, required=False)

    def __init__(self, *args: Any, providers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = providers  # type: ignore[attr-defined]


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to see who this person is?"),
        widget=_TEXT,
        min_length=5,
        help_text=_("Your reason is recorded in the audit trail with the reveal."),
    )


# --- Steps of the procedure ----------------------------------------------------------------------


class StepForm(VersionedForm):
    """A structured step: ``data_changes`` maps the fields onto case-data paths."""

    help: ClassVar[Any] = ""

    def data_changes(self) -> dict[str, Any]:
        return {}

    def override_reason(self) -> str:
        return str(self.cleaned_data.get("override_consent_reason") or "")


class RiskAssessmentForm(StepForm):
    level = forms.ChoiceField(
        label=_("Risk level"),
        choices=[("low", _("Low")), ("medium", _("Medium")), ("high", _("High"))],
    )
    risks = forms.CharField(label=_("Risks identified"), widget=_TEXT, required=False)
    safety_plan = forms.CharField(label=_("Safety plan"), widget=_TEXT)
    immediate_needs = forms.MultipleChoiceField(
        label=_("Immediate needs"),
        choices=[
            *ServiceKind.choices,
            ("safety", _("Physical safety")),
            ("food", _("Food and clothing")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "risk_assessment.level": d["level"],
            "risk_assessment.risks": d["risks"] or None,
            "risk_assessment.assessed_on": dt.date.today().isoformat(),  # noqa: DTZ011
            "safety_plan.summary": d["safety_plan"],
            "immediate_needs": list(d["immediate_needs"]),
        }


class ReferralNotPossibleForm(StepForm):
    help = _(
        "Record why no referral can be made (no consent, no provider available, the person "
        "declines). The identifying agency then provides first assistance itself."
    )
    reason = forms.CharField(label=_("Why referral is not possible"), widget=_TEXT)

    def data_changes(self) -> dict[str, Any]:
        return {"referral.not_possible_reason": self.cleaned_data["reason"]}


class AssistWithoutReferralForm(StepForm):
    help = _("The identifying agency starts first assistance itself.")


class PermitGrantForm(StepForm):
    help = _(
        "The victim residence permit is first granted for 30 days of recovery and reflection "
        "(LFIP Art. 48); Ura counts the deadlines from the day you record it."
    )
    number = forms.CharField(label=_("Permit number"), max_length=64)
    issued_on = forms.DateField(label=_("Issued on"), widget=_DATE)

    def data_changes(self) -> dict[str, Any]:
        return {
            "victim_permit.number": self.cleaned_data["number"],
            "victim_permit.issued_on": _iso(self.cleaned_data["issued_on"]),
        }


class PermitRenewForm(StepForm):
    help = _("Renewals run for up to 6 months each, 3 years in total at most (LFIP Art. 48).")
    renewed_until = forms.DateField(label=_("Renewed until"), widget=_DATE)

    def data_changes(self) -> dict[str, Any]:
        return {
            "victim_permit.renewed_until": _iso(self.cleaned_data["renewed_until"]),
            "victim_permit.renewed_on": dt.date.today().isoformat(),  # noqa: DTZ011
        }


class PermitEndForm(StepForm):
    end_reason = forms.CharField(
        label=_("Why the permit ends (or the permit it changes to)"), widget=_TEXT
    )

    def data_changes(self) -> dict[str, Any]:
        return {
            "victim_permit.end_reason": self.cleaned_data["end_reason"],
            "victim_permit.ended_on": dt.date.today().isoformat(),  # noqa: DTZ011
        }


class AssistancePlanForm(StepForm):
    goals = forms.CharField(label=_("Goals of the individual assistance plan"), widget=_TEXT)
    education = forms.CharField(label=_("Education"), widget=_TEXT, required=False)
    employment = forms.CharField(label=_("Employment"), widget=_TEXT, required=False)

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "assistance_plan.goals": d["goals"],
            "assistance_plan.education": d["education"] or None,
            "assistance_plan.employment": d["employment"] or None,
            "assistance_plan.agreed_on": dt.date.today().isoformat(),  # noqa: DTZ011
        }


class ReviewForm(StepForm):
    summary = forms.CharField(label=_("Review of the case and the plan"), widget=_TEXT)

    def data_changes(self) -> dict[str, Any]:
        return {
            "review.summary": self.cleaned_data["summary"],
            "review.reviewed_on": dt.date.today().isoformat(),  # noqa: DTZ011
        }


COOPERATION_HELP = _(
    "Assistance is never conditional on the person's cooperation with the investigation or "
    "the prosecution (CETS 197 Art. 12(6)); record it only to plan protection."
)


class ProceedingsStartForm(StepForm):
    help = COOPERATION_HELP
    kind = forms.ChoiceField(
        label=_("Proceedings"),
        choices=[("criminal", _("Criminal")), ("civil", _("Civil")), ("both", _("Both"))],
    )
    court = forms.CharField(label=_("Court"), max_length=200)
    cooperation = forms.ChoiceField(
        label=_("Cooperation with the authorities"),
        choices=[
            ("cooperating", _("Cooperating as a witness")),
            ("not_cooperating", _("Not cooperating")),
            ("undecided", _("Undecided (recovery and reflection)")),
        ],
        help_text=COOPERATION_HELP,
    )
    protection_measures = forms.MultipleChoiceField(
        label=_("Victim-witness protection measures"),
        choices=[
            ("anonymity", _("Anonymous testimony")),
            ("remote_testimony", _("Testimony by video link")),
            ("separate_waiting", _("Separate waiting area, no contact with the accused")),
            ("police_protection", _("Police protection")),
            ("relocation", _("Relocation")),
            ("court_accompaniment", _("Court accompaniment")),
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    legal_aid = forms.BooleanField(label=_("Legal aid granted"), required=False)

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "proceedings.kind": d["kind"],
            "proceedings.court": d["court"],
            "proceedings.cooperation": d["cooperation"],
            "proceedings.protection_measures": list(d["protection_measures"]),
            "proceedings.legal_aid": d["legal_aid"],
        }


class CompensationForm(StepForm):
    claimed_from = forms.ChoiceField(
        label=_("Compensation claimed from"),
        choices=[
            ("offender", _("The offender")),
            ("state", _("State compensation scheme")),
            ("employer", _("The employer")),
        ],
    )
    amount = forms.DecimalField(label=_("Amount claimed"), required=False, min_value=0)
    filed_on = forms.DateField(label=_("Filed on"), widget=_DATE)

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "compensation.claimed_from": d["claimed_from"],
            "compensation.amount": str(d["amount"]) if d["amount"] is not None else None,
            "compensation.filed_on": _iso(d["filed_on"]),
        }


class ProceedingsEndForm(StepForm):
    outcome = forms.CharField(label=_("Outcome of the proceedings"), widget=_TEXT)

    def data_changes(self) -> dict[str, Any]:
        return {"proceedings.outcome": self.cleaned_data["outcome"]}


class ReturnPrepareForm(StepForm):
    help = _(
        "No contact with the country of origin for asylum-seekers. The transnational referral "
        "shares data with the counterpart abroad, so it needs the person's consent."
    )
    pre_return_risk_assessment = forms.CharField(
        label=_("Pre-return risk assessment"), widget=_TEXT
    )
    voluntariness_declared = forms.BooleanField(label=_("The person declared the return voluntary"))
    counterpart = forms.CharField(
        label=_("Counterpart organisation in the country of return"), required=False
    )
    override_consent_reason = forms.CharField(
        label=_("Reason to proceed without recorded consent (audited)"),
        required=False,
        widget=_TEXT,
    )

    def data_changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "return.pre_return_risk_assessment": d["pre_return_risk_assessment"],
            "return.voluntariness_declared": d["voluntariness_declared"],
            "return.counterpart": d["counterpart"] or None,
        }


class ReturnCancelForm(StepForm):
    reason = forms.CharField(label=_("Why the return is cancelled"), widget=_TEXT)

    def data_changes(self) -> dict[str, Any]:
        return {"return.cancellation_reason": self.cleaned_data["reason"]}


class ReturnRecordForm(StepForm):
    date = forms.DateField(label=_("Date of return"), widget=_DATE)
    receiving_organisation = forms.CharField(label=_("Receiving organisation"), max_length=200)

    def data_changes(self) -> dict[str, Any]:
        return {
            "return.date": _iso(self.cleaned_data["date"]),
            "return.receiving_organisation": self.cleaned_data["receiving_organisation"],
        }


class ClosureRequestForm(StepForm):
    help = _("A second person (a supervisor) approves the closure.")
    reason = forms.CharField(label=_("Why the case can close"), widget=_TEXT)

    def data_changes(self) -> dict[str, Any]:
        return {"closure.reason": self.cleaned_data["reason"]}


class ClosureRejectForm(StepForm):
    reason = forms.CharField(label=_("Why the case stays open"), widget=_TEXT)

    def data_changes(self) -> dict[str, Any]:
        return {"closure.rejection_reason": self.cleaned_data["reason"]}


class ClosureApproveForm(StepForm):
    help = _("You approve the closure requested by a colleague; you cannot approve your own.")


#: The form of each structured step (transition code -> form).
STEP_FORMS: dict[str, type[StepForm]] = {
    "assess_risk": RiskAssessmentForm,
    "record_referral_not_possible": ReferralNotPossibleForm,
    "assist_without_referral": AssistWithoutReferralForm,
    "grant_victim_permit": PermitGrantForm,
    "renew_victim_permit": PermitRenewForm,
    "end_victim_permit": PermitEndForm,
    "agree_assistance_plan": AssistancePlanForm,
    "review_case": ReviewForm,
    "start_proceedings": ProceedingsStartForm,
    "record_compensation_claim": CompensationForm,
    "end_proceedings": ProceedingsEndForm,
    "prepare_return": ReturnPrepareForm,
    "cancel_return": ReturnCancelForm,
    "record_return": ReturnRecordForm,
    "request_closure": ClosureRequestForm,
    "reject_closure": ClosureRejectForm,
    "approve_closure": ClosureApproveForm,
}
