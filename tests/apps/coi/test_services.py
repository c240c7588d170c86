"""COI library writes: permissions, metadata validation, rejections kept with their files,
exact and near duplicates, new editions keeping the old passages, withdrawal, optimistic
locking, sources, the thesaurus, and the audit trail of each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import Http404
from django.test import Client

from tests.apps.coi.conftest import IndexedBlock, import_text, make_source, metadata
from ura.apps.accounts.models import User
from ura.apps.coi import search, services, thesaurus
from ura.apps.coi.models import (
    Document,
    DocumentStatus,
    DuplicateKey,
    DuplicateReview,
    Edition,
    ImportBatch,
    ImportRejection,
    Passage,
    Source,
    Topic,
)
from ura.apps.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

#: A day in the future in every time zone.
LATER = dt.datetime.now(tz=dt.UTC).date() + dt.timedelta(days=2)

REPORT = """# Security situation

Armed clashes between government forces and opposition groups continued in the north of the
country throughout the reporting period, with shelling of residential areas near the front line.

# Military service

Men aged between 18 and 42 are called up for military service; reservists are recalled without
notice and deserters face prison sentences of up to five years, according to several sources.

# Return

Returnees were questioned by the security services at the airport and some were detained for
several days before being released without charge.
"""

OTHER = """# Health care

