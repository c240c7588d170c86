"""What the speed-ups for a million cases must not change, and the budgets they set: one read
for a page and its total that agrees with Django's paginator, no case listed twice when the
need-to-know filter reaches it in two ways, a work queue of a readable length, and a case page
with a bounded number of queries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.test import Client

from tests.apps.cases.factories import make_case
from tests.conftest import login
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, Scope, Unit, User
from ura.apps.cases import selectors
from ura.apps.cases.access import cases_for
from ura.apps.cases.models import Case, CaseAssignment, CaseNote, CaseTask
from ura.apps.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

#: Statements the case page may run: measured 23 for this case on SQLite and 22 on PostgreSQL
#: at a million cases (the session, the user with their unit and agency, their roles and
#: permissions, the case, a test of the parts of the file a case often lacks, then the parts
#: it has, one query each, whether the user may change it, the hand-off recipients, the
#: procedure's panels, the audit append with its savepoint; the session is saved at most once
#: a minute). 34 before the third round of speed-ups. A query per assignment, task or event
#: (an N+1) breaks it.
CASE_PAGE_QUERIES = 23


@pytest.fixture
def worker(unit: Unit) -> User:
    return make_user(role=RoleCode.CASEWORKER, unit=unit)


def _ordered(worker: User) -> QuerySet[Case]:
    return cases_for(worker, "view").order_by("-opened_on", "-pk")


@pytest.mark.parametrize("number", [0, 1, 2, 3, 99])
def test_page_of_reads_what_the_paginator_would(worker: User, number: int) -> None:
    """Page 0, a middle page, the last page and a page past the end: the same cases, page
    number and total as Django's paginator (which counts, then reads)."""
    for _ in range(7):
        make_case(owner=worker)
    ours = selectors.page_of(_ordered(worker), page=number, per_page=3)
    django = Paginator(_ordered(worker), 3).get_page(number)
    assert [c.pk for c in ours.object_list] == [c.pk for c in django.object_list]
    assert ours.number == django.number
    assert ours.paginator.count == 7
    assert ours.paginator.num_pages == 3


def test_page_of_with_nothing_to_show(worker: User) -> None:
    ours = selectors.page_of(_ordered(worker), page=1, per_page=3)
    assert list(ours.object_list) == []
    assert ours.paginator.count == 0


def test_a_case_reached_by_scope_and_by_assignment_is_listed_once(
    worker: User, client: Client
) -> None:
    """In the worker's unit (scope) and assigned to them: one case, one row, one event."""
    case = make_case(owner=worker, assigned=(worker,))
    assert list(cases_for(worker, "view")) == [case]
    login(client, worker)
    body = json.loads(client.get("/api/v1/cases/").content)
    assert body["count"] == 1
    assert [c["id"] for c in body["results"]] == [case.pk]
    queue = json.loads(client.get("/api/v1/cases/queue").content)["results"]
    assert [c["id"] for c in queue] == [case.pk]
    shown = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk))
    assert shown.filter(action=AuditAction.LIST).count() == 2  # the list, then the queue


def test_own_scope_reaches_created_and_assigned_cases_once(unit: Unit) -> None:
    """A first responder (own scope) sees the cases they opened and those assigned to them —
    each once, even when both hold or the case was assigned to them more than once."""
    responder = make_user(role=RoleCode.FIRST_RESPONDER, scope=Scope.OWN, unit=unit)
    colleague = make_user(role=RoleCode.CASEWORKER, unit=unit)
    opened_and_assigned = make_case(owner=responder, assigned=(responder,))
    assigned = make_case(owner=colleague, assigned=(responder,))
    # An earlier assignment that ended, then the current one.
    ended = CaseAssignment.objects.get(case=assigned, user=responder)
    ended.ended_at = ended.assigned_at
    ended.save()
    CaseAssignment.objects.create(case=assigned, user=responder, assigned_by=colleague)
    not_theirs = make_case(owner=colleague)
    seen = list(cases_for(responder, "view").order_by("pk"))
    assert seen == [opened_and_assigned, assigned]
    assert not_theirs not in seen


def test_the_work_queue_lists_25_cases_unless_asked_for_more(worker: User, client: Client) -> None:
    for _ in range(30):
        make_case(owner=worker, assigned=(worker,))
    login(client, worker)
    listed = AuditEvent.objects.filter(action=AuditAction.LIST, object_type="cases.case")
    queue = json.loads(client.get("/api/v1/cases/queue").content)["results"]
    assert len(queue) == selectors.QUEUE_LENGTH == 25
    assert listed.count() == 25  # every case shown, and only those
    more = json.loads(client.get("/api/v1/cases/queue?limit=1000").content)["results"]
    assert len(more) == 30  # capped at QUEUE_LENGTH_MAX (100), here all of them
    assert listed.count() == 55
    page = client.get("/cases/queue/")
    assert page.status_code == 200
    assert len(page.context["rows"]) == 25


