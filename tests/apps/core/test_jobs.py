"""Background jobs: starting, progress, failure, who may follow them, the verify job."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tasks import task

from tests.conftest import login
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, User
from ura.apps.core.models import AuditAction, AuditChainHead, AuditEvent, Job, JobStatus
from ura.apps.core.services import JobReporter, audit_record, job_running, job_start
from ura.apps.core.tasks import AUDIT_VERIFY_KIND

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


@task()
def counting_job(job_id: int, items: int) -> int:
    with job_running(job_id) as reporter:
        for n in range(1, items + 1):
            reporter.progress(n, items)
        reporter.succeed(message=f"{items} counted", result={"items": items})
    return items


@task()
def failing_job(job_id: int) -> None:
    with job_running(job_id) as reporter:
        reporter.progress(1, 2)
        raise RuntimeError("details that might hold personal data")


@task()
def quiet_job(job_id: int) -> None:
    with job_running(job_id):
        pass


def test_job_start_runs_the_task_and_stores_its_outcome(caseworker: User) -> None:
    """A started job records who asked, its task id, final progress, message and result."""
    job = job_start(actor=caseworker, kind="count", label="Count", task=counting_job, items=5)
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total, job.percent) == (5, 5, 100)
    assert job.message == "5 counted"
    assert job.result == {"items": 5}
    assert job.requested_by_id == caseworker.pk
    assert job.task_result_id
    assert job.started_at is not None
    assert job.finished_at is not None
    started = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="core.job")
    assert (started.actor_id, started.object_id) == (caseworker.pk, str(job.pk))


def test_a_failing_job_is_marked_failed_without_its_error_text(caseworker: User) -> None:
    """The job fails; its message names the error type, never the error's text."""
    job = job_start(actor=caseworker, kind="fail", label="Fail", task=failing_job)
    assert job.status == JobStatus.FAILED
    assert "RuntimeError" in job.message
    assert "personal data" not in job.message
    assert job.done == 1


def test_a_failing_job_keeps_its_error_text_out_of_the_task_record(caseworker: User) -> None:
    """The backend stores (and logs) a traceback that names the error type only."""
    job = Job.objects.create(kind="fail", label="Fail", requested_by=caseworker)
    result = failing_job.enqueue(job_id=job.pk)
    assert result.errors
    assert "JobFailedError" in result.errors[0].traceback
    assert "RuntimeError" in result.errors[0].traceback
    assert "personal data" not in result.errors[0].traceback


def test_a_job_that_returns_quietly_succeeds(caseworker: User) -> None:
    """A body that does not call succeed still ends the job as succeeded."""
    job = job_start(actor=caseworker, kind="quiet", label="Quiet", task=quiet_job)
    assert job.status == JobStatus.SUCCEEDED


@pytest.mark.parametrize(
    ("kind", "label"), [("", "Label"), ("k" * 65, "Label"), ("kind", ""), ("kind", "l" * 201)]
)
def test_job_start_rejects_bad_names(caseworker: User, kind: str, label: str) -> None:
    """Empty or over-long kinds and labels are refused before anything is queued."""
    with pytest.raises(ValueError, match="must be"):
        job_start(actor=caseworker, kind=kind, label=label, task=quiet_job)
    assert not Job.objects.exists()


def test_progress_writes_are_spaced_but_first_and_last_are_always_written(
    caseworker: User,
) -> None:
    """Inside the spacing interval only the first and the final step reach the database,
    and a report held back is written with the job's outcome."""
    job = Job.objects.create(kind="k", label="L", requested_by=caseworker)
    reporter = JobReporter(job, min_interval=3600)
    reporter.start()
    reporter.progress(1, 10)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.RUNNING, 1, 10)
    reporter.progress(2, 10)
    job.refresh_from_db()
    assert job.done == 1
    reporter.progress(10, 10)
    job.refresh_from_db()
    assert job.done == 10
    reporter.progress(3, 20)
    reporter.fail(message="stopped")
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.FAILED, 3, 20)


