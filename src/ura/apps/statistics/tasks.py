"""Profile builds as background jobs, with progress on the jobs page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django_tasks import task

from ura.apps.accounts.selectors import acting_user
from ura.apps.core.services import job_running, job_start
from ura.apps.statistics import roles
from ura.apps.statistics.services import profile_build, require

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    from ura.apps.core.models import Job

PROFILE_KIND = "statistics_profile_build"


@task()
def profile_build_job(
    job_id: int, start: str, end: str, as_of: str, engine: str, microdata: str
) -> dict[str, Any]:
    """Build a profile as the analyst who asked, reporting each table on the job."""
    with job_running(job_id) as reporter:
        actor = acting_user(reporter.requested_by) if reporter.requested_by else None
        if actor is None:
            raise PermissionError("a profile build needs the analyst who asked for it")
        run = profile_build(
            actor=actor,
            start=dt.date.fromisoformat(start),
            end=dt.date.fromisoformat(end),
            as_of=dt.date.fromisoformat(as_of),
            engine=engine,
            microdata=Path(microdata) if microdata else None,
            job_id=job_id,
            progress=lambda done, total, label: reporter.progress(done, total, label),
        )
        result = {"run": run.pk, **run.figures}
        reporter.succeed(
            message=_("Profile run %(run)d: %(tables)d tables computed and protected.")
            % {"run": run.pk, "tables": run.figures.get("tables", 0)},
            result=result,
        )
    return result


def profile_build_start(
    *,
    actor: AbstractUser | AnonymousUser,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    engine: str = "duckdb",
    microdata: Path | None = None,
) -> Job:
    """Start a profile build in the background on behalf of an analyst.

    Raises:
        PermissionDenied: the actor is not an analyst.
    """
    require(actor, roles.ANALYSE)
    return job_start(
        actor=actor,
        kind=PROFILE_KIND,
        label=_("Migration statistics %(start)s to %(end)s") % {"start": start, "end": end},
        task=profile_build_job,
        start=start.isoformat(),
        end=end.isoformat(),
        as_of=as_of.isoformat(),
        engine=engine,
        microdata=str(microdata) if microdata else "",
    )
