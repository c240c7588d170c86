"""Asylum decisions drafted from the case: every outcome in Turkish and English, the appeal
window from the procedure's rules (never from a template), and the missing parts named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.apps.asylum.conftest import CASES, post, step
from tests.apps.cases.factories import make_case
from ura.apps.accounts.models import User
from ura.apps.asylum import decisions as asylum_decisions
from ura.apps.asylum import services
from ura.apps.asylum.vocabulary import Outcome
from ura.apps.cases.decisions import DecisionFlow
from ura.apps.cases.models import Case
from ura.apps.trafficking import decisions as trafficking_decisions
from ura.casework import documents
from ura.coi import passage_hash

pytestmark = pytest.mark.django_db

DATA: dict[str, Any] = {
    "foreigner_id": "99123456789",
    "assigned_province": "35",
    "modality": "regular",
    "applicant": {"name": "Amina Haddad", "nationality": "IRN", "date_of_birth": "1990-04-02"},
    "screening": {"inadmissibility_ground": "safe_third_country"},
    "withdrawal": {"ground": "missed_reporting"},
    "assessment": {
        "material_facts": ["The applicant converted to Christianity in 2022."],
        "credibility_internal": ["The account was consistent."],
        "credibility_external": ["It matches the country information [1]."],
        "well_founded_fear": ["Converts are prosecuted [1]."],
        "convention_ground": ["Religion."],
        "serious_harm": ["Risk of torture in detention."],
        "exclusion": ["Serious reasons to consider a war crime."],
        "admissibility": ["The applicant lived safely in a third country."],
        "withdrawal": ["Three reporting days missed without excuse."],
        "convention_grounds": ["religion"],
        "serious_harm_types": ["torture"],
        "exclusion_clause": "crimes_against_peace",
        "citations": [
            {
                "title": "Iran: Religious minorities",
                "publisher": "ACCORD",
                "date": "2025-02-01",
                "url": "https://www.ecoi.net/en/document/1",
                "passage": "Converts face prosecution.",
                "anchor": "p. 4",
                "passage_hash": "0" * 64,
            }
        ],
    },
}


def _draft(client: Client, case: Case, outcome: str, language: str) -> Any:
    return post(
        client,
        f"{CASES}/decisions/",
        {
            "case_id": case.pk,
            "version": Case.objects.get(pk=case.pk).version,
            "outcome": outcome,
            "language": language,
            "reasons": "See the assessment.",
        },
    )


@pytest.mark.parametrize("language", ["tr", "en"])
@pytest.mark.parametrize("outcome", Outcome.values)
def test_every_outcome_is_drafted_from_the_case(
    worker: User, worker_client: Client, outcome: str, language: str
) -> None:
    case = make_case(owner=worker, state="assessment", assigned=(worker,), data=DATA)
    response = _draft(worker_client, case, outcome, language)
    assert response.status_code == 201, response.content
    text = response.json()["text"]
    assert "Amina Haddad" in text
    assert "99123456789" in text
    assert "İzmir" in text  # the assigned province is where the decision is signed


def test_the_english_decisions_carry_the_case_findings(worker: User, worker_client: Client) -> None:
    case = make_case(owner=worker, state="assessment", assigned=(worker,), data=DATA)

    def text(outcome: str) -> str:
        body: str = _draft(worker_client, case, outcome, "en").json()["text"]
        return body

    granted = text("refugee")
    assert "for reasons of religion" in granted
    # A passage pasted by hand, in the reference format of the COI library's clippings with
    # the parts it has (no date accessed).
    assert (
        "[1] ACCORD: Iran: Religious minorities, 1 February 2025, "
        'https://www.ecoi.net/en/document/1, at p. 4: "Converts face prosecution."'
    ) in granted
    assert "The account was consistent." in granted  # credibility: both parts
    assert "It matches the country information [1]." in granted
    assert "torture or inhuman or degrading treatment" in text("subsidiary_protection")
    assert "Crime against peace, war crime" in text("excluded")
    assert "within 30 days" in text("rejected")
    inadmissible = text("inadmissible")
    assert "Safe third country" in inadmissible
    assert "Administrative Court of İzmir within 15 days" in inadmissible
    assert "Did not report three consecutive times" in text("implicitly_withdrawn")


def test_an_accelerated_rejection_has_the_shorter_appeal_window(
    worker: User, worker_client: Client
) -> None:
    """LFIP Art. 80 as amended by Law 7196: the procedure's rules give 15 days for the
    accelerated procedure (prioritised and simplified processing run in the regular one)."""
    accelerated = make_case(
        owner=worker,
        state="assessment",
        assigned=(worker,),
        data={**DATA, "modality": "accelerated"},
    )
    body = _draft(worker_client, accelerated, "rejected", "en").json()
    assert "within 15 days" in body["text"]
    prioritised = make_case(
        owner=worker,
        state="assessment",
        assigned=(worker,),
        data={**DATA, "modality": "prioritised"},
    )
    assert "within 30 days" in _draft(worker_client, prioritised, "rejected", "en").json()["text"]


def test_a_draft_names_what_the_case_lacks(worker: User, worker_client: Client) -> None:
    case = make_case(
        owner=worker,
        state="assessment",
        assigned=(worker,),
        data={**DATA, "assessment": {"convention_grounds": ["religion"]}},
    )
    response = _draft(worker_client, case, "rejected", "en")
    assert response.status_code == 422
    message = str(response.json()["errors"])
    # In words the caseworker knows, the assessment editor's section names.
    assert "The case lacks what this decision needs: " in message
    assert "Material facts (assessment)" in message
    assert "Credibility (assessment)" in message
    assert "assessment." not in message
    assert "Amina" not in message  # what is missing, never values


def test_a_draft_names_the_outcome_details_by_the_assessment_input(
    worker: User, worker_client: Client
) -> None:
    """A grant needs the Convention grounds ticked in the assessment (outcome_details)."""
    assessment = {k: v for k, v in DATA["assessment"].items() if k != "convention_grounds"}
    case = make_case(
        owner=worker,
        state="assessment",
        assigned=(worker,),
        data={**DATA, "assessment": assessment},
    )
    response = _draft(worker_client, case, "refugee", "en")
    assert response.status_code == 422
    assert response.json()["errors"]["outcome"] == [
        "The case lacks what this decision needs: the Convention grounds ticked in the assessment."
    ]


def test_the_asylum_api_refuses_a_case_of_another_procedure(
    worker: User, worker_client: Client
) -> None:
    case = make_case(owner=worker, procedure="trafficking", state="identified", assigned=(worker,))
    response = step(
        worker_client, case.pk, "reporting", {"due_on": "2026-01-10", "status": "missed"}
    )
    assert response.status_code == 422
    assert "case" in response.json()["errors"]


def test_an_unknown_date_of_birth_is_written_as_not_known(
    worker: User, worker_client: Client
) -> None:
    """Many applicants do not know their date of birth; the decision can still be drafted."""
    applicant = {"name": "Amina Haddad", "nationality": "IRN"}
    case = make_case(
        owner=worker, state="assessment", assigned=(worker,), data={**DATA, "applicant": applicant}
    )
    response = _draft(worker_client, case, "rejected", "en")
    assert response.status_code == 201, response.content
    assert "Date of birth: not known" in response.json()["text"]


@pytest.mark.parametrize("flow", [asylum_decisions.FLOW, trafficking_decisions.FLOW])
def test_every_label_names_a_part_the_templates_read(flow: DecisionFlow) -> None:
    """A label for a path no template reads would never be shown (a misspelt path)."""
    folder = Path(documents.__file__).parent / "templates" / "decisions" / flow.procedure_code
    read = "".join(t.read_text(encoding="utf-8") for t in folder.glob("*.j2"))
    assert flow.field_labels
    assert [path for path in flow.field_labels if path not in read] == []


def test_a_clipping_is_cited_in_the_reference_format_of_the_library(
    worker: User, worker_client: Client
) -> None:
    """A passage clipped from the COI library keeps its document, edition, accessed date and
    note; the decision prints it as ``ura.coi.Citation.reference`` in the decision's
    language, and never prints the note. A library document may be undated and have no web
    address; a passage pasted by hand still needs both."""
    case = make_case(
        owner=worker,
        state="assessment",
        assigned=(worker,),
        data={**DATA, "assessment": {**DATA["assessment"], "citations": []}},
    )
    clipping = services.Clipping(
        document_id=7,
        edition=2,
        source="ACCORD, Austrian Centre for COI Research",
        accessed=dt.date(2025, 3, 4),
        note="Matches the applicant's account of the raid.",
    )
    case = services.citation_add(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        title="Iran: Converts",
        publisher=clipping.source,
        date=None,
        url="",
        passage="Converts  face prosecution.",
        anchor="§religion¶2",
        clipping=clipping,
    )
    (cited,) = case.data["assessment"]["citations"]
    assert cited["document_id"] == 7
    assert cited["edition"] == 2
    assert cited["accessed"] == "2025-03-04"
    assert cited["date"] is None
    assert cited["note"] == "Matches the applicant's account of the raid."
    assert cited["passage_hash"] == passage_hash("Converts face prosecution.")

    english = _draft(worker_client, case, "rejected", "en").json()["text"]
    assert (
        "- [1] ACCORD, Austrian Centre for COI Research: "
        'Iran: Converts, undated, (accessed: 4 March 2025), at §religion¶2: "Converts face '
        'prosecution."'
    ) in english
    assert "raid" not in english
    turkish = _draft(worker_client, case, "rejected", "tr").json()["text"]
    assert "tarihsiz, (erişim tarihi: 4 Mart 2025), bölüm §religion¶2" in turkish

    with pytest.raises(ValidationError) as refused:
        services.citation_add(
            actor=worker,
            case_id=case.pk,
            expected_version=Case.objects.get(pk=case.pk).version,
            title="Iran: Converts",
            publisher="ACCORD",
            date=None,
            url="",
            passage="Another passage typed by hand.",
        )
    assert set(refused.value.message_dict) == {"url"}
