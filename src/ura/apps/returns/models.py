"""The returns app's own tables: what the person told and what was arranged for an assisted
voluntary return and reintegration (AVRR) case.

The case's state, its history, consents and the referral to the partner organisation in the
country of origin live in the shared case engine (``ura.apps.cases``). The case data holds only
what the procedure's guards read (dates, yes/no, the destination country, the categories the
person agreed to share), because every user who sees a case — a partner organisation abroad
too — may read its data. What the person told (counselling, vulnerabilities, medical needs,
contact at destination, travel arrangements) is kept here and shown by ``selectors`` only to
the owning agency, and to a partner only in the data categories the person consented to share.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataCategory(models.TextChoices):
    """What a partner organisation in the country of origin may be shown, by consent."""

    IDENTITY = "identity", _("Identity (names, date of birth, nationality)")
    CONTACT = "contact", _("Contact and address at destination")
    TRAVEL = "travel", _("Travel (documents, booking, escort, movements)")
    MEDICAL = "medical", _("Medical needs and fitness to travel")
    VULNERABILITY = "vulnerability", _("Vulnerabilities (child, trafficking, other)")
    REINTEGRATION_NEEDS = "reintegration_needs", _("Reintegration intentions, skills and needs")


class SessionOutcome(models.TextChoices):
    WISHES_TO_RETURN = "wishes_to_return", _("Wishes to return; continue to screening")
    CONSIDERING = "considering", _("Considering; another session agreed")
    DECLINED = "declined", _("Does not wish to return now")
    REFERRED = "referred", _("Referred to other services (asylum, legal aid, protection)")


class CounsellingSession(models.Model):
    """One outreach or return counselling session."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    held_on = models.DateField(_("held on"))
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    language = models.CharField(_("language"), max_length=64)
    interpreter = models.CharField(
        _("interpreter"), max_length=128, blank=True, help_text=_("Empty: no interpreter")
    )
    topics = models.JSONField(_("topics"), default=list)
    outcome = models.CharField(_("outcome"), max_length=32, choices=SessionOutcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "held_on", "pk"]
        verbose_name = _("counselling session")
        # The app's permissions (granted in returns/roles.py); rows are reached through the
        # case only.
        default_permissions = ()
        permissions = [
            ("counsel", "Counsel, screen and prepare assisted voluntary returns"),
            ("approve_application", "Approve or reject AVRR applications; close AVRR cases"),
            ("reintegrate", "Receive returnees, plan, deliver and monitor reintegration"),
        ]

    def __str__(self) -> str:
        return f"counselling session {self.pk} of case {self.case_id}"


class EligibilityScreening(models.Model):
    """Eligibility and vulnerability screening."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    screened_on = models.DateField(_("screened on"))
    screener = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    eligible = models.BooleanField(_("eligible"))
    basis = models.TextField(_("basis"))
    unaccompanied_child = models.BooleanField(_("unaccompanied or separated child"), default=False)
    trafficking_victim = models.BooleanField(_("victim of trafficking"), default=False)
    medical_needs = models.BooleanField(_("medical needs"), default=False)
    medical_notes = models.TextField(_("medical needs"), blank=True)
    other_vulnerabilities = models.JSONField(_("other vulnerabilities"), default=list)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "-screened_on", "-pk"]
        verbose_name = _("eligibility screening")
        default_permissions = ()

    def __str__(self) -> str:
        return f"screening {self.pk} of case {self.case_id}"


class TraffickingLink(models.Model):
    """The AVRR case of a trafficking victim linked to their trafficking case, with the
    consent under which it was linked (the link ends when that consent is withdrawn)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    trafficking_case_id = models.PositiveBigIntegerField()
    trafficking_reference = models.CharField(max_length=32)
    consent_id = models.PositiveBigIntegerField()
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "pk"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"case {self.case_id} linked to {self.trafficking_reference}"


class BestInterestsOutcome(models.TextChoices):
    RETURN = "return_in_best_interests", _("Return is in the child's best interests")
    NOT_RETURN = "return_not_in_best_interests", _("Return is not in the child's best interests")
    DEFERRED = "deferred", _("Deferred: more information needed (family tracing)")


class BestInterestsDetermination(models.Model):
    """The best-interests procedure for an unaccompanied or separated child."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    held_on = models.DateField(_("held on"))
    guardian_name = models.CharField(_("guardian"), max_length=128)
    guardian_present = models.BooleanField(_("guardian present"))
    family_tracing = models.TextField(_("family tracing and assessment"), blank=True)
    child_views = models.TextField(_("the child's views"))
    outcome = models.CharField(_("outcome"), max_length=40, choices=BestInterestsOutcome.choices)
    reasoning = models.TextField(_("reasoning"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "-held_on", "-pk"]
        verbose_name = _("best-interests determination")
        default_permissions = ()

    def __str__(self) -> str:
        return f"best-interests determination {self.pk} of case {self.case_id}"


class Application(models.Model):
    """The AVRR application and declaration of voluntariness (one per case)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    lodged_on = models.DateField(_("lodged on"))
    destination_country = models.CharField(_("country of return"), max_length=3)
    destination_place = models.CharField(_("place of return"), max_length=128, blank=True)
    voluntariness_declared = models.BooleanField(_("declaration of voluntariness signed"))
    shared_categories = models.JSONField(_("data the person agreed to share"), default=list)
    consent_id = models.PositiveBigIntegerField()
    contact_at_destination = models.TextField(_("contact at destination"), blank=True)
    reintegration_intentions = models.TextField(
        _("reintegration intentions and skills"), blank=True
    )
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("AVRR application")
        default_permissions = ()

    def __str__(self) -> str:
        return f"application of case {self.case_id}"