Hospitals in the capital lack essential medicines; patients with chronic illnesses must buy
them on the private market at prices most families cannot afford, the ministry acknowledged.
"""


def _events(obj: Any, action: AuditAction | None = None) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    if action is not None:
        events = events.filter(action=action)
    return list(events.order_by("sequence"))


def _stored(name: str) -> bytes:
    with default_storage.open(name) as stream:
        return bytes(stream.read())


def _found(query: str) -> set[str]:
    return {h.doc_id for h in search.backend().search(query, limit=100).hits}


# --- Permissions -----------------------------------------------------------------------------


def test_readers_may_not_write(reader: User, steward: User) -> None:
    document = import_text(steward, REPORT)
    source = Source.objects.get()
    calls: list[Callable[[], object]] = [
        lambda: services.document_import(
            actor=reader, data=b"text", filename="a.txt", metadata=metadata()
        ),
        lambda: services.document_new_edition(
            actor=reader, document_id=document.pk, data=b"new", filename="a.txt"
        ),
        lambda: services.document_update(
            actor=reader, document_id=document.pk, expected_version=1, metadata=metadata()
        ),
        lambda: services.document_withdraw(actor=reader, document_id=document.pk, reason="x"),
        lambda: services.duplicate_review(
            actor=reader, document_id=document.pk, decision="not_duplicate"
        ),
        lambda: services.source_create(actor=reader, name="New", source_type="ngo"),
        lambda: services.source_update(
            actor=reader, source_id=source.pk, expected_version=1, acronym="X"
        ),
        lambda: services.import_batch_start(actor=reader, origin="cli"),
        lambda: thesaurus.thesaurus_load(actor=reader),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert Document.objects.count() == 1


# --- Importing -------------------------------------------------------------------------------


def test_import_stores_document_edition_passages_and_indexing(steward: User) -> None:
    make_source("Human Rights Watch", acronym="HRW")
    document = import_text(
        steward,
        REPORT,
        title="  Syria:   country focus ",
        title_translated="Suriye",
        sources=["UNHCR", "hrw"],
        countries=["sy", "LB", "SY"],
        topics=["military-service", "return"],
        language="EN",
    )

    assert document.title == "Syria: country focus"
    assert document.added_by == steward
    assert document.duplicate_review == ""
    assert [c.country for c in document.countries.all()] == ["SY", "LB"]
    assert {s.name for s in document.sources.all()} == {"UNHCR", "Human Rights Watch"}
    assert {t.code for t in document.topics.all()} == {"military-service", "return"}
    assert document.language == "en"
    edition = document.editions.get()
    assert edition.number == 1
    assert edition.media_type == "text/plain"
    assert edition.size == len(REPORT.encode())
    assert _stored(edition.storage_name) == REPORT.encode()
    assert edition.storage_name.startswith("coi/")
    assert "report" not in edition.storage_name
    anchors = list(edition.passages.values_list("anchor", flat=True))
    assert anchors[:2] == ["§security-situation", "§security-situation¶1"]
    assert "§return¶1" in anchors
    assert DuplicateKey.objects.filter(document=document).count() == services.DUPLICATE_KEYS
    batch = edition.batch
    assert batch is not None
    assert batch.finished_at is not None
    assert (batch.files_total, batch.imported, batch.rejected) == (1, 1, 0)
    # searchable, in every analysed form
    assert _found("deserters") == {str(document.pk)}
    [event] = _events(document, AuditAction.CREATE)
    assert event.actor_id == steward.pk
    assert event.detail["sha256"] == edition.checksum
    assert "Syria" not in str(event.detail)  # ids and codes, not the text


def _no_topics() -> None:
    """A library from before the thesaurus migration (which loads it into new ones)."""
    Topic.objects.update(parent=None)
    Topic.objects.all().delete()


def test_a_new_library_has_the_default_thesaurus() -> None:
    assert Topic.objects.filter(active=True).count() == len(thesaurus.default_thesaurus().terms)


def test_the_first_import_loads_the_default_thesaurus_if_missing(steward: User) -> None:
    _no_topics()
    import_text(steward, REPORT, topics=["blood-feuds"])
    assert Topic.objects.count() == len(thesaurus.default_thesaurus().terms)
    assert Topic.objects.get(code="armed-conflict").parent == Topic.objects.get(
        code="security-situation"
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "  "}, "title", "needs its title"),
        ({"sources": []}, "sources", "at least one source"),
        ({"sources": ["Nobody Knows"]}, "sources", "Unknown source: Nobody Knows"),
        ({"document_type": "memo"}, "document_type", "Unknown document type memo"),
        ({"language": "english"}, "language", "not an ISO 639-1"),
        ({"countries": ["SYR"]}, "countries", "not an ISO 3166"),
        ({"countries": []}, "countries", "at least one country"),
        ({"topics": ["weather"]}, "topics", "Unknown or retired topics: weather"),
        ({"published": LATER}, "published", "future"),
        ({"accessed_on": LATER}, "accessed_on", "future"),
        ({"url": "ftp://example.org/x"}, "url", "Not a web address"),
        ({"url": "javascript:alert(1)"}, "url", "Not a web address"),
    ],
)
def test_invalid_metadata_is_refused_per_field_and_stores_nothing(
    steward: User, fields: dict[str, Any], field: str, message: str, coi_media: Path
) -> None:
    thesaurus.thesaurus_ensure()
    with pytest.raises(ValidationError) as raised:
        services.document_import(
            actor=steward, data=REPORT.encode(), filename="r.txt", metadata=metadata(**fields)
        )
    assert message in " ".join(raised.value.message_dict[field])
    assert not Document.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not (coi_media / "coi").exists()


def test_kosovo_and_sources_by_id_are_accepted(steward: User) -> None:
    source = make_source("Kosovo Ombudsperson")
    document = import_text(steward, REPORT, countries=["XK"], sources=[source.pk])
    assert [c.country for c in document.countries.all()] == ["XK"]


def test_an_unreadable_file_is_a_rejection_with_the_file_kept(steward: User) -> None:
    broken = b"%PDF-1.7\n this is not really a PDF \x00\x01"
    outcome = services.document_import(
        actor=steward, data=broken, filename="Report 2025.pdf", metadata=metadata()
    )

    assert outcome.document is None
    rejection = outcome.rejection
    assert rejection is not None
    assert "could not be read" in rejection.reason
    assert rejection.filename == "Report 2025.pdf"
    assert rejection.metadata["countries"] == ["SY"]
    assert _stored(rejection.storage_name) == broken
    assert "Report" not in rejection.storage_name
    batch = rejection.batch
    assert (batch.files_total, batch.imported, batch.rejected) == (1, 0, 1)
    assert not Document.objects.exists()
    assert _events(rejection, AuditAction.CREATE)


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (b"", "empty.txt", "empty"),
        (b"MZ\x90\x00binary", "setup.exe", "cannot read"),
        (b"\xff\xfe\x00n\x00o\x00t", "latin.txt", "not UTF-8"),
    ],
)
def test_files_ura_cannot_read_are_rejected_with_the_reason(
    steward: User, data: bytes, filename: str, reason: str
) -> None:
    outcome = services.document_import(
        actor=steward, data=data, filename=filename, metadata=metadata()
    )
    assert outcome.rejection is not None
    assert reason in outcome.rejection.reason


def test_the_same_file_again_is_rejected_naming_the_document(steward: User) -> None:
    first = import_text(steward, REPORT, title="Syria: focus")
    outcome = services.document_import(
        actor=steward, data=REPORT.encode(), filename="copy.txt", metadata=metadata()
    )
    assert outcome.rejection is not None
    assert f"document {first.pk}" in outcome.rejection.reason
    assert "Syria: focus" in outcome.rejection.reason
    assert outcome.rejection.storage_name
    assert Document.objects.count() == 1


def test_a_near_duplicate_is_imported_and_flagged_for_review(steward: User) -> None:
    original = import_text(steward, REPORT)
    import_text(steward, OTHER, title="Health care")
    reissue = REPORT.replace("five years", "five years and a fine") + "\nUpdated in May.\n"

    outcome = services.document_import(
        actor=steward, data=reissue.encode(), filename="reissue.txt", metadata=metadata()
    )

    document = outcome.document
    assert document is not None
    assert outcome.near_duplicate is not None
    assert document.near_duplicate_of == original
    assert document.duplicate_review == DuplicateReview.PENDING
    assert 0.5 <= (document.duplicate_similarity or 0) < 1
    batch = document.editions.get().batch
    assert batch is not None
    assert (batch.imported, batch.near_duplicates) == (1, 1)
    # a withdrawn document is no longer a candidate
    services.document_withdraw(actor=steward, document_id=original.pk, reason="Superseded")
    again = REPORT.replace("five years", "six years")
    later = services.document_import(
        actor=steward, data=again.encode(), filename="again.txt", metadata=metadata()
    )
    assert later.document is not None
    assert later.document.near_duplicate_of == document


def test_different_documents_are_not_near_duplicates(steward: User) -> None:
    import_text(steward, REPORT)
    other = import_text(steward, OTHER)
    assert other.near_duplicate_of is None
    assert other.duplicate_review == ""


def test_duplicate_review_confirmed_withdraws_not_duplicate_keeps(
    steward: User, indexed: IndexedBlock
) -> None:
    original = import_text(steward, REPORT)
    first = import_text(steward, REPORT + "\nAnnex one.\n")
    second = import_text(steward, REPORT + "\nAnnex two, longer.\n")
    assert first.duplicate_review == second.duplicate_review == DuplicateReview.PENDING

    with indexed():
        kept = services.duplicate_review(
            actor=steward, document_id=first.pk, decision="not_duplicate"
        )
        gone = services.duplicate_review(
            actor=steward,
            document_id=second.pk,
            decision=DuplicateReview.CONFIRMED,
            expected_version=second.version,
        )

    assert kept.duplicate_review == DuplicateReview.NOT_DUPLICATE
    assert kept.status == DocumentStatus.ACTIVE
    assert gone.status == DocumentStatus.WITHDRAWN
    assert gone.duplicate_review == DuplicateReview.CONFIRMED
    assert str(original.pk) in gone.withdrawn_reason
    assert _found("deserters") == {str(original.pk), str(first.pk)}
    with pytest.raises(ValidationError, match="no duplicate review pending"):
        services.duplicate_review(actor=steward, document_id=first.pk, decision="confirmed")
    assert _events(kept, AuditAction.UPDATE)[-1].detail["change"] == "duplicate_review"


# --- New editions ----------------------------------------------------------------------------


def test_a_new_edition_keeps_the_old_passages_and_replaces_the_searchable_text(
    steward: User, indexed: IndexedBlock
) -> None:
    document = import_text(steward, REPORT)
    old_edition = document.editions.get()
    old_passages = list(old_edition.passages.values_list("anchor", "text_hash"))
    corrected = REPORT.replace("up to five years", "up to ten years").replace(
        "deserters", "draft evaders"
    )

    with indexed():
        updated = services.document_new_edition(
            actor=steward,
            document_id=document.pk,
            data=corrected.encode(),
            filename="report-corrected.txt",
            note="Corrected the sentence length",
            expected_version=document.version,
        )

    assert updated.edition == 2
    assert updated.version == document.version + 1
    assert list(old_edition.passages.values_list("anchor", "text_hash")) == old_passages
    new_edition = updated.editions.get(number=2)
    assert new_edition.note == "Corrected the sentence length"
    changed = new_edition.passages.get(anchor="§military-service¶1")
    assert "ten years" in changed.text
    assert Passage.objects.filter(edition__document=document).count() == 2 * len(old_passages)
    assert _found("evaders") == {str(document.pk)}
    assert _found("deserters") == set()
    event = _events(document, AuditAction.UPDATE)[-1]
    assert event.detail["change"] == "new_edition"
    assert event.detail["passages_changed"] == 1
    assert event.changes == {"edition": {"old": 1, "new": 2}}
    batch = new_edition.batch
    assert batch is not None
    assert (batch.files_total, batch.new_editions, batch.imported) == (1, 1, 0)


def test_a_new_edition_that_is_an_existing_file_is_rejected_and_kept(steward: User) -> None:
    document = import_text(steward, REPORT)
    with pytest.raises(services.ImportRejectedError) as raised:
        services.document_new_edition(
            actor=steward, document_id=document.pk, data=REPORT.encode(), filename="same.txt"
        )
    rejection = raised.value.rejection
    assert ImportRejection.objects.filter(pk=rejection.pk).exists()
    assert rejection.storage_name
    assert rejection.metadata["document"] == document.pk
    document.refresh_from_db()
    assert document.edition == 1


def test_a_new_edition_needs_the_version_read(steward: User) -> None:
    document = import_text(steward, REPORT)
    with pytest.raises(services.ConflictError) as raised:
        services.document_new_edition(
            actor=steward,
            document_id=document.pk,
            data=OTHER.encode(),
            filename="x.txt",
            expected_version=document.version - 1 if document.version > 1 else 99,
        )
    assert raised.value.current_version == document.version
    assert Edition.objects.filter(document=document).count() == 1


def test_withdrawn_or_missing_documents_take_no_new_edition(steward: User) -> None:
    document = import_text(steward, REPORT)
    services.document_withdraw(actor=steward, document_id=document.pk, reason="Wrong country")
    with pytest.raises(ValidationError, match="withdrawn"):
        services.document_new_edition(
            actor=steward, document_id=document.pk, data=b"x", filename="x.txt"
        )
    with pytest.raises(Http404):
        services.document_new_edition(actor=steward, document_id=9999, data=b"x", filename="x")


# --- Metadata, withdrawal --------------------------------------------------------------------


def test_update_replaces_metadata_with_optimistic_locking_and_an_audit_diff(
    steward: User, indexed: IndexedBlock
) -> None:
    document = import_text(steward, REPORT, countries=["SY"])
    with indexed():
        updated = services.document_update(
            actor=steward,
            document_id=document.pk,
            expected_version=document.version,
            metadata=metadata(title="Syria: country focus", countries=["SY", "TR"]),
            is_key=True,
        )
    assert updated.version == document.version + 1
    assert updated.title == "Syria: country focus"
    assert updated.is_key
    assert [c.country for c in updated.countries.all()] == ["SY", "TR"]
    hits = search.backend().search("deserters").hits
    assert hits[0].title == "Syria: country focus"
    event = _events(document, AuditAction.UPDATE)[-1]
    assert event.changes["title"]["new"] == "Syria: country focus"
    assert event.changes["countries"] == {"old": ["SY"], "new": ["SY", "TR"]}
    assert "version" not in event.changes

    with pytest.raises(services.ConflictError, match="version 2"):
        services.document_update(
            actor=steward,
            document_id=document.pk,
            expected_version=document.version,  # stale
            metadata=metadata(title="Lost update"),
        )
    updated.refresh_from_db()
    assert updated.title == "Syria: country focus"


def test_withdrawn_documents_leave_search_and_stay_for_citations(
    steward: User, indexed: IndexedBlock
) -> None:
    document = import_text(steward, REPORT)
    assert _found("deserters") == {str(document.pk)}

    with pytest.raises(ValidationError):
        services.document_withdraw(actor=steward, document_id=document.pk, reason="  ")
    with indexed():
        services.document_withdraw(
            actor=steward,
            document_id=document.pk,
            reason="Source retracted it",
            expected_version=document.version,
        )

    document.refresh_from_db()
    assert document.status == DocumentStatus.WITHDRAWN
    assert document.withdrawn_reason == "Source retracted it"
    assert Passage.objects.filter(edition__document=document).exists()
    assert _found("deserters") == set()
    assert search.reindex() == 0
    with pytest.raises(ValidationError, match="already withdrawn"):
        services.document_withdraw(actor=steward, document_id=document.pk, reason="Again")
    assert _events(document, AuditAction.UPDATE)[-1].changes["status"]["new"] == "withdrawn"


# --- Sources ---------------------------------------------------------------------------------


def test_sources_are_created_and_updated_with_optimistic_locking(steward: User) -> None:
    source = services.source_create(
        actor=steward,
        name=" Amnesty International ",
        source_type="ngo",
        acronym="AI",
        url="https://www.amnesty.org",
        reviewed_on=dt.date(2025, 1, 10),
    )
    assert source.name == "Amnesty International"
    assert source.version == 1
    assert _events(source, AuditAction.CREATE)[0].changes["name"]["new"] == (
        "Amnesty International"
    )

    updated = services.source_update(
        actor=steward, source_id=source.pk, expected_version=1, rhythm="Annual report"
    )
    assert updated.version == 2
    assert updated.rhythm == "Annual report"
    assert _events(source, AuditAction.UPDATE)[0].changes == {
        "rhythm": {"old": "", "new": "Annual report"}
    }
    with pytest.raises(services.ConflictError):
        services.source_update(actor=steward, source_id=source.pk, expected_version=1, acronym="")


def test_invalid_sources_are_refused_per_field(steward: User) -> None:
    make_source("UNHCR")
    with pytest.raises(ValidationError) as raised:
        services.source_create(actor=steward, name="UNHCR", source_type="blog", url="nope")
    assert set(raised.value.message_dict) == {"name", "source_type", "url"}
    with pytest.raises(ValidationError) as raised:
        services.source_create(
            actor=steward,
            name="Future",
            source_type="ngo",
            reviewed_on=LATER,
        )
    assert "reviewed_on" in raised.value.message_dict
    with pytest.raises(TypeError):
        services.source_create(actor=steward, name="X", source_type="ngo", colour="red")


# --- Thesaurus -------------------------------------------------------------------------------


def test_every_thesaurus_label_is_marked_for_translation() -> None:
    labels = {term.label for term in thesaurus.default_thesaurus().terms}
    assert labels == set(thesaurus.LABELS)


def test_the_default_thesaurus_covers_what_coi_researchers_index() -> None:
    codes = thesaurus.default_thesaurus().codes
    for code in (
        "security-situation", "armed-conflict", "political-opposition", "ethnic-minorities",
        "religious-minorities", "women", "children", "lgbtiq", "military-service",
        "desertion", "blood-feuds", "trafficking", "health-care", "documents",
        "civil-registration", "freedom-of-movement", "return", "judiciary", "detention",
        "torture", "humanitarian-situation", "internal-displacement",
    ):  # fmt: skip
        assert code in codes
    assert all(term.scope_note for term in thesaurus.default_thesaurus().terms if not term.broader)


def test_loading_the_thesaurus_is_idempotent_and_audited(steward: User) -> None:
    _no_topics()
    first = thesaurus.thesaurus_load(actor=steward)
    assert len(first.created) == len(thesaurus.default_thesaurus().terms)
    events = AuditEvent.objects.filter(object_type="coi.topic").count()
    assert events == len(first.created)

    again = thesaurus.thesaurus_load(actor=None)
    assert (again.created, again.updated, again.retired) == ([], [], [])
    assert again.unchanged == len(first.created)
    assert AuditEvent.objects.filter(object_type="coi.topic").count() == events
    assert thesaurus.thesaurus_ensure() is None


def test_a_newer_thesaurus_updates_labels_moves_terms_and_retires_codes(steward: User) -> None:
    newer = thesaurus.parse_thesaurus(
        """
