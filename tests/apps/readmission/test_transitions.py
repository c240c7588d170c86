"""Every transition of a readmission request through the JSON API, with its guards: the
request drafted under an agreement, sent on the common form (kept as a case document with
its checksum), received, answered, the travel document, the transfer (with an obstacle),
the return back or the closing, and the withdrawal."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from tests.apps.readmission.conftest import (
    API,
    World,
    as_user,
    deadline,
    detail,
    draft,
    drafted,
    ok,
    post,
    send,
    sent_and_received,
    step,
)
from ura.apps.cases.models import CaseDocument, CaseEvent
from ura.apps.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def test_a_request_is_drafted_under_an_agreement(world: World) -> None:
    """The draft records the agreement version, the counterpart and the procedure; no
    deadline runs before the request is sent."""
    worker = as_user(world.worker)
    body = draft(worker, world.worker).json()
    assert body["state"] == "drafted"
    assert body["reference"].startswith("RE-2026-")
    request = body["data"]["request"]
    assert (request["agreement"], request["agreement_version"]) == ("eu-tr-2014", 1)
    assert (request["counterpart"], request["procedure"]) == ("GR", "regular")
    assert body["agreement"]["reply"]["duration"] == 25
    assert body["deadlines"] == []
    assert body["opened_on"] == "2026-04-30"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"agreement": "nope"}, "agreement"),
        ({"counterpart": "DK"}, "counterpart"),
        ({"counterpart": "PK"}, "counterpart"),
        ({"grounds": "tourist"}, "grounds"),
        ({"evidence": []}, "evidence"),
        ({"evidence": ["rumour"]}, "evidence"),
        ({"nationality": "ZZZ"}, "nationality"),
        ({"procedure": "express"}, "regime"),
        ({"procedure": "accelerated", "border_region": False}, "border_region"),
        (
            {
                "agreement": "tr-pk-2010",
                "counterpart": "PK",
                "procedure": "accelerated",
                "border_region": True,
            },
            "regime",
        ),
        ({"apprehended_on": "2099-01-01"}, "apprehended_on"),
        ({"drafted_on": "2026-04-01"}, "drafted_on"),
    ],
)
def test_a_bad_draft_is_refused_with_the_field_named(
    world: World, overrides: dict[str, object], field: str
) -> None:
    response = draft(as_user(world.worker), world.worker, **overrides)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]


def test_sending_stores_the_common_form_with_its_checksum(world: World) -> None:
    """The supervisor sends; the final PDF is a case document whose SHA-256 is in the case
    data and matches the stored bytes. A caseworker may not send."""
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = drafted(worker, world.worker)
    preview = worker.get(f"{API}/requests/{case_id}/form.pdf")
    assert preview.status_code == 200
    assert preview.content.startswith(b"%PDF")
    refused = send(worker, case_id)
    assert refused.status_code == 403
    body = ok(send(boss, case_id))
    assert body["state"] == "sent"
    document = CaseDocument.objects.get(case_id=case_id, kind="readmission_request")
    with default_storage.open(document.storage_name, "rb") as stored:
        content = stored.read()
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == document.sha256
    assert body["data"]["request"]["form_sha256"] == document.sha256
    assert body["data"]["request"]["sent_on"] == "2026-04-30"
    # The form is sent once: a second send is not possible from "sent".
    again = send(boss, case_id)
    assert again.status_code == 422
    assert {f["code"] for f in again.json()["failures"]} == {"not_allowed_from_state"}


def test_the_whole_path_to_closing(world: World) -> None:
    """Receipt, acceptance, travel document, transfer scheduled and rescheduled, an obstacle
    and its end, the transfer; closing waits for the return-back window."""
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = sent_and_received(worker, boss, world.worker)
    assert detail(worker, case_id)["state"] == "reply_due"
    body = ok(
        step(
            worker,
            case_id,
            "record_acceptance",
            **{"reply.received_on": "2026-05-12", "reply.reference": "GR-RA-2026/118"},
        )
    )
    assert body["state"] == "accepted"
    assert deadline(body, "reply_regular")["status"] == "met"
    body = ok(
        step(
            worker,
            case_id,
            "record_travel_document",
            **{
                "travel_document.kind": "laissez_passer",
                "travel_document.number": "LP-4471",
                "travel_document.issued_on": "2026-05-14",
            },
        )
    )
    assert body["state"] == "travel_document"
    assert deadline(body, "travel_document")["status"] == "met"
    schedule = {
        "transfer.scheduled_on": "2026-06-02",
        "transfer.crossing_point": "Kipoi-İpsala",
        "transfer.means": "land",
    }
    scheduled = ok(step(worker, case_id, "schedule_transfer", "2026-05-15", **schedule))
    assert scheduled["state"] == "transfer_scheduled"
    body = ok(
        step(
            worker,
            case_id,
            "reschedule_transfer",
            "2026-05-18",
            **{"transfer.scheduled_on": "2026-06-09", "transfer.reschedule_reason": "Escort"},
        )
    )
    assert body["state"] == "transfer_scheduled"
    assert body["data"]["transfer"]["scheduled_on"] == "2026-06-09"
    obstacle = {"transfer.obstacle": "Court order", "transfer.obstacle_since": "2026-05-20"}
    assert ok(step(worker, case_id, "record_transfer_obstacle", **obstacle))
    # While the obstacle lasts the person cannot be transferred, nor a second obstacle opened.
    blocked = step(
        worker,
        case_id,
        "record_transfer",
        **{"transfer.transferred_on": "2026-05-25", "transfer.crossing_point": "Kipoi"},
    )
    assert blocked.status_code == 422
    assert step(worker, case_id, "record_transfer_obstacle", **obstacle).status_code == 422
    body = ok(
        step(
            worker, case_id, "end_transfer_obstacle", **{"transfer.obstacle_ended_on": "2026-05-30"}
        )
    )
    assert body["data"]["transfer"]["obstacle_active"] is False
    body = ok(
        step(
            worker,
            case_id,
            "record_transfer",
            **{"transfer.transferred_on": "2026-06-09", "transfer.crossing_point": "Kipoi-İpsala"},
        )
    )
    assert body["state"] == "transferred"
    assert body["return_back_until"] == "2026-09-09"
    assert deadline(body, "transfer")["status"] == "met"
    closed = ok(step(worker, case_id, "close", "2026-09-10"))
    assert closed["state"] == "closed"
    emitted = [
        code
        for detail_ in CaseEvent.objects.filter(case_id=case_id).values_list("detail", flat=True)
        for code in detail_.get("emits", [])
    ]
    for event in ("readmission_requested", "readmission_accepted", "readmission_executed"):
        assert event in emitted


def test_a_rejection_closes_the_request(world: World) -> None:
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = sent_and_received(worker, boss, world.worker)
    missing = step(worker, case_id, "record_rejection", **{"reply.received_on": "2026-05-12"})
    assert missing.status_code == 422
    assert "reply.rejection_reason" in missing.json()["errors"]
    body = ok(
        step(
            worker,
            case_id,
            "record_rejection",
            **{
                "reply.received_on": "2026-05-12",
                "reply.rejection_reason": "Nationality not shown",
            },
        )
    )
    assert body["state"] == "rejected"
    after = step(worker, case_id, "withdraw", **{"withdrawal.reason": "too late"})
    assert after.status_code == 422
    assert {f["code"] for f in after.json()["failures"]} == {"not_allowed_from_state"}


def test_a_return_back_is_recorded_only_within_its_window(world: World) -> None:
    """Transferred on 2 June 2026: the requested state may ask until 2 September; closing
    before then is refused, and a later return back too."""
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = sent_and_received(worker, boss, world.worker)
    ok(
        step(
            worker,
            case_id,
            "record_acceptance",
            **{"reply.received_on": "2026-05-12", "reply.reference": "R1"},
        )
    )
    ok(
        step(
            worker,
            case_id,
            "record_travel_document",
            **{
                "travel_document.kind": "passport",
                "travel_document.number": "P1",
                "travel_document.issued_on": "2026-05-13",
            },
        )
    )
    ok(
        step(
            worker,
            case_id,
            "schedule_transfer",
            "2026-05-14",
            **{
                "transfer.scheduled_on": "2026-06-02",
                "transfer.crossing_point": "Airport",
                "transfer.means": "air",
            },
        )
    )
    ok(
        step(
            worker,
            case_id,
            "record_transfer",
            **{"transfer.transferred_on": "2026-06-02", "transfer.crossing_point": "Airport"},
        )
    )
    late = step(
        worker,
        case_id,
        "record_return_back",
        **{"return_back.requested_on": "2026-09-03", "return_back.reason": "Not a national"},
    )
    assert late.status_code == 422
    assert "return_back.requested_on" in late.json()["errors"]
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, detail__failures=["return_back_window_over"]
    ).exists()
    body = ok(
        step(
            worker,
            case_id,
            "record_return_back",
            **{"return_back.requested_on": "2026-09-02", "return_back.reason": "Not a national"},
        )
    )
    assert body["state"] == "returned_back"


def test_closing_inside_the_return_back_window_is_refused(world: World) -> None:
    worker, boss = as_user(world.worker), as_user(world.boss)
    # A transfer today leaves the window open for three months.
    today = timezone.localdate().isoformat()
    case_id = sent_and_received(worker, boss, world.worker)
    ok(
        step(
            worker,
            case_id,
            "record_acceptance",
            **{"reply.received_on": "2026-05-12", "reply.reference": "R1"},
        )
    )
    ok(
        step(
            worker,
            case_id,
            "record_travel_document",
            **{
                "travel_document.kind": "passport",
                "travel_document.number": "P1",
                "travel_document.issued_on": "2026-05-13",
            },
        )
    )
    ok(
        step(
            worker,
            case_id,
            "schedule_transfer",
            **{
                "transfer.scheduled_on": today,
                "transfer.crossing_point": "Airport",
                "transfer.means": "air",
            },
        )
    )
    ok(
        step(
            worker,
            case_id,
            "record_transfer",
            **{"transfer.transferred_on": today, "transfer.crossing_point": "Airport"},
        )
    )
    refused = step(worker, case_id, "close")
    assert refused.status_code == 422
    assert detail(worker, case_id)["state"] == "transferred"


def test_withdrawal_before_the_transfer(world: World) -> None:
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = sent_and_received(worker, boss, world.worker)
    body = ok(
        step(
            worker,
            case_id,
            "withdraw",
            "2026-05-20",
            **{"withdrawal.reason": "Applied for international protection"},
        )
    )
    assert body["state"] == "withdrawn"
    assert deadline(body, "reply_regular")["status"] in {"met", "met_late"}


def test_guards_stale_version_unknown_step_and_values(world: World) -> None:
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = drafted(worker, world.worker)
    not_yet = step(worker, case_id, "record_receipt", **{"request.received_on": "2026-05-01"})
    assert not_yet.status_code == 422
    assert {f["code"] for f in not_yet.json()["failures"]} == {"not_allowed_from_state"}
    ok(send(boss, case_id))
    stale = post(
        worker,
        f"{API}/requests/{case_id}/steps/record_receipt",
        {"version": 1, "values": {"request.received_on": "2026-05-01"}},
    )
    assert stale.status_code == 409
    unknown = step(worker, case_id, "send_request")
    assert unknown.status_code == 422
    extra = step(
        worker, case_id, "record_receipt", **{"request.received_on": "2026-05-01", "x.y": "1"}
    )
    assert extra.status_code == 422
    bad_date = step(worker, case_id, "record_receipt", **{"request.received_on": "yesterday"})
    assert bad_date.status_code == 422
    future = step(worker, case_id, "record_receipt", **{"request.received_on": "2099-01-01"})
    assert future.status_code == 422
    before = step(worker, case_id, "record_receipt", **{"request.received_on": "2026-04-29"})
    assert before.status_code == 422
    assert "request.received_on" in before.json()["errors"]
    ok(step(worker, case_id, "record_receipt", **{"request.received_on": "2026-05-01"}))
    early_reply = step(
        worker,
        case_id,
        "record_acceptance",
        **{"reply.received_on": "2026-04-30", "reply.reference": "R"},
    )
    assert early_reply.status_code == 422
