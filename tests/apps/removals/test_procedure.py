"""The removal procedure through the API: every step, its deadlines and its guards."""

from __future__ import annotations

import calendar
import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from tests.apps.removals.conftest import (
    API,
    World,
    apprehension,
    at,
    days_ago,
    deadline,
    decided,
    decision,
    detail,
    failures,
    notification,
    ok,
    open_case,
    post,
    step,
)
from tests.conftest import login
from ura.apps.cases import services as case_services
from ura.apps.cases import workflow
from ura.apps.cases.models import CaseAssignment, CaseEvent
from ura.apps.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def _emitted(case_id: int) -> list[str]:
    return [
        code
        for event in CaseEvent.objects.filter(case_id=case_id).order_by("pk")
        for code in event.detail.get("emits", [])
    ]


def test_the_decision_is_due_48_hours_after_the_apprehension(world: World) -> None:
    """The engine shows two calendar days; the panel's clock shows the hour."""
    case_id = open_case(world.responder)
    responder = login(Client(), world.responder)
    today = timezone.localdate()
    body = ok(responder, case_id, "record_apprehension", apprehension(today, hour=7))
    assert body["state"] == "apprehended"
    due = deadline(body, "removal_decision")
    assert due["due_on"] == (today + dt.timedelta(days=2)).isoformat()
    assert due["legal_reference"] == "LFIP Art. 57(1)"
    assert due["check"] is True
    assert due["status"] in ("due_soon", "open")
    assert body["decision_clock"]["due_at"].startswith(
        (today + dt.timedelta(days=2)).isoformat() + "T07:00"
    )
    # A first responder records the apprehension; the decision is the governorate's.
    assert "permission" in failures(step(responder, case_id, "order_removal", decision(today)))


def test_a_decision_after_48_hours_needs_the_reason_for_the_delay(world: World) -> None:
    case_id = open_case(world.boss, opened_days_ago=5)
    boss = login(Client(), world.boss)
    ok(boss, case_id, "record_apprehension", apprehension(days_ago(5), hour=8))
    late = decision(days_ago(2), hour=9)
    refused = failures(step(boss, case_id, "order_removal", late))
    assert "48 hours" in refused["rule"]
    before = failures(step(boss, case_id, "order_removal", decision(days_ago(5), hour=6)))
    assert "before the apprehension" in before["rule"]
    body = ok(
        boss,
        case_id,
        "order_removal",
        {**late, "late_reason": "Identity was only confirmed by the consulate on day 3."},
    )
    assert body["state"] == "removal_ordered"
    assert body["decision_clock"]["late"] is True
    assert body["data"]["decision"]["hours_after_apprehension"] == 73.0
    assert deadline(body, "removal_decision")["status"] == "met_late"


def test_release_without_a_decision_closes_the_case(world: World) -> None:
    case_id = open_case(world.boss)
    boss = login(Client(), world.boss)
    ok(boss, case_id, "record_apprehension", apprehension(timezone.localdate()))
    body = ok(boss, case_id, "release_without_decision", {"reason": "Holds a valid permit."})
    assert body["state"] == "not_ordered"
    assert deadline(body, "removal_decision")["status"] == "met"


def test_voluntary_departure_period_and_departure(world: World) -> None:
    boss, case_id = decided(world, apprehended=days_ago(3))
    body = ok(
        boss,
        case_id,
        "notify_with_voluntary_departure",
        notification(days_ago(2), days=20),
    )
    assert body["state"] == "voluntary_departure"
    period = deadline(body, "voluntary_departure")
    assert period["due_on"] == (days_ago(2) + dt.timedelta(days=20)).isoformat()
    # Seven days, moved to the next working day when the seventh is not one.
    appeal_due = dt.date.fromisoformat(deadline(body, "appeal_period")["due_on"])
    assert days_ago(2) + dt.timedelta(days=7) <= appeal_due
    assert appeal_due <= days_ago(2) + dt.timedelta(days=12)
    too_long = step(boss, case_id, "record_voluntary_departure", {})
    assert too_long.status_code == 422
    body = ok(
        boss,
        case_id,
        "record_voluntary_departure",
        {
            "date": timezone.localdate().isoformat(),
            "border_gate": "Kapıkule",
            "destination_country": "afg",
        },
    )
    assert body["state"] == "departed_voluntarily"
    assert body["data"]["departure"]["destination_country"] == "AFG"
    assert deadline(body, "voluntary_departure")["status"] == "met"
    assert {"ordered_to_leave", "returned_voluntarily"} <= set(_emitted(case_id))


