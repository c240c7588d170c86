"""The readmission app's own table: its permissions.

A readmission request is a case of the ``readmission`` procedure; everything about it (the
agreement, the counterpart, the reply, the travel document, the transfer) is the case's
structured data (``Case.data``), read and written through the case engine
(``cases.services``), so that one history, one audit trail and one set of deadline rules
cover it. The request form is a case document.
"""

from __future__ import annotations

from django.db import models


class ReadmissionPermission(models.Model):
    """Carries the permissions the readmission procedure's transitions name; has no table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("manage_request", "Draft readmission requests and record replies and transfers"),
            ("send_request", "Send readmission requests to the requested state"),
            ("apply_deemed_consent", "Apply deemed consent when the reply time limit has passed"),
            ("view_dashboard", "See readmission figures per counterpart country"),
        ]

    def __str__(self) -> str:
        return "readmission permissions"
