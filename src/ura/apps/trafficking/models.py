"""The trafficking app's own tables: identification screenings and the services provided.

Everything else about a trafficking case — its state, the phase data (risk assessment,
referral, permit, assistance plan, proceedings, return, closure), consent, referrals and its
history — lives in the shared case engine (``ura.apps.cases``). A trafficking case is always
restricted: only its assigned users and explicit grantees (a partner organisation it was
referred to) see it, so these rows are reached only through an already authorised case.

No table here holds the victim's identity: names, dates of birth and documents stay in the
person index and are shown only on an audited reveal (``services.identity_reveal``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScreeningConclusion(models.TextChoices):
    """The screener's own conclusion, which may depart from the indicator rule's opinion."""

    PRESUMED_VICTIM = "presumed_victim", _("Presumed victim of trafficking")
    NOT_IDENTIFIED = "not_identified", _("Not a victim of trafficking (refer to other services)")
    UNDETERMINED = "undetermined", _("Not yet determined (continue screening)")


class Screening(models.Model):
    """One identification screening with the ILO/EC operational indicators.

    Keeps the indicator-set version and the list used, so that the assessment can be re-read
    under the rule it was made with (decision 0015), the rule's outcome at the time, and the
    screener's own conclusion and its basis.
    """

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="trafficking_screenings"
    )
    indicator_set_version = models.CharField(_("indicator set version"), max_length=64)
    list_code = models.CharField(_("indicator list"), max_length=64)
    observed = models.JSONField(_("observed indicators"), default=list, blank=True)
    present_elements = models.JSONField(_("elements found present"), default=list, blank=True)
    engine_outcome = models.CharField(_("the rule's outcome"), max_length=64)
    conclusion = models.CharField(
        _("screener's conclusion"), max_length=32, choices=ScreeningConclusion.choices
    )
    basis = models.TextField(_("basis of the conclusion"))
    screener = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    screened_on = models.DateField(_("screened on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "-created_at", "-pk"]
        verbose_name = _("trafficking screening")
        # The app's permissions (granted in trafficking/roles.py); no add/change/view
        # permissions: screenings are written and read only through the case.
        default_permissions = ()
        permissions = [
            ("identify_victim", "Screen persons and identify presumed victims of trafficking"),
            ("manage_case", "Work on trafficking cases: risk, assistance, permit, proceedings"),
            ("refer_case", "Refer trafficking cases to assistance providers"),
            ("approve_closure", "Approve or reject the closure of a trafficking case"),
            ("reveal_identity", "Reveal a victim's identity on a case one works on (audited)"),
            ("export_htcds", "Export trafficking referrals in IOM's HTCDS format"),
        ]

    def __str__(self) -> str:
        return f"screening {self.pk} of case {self.case_id}"


class ServiceKind(models.TextChoices):
    """Services of first and long-term assistance (CETS 197 Art. 12)."""

    SHELTER = "shelter", _("Shelter (safe accommodation)")
    MEDICAL = "medical", _("Medical care")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    LEGAL = "legal", _("Legal counselling and aid")
    INTERPRETATION = "interpretation", _("Interpretation")
    OTHER = "other", _("Other")


class AssistanceService(models.Model):
    """A service provided to the victim, usually by the partner organisation."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="trafficking_services"
    )
    kind = models.CharField(_("service"), max_length=32, choices=ServiceKind.choices)
    provider_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("provider")
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "started_on", "pk"]
        verbose_name = _("assistance service")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.kind} for case {self.case_id}"
