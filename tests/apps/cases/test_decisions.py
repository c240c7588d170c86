"""Decisions through the API: drafted from the procedure's template, edited only by the
drafter while a draft, submitted with the procedure's transition, returned with comments or
approved by a second person; the approved decision is locked, its PDF stored with its SHA-256
and handed out only if it still matches.

The procedure here is written for the tests (states around the decision only), so that the
tests pin the engine's behaviour, not the current law; the templates are the shipped asylum
ones, filled by a context builder like the asylum app's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from pypdf import PdfReader

from tests.apps.cases.factories import make_case
from tests.casework.test_documents import sample_context
from tests.conftest import login
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, Unit, User
from ura.apps.cases import decisions, panels, workflow
from ura.apps.cases.models import Case, CaseDecision, CaseEvent, Notification
from ura.apps.core.models import AuditAction, AuditEvent
from ura.casework.procedures import ProcedureRegistry, parse_procedure

pytestmark = pytest.mark.django_db

API = "/api/v1/cases/decisions/"

_PROCEDURE = """
code: asylum
version: 1
effective_from: 2014-04-11
title: International protection (test)
jurisdiction: TR
legal_basis: Law 6458 (test)
states:
  - {code: assessment, label: Assessment, phase: assessment}
  - {code: decision_drafted, label: Drafted, phase: decision}
  - {code: decision_approved, label: Approved, phase: decision}
initial_state: assessment
transitions:
  - code: submit_for_approval
    label: Submit
    from: assessment
    to: decision_drafted
    permission: cases.change_case
    required: [decision.outcome, decision.reasons]
  - code: return_for_revision
    label: Return
    from: decision_drafted
    to: assessment
    permission: cases.approve_case
    required: [approval.comments]
  - code: approve_decision
    label: Approve
    from: decision_drafted
    to: decision_approved
    permission: cases.approve_case
    four_eyes: submit_for_approval
