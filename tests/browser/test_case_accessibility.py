"""axe-core finds no serious or critical accessibility problem on the case management pages,
and nothing on them breaks the Content-Security-Policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.test import Client

from tests.apps.cases.factories import make_case, make_person
from tests.apps.trafficking.conftest import RISK, consent, open_case, refer, screen, step
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import _check, _readable, _violations
from tests.conftest import login
from tests.factories import PASSWORD, make_agency, make_unit, make_user
from ura.apps.accounts.models import AgencyKind, RoleCode, Scope
from ura.apps.people.models import PersonRecord
from ura.apps.people.services import person_name_keys_refresh

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

    from ura.apps.accounts.models import User
    from ura.apps.cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _asylum_case(worker: User, person_id: str) -> Case:
    """An asylum case in assessment, with what the Application panel shows filled in."""
    return make_case(
        owner=worker,
        state="assessment",
        assigned=(worker,),
        person_id=person_id,
        data={
            "foreigner_id": "99123456780",
            "assigned_province": "06",
            "reporting": {"frequency": "weekly", "place": "Ankara PDMM"},
            "applicant": {
                "name": "Amina Haddad",
                "nationality": "SYR",
                "languages": ["ar"],
                "date_of_birth": "1991-04-12",
            },
            "modality": "regular",
            "interview": {
                "held_on": "2026-03-02",
                "language": "ar",
                "duration_minutes": 75,
                "applicant_confirmed": True,
            },
            "assessment": {
                "material_facts": ["Fled in 2025."],
                "credibility_internal": ["The account was consistent."],
                "credibility_external": ["It matches the country information [1]."],
                "well_founded_fear": ["Converts are prosecuted [1]."],
                "convention_ground": ["Religion."],
                "convention_grounds": ["religion"],
                "citations": [
                    {
                        "title": "Syria: Security",
                        "publisher": "EUAA",
                        "date": "2025-01-01",
                        "url": "https://www.ecoi.net/en/document/1",
                        "passage": "Converts face prosecution.",
                        "passage_hash": "0" * 64,
                    }
                ],
            },
        },
    )


def _setup() -> tuple[User, User, str, Case, Case]:
    unit = make_unit()
    worker = make_user(role=RoleCode.CASEWORKER, unit=unit)
    supervisor = make_user(role=RoleCode.SUPERVISOR, unit=unit)
    person_id = make_person(owner=worker)
    record = PersonRecord.objects.get(created_by=worker)
    person_name_keys_refresh([record])
    case = _asylum_case(worker, person_id)
    make_case(owner=worker, state="screening", assigned=(worker,))
    trafficking = make_case(
        owner=worker,
        procedure="trafficking",
        state="screening",
        restricted=True,
        assigned=(worker,),
    )
    return worker, supervisor, record.family_name, case, trafficking


def _check_all(page: Page, base: str, axe_source: str, pages: list[tuple[str, str]]) -> None:
    """Each page has no serious or critical violation and shows what it is for (an empty
    or error page would pass axe trivially)."""
    for path, shown in pages:
        _check(page, base + path, axe_source)
        assert shown in page.locator("main").inner_text(), f"{path} does not show {shown!r}"


def test_the_case_pages_of_a_caseworker(
    page: Page, live_server: LiveServer, axe_source: str, csp_violations: list[str]
) -> None:
    """The work queue, the case list, the new-case search with its candidate, the asylum
    case page and two of its step pages, and the trafficking pages."""
    worker, _supervisor, family_name, case, trafficking = _setup()
    base = live_server.url
    sign_in(page, base, worker, PASSWORD)
    _check_all(
        page,
        base,
        axe_source,
        [
            ("/cases/queue/", case.reference),
            ("/cases/", case.reference),
            ("/cases/new/", "Step 1 of 2"),
            (f"/cases/new/?name={family_name}", "1 candidate"),
            (f"/cases/{case.pk}/", "Application for international protection"),
            (f"/asylum/cases/{case.pk}/assessment/", "Cite a passage"),
            (f"/asylum/cases/{case.pk}/request_information/", "Request information"),
            ("/trafficking/", f"Person T-{trafficking.reference}"),
            (f"/trafficking/cases/{trafficking.pk}/", f"Person T-{trafficking.reference}"),
            (f"/trafficking/cases/{trafficking.pk}/screening", "Record the screening"),
        ],
    )
    assert not csp_violations, csp_violations


def test_the_supervision_pages(
    page: Page, live_server: LiveServer, axe_source: str, csp_violations: list[str]
) -> None:
    """The supervisors' dashboard, the procedure rules, the asylum backlog and stage queue,
    and the case page as a supervisor sees it."""
    _worker, supervisor, _family_name, case, _trafficking = _setup()
    base = live_server.url
    sign_in(page, base, supervisor, PASSWORD)
    _check_all(
        page,
        base,
        axe_source,
        [
            ("/cases/dashboard/", "Assessment"),
            ("/cases/procedures/", "asylum"),
            (f"/cases/procedures/asylum/{case.procedure_version}/", "Start screening"),
            ("/asylum/", "Asylum backlog"),
            ("/asylum/queue/", case.reference),
            (f"/cases/{case.pk}/", "Draft the decision from the template"),
        ],
    )
    assert not csp_violations, csp_violations


def test_the_asylum_step_pages_and_a_refused_form(
    page: Page, live_server: LiveServer, axe_source: str, csp_violations: list[str]
) -> None:
    """The registration, screening, modality and interview pages, and the registration form
    again with the errors of an empty submission."""
    worker, _supervisor, _family_name, _case, _trafficking = _setup()
    new = make_case(owner=worker, state="request_made", assigned=(worker,))
    screening = make_case(owner=worker, state="screening", assigned=(worker,))
    scheduled = make_case(
        owner=worker,
        state="interview_scheduled",
        assigned=(worker,),
        data={"modality": "regular", "interview": {"date": "2026-03-02", "place": "Room 2"}},
    )
    base = live_server.url
    sign_in(page, base, worker, PASSWORD)
    _check_all(
        page,
        base,
        axe_source,
        [
            (f"/asylum/cases/{new.pk}/register/", "Foreigner identification number"),
            (f"/asylum/cases/{screening.pk}/screening/", "Current proposal"),
            (f"/asylum/cases/{screening.pk}/change_modality/", "Proposed by triage"),
            (f"/asylum/cases/{screening.pk}/schedule_interview/", "Language of the interview"),
            (f"/asylum/cases/{scheduled.pk}/hold_interview/", "Scheduled for"),
        ],
    )
    page.goto(f"{base}/asylum/cases/{new.pk}/register/")
    with page.expect_navigation():
        page.evaluate("() => document.querySelector('form.record-form').submit()")
    assert page.locator(".errors").count() > 0
    violations = _violations(page, axe_source)
    assert not violations, _readable("the registration form with errors", violations)
    assert not csp_violations, csp_violations


def test_a_decision_awaiting_approval_as_the_supervisor_sees_it(
    page: Page, live_server: LiveServer, axe_source: str, csp_violations: list[str]
) -> None:
    """The decision panel with a submitted draft: the text to read, approve, and return
    with comments."""
    worker, supervisor, _family_name, case, _trafficking = _setup()
    client = login(Client(), worker)
    drafted = client.post(
        "/api/v1/cases/decisions/",
        {
            "case_id": case.pk,
            "version": case.version,
            "outcome": "refugee",
            "language": "tr",
            "reasons": "Well-founded fear for reasons of religion.",
        },
        "application/json",
    )
    assert drafted.status_code == 201, drafted.content
    case.refresh_from_db()
    submitted = client.post(
        f"/api/v1/cases/decisions/{drafted.json()['id']}/submit",
        {"version": case.version},
        "application/json",
    )
    assert submitted.status_code == 200, submitted.content
    base = live_server.url
    sign_in(page, base, supervisor, PASSWORD)
    _check_all(page, base, axe_source, [(f"/cases/{case.pk}/", "Approve the decision")])
    assert not csp_violations, csp_violations


def test_the_referral_pages_of_the_police_and_the_shelter(
    page: Page, live_server: LiveServer, axe_source: str, csp_violations: list[str]
) -> None:
    """The referral form and the risk assessment step of the referring police, then the
    shelter's waiting referrals, home page and case page."""
    police = make_unit(agency=make_agency(kind=AgencyKind.POLICE))
    shelter = make_unit(agency=make_agency(kind=AgencyKind.NGO))
    worker = make_user(role=RoleCode.CASEWORKER, unit=police)
    ngo_worker = make_user(role=RoleCode.PARTNER_NGO, scope=Scope.OWN, unit=shelter)
    client = login(Client(), worker)
    assessed, _person = open_case(worker)
    screen(client, assessed)
    step(client, assessed, "assess_risk", RISK)
    referred, person = open_case(worker)
    screen(client, referred)
    step(client, referred, "assess_risk", RISK)
    consent(client, referred, person)
    assert refer(client, referred, shelter).status_code == 200
    presumed, _person = open_case(worker)
    screen(client, presumed)
    base = live_server.url

    sign_in(page, base, worker, PASSWORD)
    _check_all(
        page,
        base,
        axe_source,
        [
            (f"/trafficking/cases/{assessed}/referral", "Refer to an assistance provider"),
            (f"/trafficking/cases/{presumed}/steps/assess_risk", "Safety plan"),
            (f"/cases/{referred}/", "Referred (awaiting acceptance)"),
        ],
    )
    page.context.clear_cookies()  # the shelter's worker on the same screen

    sign_in(page, base, ngo_worker, PASSWORD)
    _check_all(
        page,
        base,
        axe_source,
        [
            ("/trafficking/referrals/", "Send the answer"),
            ("/trafficking/", "referral waits"),
            (f"/trafficking/cases/{referred}/", "Referred (awaiting acceptance)"),
        ],
    )
    assert not csp_violations, csp_violations
