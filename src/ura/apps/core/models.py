"""Core models: the audit trail and background jobs."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ura.apps.core.protected import SensitiveData

__all__ = ["AuditAction", "AuditChainHead", "AuditEvent", "Job", "SensitiveData"]


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKOUT = "lockout", _("Account locked out")
    LOGOUT = "logout", _("Logout")
    TWO_FACTOR = "two_factor", _("Two-factor event")
    VIEW = "view", _("Record viewed")
    LIST = "list", _("Record shown in a list")
    SEARCH = "search", _("Record shown in search results")
    CREATE = "create", _("Record created")
    UPDATE = "update", _("Record updated")
    DELETE = "delete", _("Record deleted")
    EXPORT = "export", _("Export")
    PERMISSION_CHANGE = "permission_change", _("Permission change")
    ACCESS_DENIED = "access_denied", _("Access denied")
    API_TOKEN = "api_token", _("API token event")
    AUDIT_VERIFY = "audit_verify", _("Audit chain verified")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Audit events are append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit trail.

    Fields that identify people (actor) are stored as snapshots so that the chain does not
    depend on rows that may later change. ``changes`` never holds a sensitive value in clear:
    see ``ura.apps.core.services.audit_diff``.
    """

    sequence = models.BigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_agency_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=36, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects: ClassVar[models.Manager[AuditEvent]] = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        default_permissions = ("view",)
        permissions = [("export_auditevent", "Can export audit events")]
        indexes = [models.Index(fields=["object_type", "object_id", "sequence"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")

    def chain_content(self) -> dict[str, Any]:
        """The fields the hash chain covers, as JSON types."""
        return {
            "sequence": self.sequence,
            "occurred_at": self.occurred_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "actor_agency_id": self.actor_agency_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "changes": self.changes,
            "detail": self.detail,
            "ip_address": self.ip_address,
            "request_id": self.request_id,
        }


class AuditChainHead(models.Model):
    """A single row holding the chain's last sequence and digest.

    Appending locks this row (``select_for_update``) so that concurrent writers chain one
    after the other instead of forking the chain.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"audit chain head at #{self.last_sequence}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """A long-running job seen by people: what it is, who asked, how far it has got."""

    kind = models.CharField(max_length=64)
    label = models.CharField(max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    task_result_id = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(null=True, blank=True)
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.label} ({self.status})"

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(100 * self.done / self.total))
