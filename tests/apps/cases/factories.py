"""Test data builders for cases: persons of the published index, cases, consent."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from tests.factories import make_record
from ura.apps.accounts.models import User
from ura.apps.cases.models import Case, CaseAssignment, CasePerson, Consent
from ura.apps.people.linking import (
    LineageChange,
    RunOutcome,
    current_assignment,
    run_start,
    run_store_and_publish,
)

_seq = itertools.count(1)


def make_person(*, owner: User) -> str:
    """A person of the published index whose one record ``owner``'s unit owns; returns the
    stable person id. Earlier persons stay in the index (each publication carries them)."""
    record = make_record(owner=owner)
    person_id = f"PCASE{next(_seq):07d}"
    person_of = {**current_assignment(), record.pk: person_id}
    run = run_start(actor=None, mode="full", engine="duckdb", threshold=0.9, review_band=(0.5, 0.9))
    run_store_and_publish(
        actor=None,
        run=run,
        outcome=RunOutcome(
            model_json="{}",
            person_of=person_of,
            weakest=dict.fromkeys(person_of),
            pairs=[],
            review=[],
            lineage=[LineageChange("new", person_id, [], 1)],
        ),
    )
    return person_id


def make_case(
    *,
    owner: User,
    procedure: str = "asylum",
    procedure_version: int = 1,
    state: str = "registered",
    restricted: bool = False,
    assigned: tuple[User, ...] = (),
    person_id: str = "",
    **values: Any,
) -> Case:
    """A case owned by ``owner``'s unit, created by ``owner``, written straight to the
    database (no procedure rules run): for access tests that need many cases quickly."""
    assert owner.unit is not None
    case = Case.objects.create(
        owning_agency_id=owner.unit.agency_id,
        owning_unit=owner.unit,
        created_by=owner,
        reference=f"XX-2026-{next(_seq):06d}",
        procedure_code=procedure,
        procedure_version=procedure_version,
        state=state,
        opened_on=dt.date(2026, 1, 5),
        restricted=restricted,
        **values,
    )
    CasePerson.objects.create(
        case=case,
        person_id=person_id or f"PFAKE{next(_seq):07d}",
        role="principal_applicant",
        added_by=owner,
    )
    for user in assigned:
        CaseAssignment.objects.create(case=case, user=user, assigned_by=owner)
    return case


def make_consent(*, case: Case, kind: str = "referral", **values: Any) -> Consent:
    person = case.persons.first()
    assert person is not None
    return Consent.objects.create(
        case=case,
        person_id=person.person_id,
        kind=kind,
        given_on=values.pop("given_on", dt.date(2026, 1, 6)),
        recorded_by=case.created_by,
        **values,
    )
