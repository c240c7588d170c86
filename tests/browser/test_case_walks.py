"""Two cases walked end to end in the browser, each by the people who would work on it, each
in their own browser profile: an asylum application from the search before create to the
approved decision's PDF, and a trafficking referral from the screening to its acceptance by a
partner organisation that never learns the victim's name."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.apps.cases.factories import make_person
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_agency, make_unit, make_user
from ura.apps.accounts.models import Agency, AgencyKind, RoleCode, Scope, Unit
from ura.apps.people.models import PersonRecord
from ura.apps.people.services import person_name_keys_refresh

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page
    from pytest_django.live_server_helper import LiveServer

    from ura.apps.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Decision PDFs land in the test's own directory, never under ./var (the live server
    runs in this process and reads the same settings)."""
    settings.MEDIA_ROOT = tmp_path / "media"


class Sessions:
    """Browser profiles of their own (own cookies), one per person; all closed at the end."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.browser = browser
        self.base = base
        self.contexts: list[BrowserContext] = []

    def sign_in(self, user: User) -> Page:
        context = self.browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, self.base, user, PASSWORD)
        return page


@pytest.fixture
def sessions(browser: Browser, live_server: LiveServer) -> Iterator[Sessions]:
    found = Sessions(browser, live_server.url)
    yield found
    for context in found.contexts:
        context.close()


def _nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()


def _done(page: Page, text: str = "") -> None:
    """The last write was recorded: the page says so and shows no form error."""
    expect(page.locator(".message.success")).to_contain_text(text)
    expect(page.locator(".errors")).to_have_count(0)


def _state(page: Page) -> str:
    """The case state as the case page's record list shows it."""
    state = page.locator("dl.record > dt", has_text="State").locator(
        "xpath=following-sibling::dd[1]"
    )
    return state.inner_text().split(" (phase:")[0]


def _reference(page: Page) -> str:
    """The case reference from the case page's heading ("Case TR-…", maybe "restricted")."""
    return page.get_by_role("heading", level=1).inner_text().split()[1]


def _step_section(page: Page, code: str) -> Locator:
    return page.locator(f"section#step-{code}")


def _person_for(user: User) -> tuple[str, PersonRecord]:
    """A person of the published index, registered by ``user``'s unit, findable by name."""
    person_id = make_person(owner=user)
    record = PersonRecord.objects.get(created_by=user)
    person_name_keys_refresh([record])
    return person_id, record


def _open_case(page: Page, base: str, record: PersonRecord, person_id: str, procedure: str) -> str:
    """Search before create: find the person by name, pick the candidate, choose the
    procedure. Returns the case page's address."""
    _nav(page, "Work queue")
    page.get_by_role("link", name="Open a case").click()
    page.get_by_label("Name, in any script or spelling").fill(record.family_name)
    page.get_by_role("button", name="Search the person index").click()
    expect(page.get_by_role("status")).to_have_text("1 candidate")
    candidate = page.locator("section.candidate", has_text=person_id)
    expect(candidate).to_contain_text(record.family_name)
    candidate.get_by_role("link", name="Open a case for this person").click()
    expect(page.locator("main")).to_contain_text(f"the case will be about person {person_id}")
    page.get_by_label("Procedure").select_option(procedure)
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(f"{base}/cases/*/")
    _done(page, "opened")
    return page.url


# --- Asylum --------------------------------------------------------------------------------------


