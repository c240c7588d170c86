"""Decision documents: every template renders, PDFs carry the text, the sandbox holds."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

import pytest
from pypdf import PdfReader

from ura.casework import documents
from ura.casework.documents import (
    DecisionContext,
    DocumentError,
    TemplateKey,
    UnknownTemplateError,
    available_templates,
    format_date,
    parse_blocks,
    render_decision_text,
    render_pdf,
    render_template_source,
)

PASSAGE = "Returnees suspected of opposition activity are routinely detained on arrival."

# Words each outcome's decision must state, per language.
OUTCOME_WORDING = {
    ("refugee", "en"): "granted refugee status",
    ("refugee", "tr"): "mülteci statüsü verilmesine",
    ("conditional_refugee", "en"): "granted conditional refugee status",
    ("conditional_refugee", "tr"): "şartlı mülteci statüsü verilmesine",
    ("subsidiary_protection", "en"): "granted subsidiary protection",
    ("subsidiary_protection", "tr"): "ikincil koruma statüsü verilmesine",
    ("rejected", "en"): "is rejected",
    ("rejected", "tr"): "reddine",
    ("inadmissible", "en"): "declared inadmissible",
    ("inadmissible", "tr"): "kabul edilemez sayılmasına",
    ("excluded", "en"): "excluded from international protection",
    ("excluded", "tr"): "uluslararası korumanın dışında tutulmasına",
    ("implicitly_withdrawn", "en"): "considered withdrawn",
    ("implicitly_withdrawn", "tr"): "geri çekilmiş sayılmasına",
    ("identified_victim", "en"): "identified as a victim of trafficking",
    ("identified_victim", "sq"): "identifikohet si viktimë e trafikimit",
    ("not_identified", "en"): "not identified as a victim of trafficking",
    ("not_identified", "sq"): "nuk identifikohet si viktimë",
}

APPLICANTS = {"tr": "Ayşe Yılmaz", "en": "İbrahim Öztürk", "sq": "Dëshira Çela"}


def sample_context(name: str = "Ayşe Yılmaz") -> DecisionContext:
    """A case with every variable any shipped template uses."""
    return {
        "authority": {
            "name": "T.C. Ankara Valiliği",
            "unit": "İl Göç İdaresi Müdürlüğü",
            "place": "Ankara",
        },
        "reference": "E-2026/4711",
        "decided_on": dt.date(2026, 11, 28),
        "applicant": {
            "name": name,
            "identification_number": "99123456789",
            "nationality": "Iran",
            "date_of_birth": dt.date(1990, 2, 14),
        },
        "facts": [
            "The applicant applied for international protection on 3 March 2026.",
            "The personal interview took place on 14 April 2026 with an interpreter.",
        ],
        "assessment": {
            "material_facts": ["The applicant's identity and nationality are established."],
            "credibility": ["The account was detailed and consistent with the sources [1]."],
            "well_founded_fear": ["There is a reasonable likelihood of detention [1]."],
            "convention_ground": ["The feared harm is linked to imputed political opinion."],
            "serious_harm": ["Detainees are at real risk of ill-treatment [2]."],
            "internal_protection": ["The agent of persecution is the State [2]."],
            "exclusion": ["The applicant commanded a unit that detained civilians."],
            "admissibility": ["The applicant enjoys protection in a first country of asylum."],
            "withdrawal": ["The applicant failed to report on three consecutive occasions."],
            "indicators": ["Deceptive recruitment: strong indicator (promised job)."],
        },
        "citations": [
            {
                "number": 1,
                "title": "Country Report: Treatment of Returnees",
                "publisher": "Example Research Institute",
                "date": dt.date(2026, 6, 1),
                "url": "https://example.org/coi/returnees",
                "passage": PASSAGE,
                "reference": "Example Research Institute: Country Report: Treatment of Returnees, "
                f'1 June 2026, https://example.org/coi/returnees: "{PASSAGE}"',
            },
            {
                "number": 2,
                "title": "Detention Conditions",
                "publisher": "Example Monitor",
                "date": "2025",
                "url": "https://example.org/coi/detention",
                "passage": "Ill-treatment in pre-trial detention is widespread.",
                "reference": "Example Monitor: Detention Conditions, 2025, "
                "https://example.org/coi/detention (accessed: 2 March 2026), at p3¶2: "
                '"Ill-treatment in pre-trial detention is widespread."',
            },
        ],
        "outcome_details": {
            "convention_ground": "political opinion",
            "serious_harm": "torture or inhuman or degrading treatment",
            "ground": "first country of asylum",
            "clause": "a serious non-political crime outside Türkiye",
            "legal_basis": ["Law on preventing and combating trafficking in human beings"],
            "exploitation_type": "forced labour",
            "reflection_period_days": 30,
            "services": ["shelter", "medical care", "legal counselling"],
            "assistance_ends_on": dt.date(2026, 12, 15),
        },
        "appeal": {"court": "Ankara Administrative Court", "deadline_days": 30},
        "drafter": {"name": "Zeynep Kaya", "title": "Protection officer"},
        "approver": {"name": "Mehmet Şahin", "title": "Head of unit"},
    }


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def one_line(text: str) -> str:
    """The text on one line without bold markers, as a reader sees it."""
    return " ".join(text.replace("**", "").split())


# --- Templates ----------------------------------------------------------------------------


def test_shipped_templates_cover_every_outcome_and_language() -> None:
    """LFIP asylum outcomes in Turkish and English; trafficking in Albanian and English."""
    expected = {
        TemplateKey("trafficking" if o in {"identified_victim", "not_identified"} else "asylum",
                    o, lang)
        for (o, lang) in OUTCOME_WORDING
    }  # fmt: skip
    assert set(available_templates()) == expected
    assert available_templates() == sorted(expected)


@pytest.mark.parametrize("key", available_templates(), ids="/".join)
def test_every_template_renders_and_typesets(key: TemplateKey) -> None:
    """Each template fills from a full context; its PDF reads back with the key facts."""
    name = APPLICANTS[key.language]
    text = render_decision_text(*key, sample_context(name))

    assert name in text
    assert "99123456789" in text
    assert "E-2026/4711" in text
    assert OUTCOME_WORDING[key.outcome, key.language] in one_line(text)
    assert "Zeynep Kaya" in text
    assert "Mehmet Şahin" in text

    pdf = render_pdf(text, title="Decision", reference="E-2026/4711", language=key.language,
                     draft=False)  # fmt: skip
    content = pdf_text(pdf)
    assert pdf.startswith(b"%PDF-")
    assert name in content
    assert OUTCOME_WORDING[key.outcome, key.language] in content
    assert "Mehmet Şahin" in content
    if key.procedure == "asylum" and key.outcome not in {"inadmissible", "implicitly_withdrawn",
                                                           "excluded"}:  # fmt: skip
        assert PASSAGE in content


def test_asylum_decision_reads_as_a_decision() -> None:
    """Heading, dates in Turkish, legal basis, cited sources and the court appear in order."""
    text = render_decision_text("asylum", "rejected", "tr", sample_context())

    assert text.startswith("# T.C. Ankara Valiliği\n# İl Göç İdaresi Müdürlüğü\n")
    assert "- Tarih: 28 Kasım 2026" in text
    assert "- Doğum tarihi: 14 Şubat 1990" in text
    assert "YUKK 61., 62. ve 63. madde" in text
    # Each cited source in the one reference format the context gives, the quote with it.
    assert "- [1] Example Research Institute: Country Report: Treatment of Returnees," in text
    assert f'returnees: "{PASSAGE}"\n' in text
    assert "- [2] Example Monitor: Detention Conditions, 2025, https://" in text
    assert "30 gün içinde Ankara Administrative Court nezdinde" in text
    order = [
        "## Başvuru sahibi", "## Hukuki dayanak", "## Olaylar", "## Değerlendirme",
        "**İnandırıcılık**", "## Atıf yapılan", "## Karar", "## Yargı yolu", "---",
    ]  # fmt: skip
    positions = [text.index(heading) for heading in order]
    assert positions == sorted(positions)


def test_positive_refugee_decision_has_no_appeal_section() -> None:
    """A full grant needs no appeal rights, so the appeal variables are not required."""
    context = sample_context()
    del context["appeal"]

    text = render_decision_text("asylum", "refugee", "en", context)

    assert "Right of appeal" not in text


def test_optional_assessment_part_is_left_out_when_absent() -> None:
    """Internal protection is assessed only where applicable."""
    context = sample_context()
    del context["assessment"]["internal_protection"]

    text = render_decision_text("asylum", "refugee", "en", context)

    assert "Internal protection alternative" not in text


# --- Errors -------------------------------------------------------------------------------


def test_missing_variables_are_all_named_at_once() -> None:
    """One render lists every missing variable, nested ones by their path."""
    context: dict[str, Any] = dict(sample_context())
    del context["drafter"]
    del context["applicant"]["nationality"]
    del context["assessment"]["credibility"]

    with pytest.raises(DocumentError) as caught:
        render_decision_text("asylum", "rejected", "en", context)

    assert set(caught.value.missing) == {
        "applicant.nationality",
        "assessment.credibility",
        "drafter",
    }
    assert "applicant.nationality" in str(caught.value)


def test_missing_key_in_a_list_item_is_named_by_its_path() -> None:
    """A citation without its reference is reported as citations[1].reference."""
    context = sample_context()
    del context["citations"][1]["reference"]

    with pytest.raises(DocumentError, match=r"citations\[1\]\.reference"):
        render_decision_text("asylum", "rejected", "en", context)


@pytest.mark.parametrize(
    ("source", "missing"),
    [
        ("{{ appeal.deadline_days + extra_days }}", ("extra_days",)),
        ("{% if applicant.sex == 'f' %}x{% endif %}", ("applicant.sex",)),
        ("{% for x in annexes %}{{ x }}{% endfor %}{{ annex_note }}", ("annexes", "annex_note")),
        ("{{ decided_on_text | date }}", ("decided_on_text",)),
    ],
)
def test_missing_variables_in_expressions_are_named(source: str, missing: tuple[str, ...]) -> None:
    """Arithmetic, comparisons, loops and filters on a missing name all report it."""
    with pytest.raises(DocumentError) as caught:
        render_template_source(source, language="en", context=sample_context())

    assert caught.value.missing == missing


def test_unknown_template_is_refused_with_the_known_ones() -> None:
    """The message names the templates that do exist."""
    with pytest.raises(UnknownTemplateError, match="asylum/refugee"):
        render_decision_text("asylum", "granted", "en", sample_context())
    with pytest.raises(UnknownTemplateError):
        render_decision_text("trafficking", "identified_victim", "tr", sample_context())
    with pytest.raises(UnknownTemplateError):
        render_decision_text("../asylum", "refugee", "en", sample_context())


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ reference.__class__.__init__.__globals__ }}",
        "{% if applicant.__class__ %}x{% endif %}",
        "{{ applicant.update(name='x') }}",
    ],
)
def test_sandbox_refuses_attribute_tricks(source: str) -> None:
    """Administrators' templates cannot reach Python internals or change the case data."""
    with pytest.raises(DocumentError, match="sandbox"):
        render_template_source(source, language="en", context=sample_context())


