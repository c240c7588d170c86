"""The demo's removal cases (forced return, LFIP Art. 52-60), in different states.

Every case is made through the removals services a caseworker's clicks call — the
procedure's guards, the removals rules (48 hours, appeal, detention maximum), audit and
history all apply — each step recorded on the day it happened (``occurred_on``). The cases
are about persons of the İstanbul caseworker's records that no other demo case uses. Running
it again adds nothing.

The stories:

1. apprehended this morning: the 48-hour decision clock runs;
2. notified with a 20-day voluntary departure period, running;
3. detained in a removal centre, decision final, travel document requested: the **monthly
   review is due within days**;
4. detained for seven months, **extended for non-cooperation** (consulate refused, identity
   withheld) after five monthly reviews; reviews continue;
5. appeal pending at the administrative court (removal suspended), under an alternative to
   detention (residence and reporting duty);
6. removed by air with an escort after detention, entry ban imposed, closed;
7. left voluntarily within the period, closed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from ura.apps.accounts.models import User
from ura.apps.cases import services as cases
from ura.apps.cases.models import Case, CasePerson
from ura.apps.people.models import IndexHead, PersonLink
from ura.apps.removals import services as removals

DEMO_REMOVAL_CASES = 7


def _months_before(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _months_after(day: dt.date, months: int) -> dt.date:
    return _months_before(day, -months)


def _free_persons(user: User, wanted: int) -> list[str]:
    """Persons of the published index whose record ``user`` registered, in a stable order:
    first those no case is about, then those whose cases are all closed (a final negative
    asylum decision leads to the removal track, LFIP Art. 54(1)(l)); never one with an open
    case."""
    head = IndexHead.objects.first()
    if head is None:
        return []
    open_cases = set(
        CasePerson.objects.filter(case__closed_at__isnull=True).values_list("person_id", flat=True)
    )
    any_case = set(CasePerson.objects.values_list("person_id", flat=True))
    mine = list(
        dict.fromkeys(
            PersonLink.objects.filter(run_id=head.run_id, record__created_by=user)
            .order_by("person__person_id")
            .values_list("person__person_id", flat=True)
        )
    )
    free = [p for p in mine if p not in any_case]
    closed = [p for p in mine if p in any_case and p not in open_cases]
    return (free + closed)[:wanted]


class _Story:
    """One case: each step by the officer whose role takes it, on its own day."""

    def __init__(self, worker: User, boss: User, person_id: str, opened_on: dt.date) -> None:
        self.worker, self.boss = worker, boss
        self.case = cases.case_create(
            actor=worker, procedure_code="removal", person_id=person_id, opened_on=opened_on
        )
        cases.case_assign(
            actor=boss, case_id=self.case.pk, expected_version=self.case.version, user_ids=[boss.pk]
        )
        self.case.refresh_from_db()

    def step(
        self, transition: str, on: dt.date, data: dict[str, Any], *, boss: bool = False
    ) -> None:
        self.case = removals.step_record(
            actor=self.boss if boss else self.worker,
            case_id=self.case.pk,
            expected_version=self.case.version,
            transition=transition,
            data_changes=data,
            occurred_on=on,
        )
        self.case.refresh_from_db()

    def apprehended(self, at: dt.datetime, place: str, unit: str, identified_by: str) -> None:
        self.step(
            "record_apprehension",
            at.date(),
            {
                "apprehension.at": at.isoformat(timespec="minutes"),
                "apprehension.place": place,
                "apprehension.unit": unit,
                "apprehension.identified_by": identified_by,
            },
        )

    def decided(self, at: dt.datetime, grounds: list[str], reasons: str) -> None:
        self.step(
            "order_removal",
            at.date(),
            {
                "decision.at": at.isoformat(timespec="minutes"),
                "decision.authority": "İstanbul Governorate (Provincial Directorate of "
                "Migration Management)",
                "decision.grounds": grounds,
                "decision.reasons": reasons,
            },
            boss=True,
        )

    def notified(self, on: dt.date, language: str, *, days: int | None = None) -> None:
        data: dict[str, Any] = {
            "notification.date": on.isoformat(),
            "notification.language": language,
            "notification.interpreter": "Sworn interpreter of the directorate",
        }
        if days is None:
            data["voluntary_departure.exclusion_ground"] = "absconding_risk"
            self.step("notify_without_voluntary_departure", on, data)
        else:
            data["voluntary_departure.days"] = days
            self.step("notify_with_voluntary_departure", on, data)

    def detained(self, on: dt.date, reference: str) -> None:
        self.step(
            "order_detention",
            on,
            {
                "detention.order_reference": reference,
                "detention.started_on": on.isoformat(),
                "detention.place": "Tuzla Removal Centre",
                "detention.place_kind": "removal_centre",
                "detention.reasons": "Risk of absconding: no known address; did not comply "
                "with an earlier order to leave.",
            },
            boss=True,
        )

    def reviewed(self, on: dt.date, reasons: str) -> None:
        self.step(
            "review_detention",
            on,
            {
                "review.date": on.isoformat(),
                "review.reviewer": "Deputy Governor (removal review board)",
                "review.outcome": "continue",
                "review.reasons": reasons,
            },
            boss=True,
        )

    def final(self, on: dt.date) -> None:
        self.step("record_decision_final", on, {"appeal.none_lodged_checked_on": on.isoformat()})

    def requested(self, on: dt.date, country: str, consulate: str) -> None:
        self.case = removals.travel_document_request(
            actor=self.worker,
            case_id=self.case.pk,
            expected_version=self.case.version,
            country=country,
            consulate=consulate,
            requested_on=on,
        )

    def answered(self, on: dt.date, number: int, answer: str, kind: str = "") -> None:
        self.case = removals.consulate_answer(
            actor=self.worker,
            case_id=self.case.pk,
            expected_version=self.case.version,
            request_number=number,
            answer=answer,
            answered_on=on,
            document_kind=kind,
            document_number="ETD-2026-0412" if answer == "issued" else "",
        )


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0)  # noqa: DTZ001 (local wall time)


_IRREGULAR = (
    "Entered irregularly across the eastern border; no residence permit; no claim for "
    "international protection made."
)
_OVERSTAY = "Visa expired more than ten days ago; working without a work permit."


def _stories(worker: User, boss: User, persons: list[str], today: dt.date) -> int:
    made = 0
    places = (
        "Zeytinburnu, İstanbul",
        "İstanbul Provincial Police, irregular migration bureau",
    )

    # 1. Apprehended this morning.
    story = _Story(worker, boss, persons[0], today)
    story.apprehended(_at(today, 6), places[0], places[1], "fingerprints")
    made += 1

    # 2. Voluntary departure running.
    start = today - dt.timedelta(days=6)
    story = _Story(worker, boss, persons[1], start)
    story.apprehended(_at(start, 11), "Laleli, İstanbul", places[1], "passport")
    story.decided(_at(start + dt.timedelta(days=1), 10), ["art54_1_f", "art54_1_i"], _OVERSTAY)
    story.notified(start + dt.timedelta(days=1), "uz", days=20)
    made += 1

    # 3. Detained; the monthly review is due tomorrow.
    start = _months_before(today, 1) + dt.timedelta(days=1)
    story = _Story(worker, boss, persons[2], start - dt.timedelta(days=1))
    story.apprehended(_at(start - dt.timedelta(days=1), 22), places[0], places[1], "statement")
    story.decided(_at(start, 14), ["art54_1_j"], _IRREGULAR)
    story.detained(start, "34-GÖÇ-2026/2291")
    story.notified(start, "ps")
    story.final(start + dt.timedelta(days=9))
    story.requested(
        start + dt.timedelta(days=10), "AFG", "Consulate General of Afghanistan, İstanbul"
    )
    made += 1

    # 4. Detained seven months, extended for non-cooperation.
    start = _months_before(today, 7) + dt.timedelta(days=3)
    story = _Story(worker, boss, persons[3], start - dt.timedelta(days=1))
    story.apprehended(
        _at(start - dt.timedelta(days=1), 19), "Esenyurt, İstanbul", places[1], "fingerprints"
    )
    story.decided(
        _at(start, 9), ["art54_1_j", "art54_1_c"], _IRREGULAR + " Used a forged passport."
    )
    story.detained(start, "34-GÖÇ-2026/0716")
    story.notified(start, "ar")
    story.final(start + dt.timedelta(days=8))
    story.requested(start + dt.timedelta(days=10), "MAR", "Consulate General of Morocco, İstanbul")
    not_cooperating = (
        "Identity still unconfirmed; the person declines to speak to either consulate."
    )
    story.reviewed(_months_after(start, 1), not_cooperating)
    story.answered(start + dt.timedelta(days=40), 1, "refused")
    story.requested(start + dt.timedelta(days=45), "DZA", "Consulate General of Algeria, İstanbul")
    for month in range(2, 6):
        story.reviewed(_months_after(start, month), not_cooperating)
    story.step(
        "extend_detention",
        _months_after(start, 5) + dt.timedelta(days=20),
        {
            "detention.extension.decided_on": (
                _months_after(start, 5) + dt.timedelta(days=20)
            ).isoformat(),
            "detention.extension.months": 4,
            "detention.extension.reasons": "Does not cooperate in establishing identity: refused "
            "fingerprint comparison abroad, gave two different nationalities, missed both "
            "consular interviews (LFIP Art. 57(3)).",
        },
        boss=True,
    )
    for month in (6, 7):
        if _months_after(start, month) <= today:
            story.reviewed(
                _months_after(start, month),
                "Extension for non-cooperation in force; a third consulate is being approached.",
            )
    made += 1

    # 5. Appeal pending, alternative to detention.
    start = today - dt.timedelta(days=12)
    story = _Story(worker, boss, persons[4], start)
    story.apprehended(_at(start, 15), "Fatih, İstanbul", places[1], "passport")
    story.decided(
        _at(start + dt.timedelta(days=1), 11),
        ["art54_1_h"],
        "Residence permit expired; renewal refused.",
    )
    story.step(
        "order_alternative",
        start + dt.timedelta(days=1),
        {
            "alternative.kinds": ["residence", "reporting"],
            "alternative.started_on": (start + dt.timedelta(days=1)).isoformat(),
            "alternative.conditions": "Lives at the declared address in Fatih; reports to the "
            "Fatih police station every Monday and Thursday.",
        },
        boss=True,
    )
    story.notified(start + dt.timedelta(days=2), "fa")
    story.step(
        "lodge_appeal",
        start + dt.timedelta(days=6),
        {
            "appeal.lodged_on": (start + dt.timedelta(days=6)).isoformat(),
            "appeal.court": "İstanbul 4th Administrative Court",
        },
    )
    made += 1

    # 6. Removed after detention, entry ban, closed.
    start = today - dt.timedelta(days=48)
    story = _Story(worker, boss, persons[5], start)
    story.apprehended(_at(start, 8), "Kumkapı, İstanbul", places[1], "consular")
    story.decided(_at(start, 17), ["art54_1_j"], _IRREGULAR)
    story.detained(start, "34-GÖÇ-2026/1980")
    story.notified(start + dt.timedelta(days=1), "ur")
    story.final(start + dt.timedelta(days=10))
    story.requested(start + dt.timedelta(days=11), "PAK", "Consulate General of Pakistan, İstanbul")
    story.answered(start + dt.timedelta(days=25), 1, "issued", "laissez_passer")
    story.reviewed(_months_after(start, 1), "Travel document issued; flight being booked.")
    removed_on = _months_after(start, 1) + dt.timedelta(days=4)
    story.step(
        "execute_removal",
        removed_on,
        {
            "removal.executed_on": removed_on.isoformat(),
            "removal.route": "air",
            "removal.route_detail": "İstanbul (IST) to Islamabad (ISB)",
            "removal.escort": "escort_team",
            "removal.destination_country": "PAK",
        },
    )
    story.step(
        "impose_entry_ban",
        removed_on,
        {
            "entry_ban.starts_on": removed_on.isoformat(),
            "entry_ban.months": 24,
            "entry_ban.reasons": "Removed after irregular entry and stay (LFIP Art. 9).",
        },
        boss=True,
    )
    story.step("close_case", removed_on, {"closure.reason": "Removed; entry ban recorded."})
    made += 1

    # 7. Left voluntarily within the period.
    start = today - dt.timedelta(days=30)
    story = _Story(worker, boss, persons[6], start)
    story.apprehended(_at(start, 13), "Aksaray, İstanbul", places[1], "passport")
    story.decided(_at(start, 18), ["art54_1_f"], _OVERSTAY)
    story.notified(start + dt.timedelta(days=1), "ky", days=15)
    left = start + dt.timedelta(days=12)
    story.step(
        "record_voluntary_departure",
        left,
        {
            "departure.date": left.isoformat(),
            "departure.border_gate": "İstanbul Airport",
            "departure.destination_country": "KGZ",
        },
    )
    story.step("close_case", left, {"closure.reason": "Left voluntarily within the period."})
    return made + 1


def demo_removals_load(
    users: dict[str, User],
    *,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Open the demo's removal cases if there are none yet; return how many were opened.

    Needs the published person index and free persons of the İstanbul caseworker's records.
    """
    if Case.objects.filter(procedure_code="removal").exists():
        return 0
    worker, boss = users["caseworker.istanbul"], users["supervisor.istanbul"]
    persons = _free_persons(worker, DEMO_REMOVAL_CASES)
    if len(persons) < DEMO_REMOVAL_CASES:
        return 0
    (progress or (lambda message: None))("Opening removal cases…")
    with transaction.atomic():
        return _stories(worker, boss, persons, today or timezone.localdate())
