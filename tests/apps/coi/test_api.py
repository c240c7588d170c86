"""The COI JSON API: search with facets and query mistakes, documents and passages, sources,
country overviews, saved searches, and importing one document (managers only)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.apps.coi.conftest import IndexedBlock
from tests.apps.coi.library import add_document
from tests.conftest import login
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, Unit, User
from ura.apps.coi.models import Document, ImportOrigin, ImportRejection, SavedSearch

pytestmark = pytest.mark.django_db

API = "/api/v1/coi"


@pytest.fixture
def library() -> dict[str, Document]:
    return {
        "syria": add_document(
            "Syria: security situation",
            "Arbitrary detention of returnees continued in Damascus.",
            countries=("SY",),
            topics=("detention",),
            published=dt.date(2024, 3, 1),
            is_key=True,
        ),
        "lebanon": add_document(
            "Syrian refugees in Lebanon",
            "Refugees from Syria face detention and deportation.",
            countries=("SY", "LB"),
            sources=("Human Rights Watch",),
            published=dt.date(2025, 1, 10),
        ),
        "afghanistan": add_document(
            "Afghanistan: women", "Women may not travel alone.", countries=("AF",), published=None
        ),
    }


@pytest.fixture
def reader_client(reader: User) -> Client:
    return login(Client(), reader)


@pytest.fixture
def steward_client(steward: User) -> Client:
    return login(Client(), steward)


def _json(client: Client, method: str, url: str, payload: dict[str, Any] | None = None) -> Any:
    call = getattr(client, method)
    if payload is None:
        return call(url)
    return call(url, json.dumps(payload), content_type="application/json")


def test_search(reader_client: Client, library: dict[str, Document]) -> None:
    response = reader_client.get(f"{API}/search", {"q": "detention"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    ids = {hit["id"] for hit in body["hits"]}
    assert ids == {library["syria"].pk, library["lebanon"].pk}
    hit = next(h for h in body["hits"] if h["id"] == library["syria"].pk)
    assert hit["highlights"][0]["anchor"] == "¶1"
    assert hit["countries"] == [{"code": "SY", "name": "Syria"}]
    assert hit["sources"][0]["name"] == "UNHCR"
    countries = {v["value"]: v["count"] for v in body["facets"]["country"]}
    assert countries == {"SY": 2, "LB": 1}


def test_search_filters(reader_client: Client, library: dict[str, Document]) -> None:
    def ids(**params: Any) -> set[int]:
        response = reader_client.get(f"{API}/search", params)
        assert response.status_code == 200, response.content
        return {hit["id"] for hit in response.json()["hits"]}

    assert ids(country_none="SY") == {library["afghanistan"].pk}
    assert ids(country_all=["SY", "LB"]) == {library["lebanon"].pk}
    assert ids(country=["LB", "AF"]) == {library["lebanon"].pk, library["afghanistan"].pk}
    assert ids(only_country="SY") == {library["syria"].pk}
    assert ids(q="Damascus", title_only="true") == set()
    assert ids(source="Human Rights Watch") == {library["lebanon"].pk}
    newest = reader_client.get(f"{API}/search", {"sort": "newest", "per_page": "1"}).json()
    assert (newest["total"], newest["pages"], newest["hits"][0]["id"]) == (
        3,
        3,
        library["lebanon"].pk,
    )


def test_a_query_mistake_is_a_422_naming_the_position(
    reader_client: Client, library: dict[str, Document]
) -> None:
    response = reader_client.get(f"{API}/search", {"q": "Kabul OR"})
    assert response.status_code == 422
    assert "character 9" in response.json()["errors"]["query"][0]


def test_documents_and_passages(reader_client: Client, library: dict[str, Document]) -> None:
    document = library["syria"]
    body = reader_client.get(f"{API}/documents/{document.pk}").json()
    assert body["title"] == "Syria: security situation"
    assert body["editions"][0]["checksum"] == document.editions.get().checksum
    passages = reader_client.get(f"{API}/documents/{document.pk}/passages").json()
    assert passages["edition"] == 1
    assert passages["passages"][0]["anchor"] == "¶1"
    assert passages["passages"][0]["text"].startswith("Arbitrary detention")
    assert reader_client.get(f"{API}/documents/999999").status_code == 404
    assert reader_client.get(f"{API}/documents/{document.pk}/passages?edition=5").status_code == 404


def test_sources_and_countries(reader_client: Client, library: dict[str, Document]) -> None:
    sources = {s["name"]: s for s in reader_client.get(f"{API}/sources").json()}
    assert sources["UNHCR"]["documents"] == 2
    assert sources["Human Rights Watch"]["documents"] == 1
    assert reader_client.get(f"{API}/countries/QQ").status_code == 404
    syria = reader_client.get(f"{API}/countries/sy").json()
    assert (syria["code"], syria["name"], syria["documents"]) == ("SY", "Syria", 2)
    assert [d["id"] for d in syria["key_documents"]] == [library["syria"].pk]
    assert syria["topics"] == [
        {"code": "detention", "label": "Detention and prisons", "documents": 1}
    ]


def test_reading_needs_the_permission(library: dict[str, Document]) -> None:
    outsider = login(Client(), make_user(role=RoleCode.FIRST_RESPONDER))
    for url in (
        f"{API}/search",
        f"{API}/documents/{library['syria'].pk}",
        f"{API}/documents/{library['syria'].pk}/passages",
        f"{API}/sources",
        f"{API}/countries/SY",
        f"{API}/saved-searches",
    ):
        assert outsider.get(url).status_code == 403, url
    assert Client().get(f"{API}/search").status_code == 401


def test_saved_searches(reader_client: Client, reader: User, unit: Unit) -> None:
    add_document("Syria 1", "Detention of returnees.", countries=("SY",))
    created = _json(
        reader_client,
        "post",
        f"{API}/saved-searches",
        {"name": "Syria", "query": "detention", "params": {"country": {"any": ["SY"]}}},
    )
    assert created.status_code == 201, created.content
    saved_id = created.json()["id"]
    add_document("Syria 2", "New detention report.", countries=("SY",))
    listing = reader_client.get(f"{API}/saved-searches").json()
    assert [(s["name"], s["new_since_last_run"]) for s in listing] == [("Syria", 1)]
    run = reader_client.post(f"{API}/saved-searches/{saved_id}/run").json()
    assert run["new_since_previous_run"] == 1
    assert [d["title"] for d in run["new_documents"]] == ["Syria 2"]
    assert run["results"]["total"] == 2
    assert reader_client.get(f"{API}/saved-searches").json()[0]["new_since_last_run"] == 0
    renamed = _json(reader_client, "patch", f"{API}/saved-searches/{saved_id}", {"name": "SY"})
    assert renamed.json()["name"] == "SY"
    duplicate = _json(reader_client, "post", f"{API}/saved-searches", {"name": "SY", "query": "x"})
    assert duplicate.status_code == 422
    broken = _json(
        reader_client, "post", f"{API}/saved-searches", {"name": "Broken", "query": "(x"}
    )
    assert broken.status_code == 422
    other = login(Client(), make_user(role=RoleCode.CASEWORKER, unit=unit))
    assert other.get(f"{API}/saved-searches/{saved_id}").status_code == 404
    assert other.delete(f"{API}/saved-searches/{saved_id}").status_code == 404
    assert reader_client.delete(f"{API}/saved-searches/{saved_id}").status_code == 204
    assert not SavedSearch.objects.exists()


def _import_payload(library: dict[str, Document], **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "title": "Iraq: returns",
        "sources": ["UNHCR"],
        "document_type": "report",
        "language": "en",
        "countries": ["IQ", "SY"],
        "published": "2025-04-01",
        "url": "https://example.org/iraq",
    }
    payload.update(extra)
    return payload


def test_managers_import_a_document(
    steward_client: Client, library: dict[str, Document], indexed: IndexedBlock
) -> None:
    upload = SimpleUploadedFile("iraq.txt", b"Families returned to Sinjar.\n\nHomes destroyed.")
    with indexed():  # the index is updated when the import's transaction commits
        response = steward_client.post(
            f"{API}/documents", {**_import_payload(library), "file": upload}
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Iraq: returns"
    assert [c["code"] for c in body["countries"]] == ["IQ", "SY"]
    document = Document.objects.get(pk=body["id"])
    assert document.editions.get().batch.origin == ImportOrigin.API  # type: ignore[union-attr]
    found = steward_client.get(f"{API}/search", {"q": "Sinjar"}).json()
    assert [h["id"] for h in found["hits"]] == [document.pk]


def test_an_unreadable_file_is_a_422_with_the_rejection(
    steward_client: Client, library: dict[str, Document]
) -> None:
    upload = SimpleUploadedFile("broken.pdf", b"%PDF-1.4 nothing")
    response = steward_client.post(f"{API}/documents", {**_import_payload(library), "file": upload})
    assert response.status_code == 422
    body = response.json()
    rejection = ImportRejection.objects.get()
    assert body["rejection"] == rejection.pk
    assert body["reason"] == rejection.reason


def test_invalid_metadata_is_a_422_per_field(
    steward_client: Client, library: dict[str, Document]
) -> None:
    upload = SimpleUploadedFile("a.txt", b"Text.")
    response = steward_client.post(
        f"{API}/documents", {**_import_payload(library, countries=["ZZ"]), "file": upload}
    )
    assert response.status_code == 422
    assert "countries" in response.json()["errors"]


def test_readers_may_not_import(reader_client: Client, library: dict[str, Document]) -> None:
    upload = SimpleUploadedFile("a.txt", b"Text.")
    response = reader_client.post(f"{API}/documents", {**_import_payload(library), "file": upload})
    assert response.status_code == 403
    assert not Document.objects.filter(title="Iraq: returns").exists()


def test_the_endpoints_are_in_the_openapi_schema(db: None) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/coi/search",
        "/api/v1/coi/documents",
        "/api/v1/coi/documents/{document_id}",
        "/api/v1/coi/documents/{document_id}/passages",
        "/api/v1/coi/sources",
        "/api/v1/coi/countries/{code}",
        "/api/v1/coi/saved-searches",
        "/api/v1/coi/saved-searches/{saved_id}",
        "/api/v1/coi/saved-searches/{saved_id}/run",
    ):
        assert path in paths, path


def test_a_file_over_the_limit_is_refused(
    steward_client: Client, library: dict[str, Document], monkeypatch: Any
) -> None:
    from ura.apps.coi import services

    monkeypatch.setattr(services, "FILE_MAX_BYTES", 10)
    upload = SimpleUploadedFile("big.txt", b"More than ten bytes of text.")
    response = steward_client.post(f"{API}/documents", {**_import_payload(library), "file": upload})
    assert response.status_code == 422
    assert "file" in response.json()["errors"]
    assert not Document.objects.filter(title="Iraq: returns").exists()