def test_template_source_can_extend_a_shipped_layout() -> None:
    """An administrator's edit reuses the layout and overrides a block."""
    source = (
        '{% extends "decisions/asylum/_base.en.j2" %}'
        "{% block title %}CUSTOM{% endblock %}"
        "{% block decision %}Custom operative part.{% endblock %}"
    )
    text = render_template_source(source, language="en", context=sample_context())

    assert "# CUSTOM" in text
    assert "Custom operative part." in text


def test_syntax_error_is_a_document_error() -> None:
    with pytest.raises(DocumentError, match="invalid"):
        render_template_source("{% if %}", language="en", context=sample_context())


def test_citation_marker_without_a_source_is_refused() -> None:
    """Every [n] in the text must name a cited source."""
    context = sample_context()
    context["assessment"]["credibility"] = ["Consistent with reports [3]."]

    with pytest.raises(DocumentError, match=r"\[3\]"):
        render_decision_text("asylum", "rejected", "en", context)


def test_markers_inside_a_quoted_source_are_its_own_words() -> None:
    """A quoted COI passage keeps its own footnote numbers; they name no source of the
    decision. The same marker written by the drafter is still refused."""
    context = sample_context()
    quoted = "Returnees were detained on arrival.[12] Some were released.[13]"
    context["citations"][0]["passage"] = quoted
    context["citations"][0]["reference"] = f'Example Research Institute: Report, 2026: "{quoted}"'

    text = render_decision_text("asylum", "rejected", "en", context)
    assert quoted in text
    context["assessment"]["credibility"] = ["Detention is routine [12]."]
    with pytest.raises(DocumentError, match=r"\[12\]"):
        render_decision_text("asylum", "rejected", "en", context)


