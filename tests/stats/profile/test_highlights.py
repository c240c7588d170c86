"""Highlights computed from protected tables never use or reveal a suppressed cell."""

from __future__ import annotations

import itertools

import pytest

from tests.stats.profile.conftest import long_table
from ura.stats.profile.highlights import (
    NOTE_HIDDEN,
    NOTE_ROUNDED,
    Highlight,
    HighlightError,
    HighlightUnavailable,
    largest_changes,
    previous_period,
    recognition_rate,
    repeat_share,
    top_codes,
    total_change,
)

# True values of the cells disclosure control hid: distinctive, so a leak would show.
HIDDEN_TRUE = {("2024", "IQ"): 4321, ("2023", "IQ"): 1987, ("2024", "PK"): 3}
APPLICANTS = {
    "2023": {"SY": 1000, "AF": 800, "IQ": 1987, "PK": 60, "IR": 8, "_T": 3855},
    "2024": {"SY": 1500, "AF": 600, "IQ": 4321, "PK": 3, "IR": 30, "_T": 6454},
}


def protected_applicants() -> object:
    return long_table(
        "CITIZEN",
        APPLICANTS,
        hidden={("2024", "IQ"): "D", ("2023", "IQ"): "D", ("2024", "PK"): "C"},
    )


def shown_numbers(highlights: list[Highlight]) -> set[float]:
    """Every number a reader sees, and every sum and difference of two of them."""
    numbers = {round(n, 1) for h in highlights for n in h.numbers}
    derived = set(numbers)
    for a, b in itertools.product(numbers, repeat=2):
        derived |= {round(a - b, 1), round(a + b, 1)}
    return derived


def test_previous_period() -> None:
    """The same period a year earlier, for years, quarters and months."""
    assert previous_period("2024") == "2023"
    assert previous_period("2024-Q3") == "2023-Q3"
    assert previous_period("2024-03") == "2023-03"
    with pytest.raises(HighlightError, match="not an SDMX period"):
        previous_period("last year")


def test_total_change_states_both_years_and_the_change() -> None:
    """The total rises 3,855 -> 6,454: 67.4 %."""
    highlight = total_change(
        protected_applicants(), name="migr_asyappctza", subject="Applicants", period="2024"
    )
    text = highlight.text()
    assert text == "Applicants: 6,454 in 2024, up 67.4% from 3,855 in 2023."
    assert highlight.tables == ("migr_asyappctza",)


def test_total_change_in_turkish_number_format() -> None:
    """Numbers follow the locale; the message goes through the translator."""
    highlight = total_change(
        protected_applicants(), name="migr_asyappctza", subject="Applicants", period="2024"
    )
    text = highlight.text(translate=lambda m: m.replace("Applicants", "Başvuranlar"), locale="tr")
    assert "6.454" in text
    assert "%67,4" in text
    assert text.startswith("Başvuranlar")


def test_total_change_without_the_previous_year_states_the_total_only() -> None:
    table = long_table("CITIZEN", {"2024": {"SY": 10, "_T": 10}})
    text = total_change(table, name="t", subject="Applicants", period="2024").text()
    assert text == "Applicants: 10 in 2024."


def test_confidential_total_is_unavailable() -> None:
    table = long_table("CITIZEN", {"2024": {"SY": 3, "_T": 3}}, hidden={("2024", "_T"): "C"})
    with pytest.raises(HighlightUnavailable, match="confidential"):
        total_change(table, name="t", subject="Applicants", period="2024")


def test_missing_period_is_unavailable() -> None:
    table = long_table("CITIZEN", {"2023": {"SY": 30, "_T": 30}})
    with pytest.raises(HighlightUnavailable, match="no figures for 2024"):
        total_change(table, name="t", subject="Applicants", period="2024")


