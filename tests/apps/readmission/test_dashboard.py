"""The dashboard per counterpart country: requests sent, replies in time and late, express
and deemed acceptances, rejections, the acceptance rate and transfers, for a period; small
counts suppressed for users who see no cases."""

from __future__ import annotations

import pytest

from tests.apps.readmission.conftest import (
    API,
    World,
    as_user,
    drafted,
    ok,
    post,
    sent_and_received,
    step,
)

pytestmark = pytest.mark.django_db


def _accepted(worker, boss, owner, received_on: str, replied_on: str, **overrides):  # type: ignore[no-untyped-def]
    case_id = sent_and_received(worker, boss, owner, received_on=received_on, **overrides)
    ok(
        step(
            worker,
            case_id,
            "record_acceptance",
            **{"reply.received_on": replied_on, "reply.reference": "R"},
        )
    )
    return case_id


@pytest.fixture
def figures(world: World) -> World:
    """Greece: four requests — accepted in time and transferred, accepted late, rejected in
    time, deemed accepted. Bulgaria: one awaiting a reply (overdue). Pakistan: one drafted,
    never sent."""
    worker, boss = as_user(world.worker), as_user(world.boss)
    transferred = _accepted(worker, boss, world.worker, "2026-05-03", "2026-05-12")
    ok(
        step(
            worker,
            transferred,
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
            transferred,
            "schedule_transfer",
            "2026-05-14",
            **{
                "transfer.scheduled_on": "2026-05-20",
                "transfer.crossing_point": "Kipoi",
                "transfer.means": "land",
            },
        )
    )
    ok(
        step(
            worker,
            transferred,
            "record_transfer",
            **{"transfer.transferred_on": "2026-05-20", "transfer.crossing_point": "Kipoi"},
        )
    )
    _accepted(worker, boss, world.worker, "2026-05-03", "2026-06-10")  # due 1 June: late
    rejected = sent_and_received(worker, boss, world.worker)
    ok(
        step(
            worker,
            rejected,
            "record_rejection",
            **{"reply.received_on": "2026-05-20", "reply.rejection_reason": "No evidence"},
        )
    )
    deemed = sent_and_received(worker, boss, world.worker)
    version = ok(worker.get(f"{API}/requests/{deemed}"))["version"]
    ok(post(boss, f"{API}/requests/{deemed}/deemed-consent", {"version": version}))
    sent_and_received(worker, boss, world.worker, counterpart="BG")
    drafted(worker, world.worker, agreement="tr-pk-2010", counterpart="PK", nationality="PAK")
    return world


def _rows(client, **params: str):  # type: ignore[no-untyped-def]
    body = ok(client.get(f"{API}/dashboard", params))
    return {row["code"]: row for row in body["counterparts"]}, body


def test_figures_per_counterpart(figures: World) -> None:
    rows, body = _rows(as_user(figures.boss), since="2026-01-01", until="2026-12-31")
    assert body["suppressed"] is False
    gr = rows["GR"]
    assert gr["name"] == "Greece"
    assert gr["requests"] == 4
    assert (gr["replies_on_time"], gr["replies_late"]) == (2, 1)
    assert (gr["accepted"], gr["deemed_accepted"], gr["rejected"]) == (2, 1, 1)
    assert gr["acceptance_rate"] == 0.75
    assert gr["transfers"] == 1
    assert gr["awaiting_reply"] == 0
    bg = rows["BG"]
    assert (bg["requests"], bg["awaiting_reply"], bg["replies_overdue"]) == (1, 1, 1)
    assert bg["acceptance_rate"] is None
    assert "PK" not in rows  # never sent: nothing happened in the period


def test_period_and_counterpart_filters(figures: World) -> None:
    boss = as_user(figures.boss)
    rows, _ = _rows(boss, since="2026-06-01", until="2026-06-30")
    gr = rows["GR"]
    # In June: the late acceptance (10 June) and the deemed consent (2 June) only.
    assert (gr["requests"], gr["accepted"], gr["deemed_accepted"], gr["rejected"]) == (0, 1, 1, 0)
    assert gr["transfers"] == 0
    rows, _ = _rows(boss, since="2026-01-01", until="2026-12-31", counterpart="bg")
    assert set(rows) == {"BG"}
    bad = boss.get(f"{API}/dashboard", {"since": "2026-12-31", "until": "2026-01-01"})
    assert bad.status_code == 422


def test_an_analyst_sees_small_counts_suppressed(figures: World) -> None:
    rows, body = _rows(as_user(figures.analyst), since="2026-01-01", until="2026-12-31")
    assert body["suppressed"] is True
    gr = rows["GR"]
    assert gr["requests"] is None  # 4: suppressed
    assert gr["acceptance_rate"] is None
    assert gr["awaiting_reply"] == 0


def test_overdue_replies_are_counted_by_their_due_date(figures: World) -> None:
    """A stored status is as of the request's last change: a reply whose due date has passed
    since counts as overdue all the same."""
    from ura.apps.cases.models import CaseDeadline

    CaseDeadline.objects.filter(code="reply_regular", met_on__isnull=True).update(status="open")
    rows, _ = _rows(as_user(figures.boss), since="2026-01-01", until="2026-12-31")
    assert rows["BG"]["replies_overdue"] == 1
