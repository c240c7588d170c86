"""The asylum pages: the Application panel and the step pages linked from the case page,
registration prefilled from the person index, the assessment editor with citations,
reporting, queues and the backlog dashboard."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from tests.apps.asylum.conftest import CASES, post
from tests.apps.cases.factories import make_case, make_person
from tests.conftest import login
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, Unit, User
from ura.apps.asylum.panels import TRANSITION_PAGES
from ura.apps.cases import workflow
from ura.apps.cases.models import Case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PROCEDURE = workflow.registry().get("asylum", 1)


def _first_from(code: str) -> str:
    t = PROCEDURE.transition(code)
    return next(s.code for s in PROCEDURE.states if PROCEDURE.allowed_from(t, s.code))


def test_the_case_page_shows_the_application_and_links_the_steps(
    worker: User, worker_client: Client
) -> None:
    case = make_case(
        owner=worker,
        state="registered",
        assigned=(worker,),
        data={
            "foreigner_id": "99123456789",
            "assigned_province": "06",
            "reporting": {"frequency": "weekly", "place": "Ankara PDMM"},
            "applicant": {"nationality": "AFG", "languages": ["fa"]},
        },
    )
    page = worker_client.get(f"/cases/{case.pk}/").content.decode()
    assert "Application for international protection" in page
    assert "99123456789" in page
    assert "Ankara" in page
    assert f"/asylum/cases/{case.pk}/change_modality/" in page
    assert f"/asylum/cases/{case.pk}/reporting/" in page


@pytest.mark.parametrize("code", TRANSITION_PAGES)
def test_every_step_page_opens_from_its_state(code: str, worker: User) -> None:
    case = make_case(owner=worker, state=_first_from(code), assigned=(worker,))
    response = login(Client(), worker).get(f"/asylum/cases/{case.pk}/{code}/")
    assert response.status_code == 200
    assert b'name="version"' in response.content


def test_the_decision_steps_have_no_page_here(worker: User, worker_client: Client) -> None:
    """Submitting, approving and returning a decision belong to the decision panel."""
    case = make_case(owner=worker, state="assessment", assigned=(worker,))
    for code in ("submit_for_approval", "approve_decision", "return_for_revision"):
        assert worker_client.get(f"/asylum/cases/{case.pk}/{code}/").status_code == 404


def test_registration_is_prefilled_from_the_person_index(
    worker: User, worker_client: Client
) -> None:
    person = make_person(owner=worker)
    opened = post(worker_client, f"{CASES}/", {"procedure": "asylum", "person_id": person})
    case_id = opened.json()["id"]
    url = f"/asylum/cases/{case_id}/register/"
    form = worker_client.get(url).content.decode()
    assert 'value="SYR"' in form
    assert "Amina Haddad" in form

    bad = worker_client.post(
        url,
        {
            "version": 1,
            "foreigner_id": "12345678901",
            "province": "34",
            "reporting_frequency": "monthly",
            "reporting_place": "İstanbul PDMM",
            "applicant_name": "Amina Haddad",
            "nationality": "SYR",
            "languages": "ar",
        },
    )
    assert bad.status_code == 200
    assert "begins with 99" in bad.content.decode()
    good = worker_client.post(
        url,
        {
            "version": 1,
            "foreigner_id": "99876543210",
            "province": "34",
            "reporting_frequency": "monthly",
            "reporting_place": "İstanbul PDMM",
            "applicant_name": "Amina Haddad",
            "nationality": "SYR",
            "languages": "ar, ku",
        },
    )
    assert good.status_code == 302
    case = Case.objects.get(pk=case_id)
    assert case.state == "registered"
    assert case.data["applicant"]["languages"] == ["ar", "ku"]


def test_a_stale_version_is_reported_not_overwritten(worker: User, worker_client: Client) -> None:
    case = make_case(owner=worker, state="assessment", assigned=(worker,))
    response = worker_client.post(
        f"/asylum/cases/{case.pk}/request_information/",
        {"version": case.version + 5, "subject": "Passport", "addressee": "Applicant"},
    )
    assert response.status_code == 200
    assert "Someone else changed this case" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == "assessment"


def test_the_assessment_editor_writes_sections_and_citations(
    worker: User, worker_client: Client
) -> None:
    case = make_case(owner=worker, state="assessment", assigned=(worker,))
    url = f"/asylum/cases/{case.pk}/assessment/"
    saved = worker_client.post(
        url,
        {
            "form": "assessment",
            "version": case.version,
            "section_material_facts": "First paragraph.\n\nSecond paragraph.",
            "convention_grounds": ["religion"],
        },
    )
    assert saved.status_code == 302
    case.refresh_from_db()
    assert case.data["assessment"]["material_facts"] == ["First paragraph.", "Second paragraph."]
    cited = worker_client.post(
        url,
        {
            "form": "citation",
            "version": case.version,
            "title": "Iran: Religious minorities",
            "publisher": "ACCORD",
            "date": "2025-02-01",
            "url": "https://www.ecoi.net/en/document/1",
            "passage": "Converts face prosecution.",
        },
    )
    assert cited.status_code == 302
    page = worker_client.get(url).content.decode()
    assert "Converts face prosecution." in page
    case.refresh_from_db()
    digest = case.data["assessment"]["citations"][0]["passage_hash"]
    worker_client.post(url, {"form": "uncite", "version": case.version, "passage_hash": digest})
    case.refresh_from_db()
    assert "citations" not in case.data["assessment"]


class _FieldsetInParagraph(HTMLParser):
    """Notes every <fieldset> opened while a <p> is open: a <p> cannot hold one, so a
    browser closes the <p> early and the help and errors fall out of the form's layout."""

    def __init__(self) -> None:
        super().__init__()
        self.open_paragraphs = 0
        self.misplaced = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            self.open_paragraphs += 1
        elif tag == "fieldset" and self.open_paragraphs:
            self.misplaced += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self.open_paragraphs:
            self.open_paragraphs -= 1


