"""Clipping COI passages into asylum cases: the citation keeps the quoted words and their hash,
the decision quotes them in the library's reference format (also in the locked PDF), only
cases the user may see and change are offered and written, and after a re-import of an
edited document the case's "COI research" panel says whether the words are unchanged, moved
or changed, or the document withdrawn, while the decision still quotes the original words."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, TestCase
from django.urls import reverse
from pypdf import PdfReader

from tests.apps.cases.factories import make_case
from tests.apps.coi.conftest import import_text
from tests.conftest import login
from tests.factories import make_unit, make_user
from ura.apps.accounts.models import RoleCode, Unit, User
from ura.apps.cases.models import Case
from ura.apps.cases.services import CaseConflictError
from ura.apps.coi import clipping, services
from ura.apps.coi.clipping import ClipStatus
from ura.apps.coi.models import Document, Passage
from ura.apps.core.models import AuditAction, AuditEvent
from ura.coi import Citation, passage_hash

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"
TEXT = (
    "# Security\n\nShelling continued in Idlib and Aleppo.\n\n"
    "# Returns\n\nReturns from Lebanon rose in 2024, and returnees were questioned on arrival.\n"
)
QUOTED = "Returns from Lebanon rose in 2024, and returnees were questioned on arrival."
DATA: dict[str, Any] = {
    "foreigner_id": "99123456789",
    "assigned_province": "06",
    "modality": "regular",
    "applicant": {"name": "Amina Haddad", "nationality": "SYR", "date_of_birth": "1990-04-02"},
    "assessment": {
        "material_facts": ["The applicant left Syria in 2023."],
        "credibility_internal": ["The account was consistent."],
        "well_founded_fear": ["Returnees are questioned on arrival [1]."],
    },
}


@pytest.fixture(autouse=True)
def _decisions_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Decision PDFs land in the test's own directory (as the imported files do)."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def worker(unit: Unit) -> User:
    return make_user(role=RoleCode.CASEWORKER, unit=unit)


@pytest.fixture
def worker_client(worker: User) -> Client:
    return login(Client(), worker)


@pytest.fixture
def case(worker: User) -> Case:
    return make_case(owner=worker, state="assessment", assigned=(worker,), data=DATA)


@pytest.fixture
def document(steward: User) -> Document:
    return import_text(steward, TEXT, title="Syria: returns", sources=["UNHCR"])


def _passage(document: Document, anchor: str = "§returns¶1") -> Passage:
    return Passage.objects.get(
        edition__document=document, edition__number=document.edition, anchor=anchor
    )


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def _citations(case: Case) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = _fresh(case).data.get("assessment", {}).get("citations", [])
    return found


def _clip(client: Client, case: Case, passage: Passage, **fields: str) -> Any:
    current = _fresh(case)
    return client.post(
        reverse("coi:clip"),
        {
            "passage": passage.pk,
            "case": f"{current.pk}:{current.version}",
            "quote": "",
            "note": "",
            **fields,
        },
    )


def _new_edition(steward: User, document: Document, text: str) -> Document:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.document_new_edition(
            actor=steward,
            document_id=document.pk,
            data=text.encode(),
            filename="report.txt",
            note="corrected",
        )


def _draft(client: Client, case: Case, language: str = "en") -> Any:
    return client.post(
        f"{CASES}/decisions/",
        json.dumps(
            {
                "case_id": case.pk,
                "version": _fresh(case).version,
                "outcome": "rejected",
                "language": language,
                "reasons": "See the assessment.",
            }
        ),
        "application/json",
    )


def _panel(client: Client, case: Case) -> str:
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


# --- Clipping -----------------------------------------------------------------------------


def test_a_clipped_passage_is_cited_with_its_hash_and_quoted_by_the_decision(
    worker: User, worker_client: Client, case: Case, document: Document, unit: Unit
) -> None:
    """From the document page into the case: the citation keeps the words, their hash, the
    document, edition, anchor, accessed date and note; the decision quotes it as
    ``Citation.reference`` and the approved, locked PDF prints it."""
    passage = _passage(document)
    response = _clip(worker_client, case, passage, note="Matches the account of the arrest.")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("coi:document", args=[document.pk]))
    assert unquote(response["Location"]).endswith("#§returns¶1")
    page = worker_client.get(response["Location"])
    assert f"cited in case {case.reference} as [1]" in page.content.decode()

    (cited,) = _citations(case)
    assert cited["passage"] == QUOTED
    assert cited["passage_hash"] == passage_hash(QUOTED)
    assert cited["document_id"] == document.pk
    assert cited["edition"] == 1
    assert cited["anchor"] == "§returns¶1"
    assert cited["source"] == cited["publisher"] == "UNHCR"
    assert cited["title"] == "Syria: returns"
    assert cited["date"] == "2025-03-01"
    assert cited["url"] == "https://www.example.org/report"
    # The library's copy was taken from the URL on the document's accessed date.
    assert cited["accessed"] == "2025-04-01"
    assert cited["note"] == "Matches the account of the arrest."
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="cases.case", object_id=str(case.pk)
    ).exists()

    reference = Citation(
        doc_id=str(document.pk),
        source="UNHCR",
        title="Syria: returns",
        published=dt.date(2025, 3, 1),
        url="https://www.example.org/report",
        accessed=dt.date(2025, 4, 1),
        anchor="§returns¶1",
        quoted_text=QUOTED,
        text_hash=passage_hash(QUOTED),
    )
    turkish = _draft(worker_client, case, "tr")
    assert f"- [1] {reference.reference('tr')}" in turkish.json()["text"]
    drafted = _draft(worker_client, case)  # replaces the Turkish draft
    assert drafted.status_code == 201, drafted.content
    assert f"- [1] {reference.reference('en')}" in drafted.json()["text"]
    assert "Matches the account" not in drafted.json()["text"]  # the note is not printed

    supervisor = make_user(role=RoleCode.SUPERVISOR, unit=unit)
    decision_id = drafted.json()["id"]
    submitted = worker_client.post(
        f"{CASES}/decisions/{decision_id}/submit",
        json.dumps({"version": _fresh(case).version}),
        "application/json",
    )
    assert submitted.status_code == 200, submitted.content
    approved = login(Client(), supervisor).post(
        f"{CASES}/decisions/{decision_id}/approve",
        json.dumps({"version": _fresh(case).version}),
        "application/json",
    )
    assert approved.status_code == 200, approved.content
    pdf = worker_client.get(f"{CASES}/decisions/{decision_id}/pdf")
    assert pdf.status_code == 200
    reader = PdfReader(io.BytesIO(pdf.content))
    printed = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert "§returns¶1" in printed
    assert "(accessed: 1 April 2025)" in printed
    assert QUOTED in printed


def test_a_part_of_the_passage_may_be_quoted_and_a_quote_not_in_it_is_refused(
    worker: User, worker_client: Client, case: Case, document: Document
) -> None:
    passage = _passage(document)
    refused = _clip(worker_client, case, passage, quote="Returns from Iraq rose")
    assert refused.status_code == 302
    assert "not in the passage" in worker_client.get(refused["Location"]).content.decode()
    assert _citations(case) == []
    with pytest.raises(ValidationError) as caught:
        clipping.clip_passage(
            actor=worker,
            case_id=case.pk,
            expected_version=_fresh(case).version,
            passage_id=passage.pk,
            quote="returnees were beaten",
            note="",
        )
    assert set(caught.value.message_dict) == {"quote"}

    # Spacing and line breaks copied from the page do not matter.
    _clip(worker_client, case, passage, quote="returnees were\n  questioned on arrival")
    (cited,) = _citations(case)
    assert cited["passage"] == "returnees were questioned on arrival"
    assert cited["passage_hash"] == passage_hash("returnees were questioned on arrival")
    again = _clip(worker_client, case, passage, quote="returnees were questioned on arrival")
    assert "cited already" in worker_client.get(again["Location"]).content.decode()
    assert len(_citations(case)) == 1


def test_a_passage_longer_than_a_citation_holds_is_quoted_in_part(
    worker: User, case: Case, steward: User
) -> None:
    long = "Returnees were questioned. " + "The border was closed again. " * 400
    document = import_text(steward, f"# Returns\n\n{long}\n", title="Long report")
    passage = _passage(document)
    with pytest.raises(ValidationError, match="at most 10000 characters"):
        clipping.clip_passage(
            actor=worker,
            case_id=case.pk,
            expected_version=case.version,
            passage_id=passage.pk,
            note="",
        )
    clipping.clip_passage(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        passage_id=passage.pk,
        quote="Returnees were questioned.",
        note="",
    )
    assert [c["passage"] for c in _citations(case)] == ["Returnees were questioned."]


def test_a_case_the_user_may_not_see_or_change_is_never_written(
    worker: User, case: Case, document: Document
) -> None:
    """Another unit's caseworker gets "not found"; a user who may not read the library is
    forbidden; nothing is written either way."""
    passage = _passage(document)
    outsider = make_user(role=RoleCode.CASEWORKER, unit=make_unit())
    response = _clip(login(Client(), outsider), case, passage)
    assert response.status_code == 404
    assert clipping.clip_targets(outsider) == []

    responder = make_user(role=RoleCode.FIRST_RESPONDER, unit=worker.unit)
    forbidden = _clip(login(Client(), responder), case, passage)
    assert forbidden.status_code == 403
    with pytest.raises(PermissionDenied):
        clipping.clip_passage(
            actor=responder,
            case_id=case.pk,
            expected_version=case.version,
            passage_id=passage.pk,
            note="",
        )
    assert _fresh(case).version == case.version
    assert _citations(case) == []


def test_a_stale_case_version_writes_nothing(
    worker: User, worker_client: Client, case: Case, document: Document
) -> None:
    """Optimistic locking: the version read with the page must still be the case's."""
    passage = _passage(document)
    stale = f"{case.pk}:{case.version - 1 if case.version > 1 else case.version + 5}"
    response = worker_client.post(
        reverse("coi:clip"), {"passage": passage.pk, "case": stale, "note": ""}
    )
    assert response.status_code == 302
    assert "changed the case meanwhile" in worker_client.get(response["Location"]).content.decode()
    assert _citations(case) == []
    with pytest.raises(CaseConflictError):
        clipping.clip_passage(
            actor=worker,
            case_id=case.pk,
            expected_version=case.version + 1,
            passage_id=passage.pk,
            note="",
        )


