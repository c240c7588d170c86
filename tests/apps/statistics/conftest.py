"""A small, known world for the statistics app: a published person index and asylum and
trafficking cases whose transitions emitted events, with analysts to build and review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests.apps.cases.factories import make_case
from tests.factories import make_record, make_unit, make_user
from ura.apps.accounts.models import RoleCode, User
from ura.apps.cases.models import CaseEvent, CaseEventKind, CasePerson
from ura.apps.people.models import IndexHead, LinkageRun, Person, PersonLink

#: The world's table ids that a test build computes (one of each protection rule).
TABLES = ["migr_asyappctza", "crim_thb_vexp", "ura_asy_recognition_rate", "migr_asydcfsta"]
START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


@dataclass
class World:
    steward: User
    persons: dict[str, tuple[str, dt.date | None, str]]  # person id -> (sex, birth, nat)
    applications: int  # asylum applications registered in 2025 (one person each)
    syrian_women: int
    decisions: dict[str, int]  # outcome -> count in 2025
    victims: int


@pytest.fixture
def analyst(db: None) -> User:
    return make_user(role=RoleCode.ANALYST, unit=make_unit(), username="analyst-a")


@pytest.fixture
def second_analyst(db: None) -> User:
    return make_user(role=RoleCode.ANALYST, unit=make_unit(), username="analyst-b")


@pytest.fixture
def supervisor(db: None) -> User:
    return make_user(role=RoleCode.SUPERVISOR, unit=make_unit(), username="supervisor-s")


def _event(case_id: int, code: str, on: dt.date, version: int) -> None:
    CaseEvent.objects.create(
        case_id=case_id,
        version=version,
        kind=CaseEventKind.TRANSITION,
        transition=code,
        occurred_on=on,
        detail={"emits": [code]},
    )


@pytest.fixture
def world(db: None) -> World:
    """30 asylum applicants (20 Syrian: 12 women, 8 men; 10 Afghan men) registered in 2025,
    with 16 first-instance decisions, one application from 2024, and 13 trafficking victims
    (one of them not in the index, exploitation not recorded)."""
    steward = make_user(role=RoleCode.DATA_STEWARD, unit=make_unit(), username="steward-w")
    run = LinkageRun.objects.create(
        mode="full", engine="duckdb", status="published", threshold=0.9, review_low=0.5,
        review_high=0.9,
    )  # fmt: skip
    IndexHead.objects.create(run=run)
    persons: dict[str, tuple[str, dt.date | None, str]] = {}

    def person(n: int, sex: str, birth: dt.date | None, nationality: str) -> str:
        person_id = f"P{n:07d}"
        record = make_record(owner=steward, sex=sex, date_of_birth=birth, nationality=nationality)
        indexed = Person.objects.create(person_id=person_id, created_by_run=run)
        PersonLink.objects.create(run=run, record=record, person=indexed)
        persons[person_id] = (sex, birth, nationality)
        return person_id

    decisions = {"refugee": 0, "rejected": 0}
    n = 0
    for i in range(30):
        n += 1
        if i < 12:
            pid = person(n, "F", dt.date(1990, 5, 1), "SYR")
        elif i < 20:
            pid = person(n, "M", dt.date(1985, 1, 1), "SYR")
        else:
            pid = person(n, "M", dt.date(2000, 1, 1), "AFG")
        outcome = "refugee" if i % 2 == 0 else "rejected"
        case = make_case(
            owner=steward,
            procedure="asylum",
            person_id=pid,
            data={"assigned_province": "34", "decision": {"outcome": outcome}},
        )
        _event(case.pk, "registered", dt.date(2025, 3, 10), 1)
        if i < 16:
            _event(case.pk, "decision_notified", dt.date(2025, 9, 1), 2)
            decisions[outcome] += 1
    n += 1
    old = make_case(owner=steward, procedure="asylum", person_id=person(n, "F", None, "IRQ"))
    _event(old.pk, "registered", dt.date(2024, 6, 1), 1)
    for i in range(12):
        n += 1
        pid = person(n, "F", dt.date(1998, 2, 2), "UZB")
        case = make_case(
            owner=steward,
            procedure="trafficking",
            person_id=pid,
            data={"profile": {"exploitation_types": ["sexual" if i < 7 else "labour"]}},
        )
        _event(case.pk, "presumed_victim_identified", dt.date(2025, 4, 4), 1)
    # A person whose case names them but whom the index does not hold still counts.
    stray = make_case(owner=steward, procedure="trafficking", person_id="PSTRAY0001")
    CasePerson.objects.filter(case=stray).update(person_id="PSTRAY0001")
    _event(stray.pk, "presumed_victim_identified", dt.date(2025, 4, 4), 1)
    return World(steward, persons, 30, 12, decisions, 13)
