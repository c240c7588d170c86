"""The only loader of jobs: people follow their own jobs; ``core.view_job`` sees all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from ura.apps.core.models import Job
from ura.apps.core.selectors import job_queryset

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser


def access_job_by_id(user: AbstractUser | AnonymousUser, job_id: int) -> Job:
    """Load a job the user may follow.

    Raises:
        Http404: the job does not exist or is someone else's (the two look the same).
    """
    job = job_queryset(actor=user).filter(pk=job_id).first()
    if job is None:
        raise Http404("No such job.")
    return job
