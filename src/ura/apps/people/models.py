"""A person as one agency registered them (ARCHITECTURE.md §5, canonical person record)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ura.apps.core.protected import ProtectedModel, Sensitivity, sensitive


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    OTHER = "X", _("Other")
    UNKNOWN = "U", _("Unknown")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    UNKNOWN = "unknown", _("Unknown")


class DocumentType(models.TextChoices):
    NONE = "", _("None")
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    FOREIGNER_ID = "foreigner_id", _("Foreigner identification number")
    TEMPORARY_PROTECTION_ID = "temporary_protection_id", _("Temporary protection identity document")
    OTHER = "other", _("Other")


#: What a person record says about the person, in display order. Ownership and bookkeeping
#: fields (agency, unit, creator, version) are set by the services, never by users.
PERSON_FIELDS = (
    "given_names",
    "family_name",
    "father_name",
    "mother_name",
    "full_name_original",
    "sex",
    "date_of_birth",
    "date_of_birth_precision",
    "place_of_birth",
    "nationality",
    "document_type",
    "document_number",
    "document_country",
    "biometric_reference",
    "health_notes",
    "trafficking_indicators",
    "notes",
)


class PersonRecord(ProtectedModel):
    """One agency's record of a person. Identity fields as written by that agency."""

    given_names = models.CharField(_("given names"), max_length=200)
    family_name = models.CharField(_("family name"), max_length=200)
    father_name = models.CharField(_("father's name"), max_length=200, blank=True)
    mother_name = models.CharField(_("mother's name"), max_length=200, blank=True)
    full_name_original = models.CharField(
        _("full name in original script"), max_length=400, blank=True
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    date_of_birth_precision = models.CharField(
        _("precision of date of birth"),
        max_length=8,
        choices=DatePrecision.choices,
        default=DatePrecision.UNKNOWN,
    )
    place_of_birth = models.CharField(_("place of birth"), max_length=200, blank=True)
    nationality = models.CharField(
        _("nationality"), max_length=3, blank=True, help_text=_("ISO 3166-1 alpha-3")
    )
    document_type = models.CharField(
        _("document type"), max_length=32, choices=DocumentType.choices, blank=True
    )
    document_number = sensitive(
        models.CharField(_("document number"), max_length=64, blank=True),
        Sensitivity.IDENTITY_DOCUMENT,
    )
    document_country = models.CharField(
        _("issuing country"), max_length=3, blank=True, help_text=_("ISO 3166-1 alpha-3")
    )
    biometric_reference = sensitive(
        models.CharField(
            _("biometric reference"),
            max_length=64,
            blank=True,
            help_text=_("Identifier of the fingerprint record in the biometric system"),
        ),
        Sensitivity.BIOMETRIC,
    )
    health_notes = sensitive(
        models.TextField(_("health and medical needs"), blank=True), Sensitivity.HEALTH
    )
    trafficking_indicators = sensitive(
        models.TextField(_("trafficking indicators"), blank=True), Sensitivity.TRAFFICKING
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta(ProtectedModel.Meta):
        ordering = ["family_name", "given_names", "pk"]
        verbose_name = _("person record")
        verbose_name_plural = _("person records")
        indexes = [
            models.Index(fields=["family_name", "given_names"]),
            models.Index(fields=["owning_agency", "owning_unit"]),
        ]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_names}"

    def date_of_birth_text(self) -> str:
        """The date of birth in ISO form, only as precise as it is known: ``1961`` when only
        the year is (registration systems then store 1 January), ``1961-05`` for a month."""
        born = self.date_of_birth
        if born is None or self.date_of_birth_precision == DatePrecision.UNKNOWN:
            return ""
        if self.date_of_birth_precision == DatePrecision.YEAR:
            return f"{born.year:04d}"
        if self.date_of_birth_precision == DatePrecision.MONTH:
            return f"{born.year:04d}-{born.month:02d}"
        return born.isoformat()

    @classmethod
    def own_filter(cls, user: object) -> Q:
        """A first responder's own records are those they registered."""
        return Q(created_by_id=getattr(user, "pk", None))