class FitToTravel(models.TextChoices):
    FIT = "fit", _("Fit to travel")
    FIT_WITH_ESCORT = "fit_with_escort", _("Fit to travel with a medical escort")
    UNFIT = "unfit", _("Not fit to travel")


class Escort(models.TextChoices):
    NONE = "none", _("No escort")
    OPERATIONAL = "operational", _("Operational escort (transit assistance)")
    MEDICAL = "medical", _("Medical escort")
    SOCIAL = "social", _("Social worker or guardian (child)")


class PreDeparture(models.Model):
    """The pre-departure checklist (one per case); the travel documents are rows of their own."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    fit_to_travel = models.CharField(
        _("fit to travel"), max_length=20, choices=FitToTravel.choices, blank=True
    )
    fit_to_travel_on = models.DateField(_("assessed on"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=64, blank=True)
    booking_reference = models.CharField(_("booking reference"), max_length=32, blank=True)
    departure_planned_on = models.DateField(_("planned departure"), null=True, blank=True)
    route = models.CharField(_("route"), max_length=200, blank=True)
    allowance_amount = models.DecimalField(
        _("reinstallation allowance"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    allowance_currency = models.CharField(_("currency"), max_length=3, blank=True)
    escort = models.CharField(_("escort"), max_length=20, choices=Escort.choices, blank=True)
    escort_reason = models.CharField(_("why"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"pre-departure of case {self.case_id}"


class DocumentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ISSUED = "issued", _("Issued")
    REFUSED = "refused", _("Refused")


class TravelDocumentRequest(models.Model):
    """A request for a travel document (laissez-passer, passport) to a consulate."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    consulate = models.CharField(_("consulate"), max_length=128)
    country = models.CharField(_("country"), max_length=3)
    requested_on = models.DateField(_("requested on"))
    status = models.CharField(
        _("status"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.REQUESTED
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "requested_on", "pk"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"travel document request {self.pk}"


class MovementKind(models.TextChoices):
    DEPARTURE = "departure", _("Departure")
    TRANSIT = "transit", _("Transit")
    ARRIVAL = "arrival", _("Arrival")


class Movement(models.Model):
    """Departure, transit or arrival, with the place."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=MovementKind.choices)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=128)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "date", "pk"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.kind} of case {self.case_id}"


class AssistanceLevel(models.TextChoices):
    """IOM's integrated approach: the three levels of reintegration assistance."""

    INDIVIDUAL = "individual", _("Individual")
    COMMUNITY = "community", _("Community")
    STRUCTURAL = "structural", _("Structural")


class AssistanceKind(models.TextChoices):
    BUSINESS = "business", _("Business start-up (micro-enterprise)")
    EMPLOYMENT = "employment", _("Job placement or vocational training")
    EDUCATION = "education", _("Education")
    HOUSING = "housing", _("Housing")
    MEDICAL = "medical", _("Medical care")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    CASH = "cash", _("Cash or in-kind support")
    LEGAL = "legal", _("Legal and documentation support")
    COMMUNITY_PROJECT = "community_project", _("Community project")
    CAPACITY = "capacity", _("Capacity building of local services")
    OTHER = "other", _("Other")


class AssistanceItem(models.Model):
    """One item of reintegration assistance, provided by a partner organisation."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(_("level"), max_length=16, choices=AssistanceLevel.choices)
    kind = models.CharField(_("assistance"), max_length=32, choices=AssistanceKind.choices)
    description = models.CharField(_("description"), max_length=300)
    provider_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("provider")
    )
    amount = models.DecimalField(_("value"), max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    planned_on = models.DateField(_("planned on"))
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "planned_on", "pk"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.kind} for case {self.case_id}"


class MonitoringVisit(models.Model):
    """A monitoring visit with the reintegration sustainability survey's scores."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    visited_on = models.DateField(_("visited on"))
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    survey_version = models.CharField(max_length=32)
    answers = models.JSONField(default=dict)
    economic = models.FloatField(_("economic"))
    social = models.FloatField(_("social"))
    psychosocial = models.FloatField(_("psychosocial"))
    composite = models.FloatField(_("composite score"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["case", "visited_on", "pk"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"monitoring visit {self.pk} of case {self.case_id}"
