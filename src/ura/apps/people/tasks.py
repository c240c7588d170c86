"""Background linkage runs started from the web app, with progress on the jobs page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_tasks import task

from ura.apps.accounts.selectors import acting_user
from ura.apps.core.services import job_running, job_start
from ura.apps.people.linking import START_RUN, NothingToLinkError, link_records

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    from ura.apps.core.models import Job

LINKAGE_KIND = "linkage_run"


@task()
def linkage_run_job(job_id: int, incremental: bool) -> dict[str, Any]:
    """Run linkage as the user who asked, reporting each stage on the job."""
    with job_running(job_id) as reporter:
        actor = acting_user(reporter.requested_by) if reporter.requested_by else None
        try:
            run = link_records(
                actor=actor,
                incremental=incremental,
                job_id=job_id,
                progress=lambda stage, done: reporter.progress(
                    round(done * 100), 100, _("Linking: %(stage)s") % {"stage": stage}
                ),
            )
        except NothingToLinkError:
            reporter.succeed(message=_("Nothing new to link; the index is unchanged."))
            return {"published": None}
        result = {"published": run.pk, **{k: v for k, v in run.figures.items() if k != "stages"}}
        reporter.succeed(
            message=_("Run %(run)d published: %(persons)d persons from %(records)d records.")
            % {"run": run.pk, "persons": run.figures["persons"], "records": run.figures["records"]},
            result=result,
        )
    return result


def linkage_run_start(*, actor: AbstractUser | AnonymousUser, incremental: bool) -> Job:
    """Start a linkage run in the background on behalf of a data steward.

    Raises:
        PermissionDenied: the actor may not start linkage runs.
    """
    if not actor.has_perm(START_RUN):
        raise PermissionDenied(_("You may not start linkage runs."))
    return job_start(
        actor=actor,
        kind=LINKAGE_KIND,
        label=_("Incremental linkage run") if incremental else _("Full linkage run"),
        task=linkage_run_job,
        incremental=incremental,
    )