version: 2
topics:
  - code: security-situation
    label: Security and safety
    narrower:
      - code: elections
        label: Elections
retired: [landmines]
"""
    )
    report = thesaurus.thesaurus_load(actor=steward, thesaurus=newer)
    assert report.updated == ["security-situation", "elections"]
    assert Topic.objects.get(code="elections").parent == Topic.objects.get(
        code="security-situation"
    )
    assert report.retired == ["landmines"]
    landmines = Topic.objects.get(code="landmines")
    assert not landmines.active
    assert Topic.objects.get(code="security-situation").label == "Security and safety"
    # a retired topic is no longer accepted for new documents
    with pytest.raises(ValidationError, match="landmines"):
        services.metadata_validate(metadata(topics=["landmines"]))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: one\ntopics: []", "version"),
        ("version: 1\ntopics:\n  - code: Bad Code\n    label: X", "lower-case"),
        ("version: 1\ntopics:\n  - code: a\n    label: A\n  - code: a\n    label: B", "twice"),
        ("version: 1\ntopics:\n  - code: a\n    label: ''", "label"),
        ("version: 1\ntopics:\n  - code: a\n    label: A\n    colour: red", "unknown keys"),
        ("version: 1\ntopics:\n  - code: a\n    label: A\nretired: [a]", "also terms"),
        ("version: [", "YAML"),
    ],
)
def test_malformed_thesauri_are_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(thesaurus.ThesaurusError, match=message):
        thesaurus.parse_thesaurus(text)


# --- Admin -----------------------------------------------------------------------------------


def test_the_admin_shows_documents_read_only_and_writes_sources_through_the_services(
    steward: User,
) -> None:
    document = import_text(steward, REPORT)
    steward.is_staff = True
    steward.save()
    client = Client()
    client.force_login(steward)

    assert client.get("/admin/coi/document/").status_code == 200
    page = client.get(f"/admin/coi/document/{document.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get("/admin/coi/document/add/").status_code == 403
    assert client.get("/admin/coi/importbatch/").status_code == 200

    response = client.post(
        "/admin/coi/source/add/",
        {"name": "EUAA", "source_type": "international", "acronym": "", "url": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    source = Source.objects.get(name="EUAA")
    assert _events(source, AuditAction.CREATE)
    future = client.post(
        f"/admin/coi/source/{source.pk}/change/",
        {"name": "EUAA", "source_type": "international", "reviewed_on": str(LATER)},
    )
    assert future.status_code == 200  # the form again, with the error
    assert "future" in future.content.decode()
    client.post(
        f"/admin/coi/source/{source.pk}/change/",
        {"name": "EUAA", "source_type": "international", "rhythm": "Quarterly"},
    )
    source.refresh_from_db()
    assert (source.rhythm, source.version) == ("Quarterly", 2)
    assert _events(source, AuditAction.UPDATE)


def test_readers_get_nothing_from_the_coi_admin(reader: User) -> None:
    reader.is_staff = True
    reader.save()
    client = Client()
    client.force_login(reader)
    assert client.get("/admin/coi/source/add/").status_code == 403
    assert client.get("/admin/coi/importbatch/").status_code == 403
