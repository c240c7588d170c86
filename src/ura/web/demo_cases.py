"""The demo's casework: asylum cases at every stage with a backlog, and trafficking cases
referred to the demo's shelter organisation, so that every case page shows real-looking work.

Every case is made through the same services a caseworker's clicks call — the procedure's
guards, four-eyes approval, consent before a referral, audit and history all apply — with
each step recorded on the day it happened (``occurred_on``), a few days to many months ago.
The stories are drawn from a fixed seed: the same cases every time. Running it again adds
nothing.

The asylum caseload is shaped like a backlog: applications wait longest for an interview and
for the assessment, so the oldest regular cases are past the six-month decision period
(LFIP Art. 78), while decisions are approved week by week at a steady pace.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from ura.apps.accounts.models import Agency, Unit, User
from ura.apps.asylum import services as asylum
from ura.apps.asylum.selectors import triage_proposal
from ura.apps.cases import consents, decisions
from ura.apps.cases import services as cases
from ura.apps.cases.models import Case
from ura.apps.people.models import IndexHead, PersonLink, PersonRecord
from ura.apps.trafficking import services as trafficking

#: How many cases the demo opens.
DEMO_ASYLUM_CASES = 300
DEMO_TRAFFICKING_CASES = 36
_SEED = 20261129

# --- Asylum ------------------------------------------------------------------------------------

#: Stages an application can have reached, in procedure order, and the demo's share of each.
_ASYLUM_STAGES: tuple[tuple[str, int], ...] = (
    ("request_made", 4),
    ("registered", 6),
    ("screening", 10),
    ("interview_scheduled", 40),
    ("interviewed", 24),
    ("assessment", 62),
    ("information_requested", 8),
    ("decision_drafted", 8),
    ("decision_approved", 4),
    ("protection_granted", 52),
    ("negative_decision_notified", 18),
    ("appeal_lodged", 14),
    ("closed_final_negative", 12),
    ("withdrawn", 12),
)
_ORDER = (
    "request_made",
    "registered",
    "screening",
    "interview_scheduled",
    "interviewed",
    "assessment",
    "decision_drafted",
    "decision_approved",
    "notified",
    "appeal_lodged",
    "closed_final_negative",
)
#: Days between one step and the next (low, high) — the wait before the step named.
_GAPS = {
    "registered": (1, 6),
    "screening": (0, 2),
    "interview_scheduled": (2, 20),
    "interviewed": (7, 45),
    "assessment": (1, 10),
    "decision_drafted": (20, 160),
    "decision_approved": (1, 9),
    "notified": (2, 10),
    "appeal_lodged": (5, 14),
    "closed_final_negative": (60, 240),
}
#: How long a case has waited since its last step, by the stage it is in: the backlog.
_WAITS = {
    "request_made": (0, 4),
    "registered": (0, 6),
    "screening": (0, 10),
    "interview_scheduled": (5, 120),
    "interviewed": (1, 40),
    "assessment": (10, 420),
    "information_requested": (3, 40),
    "decision_drafted": (0, 6),
    "decision_approved": (0, 3),
    "protection_granted": (0, 84),
    "negative_decision_notified": (0, 12),
    "appeal_lodged": (5, 200),
    "closed_final_negative": (0, 60),
    "withdrawn": (25, 150),
}
_POSITIVE = (("conditional_refugee", 7), ("subsidiary_protection", 3), ("refugee", 1))
_NEGATIVE = (("rejected", 8), ("inadmissible", 1), ("excluded", 1))
_FACTS = (
    "The applicant states that armed men came to the family home twice and threatened to "
    "kill him if he did not join them.",
    "The applicant worked as an interpreter for a foreign organisation and received written "
    "threats after its office closed.",
    "The applicant belongs to a religious minority whose members in the home district were "
    "detained without charge.",
    "The applicant left after her brother was arrested for taking part in a demonstration "
    "and the police searched the house for her.",
)
_CITATIONS = (
    {
        "title": "Country focus: security situation (demo library entry)",
        "publisher": "Demo COI unit",
        "date": dt.date(2026, 5, 12),
        "url": "https://coi.example.org/demo/security-situation",
        "passage": "Targeted killings of persons perceived as affiliated with foreign "
        "organisations were reported in several provinces during the reference period.",
        "anchor": "§security¶4",
    },
    {
        "title": "Treatment of religious minorities (demo library entry)",
        "publisher": "Demo COI unit",
        "date": dt.date(2026, 2, 3),
        "url": "https://coi.example.org/demo/religious-minorities",
        "passage": "Members of the minority reported arbitrary detention and confiscation "
        "of property by local authorities.",
        "anchor": "p7¶2",
    },
)


@dataclass
class _Office:
    caseworker: User
    supervisor: User
    province: str
    place: str
    persons: list[tuple[str, PersonRecord]] = field(default_factory=list)


@dataclass
class _Story:
    """One application: who, where, when each step happened, and how it ends."""

    office: _Office
    person_id: str
    record: PersonRecord
    target: str
    dates: dict[str, dt.date]
    outcome: str = ""
    appeal_annulled: bool = False


def _weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], [w for _, w in choices])[0]


def _path(target: str) -> list[str]:
    """The main-path steps a case in ``target`` went through (in order)."""
    last = {
        "information_requested": "assessment",
        "protection_granted": "notified",
        "negative_decision_notified": "notified",
        "withdrawn": "interview_scheduled",
    }.get(target, target)
    return list(_ORDER[: _ORDER.index(last) + 1])


def _story(rng: random.Random, office: _Office, today: dt.date) -> _Story:
    person_id, record = office.persons.pop()
    target = _weighted(rng, _ASYLUM_STAGES)
    steps = _path(target)
    gaps = [rng.randint(*_GAPS[step]) if step in _GAPS else 0 for step in steps]
    total = sum(gaps) + rng.randint(*_WAITS[target])
    day = today - dt.timedelta(days=total)
    dates = {}
    for step, gap in zip(steps, gaps, strict=True):
        day += dt.timedelta(days=gap)
        dates[step] = day
    positive = target == "protection_granted" or (
        target in ("decision_drafted", "decision_approved") and rng.random() < 0.6
    )
    outcome = _weighted(rng, _POSITIVE if positive else _NEGATIVE)
    return _Story(office, person_id, record, target, dates, outcome, rng.random() < 0.15)


def _asylum_case(story: _Story, rng: random.Random, today: dt.date) -> None:
    worker = story.office.caseworker
    dates = story.dates
    case = cases.case_create(
        actor=worker,
        procedure_code="asylum",
        person_id=story.person_id,
        opened_on=dates["request_made"],
        vulnerabilities=["torture_survivor"] if rng.random() < 0.08 else [],
    )
    if "registered" not in dates:
        return
    record = story.record
    born = record.date_of_birth_text()
    case = asylum.application_register(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        foreigner_id=f"99{rng.randint(100000000, 999999999)}",
        province=story.office.province,
        reporting_frequency=rng.choice(["weekly", "biweekly", "monthly"]),
        reporting_place=story.office.place,
        nationality=record.nationality or "AFG",
        languages=[
            {"AFG": "fa", "IRN": "fa", "PAK": "ur", "RUS": "ru"}.get(record.nationality, "ar")
        ],
        applicant_name=f"{record.given_names} {record.family_name}".strip(),
        date_of_birth=born,
        occurred_on=dates["registered"],
    )
    if "screening" not in dates:
        return
    case = cases.case_transition(
        actor=worker,
        case_id=case.pk,
        transition="start_screening",
        expected_version=case.version,
        occurred_on=dates["screening"],
    )
    case = asylum.screening_record(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        inadmissibility_grounds=["safe_third_country"] if story.outcome == "inadmissible" else [],
        accelerated_grounds=[],
    )
    if "interview_scheduled" not in dates:
        return
    case = asylum.modality_decide(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        modality=_proposed_modality(case),
        occurred_on=dates["interview_scheduled"],
    )
    interview_on = dates.get("interviewed") or dates["interview_scheduled"] + dt.timedelta(
        days=rng.randint(7, 45)
    )
    case = asylum.interview_schedule(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        date=interview_on,
        time=dt.time(rng.choice([9, 10, 11, 14, 15]), 0),
        place=f"{story.office.place}, interview room {rng.randint(1, 4)}",
        language="Dari" if record.nationality == "AFG" else "Arabic",
        interpreter_needed=True,
        occurred_on=dates["interview_scheduled"],
    )
    if story.target == "withdrawn":
        _implicitly_withdrawn(case, story, today)
        return
    if "interviewed" not in dates:
        return
    case = asylum.interview_record(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        held_on=dates["interviewed"],
        language="Dari" if record.nationality == "AFG" else "Arabic",
        record=rng.choice(_FACTS) + " The applicant answered every question in detail.",
        duration_minutes=rng.randint(60, 180),
        interpreter="Demo interpreter",
        lawyer_present=rng.random() < 0.3,
        applicant_confirmed=True,
    )
    if "assessment" not in dates:
        return
    case = cases.case_transition(
        actor=worker,
        case_id=case.pk,
        transition="start_assessment",
        expected_version=case.version,
        occurred_on=dates["assessment"],
    )
    case = _assessment_written(case, story, rng)
    if story.target == "information_requested":
        asylum.information_request(
            actor=worker,
            case_id=case.pk,
            expected_version=case.version,
            subject="Original of the arrest warrant the applicant mentioned",
            addressee="The applicant, through the lawyer",
            due_on=today + dt.timedelta(days=rng.randint(5, 30)),
            occurred_on=dates["assessment"]
            + dt.timedelta(days=rng.randint(0, (today - dates["assessment"]).days)),
        )
        return
    if "decision_drafted" not in dates:
        return
    case = _decided(case, story)
    if "notified" not in dates:
        return
    case = asylum.decision_notify(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        notified_on=dates["notified"],
        method=rng.choice(["in_person", "representative", "post"]),
    )
    if "appeal_lodged" not in dates:
        return
    case = asylum.appeal_lodge(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        court="Administrative court (demo)",
        lodged_on=dates["appeal_lodged"],
    )
    if "closed_final_negative" not in dates:
        return
    case = asylum.appeal_decision_record(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        outcome="upheld",
        decided_on=dates["closed_final_negative"] - dt.timedelta(days=rng.randint(1, 10)),
    )
    asylum.negative_finalise(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        final_on=dates["closed_final_negative"],
    )


def _proposed_modality(case: Case) -> str:
    """The modality triage proposes from the case's profile (the demo accepts it)."""
    return str(triage_proposal(case).modality)