def test_voluntary_departure_is_15_to_30_days(world: World) -> None:
    boss, case_id = decided(world, apprehended=days_ago(1))
    for days in (14, 31):
        response = step(
            boss, case_id, "notify_with_voluntary_departure", notification(days_ago(1), days=days)
        )
        assert response.status_code == 422
        assert "days" in response.content.decode()
    assert detail(boss, case_id)["state"] == "removal_ordered"


def test_the_removal_waits_for_the_appeal(world: World) -> None:
    """Suspensive effect (LFIP Art. 53(3)): no removal while an appeal is pending, nor before
    the appeal period has run and been checked with the court."""
    boss, case_id = decided(world, apprehended=days_ago(40), notified=days_ago(40))
    ok(
        boss,
        case_id,
        "request_travel_document",
        {
            "country": "PAK",
            "consulate": "Consulate General of Pakistan, İstanbul",
            "requested_on": days_ago(39).isoformat(),
        },
    )
    ok(
        boss,
        case_id,
        "record_consulate_answer",
        {
            "request_number": 1,
            "answer": "issued",
            "answered_on": days_ago(38).isoformat(),
            "document_kind": "laissez_passer",
            "document_number": "ETD-88121",
        },
    )
    removal = {
        "executed_on": timezone.localdate().isoformat(),
        "route": "air",
        "route_detail": "TK 710 IST-ISB",
        "escort": "police",
        "destination_country": "PAK",
    }
    # Neither the judgment nor the check that no appeal was lodged is recorded.
    refused = failures(step(boss, case_id, "execute_removal", removal))
    assert "suspensive" in refused["rule"]
    body = ok(
        boss,
        case_id,
        "lodge_appeal",
        {
            "lodged_on": days_ago(36).isoformat(),
            "court": "İstanbul 3rd Administrative Court",
        },
    )
    assert body["state"] == "appeal_pending"
    assert deadline(body, "appeal_period")["status"] == "met"
    assert (
        deadline(body, "appeal_decision")["due_on"]
        == (days_ago(36) + dt.timedelta(days=15)).isoformat()
    )
    assert deadline(body, "appeal_decision")["status"] == "overdue"
    pending = failures(step(boss, case_id, "execute_removal", removal))
    assert "not_allowed_from_state" in pending
    body = ok(
        boss,
        case_id,
        "record_appeal_rejected",
        {
            "decided_on": days_ago(20).isoformat(),
            "judgment_reference": "2026/1402 E.",
        },
    )
    assert body["state"] == "removal_pending"
    body = ok(boss, case_id, "execute_removal", removal)
    assert body["state"] == "removed"
    assert _emitted(case_id).count("returned_forcibly") == 1


def test_no_appeal_is_recorded_only_after_seven_days(world: World) -> None:
    boss, case_id = decided(world, apprehended=days_ago(10), notified=days_ago(5))
    refused = failures(
        step(
            boss,
            case_id,
            "record_decision_final",
            {
                "checked_on": timezone.localdate().isoformat(),
            },
        )
    )
    assert "seven-day" in refused["rule"]
    boss2, late_id = decided(world, apprehended=days_ago(12), notified=days_ago(10))
    body = ok(
        boss2,
        late_id,
        "record_decision_final",
        {
            "checked_on": timezone.localdate().isoformat(),
        },
    )
    assert body["state"] == "removal_pending"
    assert deadline(body, "appeal_period")["status"] in ("met", "met_late")


