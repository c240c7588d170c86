"""A person as one agency registered them (ARCHITECTURE.md §5, canonical person record)."""

from __future__ import annotations

import uuid

from django.conf import settings
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


#: Source name of records entered through Ura's own forms and API (not ingested).
MANUAL_SOURCE = "ura"


def new_record_id() -> str:
    return uuid.uuid4().hex


class PersonRecord(ProtectedModel):
    """One agency's record of a person. Identity fields as written by that agency.

    ``source`` and ``record_id`` say which extract and which row the record came from
    (together unique); records typed into Ura itself have source ``ura``.
    """

    source = models.CharField(_("source"), max_length=64, default=MANUAL_SOURCE)
    record_id = models.CharField(_("record id in source"), max_length=128, default=new_record_id)
    row_digest = models.CharField(
        _("digest of the source row"), max_length=64, blank=True, editable=False
    )
    provenance = models.JSONField(
        _("provenance"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Where the current version came from: ingest batch, file and row"),
    )
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
    date_of_birth_placeholder = models.BooleanField(
        _("placeholder date of birth"),
        default=False,
        help_text=_("The source stored a conventional date (e.g. 1 January) for an unknown day"),
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
        constraints = [
            models.UniqueConstraint(fields=["source", "record_id"], name="person_record_source_id")
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


class PersonRecordVersion(models.Model):
    """A previous version of a person record, kept when a newer one replaced it (a changed
    row in a later extract, or an edit). Holds personal data: read only through
    ``access_person_record_history``, which masks what the reader may not see."""

    record = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("values"))
    provenance = models.JSONField(_("provenance"), default=dict)
    replaced_at = models.DateTimeField(_("replaced at"), auto_now_add=True)
    replaced_by = models.CharField(
        _("replaced by"), max_length=200, help_text=_("Ingest batch or user that replaced it")
    )

    class Meta:
        ordering = ["record", "-version"]
        verbose_name = _("person record version")
        constraints = [
            models.UniqueConstraint(fields=["record", "version"], name="person_record_version")
        ]

    def __str__(self) -> str:
        return f"{self.record_id} v{self.version}"


class EventType(models.TextChoices):
    """The event vocabulary of ura.records.EventType, with labels people read."""

    ENTRY = "entry", _("Entry")
    EXIT = "exit", _("Exit")
    PERMIT = "permit", _("Permit")
    APPLICATION = "application", _("Application")
    REGISTRATION = "registration", _("Registration")
    APPREHENSION = "apprehension", _("Apprehension")
    REMOVAL = "removal", _("Removal")
    RETURN = "return", _("Return")
    REFERRAL = "referral", _("Referral")
    OTHER = "other", _("Other")


class PersonEvent(models.Model):
    """Something that happened to the person according to one record (entry, application,
    apprehension, return…): the timeline of the 360° view."""

    record = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("event"), max_length=32, choices=EventType.choices)
    date = models.DateField(_("date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=64, blank=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("event")

    def __str__(self) -> str:
        return f"{self.type} {self.date}"


class NameKeyKind(models.TextChoices):
    TOKEN = "token", _("romanised name")
    SKELETON = "skeleton", _("consonant skeleton")
    PHONETIC = "phonetic", _("phonetic key")
    DOCUMENT = "document", _("document number")


class PersonNameKey(models.Model):
    """Search keys of one record, one row per key and kind, so that a search finds records
    through an index: name tokens in any script or spelling (see ura.linkage.names) and the
    document number without spaces or punctuation."""

    record = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="name_keys")
    kind = models.CharField(max_length=8, choices=NameKeyKind.choices)
    key = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["kind", "key"])]
        verbose_name = _("name key")

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


# --- The person index --------------------------------------------------------------------------


class LinkageRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    FAILED = "failed", _("Failed")
    COMPLETED = "completed", _("Completed, not published")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded by a later run")


