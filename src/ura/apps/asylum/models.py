"""The asylum app's own tables: its permissions and the reporting-duty record.

Everything else about an application (registration, screening, interview, assessment,
decision, appeal) is the case's structured data (``Case.data``), read and written through the
case engine (``cases.services``), so that one history, one audit trail and one set of deadline
rules cover it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AsylumPermission(models.Model):
    """Carries the permissions the LFIP procedure's transitions name; has no table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            (
                "register_application",
                "Register and screen applications for international protection",
            ),
            ("conduct_interview", "Schedule and record personal interviews"),
            ("decide_case", "Assess applications and draft decisions"),
            ("approve_decision", "Approve or return draft decisions (second person)"),
            ("manage_case", "Record appeals, reporting and other case events"),
            ("order_detention", "Order and end administrative detention (LFIP Art. 68)"),
            ("view_backlog", "See the caseload, throughput and backlog figures"),
        ]

    def __str__(self) -> str:
        return "asylum permissions"


class ReportingStatus(models.TextChoices):
    ATTENDED = "attended", _("Attended")
    MISSED = "missed", _("Missed without excuse")
    EXCUSED = "excused", _("Missed with an excuse")


class ReportingRecord(models.Model):
    """One occasion on which the applicant had to report to the authority (the reporting
    duty set at registration) and what happened. Three consecutive misses without excuse
    are a ground for implicit withdrawal (LFIP Art. 77(1))."""

    # By string reference: the cases app's models are its own (import-linter), the key is not.
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField(_("reporting day"))
    status = models.CharField(_("status"), max_length=16, choices=ReportingStatus.choices)
    place = models.CharField(_("place"), max_length=200, blank=True)
    excuse = models.CharField(_("excuse"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = ()
        ordering = ["case", "-due_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "due_on"], name="asylum_reporting_once_a_day")
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"reporting {self.due_on} of {self.case_id}: {self.status}"
