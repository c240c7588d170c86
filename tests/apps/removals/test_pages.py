"""The removal pages: the panel on the case page, the step pages and the list."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.apps.removals.conftest import (
    World,
    apprehension,
    days_ago,
    decided,
    detail,
    ok,
    open_case,
)
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_the_case_page_shows_the_panel_and_sends_steps_to_their_pages(world: World) -> None:
    boss, case_id = decided(world, apprehended=days_ago(1), notified=days_ago(1))
    page = boss.get(f"/cases/{case_id}/").content.decode()
    assert "Legal deadlines" in page
    assert "LFIP Art. 57(1)" in page
    assert f"/removals/cases/{case_id}/steps/order_detention" in page
    own = boss.get(f"/removals/cases/{case_id}/").content.decode()
    assert "İstanbul Governorate" in own
    assert f"/removals/cases/{case_id}/steps/lodge_appeal" in own


def test_a_step_page_records_the_step(world: World) -> None:
    case_id = open_case(world.boss)
    boss = login(Client(), world.boss)
    url = f"/removals/cases/{case_id}/steps/record_apprehension"
    form = boss.get(url)
    assert form.status_code == 200
    assert "Apprehending unit" in form.content.decode()
    data = apprehension(timezone.localdate())
    response = boss.post(url, {**data, "version": detail(boss, case_id)["version"]})
    assert response.status_code == 302
    assert detail(boss, case_id)["state"] == "apprehended"


def test_a_refused_step_shows_every_reason_and_keeps_the_input(world: World) -> None:
    boss, case_id = decided(world, apprehended=days_ago(5), notified=days_ago(5))
    url = f"/removals/cases/{case_id}/steps/record_decision_final"
    response = boss.post(
        url,
        {"checked_on": days_ago(1).isoformat(), "version": detail(boss, case_id)["version"]},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "seven-day appeal period" in page
    assert days_ago(1).isoformat() in page
    assert detail(boss, case_id)["state"] == "removal_pending"


def test_a_stale_form_says_reload(world: World) -> None:
    boss, case_id = decided(world, apprehended=days_ago(1))
    response = boss.post(
        f"/removals/cases/{case_id}/steps/discontinue",
        {"reason": "Residence permit granted.", "version": 1},
    )
    assert "Reload" in response.content.decode()


def test_the_list_puts_overdue_cases_first(world: World) -> None:
    calm = open_case(world.boss)
    boss = login(Client(), world.boss)
    ok(boss, calm, "record_apprehension", apprehension(timezone.localdate()))
    late = open_case(world.boss, opened_days_ago=9)
    ok(boss, late, "record_apprehension", apprehension(days_ago(9)))
    page = boss.get("/removals/").content.decode()
    assert "removal decision due within 48 hours" in page
    assert page.index(detail(boss, late)["reference"]) < page.index(detail(boss, calm)["reference"])
    rows = boss.get("/api/v1/removals/cases").json()["results"]
    assert [r["id"] for r in rows][:2] == [late, calm]
    assert rows[0]["overdue"] == 1


def test_the_list_is_for_removal_officers(world: World) -> None:
    assert login(Client(), world.responder).get("/removals/").status_code == 403
    assert login(Client(), world.worker).get("/removals/").status_code == 200


def test_a_removed_case_offers_only_steps_with_a_form(world: World) -> None:
    boss, case_id = decided(world, apprehended=days_ago(12), notified=days_ago(10))
    ok(boss, case_id, "record_decision_final", {"checked_on": days_ago(1).isoformat()})
    ok(
        boss,
        case_id,
        "request_travel_document",
        {
            "country": "GEO",
            "consulate": "Consulate of Georgia",
            "requested_on": days_ago(1).isoformat(),
        },
    )
    ok(
        boss,
        case_id,
        "record_consulate_answer",
        {
            "request_number": 1,
            "answer": "issued",
            "answered_on": days_ago(1).isoformat(),
            "document_kind": "passport",
        },
    )
    ok(
        boss,
        case_id,
        "execute_removal",
        {
            "executed_on": timezone.localdate().isoformat(),
            "route": "air",
            "escort": "none",
            "destination_country": "GEO",
        },
    )
    page = boss.get(f"/removals/cases/{case_id}/").content.decode()
    assert f"/removals/cases/{case_id}/steps/impose_entry_ban" in page
    assert "end_detention_on_removal" not in page
    # Coded values read as words, in the reader's language: the route, the escort, the
    # travel document's status and kind.
    assert "By air" in page
    assert "Unescorted" in page
    assert "laissez_passer" not in page
    assert ">issued<" not in page
    assert "Passport" in page
    turkish = boss.get(f"/removals/cases/{case_id}/", HTTP_ACCEPT_LANGUAGE="tr").content.decode()
    with translation.override("tr"):
        by_air = gettext("By air")
    assert by_air != "By air"
    assert by_air in turkish


def test_the_panel_list_and_steps_read_in_the_readers_language(world: World) -> None:
    """The procedure's words (state, phase, deadlines, steps) in Turkish; the codes in the
    links stay as they are."""
    boss, case_id = decided(world, apprehended=days_ago(1), notified=days_ago(1))
    boss.post("/i18n/setlang/", {"language": "tr", "next": "/"})
    page = boss.get(f"/cases/{case_id}/").content.decode()
    assert "Tebliğ edildi: sınır dışı etme uygulanacak" in page  # the state
    assert "uygulama — Tebliğ edildi" in page  # phase and state on the panel
    assert "Valiliğin sınır dışı etme kararı (yakalamadan itibaren 48 saat)" in page
    own = boss.get(f"/removals/cases/{case_id}/").content.decode()
    assert "Sınır dışı etmek amacıyla idari gözetim kararı ver (md. 57)" in own
    assert f"/removals/cases/{case_id}/steps/order_detention" in own
    listing = boss.get("/removals/").content.decode()
    assert "Tebliğ edildi: sınır dışı etme uygulanacak" in listing
    step = boss.get(f"/removals/cases/{case_id}/steps/order_detention").content.decode()
    assert "Sınır dışı etmek amacıyla idari gözetim kararı ver (md. 57)" in step