def test_an_asylum_case_from_registration_to_the_approved_decision_pdf(
    sessions: Sessions, live_server: LiveServer
) -> None:
    """A caseworker registers, screens, interviews, assesses and drafts; the supervisor of the
    same agency approves in their own session; the caseworker then downloads the final PDF,
    whose SHA-256 is the one the API reports."""
    base = live_server.url
    today = timezone.localdate()
    unit = make_unit()
    worker = make_user(role=RoleCode.CASEWORKER, unit=unit)
    supervisor = make_user(role=RoleCode.SUPERVISOR, unit=unit)
    person_id, record = _person_for(worker)

    page = sessions.sign_in(worker)
    case_url = _open_case(page, base, record, person_id, "asylum")
    case_id = int(case_url.rstrip("/").rsplit("/", 1)[1])
    reference = _reference(page)
    assert _state(page).startswith("Request made")

    # Registration, prefilled from the person index.
    _step_section(page, "register").get_by_role("link", name="Go to the form").click()
    expect(page.get_by_label("Name as registered")).to_have_value(
        f"{record.given_names} {record.family_name}"
    )
    expect(page.get_by_label("Nationality (ISO alpha-3)")).to_have_value("SYR")
    page.get_by_label("Foreigner identification number").fill("99123456780")
    page.get_by_label("Assigned province").select_option("06")
    page.get_by_label("Reporting duty").select_option("weekly")
    page.get_by_label("Where to report").fill("Ankara PDMM")
    page.get_by_label("Date of birth as registered").fill("1991-04-12")
    page.get_by_label("Languages").fill("ar")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(case_url)
    _done(page, "Saved.")
    assert _state(page).startswith("Registered")
    expect(page.locator("#application")).to_contain_text("99123456780")

    # Screening starts on the case page's own form, "today".
    _step_section(page, "start_screening").get_by_role("button", name="Start screening").click()
    page.wait_for_url(f"{case_url}*")
    assert _state(page).startswith("Screening")

    # Screening findings, then the modality triage proposes, accepted as it is.
    page.locator("#application").get_by_role("link", name="Screening findings").click()
    page.get_by_label("Notes").fill("No inadmissibility or accelerated ground found.")
    page.get_by_role("button", name="Save the findings").click()
    page.wait_for_url(f"{base}/asylum/cases/{case_id}/change_modality/")
    expect(page.get_by_role("heading", name="Proposed by triage")).to_be_visible()
    proposed = page.get_by_label("Processing modality").input_value()
    assert proposed
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(case_url)
    _done(page, "Saved.")
    expect(page.locator("#application")).to_contain_text("As proposed by triage")

    # The interview: scheduled for today, held today.
    _step_section(page, "schedule_interview").get_by_role("link", name="Go to the form").click()
    page.get_by_label("Date", exact=True).fill(today.isoformat())
    page.get_by_label("Time").fill("09:30")
    page.get_by_label("Place").fill("Ankara PDMM, room 2")
    expect(page.get_by_label("Language of the interview")).to_have_value("ar")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(case_url)
    _done(page, "Saved.")
    assert _state(page) == "Interview scheduled"

    _step_section(page, "hold_interview").get_by_role("link", name="Go to the form").click()
    page.get_by_label("Held on").fill(today.isoformat())
    page.get_by_label("Language used").fill("ar")
    page.get_by_label("Duration (minutes)").fill("75")
    page.get_by_label("Interview record (summary)").fill(
        "The applicant describes arrest and ill-treatment after a conversion."
    )
    page.get_by_label("The record was read back and the applicant confirmed it").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(case_url)
    _done(page, "Saved.")
    assert _state(page) == "Interviewed"
    expect(page.locator("#application")).to_contain_text(f"held on {today.isoformat()} in ar")

    _step_section(page, "start_assessment").get_by_role(
        "button", name="Start the assessment"
    ).click()
    page.wait_for_url(f"{case_url}*")
    assert _state(page) == "Assessment"

    # The assessment: the parts the decision's template reads (drafting refuses without
    # them), a Convention ground and one cited passage.
    page.locator("#application").get_by_role("link", name="Write the assessment").click()
    sections = {
        "Material facts": "The applicant converted in 2024.\n\nHe was arrested twice [1].",
        "Credibility: internal consistency": "The account is detailed and consistent.",
        "Credibility: consistency with country information": "It matches the sources [1].",
        "Well-founded fear of persecution": "Converts who are known face arrest [1].",
        "Reason for persecution (Convention ground)": "Religion: the conversion.",
    }
    for label, paragraphs in sections.items():
        page.get_by_label(label, exact=True).fill(paragraphs)
    page.get_by_role("group", name="Convention grounds").get_by_label("Religion").check()
    page.get_by_role("button", name="Save the assessment").click()
    _done(page, "Assessment saved.")
    page.get_by_label("Title of the source").fill("Iran: Treatment of Christian converts")
    page.get_by_label("Publisher").fill("ACCORD")
    page.get_by_label("Date of the source").fill("2025-02-01")
    page.get_by_label("Web address").fill("https://www.ecoi.net/en/document/1")
    page.get_by_label("Passage", exact=True).fill("Converts face arrest and prosecution.")
    page.get_by_role("button", name="Cite", exact=True).click()
    _done(page, "Passage cited.")
    expect(page.locator("#citations + ol")).to_contain_text("Converts face arrest and prosecution.")
    page.get_by_role("link", name="Back to the case").click()
    expect(page.locator("#application")).to_contain_text("Iran: Treatment of Christian converts")

    # The decision panel: draft from the template in English, edit, submit.
    panel = page.locator("#decision")
    panel.get_by_label("Outcome").select_option("refugee")
    panel.get_by_label("Language of the decision").select_option("en")
    panel.get_by_label("Reasons in brief").fill(
        "Well-founded fear of persecution for reasons of religion."
    )
    panel.get_by_role("button", name="Draft the decision from the template").click()
    page.wait_for_url(f"{case_url}#decision")
    _done(page)
    text = panel.get_by_label("Text of the decision")
    expect(text).not_to_be_empty()
    text.fill(text.input_value() + "\n\nThe applicant was heard in Arabic with an interpreter.")
    panel.get_by_role("button", name="Save the draft").click()
    _done(page)
    assert (
        "heard in Arabic with an interpreter"
        in panel.get_by_label("Text of the decision").input_value()
    )
    panel.get_by_role("button", name="Submit for approval").click()
    _done(page)
    assert _state(page).startswith("Decision drafted")
    expect(panel).to_contain_text("you drafted it, so you cannot approve it")

    # The supervisor of the same agency, in their own session, finds the case and approves.
    boss = sessions.sign_in(supervisor)
    _nav(boss, "Cases")
    boss.get_by_role("link", name=reference, exact=True).click()
    boss.wait_for_url(case_url)
    boss_panel = boss.locator("#decision")
    expect(boss_panel).to_contain_text("heard in Arabic with an interpreter")
    boss_panel.get_by_role("button", name="Approve the decision").click()
    _done(boss)
    assert _state(boss) == "Decision approved"

    # Back to the caseworker: the final decision and its PDF.
    page.goto(case_url)
    final = panel.locator("article", has_text="Final decision")
    expect(final).to_contain_text("Refugee status")
    expect(final).to_contain_text(f"approved by {supervisor.get_username()}")
    with page.expect_download() as download_info:
        final.get_by_role("link", name="Download the decision (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"{reference}-decision-refugee.en.pdf"
    saved = download.path()
    assert saved is not None
    content = Path(saved).read_bytes()
    assert content.startswith(b"%PDF")
    href = final.get_by_role("link", name="Download the decision (PDF)").get_attribute("href")
    assert href is not None
    decision_id = int(href.split("/")[-2])
    api = page.request.get(f"{base}/api/v1/cases/decisions/{decision_id}")
    assert api.ok, api.text()
    body = api.json()
    assert body["status"] == "approved"
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert _state(page) == "Decision approved"


# --- Trafficking ---------------------------------------------------------------------------------


def _shelter() -> Unit:
    """The demo's shelter organisation, with a unit that has people (a referral recipient)."""
    agency = Agency.objects.create(
        code="tr-ngo-shelter",
        name="Shelter Network Association (demo)",
        kind=AgencyKind.NGO,
        country="TR",
    )
    return Unit.objects.create(
        agency=agency, code="victim-support", name="Victim Support and Shelter"
    )


def test_a_trafficking_referral_from_screening_to_acceptance_by_the_ngo(
    sessions: Sessions, live_server: LiveServer
) -> None:
    """A police caseworker screens with the indicators, assesses the risk, records the
    person's consent and refers to the shelter; the shelter's worker accepts in their own
    session and first assistance starts. No page the shelter sees names the victim."""
    base = live_server.url
    today = timezone.localdate()
    police = make_unit(agency=make_agency(kind=AgencyKind.POLICE))
    shelter = _shelter()
    worker = make_user(role=RoleCode.CASEWORKER, unit=police)
    ngo_worker = make_user(role=RoleCode.PARTNER_NGO, scope=Scope.OWN, unit=shelter)
    person_id, record = _person_for(worker)

    page = sessions.sign_in(worker)
    case_url = _open_case(page, base, record, person_id, "trafficking")
    case_id = int(case_url.rstrip("/").rsplit("/", 1)[1])
    reference = _reference(page)
    pseudonym = f"Person T-{reference}"

    # Screening with the indicators of the adult labour list.
    _step_section(page, "identify_presumed_victim").get_by_role(
        "link", name="Go to the form"
    ).click()
    page.get_by_label("Indicator list").select_option(
        label="Adult victims of trafficking for labour exploitation"
    )
    page.get_by_role("button", name="Use this list").click()
    ticks = {
        "Deceptive recruitment (including transfer and transport)": (
            "Deceived about the nature of the job, location or employer",
            "Deceived about conditions of work",
        ),
        "Exploitative conditions of work": (
            "Excessive working days or hours",
            "Bad living conditions",
        ),
        "Coercion at destination": ("Confiscation of documents", "Debt bondage"),
    }
    for group, labels in ticks.items():
        for label in labels:
            # The label goes on with the indicator's grade, "(strong)".
            page.get_by_role("group", name=group).get_by_label(label).check()
    # The rule's advice comes first, before the screener has written a word.
    page.get_by_role("button", name="See the rule's assessment").click()
    rule = page.locator("section.card", has_text="The rule's assessment")
    expect(rule).to_contain_text("Trafficked: recruitment, exploitation and means")
    expect(page.locator(".errors")).to_have_count(0)  # nothing is missing yet: only a preview
    expect(
        page.get_by_role("group", name="Coercion at destination").get_by_label("Debt bondage")
    ).to_be_checked()
    page.get_by_label("Your conclusion", exact=True).select_option("presumed_victim")
    page.get_by_label("Basis of your conclusion").fill(
        "Passport withheld by the employer, debt for the travel, locked dormitory."
    )
    page.get_by_role("button", name="Record the screening").click()
    page.wait_for_url(f"{base}/trafficking/cases/{case_id}/")
    _done(page, "Screening recorded.")
    expect(page.locator("dl.record")).to_contain_text("Presumed victim identified")

    # The risk assessment.
    page.get_by_role(
        "link", name="Record the risk assessment, safety plan and immediate needs"
    ).click()
    page.get_by_label("Risk level").select_option("high")
    page.get_by_label("Safety plan").fill(
        "Move to the shelter tonight; no contact with the employer."
    )
    needs = page.get_by_role("group", name="Immediate needs")
    needs.get_by_label("Shelter (safe accommodation)").check()
    needs.get_by_label("Medical care").check()
    page.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_url(f"{base}/trafficking/cases/{case_id}/")
    _done(page, "Recorded.")
    expect(page.locator("dl.record")).to_contain_text("high")

    # The person's consent to the referral, on the case page.
    page.get_by_role("link", name="Full case page").click()
    page.wait_for_url(case_url)
    consent = page.locator("form[action$='/consents']")
    consent.get_by_label("Person").select_option(person_id)
    consent.get_by_label("Consent to").select_option("referral")
    consent.get_by_label("Given on").fill(today.isoformat())
    consent.get_by_role("button", name="Record the consent").click()
    _done(page)
    expect(page.locator("table", has_text="Given on")).to_contain_text(today.isoformat())

    # The referral to the shelter.
    _step_section(page, "refer").get_by_role("link", name="Go to the form").click()
    page.get_by_label("Refer to").select_option(
        label="Shelter Network Association (demo) — Victim Support and Shelter"
    )
    page.get_by_label("Reason for the referral").fill(
        "Needs a safe shelter and psychological support."
    )
    page.get_by_role("group", name="Services requested").get_by_label("Psychosocial").check()
    page.get_by_role("button", name="Refer", exact=True).click()
    page.wait_for_url(f"{base}/trafficking/cases/{case_id}/")
    _done(page, "Referral sent")
    expect(page.locator("dl.record")).to_contain_text("Referred (awaiting acceptance)")

    # The shelter's worker sees the referral waiting and accepts it.
    ngo = sessions.sign_in(ngo_worker)
    seen: list[str] = [ngo.content()]
    _nav(ngo, "Referrals to us")
    seen.append(ngo.content())
    card = ngo.locator("section.card", has_text=reference)
    expect(card).to_contain_text(pseudonym)
    expect(card).to_contain_text("Accommodation (shelter), Psychosocial support")
    card.get_by_label("Answer").select_option("accept")
    card.get_by_role("button", name="Send the answer").click()
    ngo.wait_for_url(f"{base}/trafficking/cases/{case_id}/")
    _done(ngo, "Referral accepted")
    seen.append(ngo.content())
    expect(ngo.locator("dl.record")).to_contain_text(pseudonym)
    expect(ngo.locator("dl.record")).to_contain_text("First assistance and protection")
    ngo.get_by_role("link", name="Full case page").click()
    ngo.wait_for_url(case_url)
    seen.append(ngo.content())
    assert _state(ngo).startswith("First assistance and protection")
    ngo.goto(f"{base}/trafficking/")
    seen.append(ngo.content())
    expect(ngo.locator("main")).to_contain_text(pseudonym)
    for html in seen:
        assert record.family_name not in html
        assert record.given_names not in html