def _assessment_written(case: Case, story: _Story, rng: random.Random) -> Case:
    worker = story.office.caseworker
    case = asylum.assessment_update(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        sections={
            "material_facts": [rng.choice(_FACTS)],
            "credibility_internal": ["The account was detailed, coherent and consistent."],
            "credibility_external": ["The account is consistent with the sources cited [1]."],
            "well_founded_fear": [
                "There is a reasonable likelihood of serious harm on return [1]."
            ],
            "internal_protection": [
                "The agents of persecution operate throughout the country; no internal "
                "protection alternative is reasonably available."
            ],
            "convention_ground": ["The harm feared is linked to imputed political opinion."],
            "serious_harm": ["There is a real risk of torture or inhuman treatment [1]."],
            "exclusion": ["Nothing indicates that an exclusion clause applies."],
            "admissibility": ["No ground of inadmissibility was found at screening."],
        },
        convention_grounds=["political_opinion"],
        serious_harm=["torture"],
        credibility_finding="accepted",
        exclusion_clause="serious_non_political_crime" if story.outcome == "excluded" else None,
    )
    citation = rng.choice(_CITATIONS)
    return asylum.citation_add(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        title=str(citation["title"]),
        publisher=str(citation["publisher"]),
        date=citation["date"],  # type: ignore[arg-type]
        url=str(citation["url"]),
        passage=str(citation["passage"]),
        anchor=str(citation["anchor"]),
    )


