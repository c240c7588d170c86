"""The analysts' texts of the migration profile go through the release workflow of the tables:
draft → reviewed by another analyst than the author → published, each version kept, every step
audited; the published profile (pages, PDF, API) shows only published texts."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from tests.apps.statistics.conftest import END, START, TABLES, World
from tests.conftest import login
from ura.apps.accounts.models import User
from ura.apps.core.models import AuditEvent
from ura.apps.statistics.models import (
    ProfileRun,
    ProfileText,
    ProfileTextVersion,
    StatTable,
    TableStatus,
)
from ura.apps.statistics.services import (
    StaleTextError,
    profile_build,
    profile_text_publish,
    profile_text_review,
    profile_text_save,
    table_publish,
    table_review,
)

SLOT = "key_findings"


@pytest.fixture
def run(world: World, analyst: User) -> ProfileRun:
    return profile_build(actor=analyst, start=START, end=END, table_ids=TABLES)


def _publish_tables(run: ProfileRun, reviewer: User) -> None:
    # The recognition rate is published after the decisions it is a share of.
    decisions = run.tables.get(definition_id="migr_asydcfsta")
    for table in [decisions, *StatTable.objects.filter(run=run, frequency="A")]:
        table_review(actor=reviewer, table_id=table.pk)
        table_publish(actor=reviewer, table_id=table.pk)


def _steps(text: ProfileText) -> list[tuple[str, object, object]]:
    events = AuditEvent.objects.filter(
        object_type="statistics.profiletext", object_id=str(text.pk)
    ).order_by("pk")
    return [(e.detail["step"], e.detail["version"], e.changes.get("status")) for e in events]


def _write(author: User, run: ProfileRun, text: str, version: int, slot: str = SLOT) -> None:
    profile_text_save(actor=author, run_id=run.pk, slot=slot, text=text, expected_version=version)


def test_four_eyes_versions_kept_and_every_step_audited(
    run: ProfileRun, analyst: User, second_analyst: User, supervisor: User
) -> None:
    _write(analyst, run, "Applications rose.", 0)
    with pytest.raises(PermissionDenied):  # the author does not review their own version
        profile_text_review(actor=analyst, run_id=run.pk, slot=SLOT, expected_version=1)
    with pytest.raises(PermissionDenied):  # not an analyst
        profile_text_review(actor=supervisor, run_id=run.pk, slot=SLOT, expected_version=1)
    with pytest.raises(ValidationError):  # only a reviewed text is published
        profile_text_publish(actor=second_analyst, run_id=run.pk, slot=SLOT, expected_version=1)
    with pytest.raises(StaleTextError):  # the reviewer approves the version they read
        profile_text_review(actor=second_analyst, run_id=run.pk, slot=SLOT, expected_version=2)
    reviewed = profile_text_review(
        actor=second_analyst, run_id=run.pk, slot=SLOT, expected_version=1
    )
    assert (reviewed.status, reviewed.reviewed_by) == (TableStatus.REVIEWED, second_analyst)
    with pytest.raises(ValidationError):  # reviewed once
        profile_text_review(actor=second_analyst, run_id=run.pk, slot=SLOT, expected_version=1)
    published = profile_text_publish(actor=analyst, run_id=run.pk, slot=SLOT, expected_version=1)
    assert published.status == TableStatus.PUBLISHED

    # Editing the published text makes a new draft version; the published one is kept.
    _write(second_analyst, run, "Applications rose by a third.", 1)
    text = ProfileText.objects.get(run=run, slot=SLOT)
    assert (text.version, text.status, text.reviewed_by, text.published_at) == (
        2,
        TableStatus.DRAFT,
        None,
        None,
    )
    versions = {v.version: v for v in ProfileTextVersion.objects.filter(profile_text=text)}
    assert versions[1].text == "Applications rose."
    assert versions[1].status == TableStatus.PUBLISHED
    assert versions[1].reviewed_by == second_analyst
    assert versions[1].published_by == analyst
    assert (versions[2].text, versions[2].status) == ("Applications rose by a third.", "draft")
    # Now the first analyst may review: the second wrote this version.
    with pytest.raises(PermissionDenied):
        profile_text_review(actor=second_analyst, run_id=run.pk, slot=SLOT, expected_version=2)
    profile_text_review(actor=analyst, run_id=run.pk, slot=SLOT, expected_version=2)

    assert _steps(text) == [
        ("save", 1, None),
        ("review", 1, ["draft", "reviewed"]),
        ("publish", 1, ["reviewed", "published"]),
        ("save", 2, ["published", "draft"]),
        ("review", 2, ["draft", "reviewed"]),
    ]
    events = AuditEvent.objects.filter(object_type="statistics.profiletext")
    assert "Applications" not in json.dumps([e.detail for e in events])  # sizes, not texts


def test_an_empty_text_is_not_reviewed_and_an_unwritten_one_has_nothing_to_review(
    run: ProfileRun, analyst: User, second_analyst: User
) -> None:
    with pytest.raises(ValidationError, match="not been written"):
        profile_text_review(actor=second_analyst, run_id=run.pk, slot=SLOT, expected_version=0)
    _write(analyst, run, "   ", 0)
    with pytest.raises(ValidationError, match="empty"):
        profile_text_review(actor=second_analyst, run_id=run.pk, slot=SLOT, expected_version=1)
    with pytest.raises(ValidationError):
        profile_text_review(
            actor=second_analyst, run_id=run.pk, slot="no_such_slot", expected_version=1
        )


def test_the_published_profile_shows_published_texts_only(
    client: Client, run: ProfileRun, analyst: User, second_analyst: User, supervisor: User
) -> None:
    _publish_tables(run, second_analyst)
    _write(analyst, run, "Published findings.", 0)
    profile_text_review(actor=second_analyst, run_id=run.pk, slot=SLOT, expected_version=1)
    profile_text_publish(actor=second_analyst, run_id=run.pk, slot=SLOT, expected_version=1)
    _write(analyst, run, "Draft findings, not reviewed.", 1)
    _write(analyst, run, "A draft summary.", 0, slot="executive_summary")
    url = reverse("statistics:profile", args=[run.pk])

    login(client, supervisor)
    page = client.get(url).content.decode()
    assert "Published findings." in page
    assert "Draft findings" not in page
    assert "A draft summary." not in page
    assert "Not yet published." in page  # the executive summary has no published version
    assert "Not yet written." not in page
    assert "Not yet published:" in page  # what the final report still needs
    assert "Draft: not for publication" in page
    pdf = client.get(reverse("statistics:profile_pdf", args=[run.pk]))
    assert pdf.status_code == 200
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Published findings." in words
    assert "Draft findings" not in words
    assert "A draft summary." not in words
    assert "Not yet published." in words

    client.logout()
    login(client, analyst)
    page = client.get(url).content.decode()
    assert "Draft findings, not reviewed." in page  # analysts read the current texts
    assert "A draft summary." in page
    texts = page[page.index('id="profile-texts-h"') :]
    row = texts[texts.index('id="slot-key_findings"') :]
    row = row[: row.index("</tr>")]
    assert "<td>2</td>" in row  # the current version
    assert "Draft" in row
    assert "1 (" in row  # the published version
    pdf = client.get(reverse("statistics:profile_pdf", args=[run.pk]))
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Draft findings, not reviewed." in words  # the analysts' draft PDF


def test_text_page_reviews_and_publishes_through_forms(
    client: Client, run: ProfileRun, analyst: User, second_analyst: User, supervisor: User
) -> None:
    _write(analyst, run, "Written by the first analyst.", 0)
    url = reverse("statistics:profile_text", args=[run.pk, SLOT])
    review = reverse("statistics:profile_text_review", args=[run.pk, SLOT])
    publish = reverse("statistics:profile_text_publish", args=[run.pk, SLOT])

    login(client, supervisor)  # not an analyst: no text page, no review, no publication
    assert client.get(url).status_code == 403
    assert client.post(review, {"version": "1"}).status_code == 403
    assert client.post(publish, {"version": "1"}).status_code == 403
    client.logout()

    login(client, analyst)
    page = client.get(url).content.decode()
    assert "Mark version 1 reviewed" not in page
    assert "You wrote this version: another analyst reviews it." in page
    page = client.post(review, {"version": "1"}, follow=True).content.decode()
    assert "Another analyst than the one who wrote this version must review it." in page
    client.logout()

    login(client, second_analyst)
    page = client.get(url).content.decode()
    assert "Mark version 1 reviewed" in page
    assert "Publish version 1" not in page
    page = client.post(review, {"version": "1"}, follow=True).content.decode()
    assert "The text is reviewed; it can now be published." in page
    assert '<span id="text-status">Reviewed</span>' in page
    page = client.post(publish, {"version": "1"}, follow=True).content.decode()
    assert "The text is published." in page
    assert '<span id="text-status">Published</span>' in page
    assert "Saving makes a new version" in page
    assert client.get(review).status_code == 405
    assert ProfileText.objects.get(run=run, slot=SLOT).status == TableStatus.PUBLISHED


def test_api_texts_save_review_publish(
    client: Client, run: ProfileRun, analyst: User, second_analyst: User, supervisor: User
) -> None:
    base = f"/api/v1/statistics/runs/{run.pk}/profile/texts"
    login(client, analyst)
    saved = client.put(
        f"{base}/{SLOT}", {"text": "From the API.", "version": 0}, content_type="application/json"
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["current"]["status"] == "draft"
    assert saved.json()["published"] is None
    stale = client.put(
        f"{base}/{SLOT}", {"text": "Late.", "version": 0}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 1
    own = client.post(f"{base}/{SLOT}/review", {"version": 1}, content_type="application/json")
    assert own.status_code == 403
    client.logout()

    login(client, second_analyst)
    reviewed = client.post(f"{base}/{SLOT}/review", {"version": 1}, content_type="application/json")
    assert reviewed.status_code == 200
    assert reviewed.json()["current"]["status"] == "reviewed"
    assert reviewed.json()["current"]["reviewed_by"] == second_analyst.username
    published = client.post(
        f"{base}/{SLOT}/publish", {"version": 1}, content_type="application/json"
    )
    assert published.status_code == 200
    assert published.json()["published"]["text"] == "From the API."
    twice = client.post(f"{base}/{SLOT}/publish", {"version": 1}, content_type="application/json")
    assert twice.status_code == 422
    client.logout()

    login(client, supervisor)
    assert client.get(base).status_code == 404  # the profile's tables are not published yet
    _publish_tables(run, second_analyst)
    listed = {t["slot"]: t for t in client.get(base).json()}
    assert listed[SLOT]["current"] is None  # no draft texts outside the analysts
    assert listed[SLOT]["published"]["version"] == 1
    assert listed["executive_summary"]["published"] is None
    refused = client.put(
        f"{base}/{SLOT}", {"text": "x", "version": 1}, content_type="application/json"
    )
    assert refused.status_code == 403
