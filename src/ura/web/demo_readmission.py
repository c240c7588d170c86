"""The demo's readmission requests: the Gaziantep removal work of the demo, requests under
the EU-Türkiye agreement to several Member States and under the Türkiye-Pakistan example,
in every state from a fresh draft to a person returned back.

Each request is made through the same services a caseworker's clicks call (the agreement's
rules, the procedure's guards, the common form kept as a PDF, deemed consent, audit), each
step on the day it happened, counted back from today, so that the case pages show running
and overdue deadlines and the dashboard has figures for every counterpart. Running it again
adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from ura.apps.accounts.models import User
from ura.apps.cases.models import Case, CasePerson
from ura.apps.people.models import IndexHead, PersonLink
from ura.apps.readmission import services as readmission

_EVIDENCE = {
    "own_national": ["passport", "statement"],
    "third_country_national": ["entry_stamp", "fingerprints", "statement"],
}
_PLACES = {
    "GR": ("Edirne, Pazarkule border gate", "Kipoi-İpsala", "land"),
    "BG": ("Kırklareli, Dereköy", "Kapitan Andreevo-Kapıkule", "land"),
    "DE": ("İstanbul Airport", "İstanbul Airport", "air"),
    "NL": ("İzmir, Çeşme coast", "İzmir Adnan Menderes Airport", "air"),
    "AT": ("İstanbul Airport", "İstanbul Airport", "air"),
    "PK": ("Van, Kapıköy", "İstanbul Airport", "air"),
}


@dataclass
class _Request:
    """One request: where to, under which procedure, and each step's day (days ago)."""

    counterpart: str
    target: str
    apprehended: int
    regime: str = "regular"
    grounds: str = "third_country_national"
    steps: dict[str, int] = field(default_factory=dict)


#: From a fresh draft to a person returned back; days counted back from today.
_REQUESTS = (
    _Request("GR", "drafted", 1, regime="accelerated"),
    _Request("GR", "sent", 9, steps={"send": 3}),
    _Request("GR", "reply_due", 20, steps={"send": 14, "receipt": 12}),
    _Request("BG", "reply_due", 70, steps={"send": 55, "receipt": 52}),  # silent: deemed due
    _Request("GR", "deemed_accepted", 110, steps={"send": 95, "receipt": 93, "deemed": 0}),
    _Request(
        "GR",
        "transfer_scheduled",
        60,
        steps={"send": 50, "receipt": 48, "accept": 30, "document": 27, "schedule": 20},
    ),
    _Request(
        "BG", "travel_document", 45, steps={"send": 40, "receipt": 38, "accept": 16, "document": 12}
    ),
    _Request(
        "DE",
        "rejected",
        80,
        grounds="own_national",
        steps={"send": 70, "receipt": 66, "reject": 50},
    ),
    _Request(
        "GR",
        "transferred",
        90,
        steps={
            "send": 80,
            "receipt": 79,
            "accept": 60,
            "document": 57,
            "schedule": 50,
            "transfer": 20,
        },
    ),
    _Request(
        "AT",
        "closed",
        260,
        steps={
            "send": 250,
            "receipt": 247,
            "accept": 230,
            "document": 226,
            "schedule": 220,
            "transfer": 200,
            "close": 100,
        },
    ),
    _Request(
        "BG",
        "returned_back",
        200,
        steps={
            "send": 190,
            "receipt": 188,
            "accept": 170,
            "document": 168,
            "schedule": 160,
            "transfer": 150,
            "return_back": 120,
        },
    ),
    _Request("PK", "reply_due", 80, grounds="own_national", steps={"send": 70, "receipt": 60}),
    _Request(
        "PK",
        "travel_document",
        120,
        grounds="own_national",
        steps={"send": 110, "receipt": 100, "accept": 40, "document": 30},
    ),
    _Request("GR", "withdrawn", 40, steps={"send": 35, "receipt": 33, "withdraw": 25}),
    _Request(
        "NL",
        "accepted",
        30,
        regime="accelerated",
        steps={"send": 29, "receipt": 28, "accept": 23, "obstacle": 15},
    ),
)


def _free_persons(user: User) -> list[str]:
    """Persons of the published index registered by ``user`` and in no case yet."""
    head = IndexHead.objects.first()
    if head is None:
        return []
    taken = set(CasePerson.objects.values_list("person_id", flat=True))
    found = (
        PersonLink.objects.filter(run_id=head.run_id, record__created_by=user)
        .order_by("record_id")
        .values_list("person__person_id", flat=True)
    )
    return sorted({p for p in found if p not in taken})


