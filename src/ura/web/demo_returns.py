"""The demo's assisted voluntary returns: Gaziantep's return counsellor and supervisor run a
dozen AVRR cases at every stage, from a first counselling session to closure, with returnees
received by an international organisation's mission in Iraq and, for Kosovo, by the
municipal reintegration office's partner centre.

Every step goes through the returns app's services, as a counsellor would take it, dated in
the past in order, so deadlines, history and audit are those of real use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from ura.apps.accounts.models import Agency, AgencyKind, RoleCode, Unit, User
from ura.apps.accounts.services import role_assign, user_create
from ura.apps.cases import services as cases
from ura.apps.cases.models import Case
from ura.apps.returns import selectors as returns_selectors
from ura.apps.returns import services as returns
from ura.apps.returns.models import TravelDocumentRequest
from ura.web.demo import DEMO_PASSWORD
from ura.web.demo_cases import _visible_persons

#: The stages of the demo's AVRR cases, in procedure order; each case goes as far as its own.
STAGES = (
    "counselling",
    "eligible_child",
    "application_lodged",
    "pre_departure",
    "departed",
    "arrived",
    "reintegration",
    "monitoring",
    "closed",
    "withdrawn",
    "kosovo_monitoring",
    "not_eligible",
)
#: How many dated steps each stage takes (three days apart), and how many days before today
#: its last step was: the case that arrived did so ten days ago, so its reintegration plan is
#: due within the month.
_STEPS = {
    "counselling": (2, 4),
    "withdrawn": (4, 6),
    "not_eligible": (4, 8),
    "eligible_child": (4, 3),
    "application_lodged": (5, 2),
    "pre_departure": (7, 5),
    "departed": (9, 1),
    "arrived": (11, 10),
    "reintegration": (17, 6),
    "monitoring": (19, 9),
    "kosovo_monitoring": (19, 12),
    "closed": (20, 20),
}
_PARTNERS = (
    (
        "io-migration-iq",
        "International migration organisation — Erbil sub-office (demo)",
        AgencyKind.INTERNATIONAL_ORGANISATION,
        "IQ",
        "reintegration",
        "Reintegration",
        "io.erbil",
        ("Hawre", "Aziz"),
    ),
    (
        "xk-ngo-reintegration",
        "Reintegration Support Centre (demo)",
        AgencyKind.NGO,
        "XK",
        "reintegration",
        "Reintegration of Repatriated Persons",
        "ngo.reintegration",
        ("Blerta", "Gashi"),
    ),
)


def _partner(spec: tuple[Any, ...]) -> tuple[Agency, User]:
    code, name, kind, country, unit_code, unit_name, username, (first, last) = spec
    agency, _ = Agency.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "country": country}
    )
    unit, _ = Unit.objects.get_or_create(
        agency=agency, code=unit_code, defaults={"name": unit_name}
    )
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            actor=None,
            username=username,
            password=DEMO_PASSWORD,
            unit=unit,
            first_name=first,
            last_name=last,
        )
        role_assign(actor=None, user=user, role_code=RoleCode.PARTNER_NGO)
    return agency, user


def _days(start: dt.date) -> Iterator[dt.date]:
    day = start
    while True:
        yield day
        day += dt.timedelta(days=3)


class _Walk:
    """One case walked through the procedure by the counsellor, supervisor and partner."""

    def __init__(
        self,
        counsellor: User,
        boss: User,
        partner: tuple[Agency, User],
        person: str,
        start: dt.date,
    ) -> None:
        self.counsellor, self.boss = counsellor, boss
        self.agency, self.partner = partner
        self.days = _days(start)
        self.case = cases.case_create(
            actor=counsellor, procedure_code="avrr", person_id=person, opened_on=next(self.days)
        )

    def version(self) -> int:
        self.case.refresh_from_db()
        return self.case.version

    def step(self, transition: str, data: dict[str, Any], actor: User | None = None) -> None:
        returns.step_record(
            actor=actor or self.counsellor,
            case_id=self.case.pk,
            expected_version=self.version(),
            transition=transition,
            data_changes=data,
            occurred_on=next(self.days),
        )


def _walk(walk: _Walk, target: str, country: str, *, child: bool = False) -> None:
    c, boss, case_id = walk.counsellor, walk.boss, walk.case.pk
    returns.counselling_record(
        actor=c,
        case_id=case_id,
        expected_version=walk.version(),
        held_on=next(walk.days),
        language="Arabic" if country == "IRQ" else "Albanian",
        interpreter="Staff interpreter" if country == "IRQ" else "",
        topics=["return_options", "legal_status", "reintegration"],
        outcome="considering",
    )
    if target == "counselling":
        return
    returns.counselling_record(
        actor=c,
        case_id=case_id,
        expected_version=walk.version(),
        held_on=next(walk.days),
        language="Arabic" if country == "IRQ" else "Albanian",
        topics=["travel", "reintegration", "family"],
        outcome="wishes_to_return",
        notes="Wants to go home before the winter; family waiting.",
    )
    if target == "withdrawn":
        walk.step("withdraw", {"withdrawal.reason": "Found seasonal work; prefers to stay."})
        return
    returns.screening_record(
        actor=c,
        case_id=case_id,
        expected_version=walk.version(),
        screened_on=next(walk.days),
        eligible=target != "not_eligible",
        basis="National of the country of return; no pending protection claim."
        if target != "not_eligible"
        else "A protection claim is pending: referred to the asylum procedure.",
        unaccompanied_child=child,
        medical_needs=target == "monitoring",
        medical_notes="Hypertension; needs medication for three months."
        if target == "monitoring"
        else "",
    )
    if target in ("not_eligible", "eligible_child"):
        return
    returns.application_lodge(
        actor=c,
        case_id=case_id,
        expected_version=walk.version(),
        lodged_on=next(walk.days),
        destination_country=country,
        destination_place="Erbil" if country == "IRQ" else "Prizren",
        voluntariness_declared=True,
        shared_categories=["identity", "contact", "travel", "reintegration_needs"],
        partner_agency_id=walk.agency.pk,
        contact_at_destination="Staying with family; phone on file with the counsellor.",
        reintegration_intentions="Worked as a mechanic; wants a small repair workshop.",
    )
    if target == "application_lodged":
        return
    walk.step("approve_application", {}, actor=boss)
    request = returns.travel_document_request(
        actor=c,
        case_id=case_id,
        expected_version=walk.version(),
        consulate="Consulate General in Istanbul" if country == "IRQ" else "Consulate in Istanbul",
        country=country,
        requested_on=next(walk.days),
    )
    if target == "pre_departure":
        return
    _ready(walk, request, medical=target == "monitoring")
    returns.partner_refer(
        actor=c, case_id=case_id, expected_version=walk.version(), to_agency_id=walk.agency.pk
    )
    returns.referral_answer(
        actor=walk.partner, case_id=case_id, expected_version=walk.version(), accept=True
    )
    airport = "EBL" if country == "IRQ" else "PRN"
    for kind, place in (("departure", "GZT"), ("transit", "IST"), ("arrival", airport)):
        returns.movement_record(
            actor=c,
            case_id=case_id,
            expected_version=walk.version(),
            kind=kind,
            date=next(walk.days),
            place=place,
            confirmed_by=walk.agency.name if kind == "arrival" else "",
        )
        if target == "departed":
            return
    if target == "arrived":
        return
    p = walk.partner
    walk.step(
        "record_reception",
        {"reception.date": next(walk.days).isoformat(), "reception.organisation": walk.agency.name},
        actor=p,
    )
    walk.step(
        "agree_reintegration_plan",
        {
            "reintegration.assessed_on": next(walk.days).isoformat(),
            "reintegration.needs": ["income", "housing"],
            "reintegration.plan_goals": "Open a repair workshop; rent support for three months.",
        },
        actor=p,
    )
    items = [
        ("individual", "business", "Tools and first stock for the workshop", Decimal("1500")),
        ("individual", "housing", "Rent support, three months", Decimal("450")),
        ("community", "community_project", "Vocational training room at the youth centre", None),
    ]
    for level, kind, description, amount in items:
        returns.assistance_add(
            actor=p,
            case_id=case_id,
            expected_version=walk.version(),
            level=level,
            kind=kind,
            description=description,
            provider_agency_id=walk.agency.pk,
            planned_on=next(walk.days),
            amount=amount,
            currency="USD" if amount is not None else "",
        )
    first_item = returns_selectors.assistance(case=walk.case)[0]
    returns.assistance_deliver(
        actor=p,
        case_id=case_id,
        expected_version=walk.version(),
        item_id=first_item.pk,
        delivered_on=next(walk.days),
    )
    if target == "reintegration":
        return
    for answers in (
        {"employment": 2, "food_security": 3, "housing": 3, "documents": 4, "safety": 4},
        {"employment": 4, "food_security": 4, "housing": 4, "documents": 5, "safety": 4},
    ):
        returns.monitoring_visit_record(
            actor=p,
            case_id=case_id,
            expected_version=walk.version(),
            visited_on=next(walk.days),
            answers=answers,
        )
    if target in ("monitoring", "kosovo_monitoring"):
        return
    walk.step("close_case", {"closure.reason": "Reintegration sustainable."}, actor=boss)


def _ready(walk: _Walk, request: TravelDocumentRequest, *, medical: bool) -> None:
    day = next(walk.days)
    returns.travel_document_answer(
        actor=walk.counsellor,
        case_id=walk.case.pk,
        expected_version=walk.version(),
        request_id=request.pk,
        status="issued",
        answered_on=day,
        valid_until=day + dt.timedelta(days=60),
    )
    changes: dict[str, Any] = {
        "carrier": "Turkish Airlines",
        "booking_reference": f"DEMO{walk.case.pk:03d}",
        "departure_planned_on": day + dt.timedelta(days=3),
        "route": "GZT-IST-EBL",
        "allowance_amount": Decimal("400.00"),
        "allowance_currency": "EUR",
        "escort": "medical" if medical else "none",
    }
    if medical:
        changes |= {"fit_to_travel": "fit_with_escort", "fit_to_travel_on": day}
    returns.pre_departure_update(
        actor=walk.counsellor,
        case_id=walk.case.pk,
        expected_version=walk.version(),
        changes=changes,
    )


def demo_returns_load(
    users: dict[str, User], *, today: dt.date | None = None
) -> list[tuple[User, str, str]]:
    """Open the demo's AVRR cases if there are none yet; return (user, role, agency) of the
    partner organisations' users it made, for the list of demo logins. Needs the published
    person index."""
    today = today or timezone.localdate()
    with transaction.atomic():
        partners = [_partner(spec) for spec in _PARTNERS]
    logins = [(user, str(RoleCode.PARTNER_NGO.label), agency.name) for agency, user in partners]
    if Case.objects.filter(procedure_code="avrr").exists():
        return logins
    counsellor, boss = users["caseworker.gaziantep"], users["supervisor.gaziantep"]
    visible = _visible_persons(counsellor)
    # Iraqi nationals first: most of the demo's returns go to Iraq.
    visible.sort(key=lambda p: (p[1].nationality != "IRQ", p[0]))
    persons = [person for person, _record in visible[: len(STAGES)]]
    for target, person in zip(STAGES, persons, strict=False):
        kosovo = target == "kosovo_monitoring"
        steps, ago = _STEPS[target]
        start = today - dt.timedelta(days=3 * (steps - 1) + ago)
        with transaction.atomic():
            walk = _Walk(counsellor, boss, partners[1 if kosovo else 0], person, start)
            _walk(
                walk,
                "monitoring" if kosovo else target,
                "XKX" if kosovo else "IRQ",
                child=target == "eligible_child",
            )
    return logins
