"""Agency extracts Ura ingests: the source, each batch, and every row it refused.

The rows themselves become ``people.PersonRecord`` rows (through people's services); what is
kept here is the bookkeeping that makes an ingest reconcile: what was read, accepted and
quarantined, and the data-quality report.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ura.apps.core.protected import ProtectedModel


class Source(models.Model):
    """One agency extract described by a mapping file (docs/mapping-files.md)."""

    name = models.CharField(_("source"), max_length=64, unique=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="sources",
        verbose_name=_("agency"),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    format = models.CharField(_("format"), max_length=16)
    mapping_text = models.TextField(_("mapping file"))
    mapping_digest = models.CharField(_("mapping digest"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name


class BatchStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class IngestBatch(models.Model):
    """One ingest of one or more files of a source, with its reconciliation and quality."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="batches")
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True)
    mapping_digest = models.CharField(_("mapping digest"), max_length=64)
    files = models.JSONField(_("files"), default=list, help_text=_("Name, size and SHA-256"))
    status = models.CharField(
        _("status"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.RUNNING
    )
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_accepted = models.PositiveIntegerField(_("rows accepted"), default=0)
    rows_quarantined = models.PositiveIntegerField(_("rows quarantined"), default=0)
    records_new = models.PositiveIntegerField(_("new records"), default=0)
    records_changed = models.PositiveIntegerField(_("changed records"), default=0)
    records_unchanged = models.PositiveIntegerField(_("unchanged records"), default=0)
    reasons = models.JSONField(_("rejections by reason"), default=dict)
    quality = models.JSONField(_("data-quality report"), default=dict)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    failure = models.CharField(_("failure"), max_length=300, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("ingest batch")
        verbose_name_plural = _("ingest batches")

    def __str__(self) -> str:
        return f"{self.source_id} batch {self.pk}"

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.rows_accepted + self.rows_quarantined


class QuarantinedRow(ProtectedModel):
    """A row ingest refused, exactly as received, with every reason. Holds personal data:
    visible only to those who may see the source agency's records."""

    batch = models.ForeignKey(IngestBatch, on_delete=models.CASCADE, related_name="quarantine")
    file = models.CharField(_("file"), max_length=300)
    row_number = models.PositiveIntegerField(_("row"))
    raw = models.JSONField(_("row as received"), null=True)
    raw_text = models.TextField(_("raw text"), blank=True)
    reasons = models.JSONField(_("reasons"))
    row_digest = models.CharField(max_length=64)

    class Meta(ProtectedModel.Meta):
        ordering = ["batch", "file", "row_number"]
        verbose_name = _("quarantined row")
        verbose_name_plural = _("quarantined rows")

    def __str__(self) -> str:
        return f"{self.file}:{self.row_number}"