@pytest.mark.parametrize(
    ("state", "page"), [("assessment", "assessment"), ("screening", "screening")]
)
def test_multiple_choices_are_fieldsets_outside_paragraphs(
    state: str, page: str, worker: User, worker_client: Client
) -> None:
    case = make_case(owner=worker, state=state, assigned=(worker,))
    html = worker_client.get(f"/asylum/cases/{case.pk}/{page}/").content.decode()
    parser = _FieldsetInParagraph()
    parser.feed(html)
    assert html.count("<fieldset>") >= 2
    assert parser.misplaced == 0


def test_reporting_page_and_missed_reporting_list(
    worker: User, worker_client: Client, supervisor_client: Client
) -> None:
    case = make_case(
        owner=worker,
        state="assessment",
        assigned=(worker,),
        data={"reporting": {"frequency": "weekly", "place": "Ankara"}},
    )
    for weeks in (3, 2, 1):
        case.refresh_from_db()
        response = worker_client.post(
            f"/asylum/cases/{case.pk}/reporting/",
            {
                "version": case.version,
                "due_on": (TODAY - dt.timedelta(weeks=weeks)).isoformat(),
                "status": "missed",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    page = worker_client.get(f"/asylum/cases/{case.pk}/reporting/").content.decode()
    assert "LFIP Art. 77(1)" in page
    assert "A supervisor decides on the withdrawal." in page
    case_page = worker_client.get(f"/cases/{case.pk}/").content.decode()
    assert "3 days missed in a row" in case_page
    listed = supervisor_client.get("/asylum/missed-reporting/").content.decode()
    assert case.reference in listed
    assert f"/asylum/cases/{case.pk}/withdraw/" in listed


def test_the_backlog_dashboard_for_a_supervisor_and_an_analyst(
    worker: User, supervisor_client: Client, unit: Unit
) -> None:
    for _ in range(6):
        make_case(owner=worker, state="assessment", data={"applicant": {"nationality": "IRQ"}})
    make_case(owner=worker, state="registered", data={"applicant": {"nationality": "IRN"}})
    page = supervisor_client.get("/asylum/").content.decode()
    assert "Asylum backlog" in page
    assert "cannot project" in page
    assert "/asylum/queue/?state=assessment" in page
    assert "IRN" in page

    analyst = login(Client(), make_user(role=RoleCode.ANALYST, unit=unit))
    shown = analyst.get("/asylum/").content.decode()
    assert "counts from 1 to 4 are suppressed" in shown
    assert "/asylum/queue/" not in shown
    assert analyst.get("/asylum/queue/").status_code == 403


def test_the_backlog_needs_its_permission_and_the_menu_says_so(
    worker_client: Client, supervisor_client: Client
) -> None:
    assert worker_client.get("/asylum/").status_code == 403
    assert 'href="/asylum/"' not in worker_client.get("/").content.decode()
    assert 'href="/asylum/"' in supervisor_client.get("/").content.decode()


def test_the_stage_queue_page(worker: User, supervisor_client: Client) -> None:
    old = make_case(owner=worker, state="screening")
    Case.objects.filter(pk=old.pk).update(opened_on=TODAY - dt.timedelta(days=300))
    new = make_case(owner=worker, state="screening")
    Case.objects.filter(pk=new.pk).update(opened_on=TODAY)
    page = supervisor_client.get("/asylum/queue/?state=screening").content.decode()
    assert "2 open cases, oldest first." in page
    assert page.index(old.reference) < page.index(new.reference)


@pytest.mark.parametrize(
    ("code", "state", "fields", "after"),
    [
        (
            "hold_interview",
            "interview_scheduled",
            {
                "held_on": TODAY.isoformat(),
                "language": "ar",
                "duration_minutes": "80",
                "record": "Summary of the interview.",
                "applicant_confirmed": "on",
            },
            "interviewed",
        ),
        (
            "schedule_interview",
            "screening",
            {"date": TODAY.isoformat(), "time": "09:00", "place": "Room 2", "language": "ar"},
            "interview_scheduled",
        ),
        (
            "lodge_appeal",
            "negative_decision_notified",
            {"court": "İzmir 2. İdare Mahkemesi", "lodged_on": TODAY.isoformat()},
            "appeal_lodged",
        ),
        (
            "withdraw",
            "assessment",
            {"kind": "explicit", "ground": "applicant_request"},
            "withdrawn",
        ),
    ],
)
def test_a_step_page_performs_its_step(
    worker: User, worker_client: Client, code: str, state: str, fields: dict[str, str], after: str
) -> None:
    case = make_case(owner=worker, state=state, assigned=(worker,), data={"modality": "regular"})
    response = worker_client.post(
        f"/asylum/cases/{case.pk}/{code}/", {"version": case.version, **fields}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Case.objects.get(pk=case.pk).state == after


def test_a_refusal_is_shown_on_the_form(worker: User, worker_client: Client) -> None:
    """A caseworker cannot withdraw implicitly: the page says so and nothing changes."""
    case = make_case(owner=worker, state="assessment", assigned=(worker,))
    response = worker_client.post(
        f"/asylum/cases/{case.pk}/withdraw/",
        {"version": case.version, "kind": "implicit", "ground": "absconded"},
    )
    assert response.status_code == 200
    assert "decided by a supervisor" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == "assessment"


def test_pages_of_this_app_are_for_asylum_cases_only(worker: User, worker_client: Client) -> None:
    case = make_case(owner=worker, procedure="trafficking", state="identified", assigned=(worker,))
    assert worker_client.get(f"/asylum/cases/{case.pk}/assessment/").status_code == 404


def test_the_panel_summarises_interview_assessment_citations_and_appeal(
    worker: User, worker_client: Client
) -> None:
    case = make_case(
        owner=worker,
        state="appeal_decided",
        assigned=(worker,),
        data={
            "modality": "accelerated",
            "modality_reason": "Art. 79 ground",
            "modality_overridden": True,
            "triage": {"proposed": "regular", "rule": "regular"},
            "interview": {
                "held_on": "2026-03-02",
                "language": "ar",
                "duration_minutes": 75,
                "applicant_confirmed": True,
            },
            "assessment": {
                "material_facts": ["Fled in 2025."],
                "convention_grounds": ["political_opinion"],
                "citations": [
                    {"title": "Syria: Security", "publisher": "EUAA", "date": "2025-01-01"}
                ],
            },
            "appeal": {
                "court": "Ankara 3. İdare Mahkemesi",
                "lodged_on": "2026-04-01",
                "outcome": "annulled",
                "decided_on": "2026-05-01",
            },
        },
    )
    page = worker_client.get(f"/cases/{case.pk}/").content.decode()
    assert "held on 2026-03-02 in ar, 75 minutes" in page
    assert "triage proposed regular (rule regular)" in page
    assert "Membership of a particular social group" not in page
    assert "Political opinion" in page
    assert "<cite>Syria: Security</cite>" in page
    assert "Ankara 3. İdare Mahkemesi" in page
    assert "The court annulled the decision" in page
    assert f"/asylum/cases/{case.pk}/reopen_after_annulment/" in page