def test_variables_cannot_inject_block_structure() -> None:
    """Line breaks inside a value become spaces, so data cannot add a signature block."""
    context = sample_context("Ayşe\n---\n# Yılmaz")
    text = render_decision_text("asylum", "rejected", "en", context)

    assert "- Name: Ayşe --- # Yılmaz" in text


# --- Dates and markup ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("tr", "28 Kasım 2026"), ("sq", "28 nëntor 2026"), ("en", "28 November 2026")],
)
def test_dates_are_written_per_language(language: str, expected: str) -> None:
    assert format_date(dt.date(2026, 11, 28), language) == expected


def test_partial_dates_are_printed_as_given() -> None:
    assert format_date("1990", "tr") == "1990"


def test_unknown_date_language_is_refused() -> None:
    with pytest.raises(DocumentError, match="de"):
        format_date(dt.date(2026, 1, 1), "de")


def test_markup_blocks() -> None:
    """Markers, joined paragraph lines, literal lines and signature columns."""
    text = (
        "# Title\n## Section\nfirst line\nsecond line\n\n- item\n> quoted [1]\n"
        "\\- not an item\n\n---\nDrafted by\nA\n\nApproved by\nB\n"
    )
    blocks = [(block.kind, block.lines) for block in parse_blocks(text)]

    assert blocks == [
        ("heading", ("Title",)),
        ("subheading", ("Section",)),
        ("paragraph", ("first line second line",)),
        ("item", ("item",)),
        ("quote", ("quoted [1] - not an item",)),
        ("signature", ("Drafted by", "A")),
        ("signature", ("Approved by", "B")),
    ]


