"""Saved searches: a user's own, with the number of matching documents added since the
last run; run, rename, delete; nobody sees or touches another user's."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client

from tests.apps.coi.library import add_document
from tests.conftest import login
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, Unit, User
from ura.apps.coi import saved
from ura.apps.coi.models import SavedSearch
from ura.apps.coi.selectors import SearchParams
from ura.apps.core.models import AuditAction, AuditEvent
from ura.coi import FacetFilter

pytestmark = pytest.mark.django_db

SYRIA = SearchParams(query="detention", facets={"country": FacetFilter(any=("SY",))})


def _save(user: User, name: str = "Syria detention") -> SavedSearch:
    return saved.saved_search_save(actor=user, name=name, params=SYRIA)


def test_new_since_last_run_counts_only_matching_additions(reader: User) -> None:
    add_document("Syria 1", "Detention of returnees.", countries=("SY",))
    search = _save(reader)
    assert search.last_total == 1
    assert [r.new for r in saved.saved_searches_with_news(actor=reader)] == [0]

    add_document("Syria 2", "More detention reported.", countries=("SY",))
    add_document("Iraq", "Detention in Mosul.", countries=("IQ",))  # another country
    add_document("Syria 3", "Elections were held.", countries=("SY",))  # another topic
    assert [r.new for r in saved.saved_searches_with_news(actor=reader)] == [1]

    run = saved.saved_search_run(actor=reader, saved_id=search.pk)
    assert run.new == 1
    assert [hit.document.title for hit in run.new_hits] == ["Syria 2"]
    assert run.results.total == 2
    assert run.previous_run is not None
    # the run resets the count
    assert [r.new for r in saved.saved_searches_with_news(actor=reader)] == [0]
    search.refresh_from_db()
    assert search.last_total == 2


def test_turning_pages_is_not_another_run(reader: User) -> None:
    add_document("Syria 1", "Detention of returnees.", countries=("SY",))
    search = _save(reader)
    before = SavedSearch.objects.get(pk=search.pk).last_run_at
    later_page = saved.saved_search_run(actor=reader, saved_id=search.pk, page=2)
    assert SavedSearch.objects.get(pk=search.pk).last_run_at == before
    assert (later_page.new, later_page.new_hits) == (None, [])


def test_the_saved_parameters_are_kept(reader: User) -> None:
    params = SearchParams(
        query="women",
        title_only=True,
        facets={"topic": FacetFilter(none=("return",))},
        only_country="AF",
    )
    search = saved.saved_search_save(actor=reader, name="Women", params=params)
    again = saved.saved_search_params(SavedSearch.objects.get(pk=search.pk))
    assert again.as_json() == params.as_json()
    assert again.query == "women"


def test_names_are_required_and_unique_per_user(reader: User, unit: Unit) -> None:
    _save(reader)
    with pytest.raises(ValidationError):
        _save(reader)
    with pytest.raises(ValidationError):
        _save(reader, name="   ")
    other = make_user(role=RoleCode.CASEWORKER, unit=unit)
    _save(other)  # the same name for someone else is fine


def test_a_malformed_query_is_not_saved(reader: User) -> None:
    with pytest.raises(ValidationError):
        saved.saved_search_save(actor=reader, name="Broken", params=SearchParams(query='"open'))
    assert not SavedSearch.objects.exists()


def test_rename_and_delete_are_audited_without_the_query(reader: User) -> None:
    search = _save(reader)
    saved.saved_search_rename(actor=reader, saved_id=search.pk, name="Syria: detention")
    assert SavedSearch.objects.get(pk=search.pk).name == "Syria: detention"
    saved.saved_search_delete(actor=reader, saved_id=search.pk)
    assert not SavedSearch.objects.exists()
    events = AuditEvent.objects.filter(object_type="coi.savedsearch", object_id=str(search.pk))
    assert [e.action for e in events.order_by("sequence")] == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.DELETE,
    ]
    assert all("detention" not in str(e.changes) + str(e.detail) for e in events)


def test_nobody_sees_another_users_saved_searches(reader: User, unit: Unit) -> None:
    search = _save(reader)
    other = make_user(role=RoleCode.CASEWORKER, unit=unit)
    assert list(saved.saved_searches(actor=other)) == []
    for call in (
        lambda: saved.saved_search_run(actor=other, saved_id=search.pk),
        lambda: saved.saved_search_rename(actor=other, saved_id=search.pk, name="Mine"),
        lambda: saved.saved_search_delete(actor=other, saved_id=search.pk),
    ):
        with pytest.raises(Http404):
            call()
    assert SavedSearch.objects.get(pk=search.pk).name == "Syria detention"
    client = login(Client(), other)
    assert client.get(f"/coi/saved/{search.pk}/").status_code == 404
    assert client.post(f"/coi/saved/{search.pk}/delete").status_code == 404
    assert SavedSearch.objects.filter(pk=search.pk).exists()


def test_users_without_the_library_have_no_saved_searches() -> None:
    nobody = make_user(role=RoleCode.FIRST_RESPONDER)
    with pytest.raises(PermissionDenied):
        saved.saved_searches(actor=nobody)
    with pytest.raises(PermissionDenied):
        _save(nobody)


def test_the_pages_save_list_run_rename_and_delete(reader: User) -> None:
    add_document("Syria 1", "Detention of returnees.", countries=("SY",))
    client = login(Client(), reader)
    response = client.post(
        "/coi/saved/new", {"name": "Syria detention", "search": "q=detention&country=SY"}
    )
    assert response.status_code == 302
    search = SavedSearch.objects.get(owner=reader)
    assert search.params["country"] == {"any": ["SY"]}
    add_document("Syria 2", "More detention.", countries=("SY",))
    listing = client.get("/coi/saved/").content.decode()
    assert "Syria detention" in listing
    assert "1 new" in listing
    page = client.get(f"/coi/saved/{search.pk}/").content.decode()
    assert "1 document added since your last run" in page
    new_section = page.split('id="new-heading"')[1].split("</section>")[0]
    assert "Syria 2" in new_section
    assert "Syria 1" not in new_section
    assert "0 new" not in client.get("/coi/saved/").content.decode()
    client.post(f"/coi/saved/{search.pk}/rename", {"name": "Renamed"})
    assert SavedSearch.objects.get(pk=search.pk).name == "Renamed"
    client.post(f"/coi/saved/{search.pk}/delete")
    assert not SavedSearch.objects.exists()


def test_saving_a_broken_search_says_so(reader: User) -> None:
    client = login(Client(), reader)
    response = client.post(
        "/coi/saved/new", {"name": "Broken", "search": "q=%28Kabul"}, follow=True
    )
    assert "missing" in response.content.decode()
    assert not SavedSearch.objects.exists()