def _request(worker: User, boss: User, person_id: str, spec: _Request, today: dt.date) -> None:
    def day(step: str) -> dt.date:
        return today - dt.timedelta(days=spec.steps[step])

    def iso(step: str) -> str:
        return day(step).isoformat()

    place, crossing, means = _PLACES[spec.counterpart]
    agreement = "tr-pk-2010" if spec.counterpart == "PK" else "eu-tr-2014"
    apprehended = today - dt.timedelta(days=spec.apprehended)
    case = readmission.request_draft(
        actor=worker,
        person_id=person_id,
        agreement=agreement,
        counterpart=spec.counterpart,
        regime=spec.regime,
        grounds=spec.grounds,
        evidence=_EVIDENCE[spec.grounds],
        nationality="PAK" if spec.counterpart == "PK" else "AFG",
        apprehended_on=apprehended,
        apprehension_place=place,
        border_region=spec.regime == "accelerated",
        drafted_on=None if spec.regime == "accelerated" else apprehended + dt.timedelta(days=2),
    )

    def step(transition: str, values: dict[str, Any], on: str | None = None) -> None:
        nonlocal case
        case = readmission.step_record(
            actor=worker,
            case_id=case.pk,
            transition=transition,
            expected_version=case.version,
            values=values,
            occurred_on=day(on) if on else None,
        )

    steps = spec.steps
    if "send" in steps:
        case = readmission.request_send(
            actor=boss, case_id=case.pk, expected_version=case.version, sent_on=day("send")
        )
    if "receipt" in steps:
        step("record_receipt", {"request.received_on": iso("receipt")})
    if "accept" in steps:
        step(
            "record_acceptance",
            {
                "reply.received_on": iso("accept"),
                "reply.reference": f"{spec.counterpart}-RA-{case.pk:04d}",
            },
        )
    if "reject" in steps:
        step(
            "record_rejection",
            {
                "reply.received_on": iso("reject"),
                "reply.rejection_reason": "The evidence does not establish the nationality.",
            },
        )
    if "deemed" in steps:
        case = readmission.deemed_consent_apply(
            actor=boss, case_id=case.pk, expected_version=case.version, today=today
        )
    if "document" in steps:
        step(
            "record_travel_document",
            {
                "travel_document.kind": "passport"
                if spec.grounds == "own_national"
                else "laissez_passer",
                "travel_document.number": f"TD{case.pk:06d}",
                "travel_document.issued_on": iso("document"),
            },
        )
    if "obstacle" in steps:
        step(
            "record_transfer_obstacle",
            {
                "transfer.obstacle": "Medical: not fit to travel until cleared by a doctor.",
                "transfer.obstacle_since": iso("obstacle"),
            },
        )
    if "schedule" in steps:
        transfer_day = day("transfer") if "transfer" in steps else today + dt.timedelta(days=6)
        step(
            "schedule_transfer",
            {
                "transfer.scheduled_on": transfer_day.isoformat(),
                "transfer.crossing_point": crossing,
                "transfer.means": means,
                "transfer.escort": "Two officers of the removal centre",
            },
            on="schedule",
        )
    if "transfer" in steps:
        step(
            "record_transfer",
            {"transfer.transferred_on": iso("transfer"), "transfer.crossing_point": crossing},
        )
    if "return_back" in steps:
        step(
            "record_return_back",
            {
                "return_back.requested_on": iso("return_back"),
                "return_back.reason": "The requested state found the person is not its national.",
            },
        )
    if "close" in steps:
        step("close", {}, on="close")
    if "withdraw" in steps:
        step(
            "withdraw",
            {"withdrawal.reason": "The person applied for international protection."},
            on="withdraw",
        )
    if case.state != spec.target:
        raise RuntimeError(f"demo readmission request ended in {case.state}, not {spec.target}")


def demo_readmission_load(
    users: dict[str, User],
    *,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Open the demo's readmission requests if there are none yet; return how many.

    Needs the published person index (``demo_extracts_load``).
    """
    if Case.objects.filter(procedure_code="readmission").exists():
        return 0
    today = today or timezone.localdate()
    if progress:
        progress("Opening readmission requests…")
    worker, boss = users["caseworker.gaziantep"], users["supervisor.gaziantep"]
    persons = _free_persons(worker)
    opened = 0
    for spec, person_id in zip(_REQUESTS, persons, strict=False):
        with transaction.atomic():
            _request(worker, boss, person_id, spec, today)
        opened += 1
    return opened