"""


def _context(case: Case, outcome: str, language: str) -> dict[str, Any]:
    context: dict[str, Any] = dict(sample_context())
    for engine_filled in ("reference", "decided_on", "drafter", "approver"):
        context.pop(engine_filled)
    return context


@pytest.fixture(autouse=True)
def flow(monkeypatch: pytest.MonkeyPatch) -> Iterator[decisions.DecisionFlow]:
    registry = ProcedureRegistry([parse_procedure(_PROCEDURE)])
    monkeypatch.setattr(workflow, "registry", lambda: registry)
    test_flow = decisions.DecisionFlow(
        procedure_code="asylum",
        outcomes={"refugee": "Refugee status", "rejected": "Rejected"},
        languages=("tr", "en"),
        context=_context,
        submit_transition="submit_for_approval",
        approve_transition="approve_decision",
        return_transition="return_for_revision",
    )
    before = decisions.flow_for("asylum")
    decisions.register_decision_flow(test_flow)
    yield test_flow
    if before is not None:
        decisions.register_decision_flow(before)


def _named(user: User, first: str, last: str) -> User:
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def drafter(unit: Unit) -> User:
    return _named(make_user(role=RoleCode.CASEWORKER, unit=unit), "Elif", "Aydemir")


@pytest.fixture
def supervisor(unit: Unit) -> User:
    return _named(make_user(role=RoleCode.SUPERVISOR, unit=unit), "Zeynep", "Ergin")


@pytest.fixture
def case(drafter: User) -> Case:
    return make_case(owner=drafter, state="assessment", assigned=(drafter,))


def _post(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(payload), "application/json")


def _version(case: Case) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case.pk)


def _draft(client: Client, case: Case, outcome: str = "refugee", language: str = "en") -> Any:
    return _post(
        client,
        API,
        {
            "case_id": case.pk,
            "version": _version(case),
            "outcome": outcome,
            "language": language,
            "reasons": "Well-founded fear of persecution for political opinion.",
        },
    )


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_a_decision_goes_from_draft_to_a_locked_pdf(
    drafter: User, supervisor: User, case: Case
) -> None:
    """Drafted in English from the template, edited, submitted (the case moves), approved
    by the supervisor: the text is locked with the approver's name, the PDF is stored among
    the case's documents with its checksum, and the drafter is notified."""
    mine, theirs = login(Client(), drafter), login(Client(), supervisor)
    drafted = _draft(mine, case)
    assert drafted.status_code == 201, drafted.content
    body = drafted.json()
    assert body["status"] == "draft"
    assert "Ayşe Yılmaz" in body["text"]
    assert "approval pending" in body["text"]

    text = body["text"].replace("## Facts", "## Facts\n\nAn added paragraph by the drafter.", 1)
    edited = mine.put(
        f"{API}{body['id']}",
        json.dumps({"revision": 1, "text": text}),
        "application/json",
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["revision"] == 2

    preview = mine.get(f"{API}{body['id']}/pdf")
    assert preview.status_code == 200
    assert preview["Content-Disposition"].startswith('attachment; filename="')
    assert "DRAFT" in _pdf_text(preview.content)

    submitted = _post(mine, f"{API}{body['id']}/submit", {"version": _version(case)})
    assert submitted.status_code == 200, submitted.content
    case.refresh_from_db()
    assert case.state == "decision_drafted"
    assert case.data["decision"]["outcome"] == "refugee"

    approved = _post(theirs, f"{API}{body['id']}/approve", {"version": _version(case)})
    assert approved.status_code == 200, approved.content
    final = approved.json()
    assert (final["status"], final["decided_on"] is not None) == ("approved", True)
    assert "An added paragraph by the drafter." in final["text"]
    assert "Zeynep Ergin" in final["text"]
    assert "approval pending" not in final["text"]
    case.refresh_from_db()
    assert case.state == "decision_approved"

    decision = CaseDecision.objects.select_related("document").get(pk=body["id"])
    assert decision.document is not None
    assert decision.document.kind == "decision"
    with default_storage.open(decision.document.storage_name, "rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == final["sha256"]
    download = mine.get(f"{API}{body['id']}/pdf")
    assert download.status_code == 200
    words = _pdf_text(download.content)
    assert "DRAFT" not in words
    assert "An added paragraph by the drafter." in words

    locked = mine.put(
        f"{API}{body['id']}", json.dumps({"revision": 2, "text": "# Changed"}), "application/json"
    )
    assert locked.status_code == 422
    assert Notification.objects.filter(user=drafter, case=case).exists()
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-1] == "decision_approved"
    assert {"decision_drafted", "decision_edited", "decision_submitted"} <= set(kinds)


def test_the_drafter_cannot_approve_even_as_a_supervisor(supervisor: User, unit: Unit) -> None:
    """Four-eyes: a supervisor who drafted may not approve their own decision."""
    other = make_user(role=RoleCode.SUPERVISOR, unit=unit)
    case = make_case(owner=supervisor, state="assessment", assigned=(supervisor,))
    client = login(Client(), supervisor)
    decision_id = _draft(client, case).json()["id"]
    assert (
        _post(client, f"{API}{decision_id}/submit", {"version": _version(case)}).status_code == 200
    )
    refused = _post(client, f"{API}{decision_id}/approve", {"version": _version(case)})
    assert refused.status_code == 403
    assert CaseDecision.objects.get(pk=decision_id).status == "submitted"
    approved = _post(
        login(Client(), other), f"{API}{decision_id}/approve", {"version": _version(case)}
    )
    assert approved.status_code == 200, approved.content


def test_a_returned_decision_goes_back_to_its_drafter_with_comments(
    drafter: User, supervisor: User, case: Case
) -> None:
    mine, theirs = login(Client(), drafter), login(Client(), supervisor)
    decision_id = _draft(mine, case).json()["id"]
    _post(mine, f"{API}{decision_id}/submit", {"version": _version(case)})
    without = _post(
        theirs, f"{API}{decision_id}/return", {"version": _version(case), "comments": " "}
    )
    assert without.status_code == 422
    returned = _post(
        theirs,
        f"{API}{decision_id}/return",
        {"version": _version(case), "comments": "Cite the 2026 report for the credibility part."},
    )
    assert returned.status_code == 200, returned.content
    assert returned.json()["status"] == "returned"
    case.refresh_from_db()
    assert case.state == "assessment"
    assert case.data["approval"]["comments"].startswith("Cite the 2026 report")
    assert Notification.objects.filter(user=drafter, case=case).count() == 1
    # The drafter revises (a new draft replaces the returned one) and submits again.
    redraft = _draft(mine, case, outcome="rejected", language="tr")
    assert redraft.status_code == 201, redraft.content
    assert CaseDecision.objects.get(pk=decision_id).status == "superseded"


def test_a_caseworker_cannot_approve_and_the_refusal_is_audited(
    drafter: User, unit: Unit, case: Case
) -> None:
    """The approve transition needs cases.approve_case: a second caseworker is refused by the
    procedure's guard, nothing changes, and the refusal stays in the audit trail."""
    colleague = make_user(role=RoleCode.CASEWORKER, unit=unit)
    mine = login(Client(), drafter)
    decision_id = _draft(mine, case).json()["id"]
    _post(mine, f"{API}{decision_id}/submit", {"version": _version(case)})
    refused = _post(
        login(Client(), colleague), f"{API}{decision_id}/approve", {"version": _version(case)}
    )
    assert refused.status_code == 422, refused.content
    assert "permission" in {f["code"] for f in refused.json()["failures"]}
    assert CaseDecision.objects.get(pk=decision_id).status == "submitted"
    assert not CaseDecision.objects.filter(document__isnull=False).exists()
    denied = AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, actor_id=colleague.pk, object_id=str(case.pk)
    )
    assert denied.exists()


