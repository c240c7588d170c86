"""The migration profile of a profile run: analysts' texts (versioned, audited), the report
page built from the protected tables, who may see it, and the PDF."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.apps.statistics.conftest import END, START, TABLES, World
from tests.conftest import login
from ura.apps.accounts.models import User
from ura.apps.core.models import AuditEvent
from ura.apps.statistics import profile
from ura.apps.statistics.models import ProfileRun, ProfileText, StatTable, TableStatus
from ura.apps.statistics.services import (
    StaleTextError,
    frame_from_bytes,
    profile_build,
    profile_text_publish,
    profile_text_review,
    profile_text_save,
    table_publish,
    table_review,
)


@pytest.fixture
def run(world: World, analyst: User) -> ProfileRun:
    return profile_build(actor=analyst, start=START, end=END, table_ids=TABLES)


def _published_rate(run: ProfileRun) -> float:
    """The recognition rate of 2025 as published: the share of the published (rounded)
    decisions of migr_asydcfsta, all of them notified in the third quarter."""
    decisions = frame_from_bytes(run.tables.get(definition_id="migr_asydcfsta").protected)  # type: ignore[arg-type]
    cells = decisions[
        (decisions["TIME_PERIOD"] == "2025-Q3")
        & (decisions["CITIZEN"] == "_T")
        & (decisions["SEX"] == "_T")
        & (decisions["AGE"] == "_T")
    ].set_index("DECISION")["OBS_VALUE"]
    return float(100 * cells["TOTAL_POS"] / cells["_T"])


def _rate_text(run: ProfileRun) -> str:
    return f"First-instance recognition rate in 2025: {_published_rate(run):.1f}%."


def _events(obj: object, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type=f"{obj._meta.label_lower}",  # type: ignore[attr-defined]
            object_id=str(obj.pk),  # type: ignore[attr-defined]
            action=action,
        )
    )


def _pdf_exports(run: ProfileRun) -> list[AuditEvent]:
    events = sorted(_events(run, "export"), key=lambda e: e.pk)
    return [e for e in events if e.detail.get("report") == "migration_profile"]


def test_texts_are_versioned_audited_and_refused_when_stale(
    run: ProfileRun, analyst: User, second_analyst: User, supervisor: User
) -> None:
    first = profile_text_save(
        actor=analyst, run_id=run.pk, slot="key_findings", text="One.\r\n\r\nTwo.",
        expected_version=0,
    )  # fmt: skip
    assert (first.version, first.text) == (1, "One.\n\nTwo.")
    second = profile_text_save(
        actor=second_analyst, run_id=run.pk, slot="key_findings", text="Three.",
        expected_version=1,
    )  # fmt: skip
    assert second.version == 2
    with pytest.raises(StaleTextError) as stale:
        profile_text_save(
            actor=analyst, run_id=run.pk, slot="key_findings", text="Lost?", expected_version=1
        )
    assert stale.value.current_version == 2
    assert ProfileText.objects.get(run=run, slot="key_findings").text == "Three."
    with pytest.raises(ValidationError):
        profile_text_save(
            actor=analyst, run_id=run.pk, slot="no_such_slot", text="x", expected_version=0
        )
    with pytest.raises(PermissionDenied):
        profile_text_save(
            actor=supervisor, run_id=run.pk, slot="key_findings", text="x", expected_version=2
        )
    assert len(_events(first, "create")) == 1
    updates = _events(first, "update")
    assert [e.detail["version"] for e in updates] == [2]
    assert "Three." not in str(updates[0].detail)  # the audit keeps the size, not the text


def test_text_page_saves_and_shows_a_conflict_without_losing_the_text(
    client: Client, run: ProfileRun, analyst: User, second_analyst: User, supervisor: User
) -> None:
    url = reverse("statistics:profile_text", args=[run.pk, "policy_framework"])
    login(client, analyst)
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "The Law on Foreigners.", "version": "0"})
    assert response.status_code == 302
    profile_text_save(
        actor=second_analyst, run_id=run.pk, slot="policy_framework", text="Changed.",
        expected_version=1,
    )  # fmt: skip
    page = client.post(url, {"text": "My stale edit.", "version": "1"}).content.decode()
    assert "Someone else saved this text" in page
    assert "My stale edit." in page  # the analyst's text is still in the form
    assert "Changed." in page  # and the one saved meanwhile is shown
    page = client.get(reverse("statistics:profile", args=[run.pk])).content.decode()
    assert "Changed." in page
    client.logout()
    login(client, supervisor)
    assert client.get(url).status_code == 403


def test_profile_page_shows_a_highlight_from_the_protected_tables(
    client: Client, run: ProfileRun, analyst: User
) -> None:
    rate = run.tables.get(definition_id="ura_asy_recognition_rate")
    login(client, analyst)
    page = client.get(reverse("statistics:profile", args=[run.pk])).content.decode()
    assert _rate_text(run) in page
    assert "Draft: not for publication" in page
    # Monthly and quarterly tables are not summed into years: they are data gaps.
    assert "table migr_asyappctza was not computed for this report" in page
    assert '<ul class="profile-gaps">' in page
    assert f'href="{reverse("statistics:table", args=[rate.pk])}"' in page
    assert "Key findings" in page
    assert "Not yet written." in page
    assert "Migration profile" in page  # the statistics navigation
    # UNHCR's context is drawn by the page's script from a JSON block (the CSP's way).
    assert 'class="vega-chart"' in page
    assert '<script id="spec-profile-chart-0" type="application/json">' in page
    assert "vega-embed.min.js" in page
    # In the request's language: Turkish numbers.
    page = client.get(
        reverse("statistics:profile", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="tr"
    ).content.decode()
    assert f"%{_published_rate(run):.1f}".replace(".", ",") in page


def test_the_profile_reads_the_protected_cells_not_the_unprotected(
    run: ProfileRun, analyst: User
) -> None:
    from ura.apps.statistics import selectors
    from ura.apps.statistics.services import frame_to_bytes

    table = run.tables.get(definition_id="ura_asy_recognition_rate")
    assert table.protected is not None
    protected = frame_from_bytes(table.protected)
    protected["OBS_VALUE"] = protected["OBS_VALUE"].where(protected["OBS_VALUE"].isna(), 25.0)
    table.protected = frame_to_bytes(protected)
    table.save(update_fields=["protected"])
    source = selectors.access_profile(analyst, run.pk)
    texts = [
        h.text() for h in profile.report_of(source, selectors.profile_frames(source)).highlights
    ]
    assert "First-instance recognition rate in 2025: 25.0%." in texts


def test_a_non_analyst_sees_the_profile_only_once_its_tables_are_published(
    client: Client, run: ProfileRun, analyst: User, second_analyst: User, supervisor: User
) -> None:
    url = reverse("statistics:profile", args=[run.pk])
    login(client, supervisor)
    assert client.get(url).status_code == 404
    assert client.get(reverse("statistics:profile_pdf", args=[run.pk])).status_code == 404
    page = client.get(reverse("statistics:profile_latest")).content.decode()
    assert "No migration profile is available yet" in page
    used = StatTable.objects.filter(run=run, frequency="A").exclude(definition_id="migr_asydcfsta")
    assert used.count() == 2  # crim_thb_vexp and ura_asy_recognition_rate
    # The rate is published after the counts it is a share of (a quarterly table, which
    # the profile does not read).
    decisions = run.tables.get(definition_id="migr_asydcfsta")
    table_review(actor=second_analyst, table_id=decisions.pk)
    table_publish(actor=second_analyst, table_id=decisions.pk)
    first, *rest = list(used)
    table_review(actor=second_analyst, table_id=first.pk)
    table_publish(actor=second_analyst, table_id=first.pk)
    assert client.get(url).status_code == 404  # one of its tables is still a draft
    for table in rest:
        table_review(actor=second_analyst, table_id=table.pk)
        table_publish(actor=second_analyst, table_id=table.pk)
    assert (
        not StatTable.objects.filter(run=run, frequency="A")
        .exclude(status=TableStatus.PUBLISHED)
        .exists()
    )
    page = client.get(url).content.decode()
    assert _rate_text(run) in page
    assert "Analysts&#x27; texts" not in page
    assert client.get(reverse("statistics:profile_latest"))["Location"] == url


def test_pdf_is_a_pdf_audited_and_final_only_when_written_and_published(
    client: Client, run: ProfileRun, analyst: User, second_analyst: User
) -> None:
    login(client, analyst)
    url = reverse("statistics:profile_pdf", args=[run.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "draft" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    exports = _pdf_exports(run)
    assert [(e.actor_id, e.detail["final"]) for e in exports] == [(analyst.pk, False)]
    response = client.get(url, {"final": "1"}, follow=True)
    assert response.redirect_chain
    page = response.content.decode()
    assert "A final report needs every required text; not yet written: Executive summary," in page
    assert "not yet published: crim_thb_vexp, ura_asy_recognition_rate" in page
    assert len(_pdf_exports(run)) == 1  # the refused final PDF was not made
    for slot in profile.template_slots().values():
        if slot.required:
            profile_text_save(
                actor=analyst, run_id=run.pk, slot=slot.slot, text="Written.",
                expected_version=0,
            )  # fmt: skip
    page = client.get(url, {"final": "1"}, follow=True).content.decode()
    assert "A final report needs every required text" not in page
    # Written is not enough: the texts are published after review, and so are the tables.
    assert "A final report uses published texts only; not yet published: Executive summary," in (
        page
    )
    assert "A final report uses published tables only" in page
    assert "Draft: not for publication" in page
    for slot in profile.template_slots().values():
        if slot.required:
            profile_text_review(
                actor=second_analyst, run_id=run.pk, slot=slot.slot, expected_version=1
            )
            profile_text_publish(
                actor=second_analyst, run_id=run.pk, slot=slot.slot, expected_version=1
            )
    page = client.get(url, {"final": "1"}, follow=True).content.decode()
    assert "A final report uses published texts only" not in page
    assert "A final report uses published tables only" in page
    decisions = run.tables.get(definition_id="migr_asydcfsta")
    for table in [decisions, *StatTable.objects.filter(run=run, frequency="A")]:
        table_review(actor=second_analyst, table_id=table.pk)
        table_publish(actor=second_analyst, table_id=table.pk)
    response = client.get(url, {"final": "1"})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert "final" in response["Content-Disposition"]
    assert [e.detail["final"] for e in _pdf_exports(run)] == [False, True]
    page = client.get(reverse("statistics:profile", args=[run.pk])).content.decode()
    assert "Draft: not for publication" not in page


@pytest.fixture
def _language_reset() -> Iterator[None]:
    """The locale middleware leaves the last request's language active in the test's thread:
    deactivate it, or the next tests' messages would be Turkish."""
    yield
    translation.deactivate()


