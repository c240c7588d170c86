"""The COI library's tables. The relational database is the system of record: the search
index (:mod:`ura.coi.index`) holds nothing that cannot be rebuilt from these rows.

A document keeps every edition it was imported in (:class:`Edition`: the file, its checksum
and its passages), so that a passage quoted in a decision can always be found again in the
words it was quoted from, and a re-import of a corrected document shows what changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceType(models.TextChoices):
    """Kinds of source, as ecoi.net classifies them."""

    GOVERNMENT = "government", _("Government")
    INTERNATIONAL = "international", _("International organisation")
    NGO = "ngo", _("Non-governmental organisation")
    MEDIA = "media", _("Media")
    ACADEMIC = "academic", _("Academic or research institution")
    ORAL = "oral", _("Oral source")


class Source(models.Model):
    """Who publishes COI, described as ecoi.net describes its sources, so that a caseworker
    can weigh what a document says (EUAA COI methodology: reliability of sources)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=32, blank=True)
    source_type = models.CharField(_("type"), max_length=16, choices=SourceType.choices)
    url = models.URLField(_("website"), max_length=500, blank=True)
    mandate = models.TextField(_("mandate"), blank=True)
    method = models.TextField(_("method"), blank=True, help_text=_("How it gathers information"))
    coverage = models.TextField(_("coverage"), blank=True, help_text=_("Countries and topics"))
    rhythm = models.CharField(
        _("publication rhythm"), max_length=200, blank=True, help_text=_("e.g. annual reports")
    )
    reliability_notes = models.TextField(_("reliability notes"), blank=True)
    reviewed_on = models.DateField(_("description last reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("COI source")
        verbose_name_plural = _("COI sources")

    def __str__(self) -> str:
        return self.acronym or self.name


class Topic(models.Model):
    """A term of the controlled thesaurus documents are indexed with (broader terms by
    ``parent``). Terms are retired (``active=False``), never deleted, so old documents keep
    their indexing."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    label = models.CharField(_("label"), max_length=200)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="narrower"
    )
    scope_note = models.TextField(_("scope note"), blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["label"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.label


class DocumentType(models.TextChoices):
    REPORT = "report", _("Report")
    QUERY_RESPONSE = "query_response", _("Query response")
    NEWS = "news", _("News")
    COUNTRY_GUIDANCE = "country_guidance", _("Country guidance")
    LAW = "law", _("Law")
    COURT_DECISION = "court_decision", _("Court decision")


class DocumentStatus(models.TextChoices):
    ACTIVE = "active", _("In the library")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DuplicateReview(models.TextChoices):
    """What a COI researcher decided about a near-duplicate found on import."""

    PENDING = "pending", _("To review")
    NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")
    CONFIRMED = "confirmed", _("Duplicate (withdrawn)")


class ImportOrigin(models.TextChoices):
    UI = "ui", _("Web page")
    CLI = "cli", _("Command line")
    API = "api", _("API")
    DEMO = "demo", _("Demo")


class ImportBatch(models.Model):
    """One import: a single upload or a folder with a metadata file. Every file it was given
    is either a document (or a new edition of one) or an :class:`ImportRejection`."""

    origin = models.CharField(_("origin"), max_length=8, choices=ImportOrigin.choices)
    label = models.CharField(_("label"), max_length=300, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    files_total = models.PositiveIntegerField(_("files"), default=0)
    imported = models.PositiveIntegerField(_("documents added"), default=0)
    new_editions = models.PositiveIntegerField(_("new editions"), default=0)
    near_duplicates = models.PositiveIntegerField(_("near-duplicates to review"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("COI import")
        verbose_name_plural = _("COI imports")

    def __str__(self) -> str:
        return f"COI import {self.pk}"


class Document(models.Model):
    """A COI document. Its text is that of its current edition (``edition``)."""

    title = models.CharField(_("title"), max_length=500)
    title_translated = models.CharField(_("translated title"), max_length=500, blank=True)
    sources = models.ManyToManyField(Source, related_name="documents", verbose_name=_("sources"))
    document_type = models.CharField(_("type"), max_length=20, choices=DocumentType.choices)
    topics = models.ManyToManyField(
        Topic, related_name="documents", blank=True, verbose_name=_("topics")
    )
    language = models.CharField(_("original language"), max_length=8, help_text=_("ISO 639-1"))
    published = models.DateField(_("published"), null=True, blank=True)
    url = models.URLField(_("original URL"), max_length=1000, blank=True)
    accessed_on = models.DateField(_("accessed"), null=True, blank=True)
    added_at = models.DateTimeField(_("added"), auto_now_add=True, db_index=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    edition = models.PositiveIntegerField(_("current edition"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.ACTIVE
    )
    withdrawn_reason = models.CharField(_("reason withdrawn"), max_length=300, blank=True)
    is_key = models.BooleanField(
        _("key document"), default=False, help_text=_("Shown first on its countries' pages")
    )
    near_duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("possible duplicate of"),
    )
    duplicate_similarity = models.FloatField(null=True, blank=True)
    duplicate_review = models.CharField(
        max_length=16, choices=DuplicateReview.choices, blank=True, default=""
    )
    signature = models.BinaryField(
        editable=False, help_text="MinHash of the current edition's text (ura.coi.duplicates)"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-published", "-pk"]
        verbose_name = _("COI document")
        verbose_name_plural = _("COI documents")
        default_permissions = ("view",)
        permissions = [("manage_library", "Add, edit and withdraw COI documents and sources")]
        indexes = [models.Index(fields=["status", "-added_at"], name="coi_doc_recent")]

    def __str__(self) -> str:
        return self.title


class DocumentCountry(models.Model):
    """A country a document covers (ISO 3166-1 alpha-2; Kosovo ``XK``), first is primary."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="countries")
    country = models.CharField(_("country"), max_length=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "country"], name="coi_doc_country_once")
        ]
        indexes = [models.Index(fields=["country", "document"], name="coi_country_docs")]

    def __str__(self) -> str:
        return self.country


