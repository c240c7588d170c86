"""Read events held back to the end of a read-only request (``audit_reads_at_end``): written
if and only if the request built what it shows, in the chain as before, and without holding
the chain head while the request goes on working."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.apps.cases.factories import make_case
from tests.conftest import login
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, User
from ura.apps.core.models import AuditAction, AuditChainHead, AuditEvent
from ura.apps.core.selectors import audit_chain_verify
from ura.apps.core.services import audit_reads_at_end, audit_record, audit_records_shown

pytestmark = pytest.mark.django_db


def _head_sequence() -> int:
    head = AuditChainHead.objects.filter(pk=1).first()
    return head.last_sequence if head else 0


def _view(object_id: str) -> None:
    audit_record(actor=None, action=AuditAction.VIEW, object_type="x.thing", object_id=object_id)


def test_reads_wait_for_the_end_of_the_block_then_chain_as_before() -> None:
    before = _head_sequence()
    with audit_reads_at_end():
        _view("1")
        audit_records_shown(
            actor=None,
            action=AuditAction.LIST,
            objects=[],  # nothing shown: nothing recorded
        )
        _view("2")
        # Nothing appended yet: the chain head is neither moved nor locked by this request.
        assert _head_sequence() == before
        assert not AuditEvent.objects.filter(object_type="x.thing").exists()
    events = list(AuditEvent.objects.filter(object_type="x.thing").order_by("sequence"))
    assert [(e.action, e.object_id) for e in events] == [("view", "1"), ("view", "2")]
    assert [e.sequence for e in events] == [before + 1, before + 2]
    assert audit_chain_verify().ok


def _failing_page(*object_ids: str) -> None:
    with audit_reads_at_end():
        for object_id in object_ids:
            _view(object_id)
        raise RuntimeError("rendering failed")


def _refused_then_failing() -> None:
    with audit_reads_at_end():
        audit_record(
            actor=None, action=AuditAction.ACCESS_DENIED, object_type="x.thing", object_id="9"
        )
        assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count() == 1
        raise RuntimeError("the request goes on to fail")


def test_a_block_that_fails_shows_nothing_and_records_no_read() -> None:
    with pytest.raises(RuntimeError):
        _failing_page("1")
    assert not AuditEvent.objects.filter(object_type="x.thing").exists()
    # And the next block starts clean: the failed block's reads are not carried over.
    with audit_reads_at_end():
        _view("2")
    assert list(AuditEvent.objects.values_list("object_id", flat=True)) == ["2"]


def test_other_events_are_written_at_once_inside_the_block() -> None:
    """A refused access or a change is not a read: it is recorded when it happens, even if
    the block then fails."""
    with pytest.raises(RuntimeError):
        _refused_then_failing()
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count() == 1


def test_nested_blocks_append_once_at_the_outermost_end() -> None:
    with audit_reads_at_end():
        with audit_reads_at_end():
            _view("1")
        assert not AuditEvent.objects.filter(object_type="x.thing").exists()
    assert AuditEvent.objects.filter(object_type="x.thing").count() == 1


def test_each_actor_keeps_their_own_events() -> None:
    one, two = make_user(), make_user()
    with audit_reads_at_end():
        audit_record(actor=one, action=AuditAction.VIEW, object_type="x.thing", object_id="1")
        audit_record(actor=two, action=AuditAction.VIEW, object_type="x.thing", object_id="2")
        audit_record(actor=one, action=AuditAction.VIEW, object_type="x.thing", object_id="3")
    rows = list(
        AuditEvent.objects.filter(object_type="x.thing")
        .order_by("sequence")
        .values_list("actor_username", "object_id")
    )
    assert rows == [(one.username, "1"), (two.username, "2"), (one.username, "3")]
    assert audit_chain_verify().ok


@pytest.fixture
def worker(db: None) -> User:
    return make_user(role=RoleCode.CASEWORKER)


def test_api_reads_record_every_case_shown(worker: User) -> None:
    """Through the API: the case read, the list and the work queue each record every case
    they return, once, after the response is built; a case out of reach is recorded as
    refused."""
    client = login(Client(), worker)
    cases = [make_case(owner=worker, assigned=(worker,)) for _ in range(3)]
    shown = {str(c.pk) for c in cases}

    assert client.get(f"/api/v1/cases/{cases[0].pk}").status_code == 200
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="cases.case")
    assert list(views.values_list("object_id", flat=True)) == [str(cases[0].pk)]

    listed = client.get("/api/v1/cases/")
    assert {str(c["id"]) for c in json.loads(listed.content)["results"]} == shown
    lists = AuditEvent.objects.filter(action=AuditAction.LIST, object_type="cases.case")
    assert set(lists.values_list("object_id", flat=True)) == shown

    before = lists.count()
    queue = client.get("/api/v1/cases/queue")
    assert {str(c["id"]) for c in json.loads(queue.content)["results"]} == shown
    assert lists.count() == before + 3

    other = make_case(owner=make_user(role=RoleCode.CASEWORKER))
    assert client.get(f"/api/v1/cases/{other.pk}").status_code == 404
    denied = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, object_id=str(other.pk))
    assert denied.count() == 1
    assert audit_chain_verify().ok