def test_people_follow_only_their_own_jobs(client: Client, caseworker: User) -> None:
    """The jobs page lists one's own jobs; another's job is a 404."""
    mine = job_start(actor=caseworker, kind="count", label="Mine", task=counting_job, items=1)
    other_user = make_user(role=RoleCode.CASEWORKER)
    theirs = job_start(actor=other_user, kind="count", label="Theirs", task=counting_job, items=1)
    login(client, caseworker)
    page = client.get("/jobs/").content.decode()
    assert "Mine" in page
    assert "Theirs" not in page
    assert client.get(f"/jobs/{mine.pk}/").status_code == 200
    assert client.get(f"/jobs/{theirs.pk}/").status_code == 404


def test_auditors_follow_every_job(auditor_client: Client, caseworker: User) -> None:
    """``core.view_job`` shows everyone's jobs."""
    job_start(
        actor=caseworker, kind="count", label="A caseworker's job", task=counting_job, items=1
    )
    assert "A caseworker&#x27;s job" in auditor_client.get("/jobs/").content.decode()


def test_a_running_job_polls_and_a_finished_one_stops(client: Client, caseworker: User) -> None:
    """A running job's row asks HTMX to refresh every 2 s; a finished row does not."""
    running = Job.objects.create(
        kind="k", label="Running", requested_by=caseworker, status=JobStatus.RUNNING, total=4
    )
    Job.objects.filter(pk=running.pk).update(done=1)
    login(client, caseworker)
    row = client.get(f"/jobs/{running.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in row
    assert f'hx-get="/jobs/{running.pk}/"' in row
    assert f'<progress aria-labelledby="job-{running.pk}-label" max="4" value="1">' in row
    done = job_start(actor=caseworker, kind="count", label="Done", task=counting_job, items=2)
    row = client.get(f"/jobs/{done.pk}/").content.decode()
    assert "hx-trigger" not in row
    assert 'max="2" value="2"' in row


def test_the_auditor_page_starts_chain_verification(auditor_client: Client, auditor: User) -> None:
    """The button starts a verify job that reports progress and records the outcome."""
    for n in range(5):
        audit_record(actor=None, action=AuditAction.VIEW, object_type="x.t", object_id=str(n))
    response = auditor_client.post("/audit/verify")
    assert response.status_code == 302
    job = Job.objects.get(kind=AUDIT_VERIFY_KIND)
    assert response["Location"] == f"/jobs/#job-{job.pk}"
    assert job.status == JobStatus.SUCCEEDED
    assert job.requested_by_id == auditor.pk
    assert job.total == job.done > 5
    assert "intact" in job.message
    outcome = AuditEvent.objects.get(action=AuditAction.AUDIT_VERIFY)
    assert outcome.actor_id == auditor.pk
    assert outcome.detail == {
        "job_id": job.pk,
        "ok": True,
        "checked": job.done,
        "break_sequence": None,
        "break_reason": None,
    }
    assert job.result == outcome.detail


def test_only_auditors_start_verification(client: Client, caseworker: User) -> None:
    """A caseworker posting to the verify button is refused; no job starts."""
    login(client, caseworker)
    assert client.post("/audit/verify").status_code == 403
    assert not Job.objects.exists()


def test_the_verify_job_reports_a_break(auditor_client: Client) -> None:
    """A broken chain ends the job with the break named in its message and result."""
    head_before: Any = AuditEvent.objects.order_by("-sequence").first()
    forged = AuditEvent.objects.create(
        sequence=head_before.sequence + 1,
        occurred_at=head_before.occurred_at,
        action=AuditAction.LOGIN,
        previous_hash=head_before.hash,
        hash="0" * 64,
    )
    AuditChainHead.objects.filter(pk=1).update(last_sequence=forged.sequence, last_hash=forged.hash)
    auditor_client.post("/audit/verify")
    job = Job.objects.get(kind=AUDIT_VERIFY_KIND)
    assert f"BROKEN at event #{head_before.sequence + 1}" in job.message
    assert job.result["ok"] is False
    assert job.result["break_sequence"] == head_before.sequence + 1