def test_only_open_asylum_cases_being_assessed_are_offered(
    worker: User, worker_client: Client, case: Case, document: Document, steward: User
) -> None:
    registered = make_case(owner=worker, state="registered", assigned=(worker,), data=DATA)
    trafficking = make_case(owner=worker, procedure="trafficking", state="identified")
    other_unit = make_case(owner=make_user(role=RoleCode.CASEWORKER, unit=make_unit()))
    offered = clipping.clip_targets(worker)
    assert case in offered
    assert {registered, trafficking, other_unit}.isdisjoint(offered)
    assert AuditEvent.objects.filter(
        action=AuditAction.LIST, object_id=str(case.pk), detail__list="coi:clip"
    ).exists()
    assert clipping.clip_targets(steward) == []  # reads the library, assesses no case

    page = worker_client.get(reverse("coi:document", args=[document.pk])).content.decode()
    assert "Clip into a case" in page
    assert f'value="{case.pk}:{case.version}">{case.reference}</option>' in page

    refused = _clip(worker_client, registered, _passage(document))
    assert "assessment stage" in worker_client.get(refused["Location"]).content.decode()


def test_a_withdrawn_document_or_an_earlier_edition_is_not_clipped(
    worker: User, worker_client: Client, case: Case, document: Document, steward: User
) -> None:
    first = _passage(document)
    _new_edition(steward, document, TEXT.replace("Aleppo", "Hama"))
    with pytest.raises(ValidationError, match="earlier edition"):
        clipping.clip_passage(
            actor=worker,
            case_id=case.pk,
            expected_version=case.version,
            passage_id=first.pk,
            note="",
        )
    services.document_withdraw(actor=steward, document_id=document.pk, reason="Superseded")
    document.refresh_from_db()
    with pytest.raises(ValidationError, match="withdrawn"):
        clipping.clip_passage(
            actor=worker,
            case_id=case.pk,
            expected_version=case.version,
            passage_id=_passage(document).pk,
            note="",
        )
    assert _citations(case) == []
    page = worker_client.get(reverse("coi:document", args=[document.pk])).content.decode()
    assert "Shelling continued in Idlib and Hama." in page
    assert "Clip into a case" not in page


