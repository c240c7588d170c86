"""Profile runs and the statistical tables they computed, each with its protected version and
its place in the release workflow (draft → reviewed → published)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class ProfileRun(models.Model):
    """One computation of the standard tables over a period, from one microdata source."""

    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    as_of = models.DateField(_("reference date"))
    engine = models.CharField(_("engine"), max_length=16)
    source = models.CharField(_("microdata"), max_length=300)
    definitions = models.JSONField(_("definition versions"), default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    failure = models.CharField(_("failure"), max_length=300, blank=True)
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        default_permissions = ()
        permissions = [
            ("view_statistics", "Read published statistical tables"),
            ("analyse_statistics", "Build profiles and read unprotected tables and drafts"),
            ("review_table", "Review a statistical table"),
            ("publish_table", "Publish a statistical table"),
        ]

    def __str__(self) -> str:
        return f"{self.period_start} to {self.period_end} ({self.status})"


class TableStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")


class StatTable(models.Model):
    """A computed table: the unprotected cells (analysts only), the protected cells, the
    rule applied and the auditor's verdict, and its release status."""

    run = models.ForeignKey(ProfileRun, on_delete=models.CASCADE, related_name="tables")
    definition_id = models.CharField(_("table"), max_length=64)
    definition_version = models.PositiveIntegerField(_("definition version"))
    title = models.CharField(_("title"), max_length=300)
    measure = models.CharField(max_length=16)
    unit = models.CharField(max_length=16)
    frequency = models.CharField(max_length=1)
    sensitivity = models.CharField(_("sensitivity"), max_length=16)
    protection = models.JSONField(_("protection rule"), default=dict)
    raw = models.BinaryField(_("unprotected cells (Parquet)"))
    protected = models.BinaryField(_("protected cells (Parquet)"), null=True)
    denominators = models.BinaryField(
        _("denominators of a table of shares (Parquet)"), null=True, blank=True
    )
    disclosure = models.JSONField(_("disclosure-control record"), default=dict, blank=True)
    violations = models.JSONField(_("auditor's violations"), default=list, blank=True)
    audit_passed = models.BooleanField(_("auditor passed"), default=False)
    audited_at = models.DateTimeField(_("audited at"), null=True, blank=True)
    cells = models.PositiveIntegerField(_("cells"), default=0)
    hidden_cells = models.PositiveIntegerField(_("suppressed cells"), default=0)
    note = models.TextField(_("table note"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TableStatus.choices, default=TableStatus.DRAFT
    )
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["definition_id", "-run_id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["run", "definition_id"], name="stat_table_once")
        ]
        indexes = [models.Index(fields=["definition_id", "status"])]

    def __str__(self) -> str:
        return f"{self.definition_id} v{self.definition_version} (run {self.run_id})"


class ProfileText(models.Model):
    """An analyst's text for one slot of the migration profile report of a run (the slots are
    the template's ``text`` blocks). Saved with optimistic locking on ``version``.

    It goes through the tables' release workflow: draft → reviewed (by another analyst than
    the one who wrote the current version) → published. Every save is a new version, kept in
    :class:`ProfileTextVersion`; saving a reviewed or published text makes it a draft again,
    while readers of the published profile go on seeing the last published version."""

    run = models.ForeignKey(ProfileRun, on_delete=models.CASCADE, related_name="texts")
    slot = models.CharField(_("slot"), max_length=64)
    text = models.TextField(_("text"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=TableStatus.choices, default=TableStatus.DRAFT
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["run_id", "slot"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["run", "slot"], name="profile_text_once")]

    def __str__(self) -> str:
        return f"{self.slot} (run {self.run_id}, v{self.version})"


class ProfileTextVersion(models.Model):
    """One saved version of a profile text, never changed afterwards except for the review
    and publication it went through. The published profile shows, for each slot, the
    newest version that was published."""

    profile_text = models.ForeignKey(ProfileText, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"), blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["profile_text_id", "-version"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["profile_text", "version"], name="profile_text_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.profile_text_id} v{self.version}"

    @property
    def status(self) -> str:
        """The furthest step this version reached."""
        if self.published_at is not None:
            return str(TableStatus.PUBLISHED)
        if self.reviewed_at is not None:
            return str(TableStatus.REVIEWED)
        return str(TableStatus.DRAFT)

    def get_status_display(self) -> str:
        return str(TableStatus(self.status).label)
