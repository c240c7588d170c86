"""A task for the worker tests: it reports progress, then waits for the test to release it.

It lives in an importable module (not a test module) because a worker process imports a
task by its dotted path.
"""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task

from ura.apps.core.services import job_running


@task()
def paced_job(job_id: int, release_file: str, steps: int = 3) -> int:
    """Report one step done, wait until ``release_file`` exists (at most a minute), finish."""
    with job_running(job_id) as reporter:
        reporter.progress(1, steps, "first step done")
        deadline = time.monotonic() + 60
        while not Path(release_file).exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the test never released the job")
            time.sleep(0.05)
        reporter.progress(steps, steps, "all steps done")
        reporter.succeed(message="finished", result={"steps": steps})
    return steps