# --- After a re-import ---------------------------------------------------------------------


def _clip_returns(worker: User, case: Case, document: Document, note: str = "") -> None:
    clipping.clip_passage(
        actor=worker,
        case_id=case.pk,
        expected_version=_fresh(case).version,
        passage_id=_passage(document).pk,
        note=note,
    )


@pytest.mark.parametrize(
    ("edited", "status", "anchor"),
    [
        # A correction in another section: the quoted words are where they were.
        (TEXT.replace("Aleppo", "Hama"), ClipStatus.UNCHANGED, "§returns¶1"),
        # A paragraph inserted before: the same words, at the next paragraph.
        (
            TEXT.replace("# Returns\n\n", "# Returns\n\nUNHCR monitored border crossings.\n\n"),
            ClipStatus.MOVED,
            "§returns¶2",
        ),
        # The figure corrected: the words quoted are no longer in the document.
        (TEXT.replace("rose in 2024", "fell in 2024"), ClipStatus.CHANGED, "§returns¶1"),
    ],
)
def test_citations_survive_a_reimport_of_an_edited_document(
    worker: User,
    worker_client: Client,
    case: Case,
    document: Document,
    steward: User,
    edited: str,
    status: ClipStatus,
    anchor: str,
) -> None:
    """The citation keeps its words and hash; the decision still quotes them; the panel says
    what became of them in the new edition."""
    _clip_returns(worker, case, document, note="Key for the risk on return.")
    before = _citations(case)
    _new_edition(steward, document, edited)

    assert _citations(case) == before  # the case is not touched by the library
    (checked,) = clipping.case_citations_status(worker, _fresh(case))
    assert checked.status is status
    assert checked.newer_edition
    assert checked.current_edition == 2
    assert checked.verification is not None
    assert checked.verification.anchor == anchor
    assert checked.warning is (status is not ClipStatus.UNCHANGED)

    drafted = _draft(worker_client, case)
    assert drafted.status_code == 201, drafted.content
    assert f'§returns¶1: "{QUOTED}"' in drafted.json()["text"]

    panel = _panel(worker_client, case)
    assert "COI research" in panel
    assert "Key for the risk on return." in panel
    assert QUOTED in panel
    if status is ClipStatus.UNCHANGED:
        assert "Edition 2 of the document is newer; the quoted words are unchanged" in panel
        assert "no longer read the same" not in panel
    elif status is ClipStatus.MOVED:
        assert "<strong>Moved.</strong>" in panel
        assert "the quoted words are at another place" in panel
        assert "§returns¶2</a>" in panel
        assert "1 clipped passage no longer reads the same in the library" in panel
    else:
        assert "<strong>Changed.</strong>" in panel
        assert "the quoted words are no longer there" in panel
        assert "Returns from Lebanon fell in 2024" in panel  # what the anchor says now


