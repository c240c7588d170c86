"""Assembling the report: blocks from the template, data gaps, required texts, renderers."""

from __future__ import annotations

import io
import unicodedata

import pandas as pd
import pytest
from pypdf import PdfReader

from tests.stats.profile.conftest import long_table
from ura.stats.profile import (
    ReportError,
    ReportMeta,
    build_report,
    cross_table,
    load_template,
    render_html,
    render_pdf,
)
from ura.stats.profile.highlights import HighlightError
from ura.stats.profile.report import ChartBlock, DataGapList, HighlightList, TableBlock
from ura.stats.reference.unhcr import load_unhcr_context

META = ReportMeta(country="Türkiye", period="2024", reference_date="2025-01-15", edition="2025")
TEXTS = {
    "executive_summary": "Applications rose.\n\nIstanbul hosts the most <migrants>.",
    "policy_framework": "Law No. 6458 (LFIP) governs foreigners and international protection.",
}


def tables() -> dict[str, pd.DataFrame]:
    """Asylum applicants, apprehensions (persons and events), the recognition rate, UNHCR."""
    return {
        "migr_asyappctza": long_table(
            "CITIZEN",
            {
                "2023": {"SY": 1000, "AF": 800, "IQ": 90, "PK": 4, "_T": 1894},
                "2024": {"SY": 1500, "AF": 600, "IQ": 87, "PK": 3, "_T": 2190},
            },
            hidden={("2023", "PK"): "C", ("2024", "PK"): "C", ("2024", "IQ"): "D"},
            extra={"ASYL_APP": "_T"},
        ),
        "migr_eipre": long_table("GEO", {"2024": {"TR-34": 70, "TR-06": 50, "_T": 120}}),
        "ura_apprehensions": long_table(
            "GEO", {"2024": {"TR-34": 95, "TR-06": 55, "_T": 150}}, measure="events"
        ),
        "ura_asy_recognition_rate": long_table(
            "SEX", {"2023": {"_T": 50.8}, "2024": {"_T": 46.0}}, measure="ratio", unit="PC"
        ),
        "unhcr_context": load_unhcr_context(indicators=["ASYL_APP", "REFUGEES"]),
    }


def test_missing_tables_become_data_gaps_in_part_d() -> None:
    report = build_report(load_template(), tables(), TEXTS, META)
    gap_tables = {g.reason.values.get("table") for g in report.data_gaps}
    assert {"migr_resfirst", "crim_thb_vexp", "migr_asytpsm", "ura_work_permits"} <= gap_tables
    assert "migr_asyappctza" not in gap_tables  # every item of it could be filled
    part_d = next(s for s in report.sections if s.part == "D")
    listed = next(b for b in part_d.blocks if isinstance(b, DataGapList))
    assert listed.gaps == report.data_gaps
    reason = next(g for g in report.data_gaps if g.reason.values.get("table") == "crim_thb_vexp")
    assert reason.section == "Trafficking in human beings"
    assert reason.reason.text() == "table crim_thb_vexp was not computed for this report"


def test_highlights_tables_and_charts_are_built_from_the_data() -> None:
    report = build_report(load_template(), tables(), TEXTS, META)
    protection = next(s for s in report.sections if s.id == "protection")
    highlights = [
        h for b in protection.blocks if isinstance(b, HighlightList) for h in b.highlights
    ]
    assert [h.kind for h in highlights] == ["total_change", "top_codes", "recognition_rate"]
    assert (
        highlights[0]
        .text()
        .startswith("Applicants for international protection: 2,190 in 2024, up 15.6% from 1,894")
    )
    table = next(b for b in protection.blocks if isinstance(b, TableBlock))
    assert table.table == "migr_asyappctza"
    assert any(isinstance(b, ChartBlock) for b in protection.blocks)
    irregular = next(s for s in report.sections if s.id == "irregular")
    repeat = next(h for b in irregular.blocks if isinstance(b, HighlightList) for h in b.highlights)
    assert repeat.kind == "repeat_share"
    summary = report.sections[0]
    key = next(b for b in summary.blocks if isinstance(b, HighlightList))
    assert key.highlights[0] in highlights or key.highlights[0] == repeat


def test_required_texts_are_listed_and_a_final_report_needs_them() -> None:
    report = build_report(load_template(), tables(), TEXTS, META)
    assert "key_findings" in report.missing_texts
    assert "executive_summary" not in report.missing_texts
    assert not report.can_be_final
    final = ReportMeta("Türkiye", "2024", "2025-01-15", "2025", final=True)
    with pytest.raises(ReportError, match="key_findings"):
        build_report(load_template(), tables(), TEXTS, final)
    texts = {s.slot: "Written." for s in load_template().slots}
    assert build_report(load_template(), tables(), texts, final).can_be_final


def test_an_unprotected_table_is_refused() -> None:
    given = tables()
    leaky = given["migr_asyappctza"].copy()
    leaky.loc[leaky["CONF_STATUS"] == "C", "OBS_VALUE"] = 4
    given["migr_asyappctza"] = leaky
    with pytest.raises(HighlightError, match="migr_asyappctza: 2 suppressed cell"):
        build_report(load_template(), given, TEXTS, META)


