"""The readmission pages: the list, drafting, the case page's panel with the agreement's
deadlines, the step pages, sending and deemed consent through forms, and the dashboard."""

from __future__ import annotations

import pytest

from tests.apps.cases.factories import make_person
from tests.apps.readmission.conftest import World, as_user, detail, drafted, send, sent_and_received

pytestmark = pytest.mark.django_db


def test_drafting_through_the_page(world: World) -> None:
    worker = as_user(world.worker)
    page = worker.get("/readmission/new/")
    assert page.status_code == 200
    assert "EU-Türkiye readmission agreement" in page.content.decode()
    person = make_person(owner=world.worker)
    response = worker.post(
        "/readmission/new/",
        {
            "person_id": person,
            "agreement": "eu-tr-2014",
            "counterpart": "GR",
            "procedure": "regular",
            "grounds": "own_national",
            "evidence": ["passport"],
            "nationality": "GRC",
            "apprehended_on": "2026-11-30",
            "apprehension_place": "İzmir",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case_page = worker.get(response["Location"])
    text = case_page.content.decode()
    assert "Readmission request" in text
    assert "EU-Türkiye readmission agreement" in text
    listing = worker.get("/readmission/").content.decode()
    assert "Greece" in listing


def test_an_agreement_refusal_is_shown_on_the_form(world: World) -> None:
    worker = as_user(world.worker)
    response = worker.post(
        "/readmission/new/",
        {
            "person_id": make_person(owner=world.worker),
            "agreement": "tr-pk-2010",
            "counterpart": "GR",
            "procedure": "regular",
            "grounds": "own_national",
            "evidence": ["passport"],
            "nationality": "GRC",
            "apprehended_on": "2026-11-30",
            "apprehension_place": "İzmir",
        },
    )
    assert response.status_code == 200
    assert "The agreement does not bind this state." in response.content.decode()


def test_send_and_step_pages(world: World) -> None:
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = drafted(worker, world.worker)
    page = boss.get(f"/readmission/cases/{case_id}/send")
    assert page.status_code == 200
    assert f"/readmission/cases/{case_id}/form.pdf" in page.content.decode()
    pdf = boss.get(f"/readmission/cases/{case_id}/form.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    version = detail(worker, case_id)["version"]
    sent = boss.post(
        f"/readmission/cases/{case_id}/send", {"version": version, "sent_on": "2026-04-30"}
    )
    assert sent.status_code == 302
    version = detail(worker, case_id)["version"]
    form = worker.get(f"/readmission/cases/{case_id}/steps/record_receipt")
    assert 'name="request__received_on"' in form.content.decode()
    stale = worker.post(
        f"/readmission/cases/{case_id}/steps/record_receipt",
        {"version": version - 1, "request__received_on": "2026-05-01"},
    )
    assert "Someone else changed this request" in stale.content.decode()
    done = worker.post(
        f"/readmission/cases/{case_id}/steps/record_receipt",
        {"version": version, "request__received_on": "2026-05-01"},
    )
    assert done.status_code == 302
    assert detail(worker, case_id)["state"] == "reply_due"
    assert worker.get(f"/readmission/cases/{case_id}/steps/nope").status_code == 404


def test_deemed_consent_is_shown_and_applied_on_the_page(world: World) -> None:
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = sent_and_received(worker, boss, world.worker)
    text = boss.get(f"/cases/{case_id}/").content.decode()
    assert "the transfer is deemed agreed to" in text
    assert f"/readmission/cases/{case_id}/deemed-consent" in text
    version = detail(worker, case_id)["version"]
    response = boss.post(f"/readmission/cases/{case_id}/deemed-consent", {"version": version})
    assert response.status_code == 302
    assert detail(worker, case_id)["state"] == "deemed_accepted"
    text = boss.get(f"/cases/{case_id}/").content.decode()
    assert "Deemed accepted on 2026-06-02" in text


def test_the_list_button_applies_deemed_consent(world: World) -> None:
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = sent_and_received(worker, boss, world.worker)
    response = boss.post("/readmission/deemed-consent/", follow=True)
    assert "Deemed consent applied to" in response.content.decode()
    assert detail(worker, case_id)["state"] == "deemed_accepted"
    assert worker.post("/readmission/deemed-consent/").status_code == 403


def test_the_dashboard_page(world: World) -> None:
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = drafted(worker, world.worker)
    send(boss, case_id)
    page = boss.get("/readmission/dashboard/", {"since": "2026-01-01", "until": "2026-12-31"})
    assert page.status_code == 200
    assert "Greece" in page.content.decode()
    assert as_user(world.analyst).get("/readmission/dashboard/").status_code == 200
    assert worker.get("/readmission/dashboard/").status_code == 403
    assert as_user(world.analyst).get("/readmission/").status_code == 403


def test_the_panel_lists_the_agreements_deadlines(world: World) -> None:
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = sent_and_received(worker, boss, world.worker)
    text = worker.get(f"/cases/{case_id}/").content.decode()
    assert "Reply from the requested state" in text
    assert "2026-06-01" in text
    assert "Overdue" in text
    assert "EU-Türkiye readmission agreement, Art. 11(2)" in text


def test_the_draft_form_choices_follow_the_request_language() -> None:
    """The form's choices are built once, at import; their labels still show in the language
    of each request (they were frozen in English)."""
    from typing import cast

    from django import forms
    from django.utils import translation

    from ura.apps.readmission.forms import DraftForm

    def labels(language: str) -> list[str]:
        with translation.override(language):
            field = DraftForm.base_fields["grounds"]
            assert isinstance(field, forms.ChoiceField)
            choices = cast("list[tuple[str, object]]", field.choices)
            return [str(label) for _, label in choices]

    assert labels("en") != labels("tr")
    assert labels("en") != labels("sq")
