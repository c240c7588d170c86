"""Background tasks of the core app, and the services that start them.

Each task is a module-level function (the task backend stores its import path) that takes
the ``job_id`` of the ``Job`` people follow, and reports through ``job_running``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django_tasks import task

from ura.apps.core.models import Job
from ura.apps.core.selectors import VIEW_AUDIT, audit_chain_verify, audit_require
from ura.apps.core.services import audit_verification_record, job_running, job_start

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

AUDIT_VERIFY_KIND = "audit_verify"


@task()
def audit_chain_verify_job(job_id: int) -> dict[str, Any]:
    """Verify the audit chain with progress, and record the outcome in the audit trail."""
    with job_running(job_id) as reporter:
        report = audit_chain_verify(
            progress=lambda done, total: reporter.progress(done, total, _("Verifying…"))
        )
        event = audit_verification_record(
            actor=reporter.requested_by, report=report, detail={"job_id": job_id}
        )
        brk = report.first_break
        if brk is None:
            message = _("Audit chain intact: %(n)d events verified.") % {"n": report.checked}
        else:
            message = _("Audit chain BROKEN at event #%(seq)s (%(reason)s).") % {
                "seq": brk.entry_id,
                "reason": brk.reason.value,
            }
        outcome = dict(event.detail)
        reporter.progress(report.checked, report.checked)
        reporter.succeed(message=message, result=outcome)
    return outcome


def audit_chain_verify_start(*, actor: AbstractUser | AnonymousUser) -> Job:
    """Start verifying the audit chain in the background, on behalf of an auditor.

    Raises:
        PermissionDenied: the actor is not an auditor.
    """
    audit_require(actor, VIEW_AUDIT)
    return job_start(
        actor=actor,
        kind=AUDIT_VERIFY_KIND,
        label=_("Verify the audit chain"),
        task=audit_chain_verify_job,
    )