def _decided(case: Case, story: _Story) -> Case:
    """Draft, submit and (if the story goes that far) approve the decision: the caseworker
    drafts, the supervisor approves (four-eyes), each on its own day."""
    worker, boss = story.office.caseworker, story.office.supervisor
    drafted = story.dates["decision_drafted"]
    decision = decisions.decision_draft(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        outcome=story.outcome,
        language="tr",
        reasons="See the assessment.",
        occurred_on=drafted,
    )
    case.refresh_from_db()
    decisions.decision_submit(
        actor=worker, decision_id=decision.pk, expected_version=case.version, occurred_on=drafted
    )
    case.refresh_from_db()
    if "decision_approved" in story.dates:
        decisions.decision_approve(
            actor=boss,
            decision_id=decision.pk,
            expected_version=case.version,
            occurred_on=story.dates["decision_approved"],
        )
        case.refresh_from_db()
    return case


def _implicitly_withdrawn(case: Case, story: _Story, today: dt.date) -> None:
    """Three reporting days missed without excuse, then the supervisor's implicit
    withdrawal (LFIP Art. 77(1))."""
    first = story.dates["interview_scheduled"] + dt.timedelta(days=7)
    for week in range(3):
        case = _reporting_missed(case, story, first + dt.timedelta(days=7 * week))
    withdrawn_on = min(first + dt.timedelta(days=21), today)
    asylum.application_withdraw(
        actor=story.office.supervisor,
        case_id=case.pk,
        expected_version=case.version,
        kind="implicit",
        ground="missed_reporting",
        occurred_on=withdrawn_on,
    )