def test_largest_changes_rank_published_codes_only() -> None:
    """Iraq's hidden 1,987 -> 4,321 would be the largest change; it is never used."""
    found = largest_changes(
        protected_applicants(), name="t", subject="Applicants", dimension="CITIZEN",
        period="2024", top=2, min_base=50,
    )  # fmt: skip
    codes = [h.extra["code"] for h in found]
    assert codes[:2] == ["SY", "AF"]  # +500 and -200
    assert "IQ" not in codes
    assert found[0].text() == (
        "Applicants, Syria: up 500 (50.0%), from 1,000 in 2023 to 1,500 in 2024."
    )
    assert found[1].text().startswith("Applicants, Afghanistan: down 200 (25.0%)")


def test_largest_relative_change_needs_the_minimum_base() -> None:
    """Iran 8 -> 30 (+275 %) is below the base of 50 and never the 'largest relative change'."""
    found = largest_changes(
        protected_applicants(), name="t", subject="Applicants", dimension="CITIZEN",
        period="2024", top=5, min_base=50,
    )  # fmt: skip
    assert "IR" not in [h.extra["code"] for h in found]
    small = largest_changes(
        protected_applicants(), name="t", subject="Applicants", dimension="CITIZEN",
        period="2024", top=5, min_base=20,
    )  # fmt: skip
    iran = next(h for h in small if h.extra["code"] == "IR")
    # Over a base below the minimum the change is said without a percentage.
    assert "%" not in iran.text()
    assert iran.text() == "Applicants, Iran: up 22, from 8 in 2023 to 30 in 2024."


def test_largest_changes_pick_the_steepest_relative_change_beside_the_absolute_ones() -> None:
    table = long_table(
        "CITIZEN",
        {
            "2023": {"A1": 1000, "B2": 50, "_T": 1050},
            "2024": {"A1": 1300, "B2": 150, "_T": 1450},
        },
    )
    found = largest_changes(
        table, name="t", subject="S", dimension="CITIZEN", period="2024", top=1, min_base=20
    )
    assert [h.extra["code"] for h in found] == ["A1", "B2"]  # +300, then +200 %


def test_top_codes_with_shares_and_hidden_count() -> None:
    """Shares of the published total; the two confidential citizenships are counted, not
    ranked; nothing is said of "the others"."""
    highlight = top_codes(
        protected_applicants(), name="t", subject="Applicants", dimension="CITIZEN",
        period="2024", top=2,
    )  # fmt: skip
    assert highlight.text() == (
        "Applicants in 2024, largest citizenships: Syria 1,500 (23.2%); Afghanistan 600 "
        "(9.3%); together 32.5% of 6,454. 2 figure(s) are confidential and not ranked."
    )
    assert NOTE_HIDDEN in highlight.notes
    assert "other" not in highlight.text().lower()


def test_top_codes_without_a_published_total_give_no_share() -> None:
    table = long_table(
        "GEO",
        {"2024": {"TR-34": 40, "TR-06": 20, "TR-35": 2, "_T": 62}},
        hidden={("2024", "TR-35"): "C", ("2024", "_T"): "D"},
    )
    text = top_codes(table, name="t", subject="S", dimension="GEO", period="2024").text()
    assert text == (
        "S in 2024, largest provinces: İstanbul 40; Ankara 20. "
        "1 figure(s) are confidential and not ranked."
    )
    assert "62" not in text


def test_no_highlight_reveals_a_suppressed_cell() -> None:
    """Attack: the numbers shown, and every sum and difference of two of them, never equal a
    hidden cell's true value."""
    table = protected_applicants()
    highlights = [
        total_change(table, name="t", subject="S", period="2024"),
        top_codes(table, name="t", subject="S", dimension="CITIZEN", period="2024", top=3),
        *largest_changes(
            table, name="t", subject="S", dimension="CITIZEN", period="2024", top=5, min_base=1
        ),
    ]
    seen = shown_numbers(highlights)
    shown = {round(n, 1) for h in highlights for n in h.numbers}
    for cell, value in HIDDEN_TRUE.items():
        assert float(value) not in shown, cell
        # A small value is the sum or difference of some two figures by chance; a large one
        # would mean the highlight subtracted published cells from a margin.
        if value >= 100:
            assert float(value) not in seen, cell
    text = " ".join(h.text() for h in highlights)
    for value in HIDDEN_TRUE.values():
        if value >= 100:
            assert f"{value:,}" not in text
    assert "Iraq" not in text
    assert "Pakistan" not in text  # hidden in 2024, so neither ranked nor compared