def test_the_removal_needs_a_travel_document(world: World) -> None:
    boss, case_id = decided(world, apprehended=days_ago(12), notified=days_ago(10))
    ok(boss, case_id, "record_decision_final", {"checked_on": days_ago(1).isoformat()})
    removal = {
        "executed_on": timezone.localdate().isoformat(),
        "route": "land",
        "escort": "police",
        "destination_country": "IRN",
    }
    assert "travel document" in failures(step(boss, case_id, "execute_removal", removal))["rule"]
    body = ok(
        boss,
        case_id,
        "request_travel_document",
        {
            "country": "IRN",
            "consulate": "Consulate General of Iran, İstanbul",
            "requested_on": timezone.localdate().isoformat(),
        },
    )
    reply = deadline(body, "consulate_reply")
    assert reply["binding"] is False
    assert reply["status"] == "open"
    refused = ok(
        boss,
        case_id,
        "record_consulate_answer",
        {
            "request_number": 1,
            "answer": "refused",
            "answered_on": timezone.localdate().isoformat(),
        },
    )
    assert refused["data"]["travel_document"]["status"] == "refused"
    again = step(
        boss,
        case_id,
        "record_consulate_answer",
        {
            "request_number": 1,
            "answer": "issued",
            "answered_on": timezone.localdate().isoformat(),
            "document_kind": "passport",
        },
    )
    assert again.status_code == 422  # already answered
    ok(
        boss,
        case_id,
        "request_travel_document",
        {
            "country": "IRN",
            "consulate": "Embassy of Iran, Ankara",
            "requested_on": timezone.localdate().isoformat(),
        },
    )
    body = ok(
        boss,
        case_id,
        "record_consulate_answer",
        {
            "request_number": 2,
            "answer": "issued",
            "answered_on": timezone.localdate().isoformat(),
            "document_kind": "passport",
            "document_number": "P1234567",
        },
    )
    assert body["data"]["travel_document"]["status"] == "obtained"
    assert len(body["data"]["travel_document"]["requests"]) == 2
    body = ok(boss, case_id, "execute_removal", removal)
    assert body["state"] == "removed"
    body = ok(
        boss,
        case_id,
        "impose_entry_ban",
        {
            "starts_on": timezone.localdate().isoformat(),
            "months": 24,
            "reasons": "Removed after irregular stay (LFIP Art. 9).",
        },
    )
    assert body["data"]["entry_ban"]["ends_on"] == _plus_months(timezone.localdate(), 24)
    body = ok(boss, case_id, "close_case", {"reason": "Removed; entry ban recorded."})
    assert body["state"] == "closed"
    assert {"ordered_to_leave", "returned_forcibly", "entry_ban_imposed"} <= set(_emitted(case_id))


def _plus_months(day: dt.date, months: int) -> str:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1])).isoformat()


def test_detention_reviews_are_monthly_and_each_is_kept(world: World) -> None:
    boss, case_id = decided(world, apprehended=days_ago(40), notified=days_ago(39))
    body = ok(
        boss,
        case_id,
        "order_detention",
        {
            "order_reference": "34-GG/1",
            "started_on": days_ago(39).isoformat(),
            "place": "Esenyurt police station",
            "place_kind": "police_custody",
            "reasons": "No address; absconded before.",
        },
    )
    assert body["detention_running"] is True
    transfer = deadline(body, "removal_centre_transfer")
    assert transfer["due_on"] == (days_ago(39) + dt.timedelta(days=2)).isoformat()
    assert transfer["status"] == "overdue"
    body = ok(
        boss,
        case_id,
        "record_transfer_to_removal_centre",
        {
            "removal_centre": "Tuzla Removal Centre",
            "transferred_on": days_ago(38).isoformat(),
        },
    )
    assert deadline(body, "removal_centre_transfer")["status"] == "met"
    first = deadline(body, "detention_review")
    assert first["due_on"] == _plus_months(days_ago(39), 1)
    assert first["status"] == "overdue"
    again = step(
        boss,
        case_id,
        "order_detention",
        {
            "order_reference": "x",
            "started_on": days_ago(38).isoformat(),
            "place": "x",
            "place_kind": "removal_centre",
            "reasons": "x",
        },
    )
    assert "already running" in failures(again)["rule"]
    body = ok(
        boss,
        case_id,
        "review_detention",
        {
            "date": days_ago(5).isoformat(),
            "reviewer": "Deputy Governor S. Aydın",
            "outcome": "continue",
            "reasons": "Travel document requested; absconding risk stands.",
        },
    )
    assert deadline(body, "detention_review", 1)["status"] == "met_late"
    second = deadline(body, "detention_review", 2)
    assert second["due_on"] == _plus_months(days_ago(5), 1)
    [review] = body["reviews"]
    assert review["reviewer"] == "Deputy Governor S. Aydın"
    assert review["next_due_on"] == second["due_on"]
    body = ok(
        boss,
        case_id,
        "review_detention",
        {
            "date": timezone.localdate().isoformat(),
            "reviewer": "Deputy Governor S. Aydın",
            "outcome": "end",
            "reasons": "Family address verified: reporting duty instead.",
        },
    )
    assert body["detention_running"] is False
    assert body["data"]["detention"]["ended_on"] == timezone.localdate().isoformat()
    assert [r["outcome"] for r in body["reviews"]] == ["continue", "end"]
    assert deadline(body, "detention_maximum")["status"] == "met"
    assert (
        "No detention"
        in failures(
            step(
                boss,
                case_id,
                "end_detention",
                {
                    "ended_on": timezone.localdate().isoformat(),
                    "reason": "released",
                },
            )
        )["rule"]
    )