@pytest.mark.usefixtures("_language_reset")
def test_statistics_pages_in_turkish(client: Client, run: ProfileRun, analyst: User) -> None:
    """The statistics pages and the profile's titles, captions and highlights come from the
    catalogue: with Turkish chosen nothing of them is left in English."""
    login(client, analyst)
    client.post("/i18n/setlang/", {"language": "tr", "next": "/"})
    page = client.get(reverse("statistics:catalogue")).content.decode()
    assert "<h1>Göç istatistikleri</h1>" in page
    assert "Koruma kuralı" in page
    assert "Migration statistics" not in page
    page = client.get(reverse("statistics:profile", args=[run.pk])).content.decode()
    assert "<h1>Genişletilmiş göç profili</h1>" in page
    assert "<caption>İstismar biçimine göre tanımlanan mağdurlar</caption>" in page
    assert "<figcaption>Yıl sonunda ülkede bulunan mülteciler</figcaption>" in page
    assert "migr_asyappctza tablosu bu rapor için hesaplanmadı" in page  # a data gap
    rate = f"%{_published_rate(run):.1f}".replace(".", ",")
    assert f"2025 döneminde ilk derece tanınma oranı: {rate}." in page  # a highlight
    assert "Taslak: yayımlanmak için değildir" in page
    assert "Extended migration profile" not in page
    assert "recognition rate" not in page
