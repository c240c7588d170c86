"""The removals app's own table: the monthly reviews of a detention or an alternative to it.

Everything else about a removal case — its state, the apprehension record, the decision and
its notification, the voluntary departure period, the appeal, detention, travel document
requests, the removal and the entry ban — is case data in the shared case engine
(``ura.apps.cases``), with its history and audit. Reviews get rows of their own because each
one is a record the law asks for (LFIP Art. 57(4)), read back as a list and counted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", _("Continue: the grounds still hold")
    END = "end", _("End: release (or replace with an alternative)")


class ReviewSubject(models.TextChoices):
    DETENTION = "detention", _("Administrative detention")
    ALTERNATIVE = "alternative", _("Alternative to detention")


class DetentionReview(models.Model):
    """One monthly review of an administrative detention or an alternative to it."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="removal_reviews")
    subject = models.CharField(_("reviewed"), max_length=16, choices=ReviewSubject.choices)
    reviewed_on = models.DateField(_("review date"))
    reviewer = models.CharField(_("reviewer (name and office)"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=16, choices=ReviewOutcome.choices)
    reasons = models.TextField(_("reasons"))
    next_due_on = models.DateField(_("next review due"), null=True, blank=True)
    beyond_maximum = models.BooleanField(_("past the legal maximum (justified)"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "reviewed_on", "pk"]
        verbose_name = _("detention review")
        # The app's permissions (granted in removals/roles.py); reviews are written and read
        # only through the case.
        default_permissions = ()
        permissions = [
            ("record_apprehension", "Record the apprehension of a foreigner for removal"),
            ("manage_removal", "Work on removal cases: notification, appeal, travel documents"),
            ("decide_removal", "Take removal decisions, entry bans and discontinuations"),
            ("order_detention", "Order, review and end administrative detention or alternatives"),
            ("extend_detention", "Extend administrative detention for non-cooperation"),
            ("execute_removal", "Record the execution of a removal"),
            (
                "override_detention_maximum",
                "Record detention past its legal maximum with a justification (audited)",
            ),
        ]

    def __str__(self) -> str:
        return f"review {self.pk} of case {self.case_id}"