def test_only_the_drafter_edits_and_a_stale_revision_is_refused(
    drafter: User, unit: Unit, case: Case
) -> None:
    colleague = make_user(role=RoleCode.CASEWORKER, unit=unit)
    case.assignments.create(user=colleague, assigned_by=drafter)
    mine = login(Client(), drafter)
    body = _draft(mine, case).json()
    payload = json.dumps({"revision": 1, "text": body["text"] + "\nMore.\n"})
    assert (
        login(Client(), colleague)
        .put(f"{API}{body['id']}", payload, "application/json")
        .status_code
        == 403
    )
    assert mine.put(f"{API}{body['id']}", payload, "application/json").status_code == 200
    stale = mine.put(f"{API}{body['id']}", payload, "application/json")
    assert stale.status_code == 422
    assert "reload" in json.dumps(stale.json())


def test_a_draft_missing_case_data_names_what_is_missing(
    drafter: User, case: Case, flow: decisions.DecisionFlow
) -> None:
    def without_applicant(case: Case, outcome: str, language: str) -> dict[str, Any]:
        context = _context(case, outcome, language)
        context.pop("applicant")
        return context

    decisions.register_decision_flow(dataclasses.replace(flow, context=without_applicant))
    refused = _draft(login(Client(), drafter), case)
    assert refused.status_code == 422
    assert "The case lacks what this decision needs: applicant." in json.dumps(refused.json())
    assert not CaseDecision.objects.exists()


def test_a_draft_names_what_is_missing_in_the_flows_words(
    drafter: User, case: Case, flow: decisions.DecisionFlow
) -> None:
    """A labelled path is named by its label, the others by their longest labelled prefix
    (each label once), an unlabelled one by its path."""

    def lacking(case: Case, outcome: str, language: str) -> dict[str, Any]:
        context = _context(case, outcome, language)
        context["applicant"] = {
            k: v
            for k, v in context["applicant"].items()
            if k not in ("date_of_birth", "nationality", "name")
        }
        context.pop("authority")
        return context

    labels = {
        "applicant.date_of_birth": "the applicant's date of birth",
        "applicant": "who the applicant is",
    }
    decisions.register_decision_flow(
        dataclasses.replace(flow, context=lacking, field_labels=labels)
    )
    refused = _draft(login(Client(), drafter), case)
    assert refused.status_code == 422
    assert refused.json()["errors"]["outcome"] == [
        # In the template's order; the unlabelled "authority" by its path.
        "The case lacks what this decision needs: authority; who the applicant is; "
        "the applicant's date of birth."
    ]
    assert not CaseDecision.objects.exists()


def test_the_longest_labelled_prefix_names_a_path() -> None:
    flow = decisions.DecisionFlow(
        procedure_code="asylum",
        outcomes={"refugee": "Refugee status"},
        languages=("en",),
        context=_context,
        field_labels={"citations": "the sources", "citations[1].url": "the first source's link"},
    )
    assert decisions.missing_in_words(
        flow, ["citations[1].url", "citations[2].title", "citations[3].url", "facts"]
    ) == ["the first source's link", "the sources", "facts"]


def test_a_tampered_final_pdf_is_never_handed_out(
    drafter: User, supervisor: User, case: Case
) -> None:
    mine = login(Client(), drafter)
    decision_id = _draft(mine, case).json()["id"]
    _post(mine, f"{API}{decision_id}/submit", {"version": _version(case)})
    _post(login(Client(), supervisor), f"{API}{decision_id}/approve", {"version": _version(case)})
    document = CaseDecision.objects.select_related("document").get(pk=decision_id).document
    assert document is not None
    default_storage.delete(document.storage_name)
    default_storage.save(document.storage_name, io.BytesIO(b"%PDF-1.4 not the decision"))
    assert mine.get(f"{API}{decision_id}/pdf").status_code == 500