def _reporting_missed(case: Case, story: _Story, due_on: dt.date) -> Case:
    asylum.reporting_record(
        actor=story.office.caseworker,
        case_id=case.pk,
        expected_version=case.version,
        due_on=due_on,
        status="missed",
    )
    case.refresh_from_db()
    return case


# --- Trafficking -------------------------------------------------------------------------------

#: Stages of the demo's trafficking cases and how many cases end in each.
_TRAFFICKING_STAGES: tuple[tuple[str, int], ...] = (
    ("screening", 4),
    ("presumed_victim", 3),
    ("risk_assessed", 4),
    ("referred", 6),
    ("referral_not_possible", 2),
    ("first_assistance", 7),
    ("long_term_assistance", 6),
    ("in_proceedings", 2),
    ("closure_requested", 1),
    ("closed", 1),
)
_TRAFFICKING_PATH = (
    "screening",
    "presumed_victim",
    "risk_assessed",
    "referred",
    "first_assistance",
    "long_term_assistance",
    "in_proceedings",
    "closure_requested",
    "closed",
)
_TICKS = (
    "adult_labour.deceptive_recruitment.s1",
    "adult_labour.deceptive_recruitment.m1",
    "adult_labour.exploitative_conditions.s1",
    "adult_labour.exploitative_conditions.m1",
    "adult_labour.coercion_at_destination.s1",
    "adult_labour.coercion_at_destination.s2",
    "adult_labour.abuse_of_vulnerability_at_destination.w1",
)


@dataclass
class _Shelter:
    worker: User
    boss: User
    ngo: User
    agency: Agency
    unit: Unit


def _trafficking_case(
    rng: random.Random, shelter: _Shelter, person_id: str, target: str, today: dt.date
) -> None:
    worker = shelter.worker
    if target == "referral_not_possible":
        steps: Sequence[str] = ("screening", "presumed_victim", "risk_assessed", target)
    else:
        steps = _TRAFFICKING_PATH[: _TRAFFICKING_PATH.index(target) + 1]
    days = iter(_trafficking_days(rng, len(steps), today))
    case = cases.case_create(
        actor=worker, procedure_code="trafficking", person_id=person_id, opened_on=next(days)
    )
    if target == "screening":
        return
    on = next(days)
    trafficking.screening_record(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        list_code="adult_labour",
        observed=list(_TICKS[: rng.randint(5, len(_TICKS))]),
        conclusion="presumed_victim",
        basis="Passport withheld by the employer, debt for travel, locked dormitory.",
        profile={"gender": rng.choice(["female", "male"]), "age_band": "18-24"},
        occurred_on=on,
    )
    case.refresh_from_db()
    if target == "presumed_victim":
        return
    case = _step(worker, case, "assess_risk", next(days), _RISK)
    if target == "risk_assessed":
        return
    if target == "referral_not_possible":
        _step(
            worker,
            case,
            "record_referral_not_possible",
            next(days),
            {"referral.not_possible_reason": "The person declined any referral for now."},
        )
        return
    on = next(days)
    person = case.persons.get().person_id
    consents.consent_record(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        person_id=person,
        kind="referral",
        given_on=on,
    )
    case.refresh_from_db()
    case = trafficking.case_refer(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        to_agency_id=shelter.agency.pk,
        to_unit_id=shelter.unit.pk,
        reason="Safe accommodation and psychological support",
        services_requested=["accommodation", "psychosocial"],
        occurred_on=on,
    )
    if target == "referred":
        return
    on = next(days)
    trafficking.referral_answer(
        actor=shelter.ngo,
        referral_id=int(case.data["referral"]["id"]),
        expected_version=case.version,
        accept=True,
        occurred_on=on,
    )
    case.refresh_from_db()
    case = _step(
        worker,
        case,
        "grant_victim_permit",
        on,
        {
            "victim_permit.number": f"VP-{rng.randint(10000, 99999)}",
            "victim_permit.issued_on": on.isoformat(),
        },
    )
    for kind in ("shelter", "psychological", "medical")[: rng.randint(1, 3)]:
        trafficking.service_record(
            actor=shelter.ngo,
            case_id=case.pk,
            expected_version=case.version,
            kind=kind,
            provider_agency_id=shelter.agency.pk,
            started_on=on,
        )
        case.refresh_from_db()
    if target == "first_assistance":
        return
    on = next(days)
    case = _step(
        worker,
        case,
        "renew_victim_permit",
        on,
        {"victim_permit.renewed_until": (on + dt.timedelta(days=180)).isoformat()},
    )
    case = _step(
        worker,
        case,
        "agree_assistance_plan",
        on,
        {"assistance_plan.goals": "Safe housing, Turkish classes, vocational training."},
    )
    if target == "long_term_assistance":
        return
    case = _step(
        worker,
        case,
        "start_proceedings",
        next(days),
        {
            "proceedings.kind": "criminal",
            "proceedings.court": "Criminal court (demo)",
            "proceedings.cooperation": "cooperating",
            "proceedings.protection_measures": [],
            "proceedings.legal_aid": True,
        },
    )
    if target == "in_proceedings":
        return
    case = _step(worker, case, "end_proceedings", next(days), {"proceedings.outcome": "Convicted"})
    case = _step(
        worker, case, "request_closure", next(days), {"closure.reason": "Goals of the plan met."}
    )
    # The supervisor who approves the closure sees the case only once assigned to it.
    cases.case_assign(
        actor=worker, case_id=case.pk, expected_version=case.version, user_ids=[shelter.boss.pk]
    )
    case.refresh_from_db()
    if target == "closure_requested":
        return
    _step(shelter.boss, case, "approve_closure", next(days), {})