def test_a_withdrawn_document_is_shown_as_withdrawn(
    worker: User, worker_client: Client, case: Case, document: Document, steward: User
) -> None:
    _clip_returns(worker, case, document)
    services.document_withdraw(
        actor=steward, document_id=document.pk, reason="Superseded by the 2025 update"
    )
    (checked,) = clipping.case_citations_status(worker, _fresh(case))
    assert checked.status is ClipStatus.WITHDRAWN
    assert checked.words == "unchanged"
    assert checked.warning
    panel = _panel(worker_client, case)
    assert "<strong>Withdrawn.</strong>" in panel
    assert "The document was withdrawn from the library: Superseded by the 2025 update." in panel
    # The decision still cites it: a withdrawal does not rewrite decisions.
    assert f'"{QUOTED}"' in _draft(worker_client, case).json()["text"]


def test_an_altered_quote_and_a_hand_pasted_passage(
    worker: User, worker_client: Client, case: Case, document: Document
) -> None:
    """A quote edited in the case data no longer matches its hash and is flagged; passages
    pasted by hand are counted but not checked."""
    _clip_returns(worker, case, document)
    current = _fresh(case)
    citations = current.data["assessment"]["citations"]
    citations[0]["passage"] = "Returns from Lebanon fell in 2024."
    Case.objects.filter(pk=case.pk).update(
        data={**current.data, "assessment": {**current.data["assessment"], "citations": [
            *citations,
            {
                "title": "Syria: Treatment of returnees",
                "publisher": "ACCORD",
                "date": "2024-06-01",
                "url": "https://www.ecoi.net/en/document/1",
                "passage": "Returnees are questioned.",
                "anchor": "",
                "passage_hash": passage_hash("Returnees are questioned."),
            },
        ]}},
    )  # fmt: skip
    (checked,) = clipping.case_citations_status(worker, _fresh(case))
    assert checked.status is ClipStatus.ALTERED
    assert checked.verification is None
    panel = _panel(worker_client, case)
    assert "no longer match the hash kept with the citation" in panel
    assert "1 passage was pasted by hand; it is not checked against the library." in panel