def test_the_case_page_runs_a_bounded_number_of_queries(
    worker: User, client: Client, django_assert_max_num_queries: object
) -> None:
    case = make_case(owner=worker, assigned=(worker,))
    for n in range(3):  # more rows must not mean more queries
        colleague = make_user(role=RoleCode.CASEWORKER, unit=worker.unit)
        CaseAssignment.objects.create(case=case, user=colleague, assigned_by=worker)
        CaseTask.objects.create(case=case, title=f"Task {n}", assignee=colleague, created_by=worker)
    login(client, worker)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    with django_assert_max_num_queries(CASE_PAGE_QUERIES):  # type: ignore[operator]
        response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    views = AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="cases.case", object_id=str(case.pk)
    )
    assert views.count() == 2


def test_the_case_file_reads_only_the_parts_a_case_has(
    worker: User, django_assert_num_queries: Any
) -> None:
    """The parts a case often lacks (notes, documents, tasks, consents, hand-offs) are tested
    together and read only when there: a case without them costs one query for all six, and
    a case with some gets exactly those."""
    case = make_case(owner=worker, assigned=(worker,))
    # The test, then persons, assignments, deadlines and history (always read).
    with django_assert_num_queries(5):
        found = selectors.case_file(case=case)
    assert [a.user for a in found.assignments] == [worker]
    assert (found.notes, found.documents, found.tasks) == ([], [], [])
    assert (found.consents, found.referrals, found.transfers) == ([], [], [])
    note = CaseNote.objects.create(case=case, author=worker, text="Called the applicant.")
    task = CaseTask.objects.create(case=case, title="Book an interpreter", created_by=worker)
    other = make_case(owner=worker)
    CaseNote.objects.create(case=other, author=worker, text="Another case's note.")
    with django_assert_num_queries(7):
        found = selectors.case_file(case=case)
    assert found.notes == [note]
    assert found.tasks == [task]
    assert (found.documents, found.consents, found.referrals, found.transfers) == ([], [], [], [])
    assert selectors.case_file(case=other).tasks == []


#: Statements each of the other requests of the bench may run, measured on SQLite with three
#: assigned cases and their tasks (PostgreSQL at a million cases runs as many): the session,
#: the user, their roles and permissions, the request's own reads, the audit append with its
#: savepoint. More cases, tasks or deadlines must not mean more queries.
REQUEST_QUERIES = {
    "/api/v1/cases/queue": 14,  # 18 before the third round of speed-ups
    "/api/v1/cases/?q=XX-2026&page=1": 12,  # 16
    "/api/v1/cases/{case}": 18,  # 26
    "/cases/queue/": 17,  # 23
    "/cases/?q=XX-2026&page=1": 13,  # 19
}


@pytest.mark.parametrize("path", list(REQUEST_QUERIES))
def test_the_bench_requests_run_a_bounded_number_of_queries(
    worker: User, client: Client, path: str, django_assert_max_num_queries: Any
) -> None:
    cases = [make_case(owner=worker, assigned=(worker,)) for _ in range(3)]
    for n, case in enumerate(cases):
        CaseTask.objects.create(case=case, title=f"Task {n}", assignee=worker, created_by=worker)
    login(client, worker)
    url = path.format(case=cases[0].pk)
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(REQUEST_QUERIES[path]):
        assert client.get(url).status_code == 200


def test_within_a_request_the_need_to_know_filter_is_built_once(
    worker: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``cases_for`` reuses its filter within a request (and only there), and the copy still
    reads assignments as they are when it runs: a case assigned in between is seen."""
    from ura.apps.accounts.policy import forget_cached_assignments
    from ura.apps.cases import access
    from ura.apps.core.context import request_memo, request_memo_scope

    built: list[str] = []
    original = access.case_filter

    def counting(user: Any, action: Any) -> Any:
        built.append(action)
        return original(user, action)

    monkeypatch.setattr(access, "case_filter", counting)
    colleague = make_user(role=RoleCode.CASEWORKER)  # another unit: sees nothing of ours
    case = make_case(owner=worker)
    assert request_memo() is None
    assert list(cases_for(colleague)) == []
    assert list(cases_for(colleague)) == []
    assert built == ["view", "view"]  # outside a request, built every time
    built.clear()
    with request_memo_scope():
        assert list(cases_for(colleague)) == []
        CaseAssignment.objects.create(case=case, user=colleague, assigned_by=worker)
        assert list(cases_for(colleague)) == [case]
        assert list(cases_for(colleague, "change")) == [case]
        assert built == ["view", "change"]
        forget_cached_assignments(colleague)  # roles changed: built again
        assert list(cases_for(colleague)) == [case]
        assert built == ["view", "change", "view"]
    assert request_memo() is None