_RISK = {
    "risk_assessment.level": "high",
    "safety_plan.summary": "Move to the shelter; no contact with the employer.",
    "immediate_needs": ["shelter", "medical"],
}


def _step(actor: User, case: Case, transition: str, on: dt.date, data: dict[str, Any]) -> Case:
    return trafficking.step_record(
        actor=actor,
        case_id=case.pk,
        expected_version=case.version,
        transition=transition,
        data_changes=data,
        occurred_on=on,
    )


def _trafficking_days(rng: random.Random, steps: int, today: dt.date) -> Iterator[dt.date]:
    """The opening day and one day per later step, in order, none after today."""
    gaps = [rng.randint(1, 20) for _ in range(steps + 2)]
    day = today - dt.timedelta(days=sum(gaps))
    for gap in gaps:
        day += dt.timedelta(days=gap)
        yield min(day, today)


# --- Loading -----------------------------------------------------------------------------------


def _visible_persons(user: User) -> list[tuple[str, PersonRecord]]:
    """Persons of the published index whose record ``user`` registered, one per person."""
    head = IndexHead.objects.first()
    if head is None:
        return []
    found: dict[str, PersonRecord] = {}
    for link in (
        PersonLink.objects.filter(run_id=head.run_id, record__created_by=user)
        .select_related("person", "record")
        .order_by("record_id")
    ):
        found.setdefault(link.person.person_id, link.record)
    return sorted(found.items())


def demo_cases_load(
    users: dict[str, User],
    *,
    asylum_cases: int = DEMO_ASYLUM_CASES,
    trafficking_cases: int = DEMO_TRAFFICKING_CASES,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[int, int]:
    """Open the demo's cases if there are none yet; return (asylum, trafficking) opened.

    Needs the published person index (``demo_extracts_load``): every case is about a person
    of the index that its caseworker can see.
    """
    if Case.objects.exists():
        return 0, 0
    rng = random.Random(_SEED)  # noqa: S311 (reproducible synthetic data, not security)
    today = today or timezone.localdate()
    say = progress or (lambda message: None)
    offices = [
        _Office(users["caseworker.istanbul"], users["supervisor.istanbul"], "34", "İstanbul PMM"),
        _Office(
            users["caseworker.gaziantep"], users["supervisor.gaziantep"], "27", "Gaziantep PMM"
        ),
    ]
    for office in offices:
        office.persons = _visible_persons(office.caseworker)
        rng.shuffle(office.persons)
    opened_asylum = 0
    for n in range(asylum_cases):
        office = offices[n % len(offices)]
        if not office.persons:
            break
        if n % 25 == 0:
            say(f"Opening asylum cases… {n}/{asylum_cases}")
        with transaction.atomic():
            _asylum_case(_story(rng, office, today), rng, today)
        opened_asylum += 1
    shelter_user = users["ngo.shelter"]
    if shelter_user.unit is None:
        raise RuntimeError("the demo's shelter organisation user belongs to no unit")
    shelter = _Shelter(
        worker=users["caseworker.istanbul"],
        boss=users["supervisor.istanbul"],
        ngo=shelter_user,
        agency=shelter_user.unit.agency,
        unit=shelter_user.unit,
    )
    remaining = offices[0].persons
    targets = [stage for stage, count in _TRAFFICKING_STAGES for _ in range(count)]
    opened_trafficking = 0
    say("Opening trafficking cases…")
    for target in targets[:trafficking_cases]:
        if not remaining:
            break
        person_id, _record = remaining.pop()
        with transaction.atomic():
            _trafficking_case(rng, shelter, person_id, target, today)
        opened_trafficking += 1
    return opened_asylum, opened_trafficking