# --- PDF ----------------------------------------------------------------------------------


def test_pdf_is_deterministic() -> None:
    """Identical input gives identical bytes, so a checksum identifies the decision."""
    text = render_decision_text("asylum", "refugee", "tr", sample_context())

    def make() -> bytes:
        return render_pdf(text, title="Karar", reference="E-2026/4711", language="tr", draft=True)

    first, second = make(), make()
    assert first == second
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()


@pytest.mark.parametrize(
    ("language", "mark"),
    [("en", "DRAFT — not a decision"), ("tr", "TASLAK — karar değildir"),
     ("sq", "PROJEKT — nuk është vendim")],
)  # fmt: skip
def test_draft_mark_only_on_drafts(language: str, mark: str) -> None:
    text = "# Decision\n\nText.\n"
    draft = pdf_text(render_pdf(text, title="T", reference="R-1", language=language, draft=True))
    final = pdf_text(render_pdf(text, title="T", reference="R-1", language=language, draft=False))

    assert mark in draft
    assert mark not in final
    assert "DRAFT" not in final


def test_pdf_metadata_header_and_page_numbers() -> None:
    """Title and subject in the metadata; reference and "page x of y" on every page."""
    paragraphs = "\n\n".join(f"Paragraph {n} İbrahim Öztürk ğşıİ ëç Ёжик." for n in range(150))
    pdf = render_pdf(paragraphs, title="Karar", reference="E-2026/4711", language="tr",
                     draft=False)  # fmt: skip
    reader = PdfReader(io.BytesIO(pdf))

    assert reader.metadata is not None
    assert reader.metadata.title == "Karar"
    assert reader.metadata.subject == "Karar E-2026/4711"
    pages = len(reader.pages)
    assert pages > 1
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert "E-2026/4711" in text
        assert f"Sayfa {number} / {pages}" in text
    assert "İbrahim Öztürk ğşıİ ëç Ёжик" in pdf_text(pdf)


def test_pdf_escapes_markup_characters() -> None:
    """Angle brackets and ampersands in case data print as text."""
    pdf = render_pdf("A <b>&amp; B & C **bold**\n", title="T", reference="R", language="en",
                     draft=False)  # fmt: skip

    assert "A <b>&amp; B & C bold" in pdf_text(pdf)


def test_unsupported_pdf_language_is_refused() -> None:
    with pytest.raises(DocumentError, match="de"):
        render_pdf("x", title="T", reference="R", language="de", draft=False)


def test_public_names() -> None:
    """The façade the Django layer imports stays deliberate."""
    assert set(documents.__all__) == {
        "LANGUAGES", "Appeal", "Applicant", "Assessment", "Authority", "Block", "Citation",
        "DecisionContext", "DocumentError", "Signatory", "TemplateKey", "UnknownTemplateError",
        "available_templates", "format_date", "parse_blocks", "render_decision_text",
        "render_pdf", "render_template_source",
    }  # fmt: skip
