"""The embedded default end to end: a job queued in the database runs in a worker process.

Everything runs in child processes against a fresh SQLite database under a temporary
``URA_VAR_DIR`` — the set-up Ura ships with, needing no server. The test reads the job's row
directly while the worker still runs, as the jobs page would.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]

ENQUEUE = """
import json, os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ura.web.settings")
django.setup()
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_record, job_start
from ura.apps.core.tasks import audit_chain_verify_job
from tests.apps.core.worker_tasks import paced_job
for n in range(3):
    audit_record(actor=None, action=AuditAction.VIEW, object_type="x.worker", object_id=str(n))
paced = job_start(actor=None, kind="paced", label="Paced", task=paced_job,
                  release_file=os.environ["RELEASE_FILE"])
verify = job_start(actor=None, kind="audit_verify", label="Verify", task=audit_chain_verify_job)
print(json.dumps({"paced": paced.pk, "verify": verify.pk}))
"""


@pytest.fixture
def embedded(tmp_path: Path) -> dict[str, str]:
    """Environment for child processes: a fresh var directory, the database task backend."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "URA_TASK_BACKEND"}}
    env.update(
        URA_ENV="test",
        URA_VAR_DIR=str(tmp_path / "var"),
        RELEASE_FILE=str(tmp_path / "release"),
        PYTHONPATH=str(REPO),
    )
    run([sys.executable, "-m", "ura.cli", "migrate"], env)
    return env


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 (fixed arguments, our own interpreter)
        args, env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def job_row(env: dict[str, str], job_id: int) -> dict[str, Any]:
    database = Path(env["URA_VAR_DIR"]) / "ura.sqlite3"
    with sqlite3.connect(database) as db:
        db.row_factory = sqlite3.Row
        row = db.execute(
            "SELECT status, done, total, message, result FROM core_job WHERE id = ?", [job_id]
        ).fetchone()
    return dict(row)


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_worker_process_runs_queued_jobs_and_their_progress_is_visible(
    embedded: dict[str, str],
) -> None:
    """Queued jobs wait; a worker runs them; progress shows while it runs; results stay."""
    ids = json.loads(run([sys.executable, "-c", ENQUEUE], embedded).strip().splitlines()[-1])
    assert job_row(embedded, ids["paced"])["status"] == "queued"

    worker = subprocess.Popen(
        [sys.executable, "-m", "ura.cli", "manage", "db_worker", "--batch", "--no-startup-delay"],
        env=embedded,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: job_row(embedded, ids["paced"])["done"] == 1)
        midway = job_row(embedded, ids["paced"])
        assert worker.poll() is None, "the worker finished before the job was released"
        assert (midway["status"], midway["total"], midway["message"]) == (
            "running",
            3,
            "first step done",
        )
        Path(embedded["RELEASE_FILE"]).touch()
        _, errors = worker.communicate(timeout=120)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, errors[-3000:]

    paced = job_row(embedded, ids["paced"])
    assert (paced["status"], paced["done"], paced["total"]) == ("succeeded", 3, 3)
    assert json.loads(paced["result"]) == {"steps": 3}

    verify = job_row(embedded, ids["verify"])
    assert verify["status"] == "succeeded"
    assert verify["done"] == verify["total"] > 3
    outcome = json.loads(verify["result"])
    assert outcome["ok"] is True
    assert outcome["checked"] == verify["done"]