def test_someone_who_may_not_see_the_case_gets_404(drafter: User, case: Case) -> None:
    other_unit_user = make_user(role=RoleCode.CASEWORKER)
    decision_id = _draft(login(Client(), drafter), case).json()["id"]
    stranger = login(Client(), other_unit_user)
    assert stranger.get(f"{API}{decision_id}").status_code == 404
    assert stranger.get(f"{API}{decision_id}/pdf").status_code == 404


def test_the_procedures_decision_transitions_lead_to_the_decision_panel(case: Case) -> None:
    request: Any = type("Request", (), {"user": case.created_by})()
    url = panels.transition_page(request, case, "approve_decision")
    assert url is not None
    assert url.endswith(f"/cases/{case.pk}/#decision")


def test_the_decision_panel_walks_a_decision_through_the_case_page(
    drafter: User, supervisor: User, case: Case
) -> None:
    """Drafted, submitted and approved with the panel's forms; the drafter sees no approve
    button; the final PDF is linked from the panel."""
    mine, theirs = login(Client(), drafter), login(Client(), supervisor)
    page = f"/cases/{case.pk}/"
    assert 'id="decision"' in mine.get(page).content.decode()
    drafted = mine.post(
        f"/cases/decisions/case/{case.pk}/draft",
        {"version": _version(case), "outcome": "rejected", "language": "tr", "reasons": "No fear."},
    )
    assert drafted.status_code == 302
    assert drafted["Location"].endswith(f"/cases/{case.pk}/#decision")
    decision = CaseDecision.objects.get(case=case)
    assert decision.language == "tr"
    mine.post(f"/cases/decisions/{decision.pk}/submit", {"version": _version(case)})
    drafter_view = mine.get(page).content.decode()
    assert f"/cases/decisions/{decision.pk}/approve" not in drafter_view
    supervisor_view = theirs.get(page).content.decode()
    assert f"/cases/decisions/{decision.pk}/approve" in supervisor_view
    approved = theirs.post(
        f"/cases/decisions/{decision.pk}/approve", {"version": _version(case)}, follow=True
    )
    assert "approved" in approved.content.decode()
    decision.refresh_from_db()
    assert decision.status == "approved"
    final_page = mine.get(page).content.decode()
    assert f"/cases/decisions/{decision.pk}/pdf" in final_page
    assert mine.get(f"/cases/decisions/{decision.pk}/pdf")["Content-Type"] == "application/pdf"


def test_a_refused_step_on_the_page_is_explained_and_kept_in_the_audit_trail(
    drafter: User, unit: Unit, case: Case
) -> None:
    colleague = make_user(role=RoleCode.CASEWORKER, unit=unit)
    case.assignments.create(user=colleague, assigned_by=drafter)
    mine = login(Client(), drafter)
    decision_id = _draft(mine, case).json()["id"]
    _post(mine, f"{API}{decision_id}/submit", {"version": _version(case)})
    refused = login(Client(), colleague).post(
        f"/cases/decisions/{decision_id}/approve", {"version": _version(case)}, follow=True
    )
    assert refused.status_code == 200
    assert CaseDecision.objects.get(pk=decision_id).status == "submitted"
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, actor_id=colleague.pk, object_id=str(case.pk)
    ).exists()


def test_a_decision_taken_before_ura_keeps_its_own_dates(
    drafter: User, supervisor: User, case: Case
) -> None:
    """Brought in later (services only, not the API): the approval, the decision's date and
    the history carry the day it was taken."""
    day = dt.date(2026, 2, 3)
    decision = decisions.decision_draft(
        actor=drafter,
        case_id=case.pk,
        expected_version=_version(case),
        outcome="refugee",
        language="en",
        reasons="Political opinion.",
        occurred_on=day,
    )
    decisions.decision_submit(
        actor=drafter, decision_id=decision.pk, expected_version=_version(case), occurred_on=day
    )
    approved = decisions.decision_approve(
        actor=supervisor,
        decision_id=decision.pk,
        expected_version=_version(case),
        occurred_on=day,
    )
    assert approved.decided_on == day
    assert "3 February 2026" in approved.text
    transition = CaseEvent.objects.get(case=case, transition="approve_decision")
    assert transition.occurred_on == day