class Edition(models.Model):
    """One imported file of a document: the first, or a corrected or updated one. Kept for
    ever with its passages, so a citation can be checked against the words it quoted."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="editions")
    number = models.PositiveIntegerField(_("edition"))
    storage_name = models.CharField(max_length=255, unique=True, editable=False)
    filename = models.CharField(_("file name"), max_length=255)
    media_type = models.CharField(_("media type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    checksum = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="editions"
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="coi_edition_once")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} edition {self.number}"


class Passage(models.Model):
    """A passage of an edition with its stable anchor (``p12¶4``, ``§security¶2``) and the
    hash of its normalised text (:func:`ura.coi.extract.passage_hash`)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="passages")
    position = models.PositiveIntegerField()
    anchor = models.CharField(max_length=200)
    text = models.TextField()
    text_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["edition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "position"], name="coi_passage_position"),
            models.UniqueConstraint(fields=["edition", "anchor"], name="coi_passage_anchor"),
        ]

    def __str__(self) -> str:
        return self.anchor


class ImportRejection(models.Model):
    """A file (or metadata row) an import refused, with the reason. The file is kept in
    storage (``storage_name``) so nothing given to Ura is lost."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejections")
    filename = models.CharField(_("file"), max_length=255, blank=True)
    row = models.PositiveIntegerField(_("metadata row"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    metadata = models.JSONField(_("metadata given"), default=dict, blank=True)
    storage_name = models.CharField(max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch", "pk"]

    def __str__(self) -> str:
        return self.filename or f"row {self.row}"


class SavedSearch(models.Model):
    """A user's saved query with its filters; re-run, it shows what was added since the last
    run."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coi_saved_searches"
    )
    name = models.CharField(_("name"), max_length=200)
    query = models.TextField(_("query"), blank=True)
    params = models.JSONField(_("filters and order"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_total = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="coi_saved_search_name")
        ]

    def __str__(self) -> str:
        return self.name


class DuplicateKey(models.Model):
    """One of the smallest hash values of a document's signature (``Document.signature``).
    The near-duplicate check on import asks the database for the documents sharing some of
    the new document's keys, then compares their whole signatures: fast at any library size,
    and the same in every process (see ``ura.apps.coi.services``)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    value = models.BigIntegerField(help_text="The 64-bit hash minus 2**63, to fit a BIGINT")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "value"], name="coi_duplicate_key_once")
        ]
        indexes = [models.Index(fields=["value"], name="coi_duplicate_key_value")]

    def __str__(self) -> str:
        return f"{self.document_id}:{self.value}"