def test_an_alternative_to_detention_is_reviewed_monthly(world: World) -> None:
    boss, case_id = decided(world, apprehended=days_ago(3), notified=days_ago(3))
    body = ok(
        boss,
        case_id,
        "order_alternative",
        {
            "kinds": ["residence", "reporting"],
            "started_on": days_ago(2).isoformat(),
            "conditions": "Lives at the declared address; reports on Mondays to Esenyurt police.",
        },
    )
    assert body["alternative_running"] is True
    assert deadline(body, "detention_review")["due_on"] == _plus_months(days_ago(2), 1)
    assert deadline(body, "alternative_maximum")["due_on"] == _plus_months(days_ago(2), 24)
    body = ok(
        boss,
        case_id,
        "end_alternative",
        {
            "ended_on": timezone.localdate().isoformat(),
            "reason": "Residence permit granted",
        },
    )
    assert deadline(body, "detention_review")["status"] == "met"


def _held_since(world: World, days: int) -> tuple[Client, int]:
    boss, case_id = decided(world, apprehended=days_ago(days), notified=days_ago(days))
    ok(
        boss,
        case_id,
        "order_detention",
        {
            "order_reference": "34-GG/9",
            "started_on": days_ago(days).isoformat(),
            "place": "Tuzla Removal Centre",
            "place_kind": "removal_centre",
            "reasons": "Risk of absconding.",
        },
    )
    return boss, case_id


def test_detention_past_its_maximum_is_refused_without_a_justification(world: World) -> None:
    boss, case_id = _held_since(world, 200)
    body = detail(boss, case_id)
    maximum = _plus_months(days_ago(200), 6)
    assert body["detention_maximum_on"] == maximum
    assert deadline(body, "detention_maximum")["status"] == "overdue"
    end = {"ended_on": timezone.localdate().isoformat(), "reason": "released"}
    refused = failures(step(boss, case_id, "end_detention", end))
    assert "legal maximum" in refused["rule"]
    review = {
        "date": timezone.localdate().isoformat(),
        "reviewer": "Deputy Governor",
        "outcome": "continue",
        "reasons": "Still no document.",
    }
    assert "legal maximum" in failures(step(boss, case_id, "review_detention", review))["rule"]
    late = {"decided_on": timezone.localdate().isoformat(), "months": 3, "reasons": "No help."}
    assert "legal maximum" in failures(step(boss, case_id, "extend_detention", late))["rule"]
    # The generic transition endpoint does not record removal steps at all.
    version = detail(boss, case_id)["version"]
    generic = post(
        boss,
        f"/api/v1/cases/{case_id}/transitions",
        {
            "version": version,
            "transition": "end_detention",
            "data_changes": {"detention": {"ended_on": end["ended_on"], "end_reason": "released"}},
        },
    )
    assert generic.status_code == 422, generic.content
    assert "removal case's page" in generic.json()["errors"]["transition"][0]
    refusals = AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, object_id=str(case_id)
    ).count()
    assert refusals >= 1
    assert detail(boss, case_id)["detention_running"] is True


def test_a_justified_detention_past_its_maximum_is_recorded_and_audited(world: World) -> None:
    boss, case_id = _held_since(world, 200)
    justification = "Released late: the court's release order reached the centre a week late."
    body = ok(
        boss,
        case_id,
        "end_detention",
        {
            "ended_on": timezone.localdate().isoformat(),
            "reason": "maximum_reached",
            "override_justification": justification,
        },
    )
    assert body["detention_running"] is False
    override = AuditEvent.objects.get(
        action=AuditAction.PERMISSION_CHANGE,
        object_id=str(case_id),
        detail__change="detention_maximum_override",
    )
    assert override.detail["reason"] == justification
    assert override.detail["transition"] == "end_detention"
    assert deadline(body, "detention_maximum")["status"] == "met_late"


