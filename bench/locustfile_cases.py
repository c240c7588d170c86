# ruff: noqa: S311 -- random choices of a load test, not security
"""Locust users for bench/cases_bench.py: caseworkers and supervisors reading their work queue,
searching cases and opening case pages, through the JSON API and the HTML pages.

Not run on its own: ``cases_bench.py`` writes the plan (``URA_BENCH_PLAN``: one signed-in
session and a sample of visible cases per user) and starts locust with this file. Each
simulated user takes the next session of the plan, so every one is a distinct account.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import Any

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

PLAN: dict[str, Any] = json.loads(Path(os.environ["URA_BENCH_PLAN"]).read_text(encoding="utf-8"))
_NEXT = itertools.count()
_WAIT_LOW, _WAIT_HIGH = (float(x) for x in PLAN["wait"].split(","))
STATES = (
    "registered",
    "screening",
    "interview_scheduled",
    "assessment",
    "decision_drafted",
    "appeal_lodged",
)
PRIORITIES = ("urgent", "high", "normal")


class CaseReader(FastHttpUser):
    """One person at work: reads their queue, searches, opens cases, and waits in between.

    locust's FastHttpUser (geventhttpclient) rather than HttpUser (requests): the load tool
    shares the 2 cores with the server and PostgreSQL, and requests' client costs several
    times more CPU per request, which the server's figures would otherwise pay for.
    """

    wait_time = between(_WAIT_LOW, _WAIT_HIGH)

    def on_start(self) -> None:
        index = next(_NEXT)
        me = PLAN["users"][index % len(PLAN["users"])]
        # Several server processes: each user talks to one, as behind a sticky proxy.
        self.client.base_url = PLAN["hosts"][index % len(PLAN["hosts"])]
        self.cases: list[int] = me["cases"]
        self.rng = random.Random(me["username"])
        self.unit_wide: bool = me["unit_wide"]
        # Set as a header: the production cookie is Secure and the bench server speaks http.
        self.headers = {"Cookie": f"{PLAN['cookie_name']}={me['session']}"}

    def _search_params(self) -> dict[str, str]:
        """A reference prefix ("AS-2025-01"), or a state or a priority filter, on a page
        among the first ten."""
        kind = self.rng.random()
        params: dict[str, str] = {"page": str(self.rng.randint(1, 10))}
        if kind < 0.4:
            year = self.rng.choice(PLAN["years"])
            params["q"] = f"{self.rng.choice(('AS', 'TR'))}-{year}-0{self.rng.randint(0, 9)}"
        elif kind < 0.7:
            params["state"] = self.rng.choice(STATES)
        else:
            params["priority"] = self.rng.choice(PRIORITIES)
            params["open_only"] = "true"
        return params

    def _get(self, path: str, name: str, **params: str) -> None:
        with self.client.get(
            path,
            params=params,
            headers=self.headers,
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    @task(3)
    def api_queue(self) -> None:
        if self.unit_wide:
            self._get("/api/v1/cases/queue", "api: work queue", unit_wide="true")
        else:
            self._get("/api/v1/cases/queue", "api: work queue")

    @task(3)
    def api_search(self) -> None:
        self._get("/api/v1/cases/", "api: case search", **self._search_params())

    @task(4)
    def api_case(self) -> None:
        self._get(f"/api/v1/cases/{self.rng.choice(self.cases)}", "api: case")

    @task(3 if PLAN["pages"] else 0)
    def page_queue(self) -> None:
        if self.unit_wide:
            self._get("/cases/queue/", "page: work queue", unit="1")
        else:
            self._get("/cases/queue/", "page: work queue")

    @task(3 if PLAN["pages"] else 0)
    def page_search(self) -> None:
        self._get("/cases/", "page: case search", **self._search_params())

    @task(4 if PLAN["pages"] else 0)
    def page_case(self) -> None:
        self._get(f"/cases/{self.rng.choice(self.cases)}/", "page: case")