def test_a_quoted_report_keeps_its_own_footnote_numbers_in_the_decision(
    worker: User, worker_client: Client, case: Case, steward: User
) -> None:
    """COI reports number their footnotes like the decision's markers; the quoted words keep
    them and the draft is not refused for them."""
    document = import_text(
        steward, "# Returns\n\nReturnees were detained on arrival.[12]\n", title="Returns"
    )
    clipping.clip_passage(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        passage_id=_passage(document).pk,
        note="",
    )
    drafted = _draft(worker_client, case)
    assert drafted.status_code == 201, drafted.content
    assert 'at §returns¶1: "Returnees were detained on arrival.[12]"' in drafted.json()["text"]


def test_the_panel_links_to_the_library_search_on_the_country_of_origin(
    worker_client: Client, case: Case
) -> None:
    panel = _panel(worker_client, case)
    assert "No passage clipped from the COI library yet." in panel
    assert f'href="{reverse("coi:search")}?country=SY"' in panel
    assert "Search the COI library on Syria" in panel


def test_no_panel_for_a_user_who_may_not_read_the_library(worker: User, case: Case) -> None:
    responder = make_user(role=RoleCode.FIRST_RESPONDER, unit=worker.unit)
    with pytest.raises(PermissionDenied):
        clipping.case_citations_status(responder, case)


def test_clipping_through_the_api(
    worker: User, worker_client: Client, case: Case, document: Document
) -> None:
    """The JSON API offers the cases one may cite in and clips a passage (201 with the
    citation); a stale version is 409, a quote not in the passage 422, another unit's case
    404 — nothing written by any refusal."""
    passage = _passage(document)
    targets = worker_client.get("/api/v1/coi/clip-targets").json()
    assert targets == [{"case": case.pk, "reference": case.reference, "version": case.version}]

    def post(client: Client, **fields: Any) -> Any:
        body = {"passage": passage.pk, "case": case.pk, "version": _fresh(case).version}
        return client.post(
            "/api/v1/coi/clippings", json.dumps({**body, **fields}), content_type="application/json"
        )

    assert post(worker_client, version=_fresh(case).version + 3).status_code == 409
    assert post(worker_client, quote="Returns from Syria fell").status_code == 422
    outsider = make_user(role=RoleCode.CASEWORKER, unit=make_unit())
    assert post(login(Client(), outsider)).status_code == 404
    assert _citations(case) == []

    created = post(worker_client, quote="returnees were questioned on arrival", note="Key point")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"] == 1
    assert body["version"] == _fresh(case).version
    assert body["citation"]["passage"] == "returnees were questioned on arrival"
    assert body["citation"]["passage_hash"] == passage_hash("returnees were questioned on arrival")
    assert body["citation"]["document_id"] == document.pk
    assert body["citation"]["note"] == "Key point"
    assert _citations(case) == [body["citation"]]