def test_cross_table_shows_flags_totals_last_and_top_rows() -> None:
    table = cross_table(
        tables()["migr_asyappctza"], name="migr_asyappctza", title="Applicants",
        rows="CITIZEN", columns="TIME_PERIOD", top=2, period="2024",
    )  # fmt: skip
    assert table.columns == ("2023", "2024")
    assert [r.code for r in table.rows] == ["SY", "AF", "_T"]
    assert table.omitted_rows == 2
    assert table.rows[-1].total
    full = cross_table(
        tables()["migr_asyappctza"],
        name="t",
        title="T",
        rows="CITIZEN",
        columns="TIME_PERIOD",
        top=10,
    )
    assert [r.code for r in full.rows] == [
        "SY",
        "AF",
        "IQ",
        "PK",
        "_T",
    ]  # largest first, hidden last
    assert full.omitted_rows == 0
    pakistan = next(r for r in full.rows if r.code == "PK")
    assert [c.value for c in pakistan.cells] == [None, None]
    assert [c.flags for c in pakistan.cells] == ["c", "c"]
    assert {"c", ":"} <= full.flags


def test_pdf_renders_titles_highlights_and_citation() -> None:
    report = build_report(load_template(), tables(), TEXTS, META)
    pdf = render_pdf(report)
    assert pdf.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for title in ("Executive summary", "International protection", "Policy and institutional"):
        assert title in text
    assert "2,190" in text  # the applicants' total in a highlight and a table
    assert "Türkiye" in text
    assert "CC BY 4.0" in text
    assert "table migr_asyappctza (version 1). Disclosure control: rounding (base 5)." in text
    assert "Istanbul hosts the most <migrants>." in text
    assert "confidential" in text  # the legend of the flags
    assert "Draft: not for publication" in text
    assert render_pdf(report) == pdf  # deterministic


def test_pdf_numbers_follow_the_locale() -> None:
    report = build_report(load_template(), tables(), TEXTS, META)
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(report, locale="tr"))).pages
    )
    assert "2.190" in text


def test_html_escapes_texts_and_embeds_chart_specs() -> None:
    report = build_report(load_template(), tables(), TEXTS, META)
    page = render_html(report, standalone=True)
    assert page.startswith("<!DOCTYPE html>")
    assert "&lt;migrants&gt;" in page
    assert "<migrants>" not in page
    assert 'class="vega-chart" data-spec="{&quot;$schema&quot;' in page
    assert 'href="#profile-protection"' in page
    assert "2,190" in page
    assert "Unit: persons." in page
    fragment = render_html(report)
    assert fragment.startswith('<article class="profile">')


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def _shaped(text: str) -> int:
    return sum("\ufb50" <= c <= "\ufeff" for c in text)


def test_turkish_albanian_and_arabic_texts_print() -> None:
    """DejaVu Sans carries the letters; Arabic is shaped and in reading order."""
    texts = {
        **TEXTS,
        "policy_framework": "Yabancılar ve Uluslararası Koruma Kanunu. Ligji për të huajt.",
        "key_findings": "الهجرة في تركيا",
    }
    report = build_report(load_template(), tables(), texts, META)
    text = _pdf_text(render_pdf(report))
    assert "Yabancılar ve Uluslararası Koruma Kanunu" in text
    assert "Ligji për të huajt" in text
    # pypdf reads right-to-left runs drawn in visual order back in logical order: the
    # unshaped, left-to-right Arabic printed before came out reversed ("ايكرت يف ةرجهلا").
    assert "الهجرة في تركيا" in unicodedata.normalize("NFKC", text)
    assert _shaped(text) >= len("الهجرةفيتركيا")
    page = render_html(report, standalone=True, direction="rtl", locale="ar")
    assert '<html lang="ar" dir="rtl">' in page
    assert "الهجرة في تركيا" in page


def test_an_arabic_report_is_set_right_to_left() -> None:
    """In Arabic, a long text wraps into lines that read top to bottom, each right to left;
    the same report renders to the same bytes."""
    finding = (
        "ارتفعت طلبات اللجوء في عام 2024 بنسبة 16٪ مقارنة بالعام السابق، وسجلت مديرية "
        "إسطنبول أكبر زيادة في الطلبات المقدمة من السوريين والأفغان، بينما انخفضت طلبات "
        "العراقيين."
    )
    report = build_report(load_template(), tables(), {**TEXTS, "key_findings": finding}, META)
    pdf = render_pdf(report, locale="ar")
    assert render_pdf(report, locale="ar") == pdf
    lines: list[tuple[float, float, str]] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(
            visitor_text=lambda text, cm, tm, font, size: lines.append((tm[4], tm[5], text))
        )
    arabic = [(x, y, unicodedata.normalize("NFKC", t)) for x, y, t in lines if _shaped(t)]
    first = next((x, y) for x, y, t in arabic if "ارتفعت طلبات اللجوء" in t)
    last = next((x, y) for x, y, t in arabic if "العراقيين" in t)
    assert first[1] > last[1]  # the start of the text is on the upper line
    text = unicodedata.normalize("NFKC", _pdf_text(pdf))
    for words in ("ارتفعت طلبات اللجوء في عام", "مقارنة بالعام السابق", "السوريين والأفغان"):
        assert words in text
    assert "2024" in text
    assert "4202" not in text
