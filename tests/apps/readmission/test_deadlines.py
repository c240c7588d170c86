"""Deadlines of a readmission request come from its agreement: the accelerated procedure
counts working days over Turkish public holidays, the regular reply counts calendar days and
rolls past a holiday weekend, an obstacle extends the transfer time limit, and consent is
deemed after a silent reply period only where the agreement says so."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.apps.readmission.conftest import (
    API,
    World,
    as_user,
    deadline,
    detail,
    drafted,
    ok,
    post,
    send,
    sent_and_received,
    step,
)
from ura.apps.cases.models import CaseDeadline
from ura.apps.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

ACCELERATED = {
    "procedure": "accelerated",
    "border_region": True,
    "apprehended_on": "2026-10-23",  # a Friday
    "drafted_on": None,
}


def test_accelerated_request_and_reply_count_working_days_over_republic_day(world: World) -> None:
    """Apprehended Friday 23 October 2026: the request is due by Wednesday 28 (three working
    days). Received Tuesday 27: the reply is due in five working days, skipping Republic Day
    (Thursday 29): Wednesday 4 November."""
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = drafted(worker, world.worker, **ACCELERATED)
    body = detail(worker, case_id)
    assert body["opened_on"] == "2026-10-23"
    request_deadline = deadline(body, "accelerated_request")
    assert request_deadline["due_on"] == "2026-10-28"
    assert request_deadline["legal_reference"] == "EU-Türkiye readmission agreement, Art. 7(4)"
    assert request_deadline["check"] is True
    ok(send(boss, case_id, sent_on="2026-10-26"))
    body = ok(step(worker, case_id, "record_receipt", **{"request.received_on": "2026-10-27"}))
    assert deadline(body, "accelerated_request")["status"] == "met"
    reply = deadline(body, "reply_accelerated")
    assert reply["due_on"] == "2026-11-04"
    assert reply["legal_reference"].endswith("Art. 11(2)")
    assert not [d for d in body["deadlines"] if d["code"] == "reply_regular"]
    # The stored deadlines (work queues, dashboards) say the same.
    stored = CaseDeadline.objects.get(case_id=case_id, code="reply_accelerated")
    assert stored.due_on == dt.date(2026, 11, 4)


def test_an_accelerated_request_sent_too_late_is_refused(world: World) -> None:
    """Apprehended Tuesday 27 October: the last day is Monday 2 November; Tuesday 3 is too
    late (and the refusal is audited)."""
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = drafted(worker, world.worker, **{**ACCELERATED, "apprehended_on": "2026-10-27"})
    late = send(boss, case_id, sent_on="2026-11-03")
    assert late.status_code == 422
    assert "sent_on" in late.json()["errors"]
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, detail__failures=["accelerated_time_limit"]
    ).exists()
    assert detail(worker, case_id)["state"] == "drafted"
    assert ok(send(boss, case_id, sent_on="2026-11-02"))["state"] == "sent"


def test_the_regular_reply_rolls_past_the_eid_holidays(world: World) -> None:
    """Received Sunday 3 May 2026: 25 calendar days end on Thursday 28 May, a holiday of
    Kurban Bayramı (27-30 May), then Sunday: the reply is due Monday 1 June."""
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = sent_and_received(worker, boss, world.worker, received_on="2026-05-03")
    reply = deadline(detail(worker, case_id), "reply_regular")
    assert (reply["started_on"], reply["due_on"]) == ("2026-05-03", "2026-06-01")


def test_the_bilateral_agreement_sets_its_own_reply_time(world: World) -> None:
    """Under the Türkiye-Pakistan example, 30 calendar days from Sunday 3 May: Tuesday 2 June."""
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = sent_and_received(
        worker, boss, world.worker, agreement="tr-pk-2010", counterpart="PK", nationality="PAK"
    )
    reply = deadline(detail(worker, case_id), "reply_regular")
    assert reply["due_on"] == "2026-06-02"
    assert reply["legal_reference"].startswith("Türkiye-Pakistan readmission agreement")


def test_deemed_consent_after_a_silent_reply_period(world: World) -> None:
    """The reply was due on 1 June 2026 and none came: consent is deemed on 2 June; the
    travel document is then due in three working days and the transfer in three months.
    A caseworker may not apply it; the supervisor may, and it is audited."""
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = sent_and_received(worker, boss, world.worker)
    body = detail(worker, case_id)
    assert body["deemed_consent_possible"] is True
    assert deadline(body, "reply_regular")["status"] == "overdue"
    url = f"{API}/requests/{case_id}/deemed-consent"
    assert post(worker, url, {"version": body["version"]}).status_code == 403
    body = ok(post(boss, url, {"version": body["version"]}))
    assert body["state"] == "deemed_accepted"
    assert body["data"]["reply"]["deemed_on"] == "2026-06-02"
    assert body["data"]["reply"]["deemed_under"] == "EU-Türkiye readmission agreement, Art. 11(2)"
    assert deadline(body, "reply_regular")["status"] == "met_late"
    assert deadline(body, "travel_document")["due_on"] == "2026-06-05"
    assert deadline(body, "transfer")["due_on"] == "2026-09-02"
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(case_id), detail__transition="apply_deemed_consent"
    ).exists()


def test_no_deemed_consent_while_the_reply_time_runs(world: World) -> None:
    worker, boss = as_user(world.worker), as_user(world.boss)
    today = timezone.localdate().isoformat()
    case_id = drafted(worker, world.worker, drafted_on=today)
    ok(send(boss, case_id, sent_on=today))
    ok(step(worker, case_id, "record_receipt", **{"request.received_on": today}))
    body = detail(worker, case_id)
    assert body["deemed_consent_possible"] is False
    refused = post(boss, f"{API}/requests/{case_id}/deemed-consent", {"version": body["version"]})
    assert refused.status_code == 422
    assert detail(worker, case_id)["state"] == "reply_due"


def test_no_deemed_consent_where_silence_is_not_consent(world: World) -> None:
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = sent_and_received(
        worker, boss, world.worker, agreement="tr-pk-2010", counterpart="PK", nationality="PAK"
    )
    body = detail(worker, case_id)
    assert deadline(body, "reply_regular")["status"] == "overdue"
    assert body["deemed_consent_possible"] is False
    refused = post(boss, f"{API}/requests/{case_id}/deemed-consent", {"version": body["version"]})
    assert refused.status_code == 422
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, detail__failures=["no_deemed_consent"]
    ).exists()


def test_the_job_applies_deemed_consent_where_due_only(world: World) -> None:
    """The endpoint and the management command apply it to the silent EU request, leave the
    bilateral one (no deemed consent) and a request still within its time."""
    worker, boss = as_user(world.worker), as_user(world.boss)
    due = sent_and_received(worker, boss, world.worker)
    silent_pk = sent_and_received(
        worker, boss, world.worker, agreement="tr-pk-2010", counterpart="PK", nationality="PAK"
    )
    due_too = sent_and_received(worker, boss, world.worker, counterpart="BG")
    today = timezone.localdate().isoformat()
    running = drafted(worker, world.worker, drafted_on=today)
    ok(send(boss, running, sent_on=today))
    ok(step(worker, running, "record_receipt", **{"request.received_on": today}))
    assert post(worker, f"{API}/deemed-consent").status_code == 403
    applied = ok(post(boss, f"{API}/deemed-consent"))["applied"]
    assert {a["id"] for a in applied} == {due, due_too}
    assert detail(worker, silent_pk)["state"] == "reply_due"
    assert detail(worker, running)["state"] == "reply_due"
    # Run again as the daily job: nothing left to apply.
    out = io.StringIO()
    call_command("readmission_deemed_consent", user=world.boss.username, stdout=out)
    assert "0 request(s) deemed accepted" in out.getvalue()


def test_the_command_applies_deemed_consent_as_the_named_user(world: World) -> None:
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = sent_and_received(worker, boss, world.worker)
    out = io.StringIO()
    call_command("readmission_deemed_consent", user=world.boss.username, stdout=out)
    assert "1 request(s) deemed accepted" in out.getvalue()
    assert detail(worker, case_id)["state"] == "deemed_accepted"
    with pytest.raises(CommandError, match="may not apply"):
        call_command("readmission_deemed_consent", user=world.worker.username, stdout=out)


def test_an_obstacle_extends_the_transfer_time_limit(world: World) -> None:
    """Accepted on 12 May 2026: the transfer is due by 12 August; an obstacle from 20 to 30 May
    pauses it for ten days: 22 August."""
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = sent_and_received(worker, boss, world.worker)
    body = ok(
        step(
            worker,
            case_id,
            "record_acceptance",
            **{"reply.received_on": "2026-05-12", "reply.reference": "GR-1"},
        )
    )
    assert deadline(body, "transfer")["due_on"] == "2026-08-12"
    ok(
        step(
            worker,
            case_id,
            "record_transfer_obstacle",
            **{"transfer.obstacle": "Court order", "transfer.obstacle_since": "2026-05-20"},
        )
    )
    paused = deadline(detail(worker, case_id), "transfer")
    assert paused["status"] == "paused"
    body = ok(
        step(
            worker, case_id, "end_transfer_obstacle", **{"transfer.obstacle_ended_on": "2026-05-30"}
        )
    )
    assert deadline(body, "transfer")["due_on"] == "2026-08-22"