def test_only_holders_of_the_override_may_justify(world: World) -> None:
    """A caseworker may neither end a detention nor override; the permission is separate."""
    _boss, case_id = _held_since(world, 200)
    worker = login(Client(), world.worker)

    CaseAssignment.objects.create(case_id=case_id, user=world.worker, assigned_by=world.boss)
    response = step(
        worker,
        case_id,
        "end_detention",
        {
            "ended_on": timezone.localdate().isoformat(),
            "reason": "released",
            "override_justification": "I say so.",
        },
    )
    assert "permission" in failures(response)


def test_an_extension_for_non_cooperation_raises_the_maximum(world: World) -> None:
    boss, case_id = _held_since(world, 170)
    body = ok(
        boss,
        case_id,
        "extend_detention",
        {
            "decided_on": days_ago(1).isoformat(),
            "months": 4,
            "reasons": "Refuses to give his identity to the consulate; two interviews missed.",
        },
    )
    assert body["data"]["detention"]["extended"] is True
    assert body["data"]["detention"]["maximum_months"] == 10
    assert body["detention_maximum_on"] == _plus_months(days_ago(170), 10)
    codes = {d["code"] for d in body["deadlines"]}
    assert "detention_maximum_extended" in codes
    assert "detention_maximum" not in codes
    assert deadline(body, "detention_maximum_extended")["due_on"] == _plus_months(days_ago(170), 10)
    second = step(
        boss,
        case_id,
        "extend_detention",
        {
            "decided_on": timezone.localdate().isoformat(),
            "months": 2,
            "reasons": "Again.",
        },
    )
    assert "second extension" in failures(second)["rule"].lower()
    assert "detention_extended" in _emitted(case_id)


def test_an_extension_needs_the_supervisor(world: World) -> None:
    boss, case_id = _held_since(world, 30)

    CaseAssignment.objects.create(case_id=case_id, user=world.worker, assigned_by=world.boss)
    worker = login(Client(), world.worker)
    response = step(
        worker,
        case_id,
        "extend_detention",
        {
            "decided_on": timezone.localdate().isoformat(),
            "months": 6,
            "reasons": "No help.",
        },
    )
    assert "permission" in failures(response)
    too_long = step(
        boss,
        case_id,
        "extend_detention",
        {
            "decided_on": timezone.localdate().isoformat(),
            "months": 7,
            "reasons": "No help.",
        },
    )
    assert too_long.status_code == 422


def test_the_removal_ends_the_detention(world: World) -> None:
    boss, case_id = _held_since(world, 20)
    ok(boss, case_id, "record_decision_final", {"checked_on": days_ago(1).isoformat()})
    ok(
        boss,
        case_id,
        "request_travel_document",
        {
            "country": "SYR",
            "consulate": "Consulate of Syria",
            "requested_on": days_ago(1).isoformat(),
        },
    )
    ok(
        boss,
        case_id,
        "record_consulate_answer",
        {
            "request_number": 1,
            "answer": "issued",
            "answered_on": days_ago(1).isoformat(),
            "document_kind": "laissez_passer",
        },
    )
    body = ok(
        boss,
        case_id,
        "execute_removal",
        {
            "executed_on": timezone.localdate().isoformat(),
            "route": "land",
            "route_detail": "Cilvegözü",
            "escort": "escort_team",
            "destination_country": "SYR",
        },
    )
    assert body["state"] == "removed"
    assert body["detention_running"] is False
    assert body["data"]["detention"]["end_reason"] == "removed"
    assert _emitted(case_id)[-3:] == ["removal_executed", "returned_forcibly", "detention_ended"]


def test_a_case_does_not_close_while_the_person_is_held(world: World) -> None:
    boss, case_id = _held_since(world, 10)
    refused = failures(step(boss, case_id, "discontinue", {"reason": "Protection claim made."}))
    assert "held" in refused["rule"]