def test_a_table_whose_suppressed_cell_keeps_its_value_is_refused() -> None:
    table = long_table("CITIZEN", APPLICANTS)
    table.loc[table["CITIZEN"] == "PK", "CONF_STATUS"] = "C"  # flagged but value kept
    with pytest.raises(HighlightError, match="still carry a value"):
        top_codes(table, name="t", subject="S", dimension="CITIZEN", period="2024")


def test_rounded_figures_are_said_to_be_rounded() -> None:
    table = long_table(
        "CITIZEN", {"2023": {"SY": 100, "_T": 100}, "2024": {"SY": 120, "_T": 120}}, rounded=True
    )
    highlight = total_change(table, name="t", subject="S", period="2024")
    assert NOTE_ROUNDED in highlight.notes
    assert highlight.text().endswith("Figures are rounded to a multiple of 5.")


def test_recognition_rate_and_its_change() -> None:
    table = long_table(
        "SEX", {"2023": {"_T": 50.8}, "2024": {"_T": 46.0}}, measure="ratio", unit="PC"
    )
    text = recognition_rate(table, name="rate", period="2024").text()
    assert text == (
        "First-instance recognition rate in 2024: 46.0%, down 4.8 percentage points from "
        "50.8% in 2023."
    )


def test_withheld_recognition_rate_is_unavailable() -> None:
    table = long_table(
        "SEX", {"2024": {"_T": 40.0}}, hidden={("2024", "_T"): "C"}, measure="ratio", unit="PC"
    )
    with pytest.raises(HighlightUnavailable, match="confidential"):
        recognition_rate(table, name="rate", period="2024")


def test_repeat_share_of_apprehensions() -> None:
    """150 apprehensions of 120 persons: 30 repeats, 20 %, 1.25 per person."""
    persons = long_table("SEX", {"2024": {"F": 20, "M": 100, "_T": 120}})
    events = long_table("SEX", {"2024": {"F": 22, "M": 128, "_T": 150}}, measure="events")
    highlight = repeat_share(
        persons, events, persons_name="migr_eipre", events_name="ura_apprehensions",
        period="2024",
    )  # fmt: skip
    assert highlight.text() == (
        "150 apprehensions in 2024 concerned 120 persons: 20.0% of apprehensions were repeat "
        "apprehensions of a person already apprehended in the period (1.25 per person)."
    )
    assert highlight.tables == ("migr_eipre", "ura_apprehensions")


def test_repeat_share_needs_both_totals_published() -> None:
    persons = long_table("SEX", {"2024": {"F": 2, "_T": 2}}, hidden={("2024", "_T"): "C"})
    events = long_table("SEX", {"2024": {"F": 3, "_T": 3}})
    with pytest.raises(HighlightUnavailable, match="confidential"):
        repeat_share(persons, events, persons_name="p", events_name="e", period="2024")


def test_countries_are_named_in_the_readers_language() -> None:
    """Turkish readers read Suriye and Afganistan (CLDR); provinces keep their own names."""
    highlight = top_codes(
        protected_applicants(), name="t", subject="S", dimension="CITIZEN", period="2024", top=2
    )
    text = highlight.text(locale="tr")
    assert "Suriye 1.500" in text
    assert "Afganistan 600" in text
    provinces = long_table("GEO", {"2024": {"TR-34": 40, "_T": 40}})
    text = top_codes(provinces, name="t", subject="S", dimension="GEO", period="2024").text(
        locale="tr"
    )
    assert "İstanbul 40" in text