class LinkageRun(models.Model):
    """One linkage run: which records it linked, with which model, and its quality figures.

    A run writes its links under its own id; publishing moves the index head to it in one
    transaction, so the current person index is always one complete run."""

    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True)
    mode = models.CharField(_("mode"), max_length=16)  # full | incremental
    engine = models.CharField(_("engine"), max_length=16)
    status = models.CharField(
        _("status"), max_length=16, choices=LinkageRunStatus.choices, default="running"
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    threshold = models.FloatField(_("match threshold"))
    review_low = models.FloatField(_("review band from"))
    review_high = models.FloatField(_("review band to"))
    model_json = models.TextField(_("Splink model (JSON)"), blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    failure = models.CharField(_("failure"), max_length=300, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("linkage run")

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"


class IndexHead(models.Model):
    """The published run: a single row whose change is the atomic publication."""

    run = models.ForeignKey(LinkageRun, on_delete=models.PROTECT)
    published_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"index at run {self.run_id}"


class Person(models.Model):
    """A person of the index: a stable id that survives runs while its records join it.

    Carries no personal data itself; what is known about the person is in its records."""

    person_id = models.CharField(_("person id"), max_length=16, unique=True)
    created_by_run = models.ForeignKey(LinkageRun, on_delete=models.PROTECT, related_name="+")
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="absorbed"
    )

    class Meta:
        ordering = ["person_id"]
        verbose_name = _("person")

    def __str__(self) -> str:
        return self.person_id


class PersonLink(models.Model):
    """In run ``run``, record ``record`` belongs to person ``person``."""

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="links")
    record = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="links")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="links")
    match_probability = models.FloatField(
        _("weakest link"),
        null=True,
        help_text=_("Lowest match probability among the links holding the record in its person"),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "record"], name="person_link_once")]
        indexes = [models.Index(fields=["run", "person"])]

    def __str__(self) -> str:
        return f"{self.record_id} -> {self.person_id}"


class PairEvidence(models.Model):
    """Why two records were linked (or queued for review): Splink's match weights per
    comparison, in words a caseworker can read."""

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="pairs")
    record_l = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="+")
    record_r = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="+")
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    evidence = models.JSONField(default=list)

    class Meta:
        indexes = [
            models.Index(fields=["run", "record_l"]),
            models.Index(fields=["run", "record_r"]),
        ]

    def __str__(self) -> str:
        return f"{self.record_l_id}~{self.record_r_id}"


class LineageKind(models.TextChoices):
    NEW = "new", _("New person")
    MERGE = "merge", _("Persons merged")
    SPLIT = "split", _("Person split")


class PersonLineage(models.Model):
    """A change in the index between runs: a new person, a merge or a split."""

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="lineage")
    kind = models.CharField(max_length=8, choices=LineageKind.choices)
    person_id = models.CharField(max_length=16, db_index=True)
    related_ids = models.JSONField(default=list)
    record_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["run", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id}"


class ReviewDecisionKind(models.TextChoices):
    SAME = "same", _("Same person")
    DIFFERENT = "different", _("Different persons")
    UNSURE = "unsure", _("Unsure")


class ReviewPair(models.Model):
    """A pair whose match probability fell in the uncertain band: a human decides.

    The pair is stored once (lower record pk first); a later run that finds it again
    updates its probability. A decision of *same* or *different* binds every later run."""

    record_l = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="+")
    record_r = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(LinkageRun, on_delete=models.SET_NULL, null=True)
    match_probability = models.FloatField()
    evidence = models.JSONField(default=list)
    decision = models.CharField(
        max_length=10, choices=ReviewDecisionKind.choices, blank=True, default=""
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["decision", "-match_probability", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["record_l", "record_r"], name="review_pair_once"),
        ]
        permissions = [("review_personlink", "Decide whether two records are the same person")]

    def __str__(self) -> str:
        return f"review {self.record_l_id}~{self.record_r_id}"