def test_annulment_by_the_court(world: World) -> None:
    boss, case_id = decided(world, apprehended=days_ago(20), notified=days_ago(20))
    ok(boss, case_id, "lodge_appeal", {"lodged_on": days_ago(18).isoformat(), "court": "Court"})
    body = ok(
        boss,
        case_id,
        "record_appeal_upheld",
        {
            "decided_on": days_ago(2).isoformat(),
            "judgment_reference": "2026/77",
        },
    )
    assert body["state"] == "decision_annulled"
    assert "removal_decision_annulled" in _emitted(case_id)


def test_unknown_steps_and_stale_versions(world: World) -> None:
    boss, case_id = decided(world, apprehended=days_ago(1))
    response = post(boss, f"{API}/cases/{case_id}/steps/teleport", {"version": 1, "data": {}})
    assert response.status_code == 422
    response = post(
        boss,
        f"{API}/cases/{case_id}/steps/discontinue",
        {
            "version": 1,
            "data": {"reason": "Residence permit granted."},
        },
    )
    assert response.status_code == 409
    assert detail(boss, case_id)["state"] == "removal_ordered"


def test_a_decision_for_a_foreign_date_time_is_validated(world: World) -> None:
    boss, case_id = decided(world, apprehended=days_ago(1))
    response = step(
        boss,
        case_id,
        "notify_with_voluntary_departure",
        {
            "date": "yesterday",
            "language": "ar",
            "days": 20,
        },
    )
    assert response.status_code == 422
    assert detail(boss, case_id)["state"] == "removal_ordered"


def test_at_helper_formats_minutes() -> None:
    assert at(dt.date(2026, 1, 2), 7) == "2026-01-02T07:00"


def test_a_review_without_its_row_is_refused_on_the_generic_endpoint(world: World) -> None:
    boss, case_id = _held_since(world, 20)
    version = detail(boss, case_id)["version"]
    generic = post(
        boss,
        f"/api/v1/cases/{case_id}/transitions",
        {
            "version": version,
            "transition": "review_detention",
            "data_changes": {
                "review": {
                    "date": timezone.localdate().isoformat(),
                    "reviewer": "x",
                    "outcome": "continue",
                    "reasons": "x",
                    "record_id": 1,
                }
            },
        },
    )
    assert generic.status_code == 422, generic.content
    assert "removal case's page" in generic.json()["errors"]["transition"][0]
    assert detail(boss, case_id)["reviews"] == []
    assert detail(boss, case_id)["version"] == version


def test_a_justified_override_is_audited_whichever_way_it_is_asked_for(world: World) -> None:
    """The override's own audit event is written by the removals services; every other way
    to a removal step is closed, so no override goes without it."""
    boss, case_id = _held_since(world, 200)
    version = detail(boss, case_id)["version"]
    justification = "Released late: the court's order reached the centre a week late."
    ended = {"ended_on": timezone.localdate().isoformat(), "end_reason": "maximum_reached"}
    generic = post(
        boss,
        f"/api/v1/cases/{case_id}/transitions",
        {
            "version": version,
            "transition": "end_detention",
            "data_changes": {"detention": ended, "override": {"justification": justification}},
        },
    )
    assert generic.status_code == 422, generic.content
    # Nor the justification alone through the generic update, to be used by a later step.
    update = boss.patch(
        f"/api/v1/cases/{case_id}",
        json.dumps({"version": version, "data_changes": {"override.justification": "x"}}),
        "application/json",
    )
    assert update.status_code == 422, update.content
    assert "override.justification" in update.json()["errors"]["data_changes"][0]
    # And not from code either: the engine's service wants the removals app's recorder.
    with pytest.raises(workflow.AppOwnedError):
        case_services.case_transition(
            actor=world.boss,
            case_id=case_id,
            transition="end_detention",
            expected_version=version,
            data_changes={"detention.ended_on": ended["ended_on"]},
        )
    assert detail(boss, case_id)["detention_running"] is True
    assert not AuditEvent.objects.filter(
        object_id=str(case_id), detail__change="detention_maximum_override"
    ).exists()
    ok(
        boss,
        case_id,
        "end_detention",
        {
            "ended_on": ended["ended_on"],
            "reason": "maximum_reached",
            "override_justification": justification,
        },
    )
    (event,) = AuditEvent.objects.filter(
        object_id=str(case_id), detail__change="detention_maximum_override"
    )
    assert event.detail["reason"] == justification
