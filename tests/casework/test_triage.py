"""Triage into processing modalities: the shipped LFIP rules, their order, validation."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from ura.casework.triage import (
    TriageError,
    TriageProfile,
    builtin_rulesets,
    current_ruleset,
    parse_ruleset,
    propose_modality,
    ruleset_version,
)

LFIP = current_ruleset("asylum", dt.date(2026, 6, 1))

MINIMAL = textwrap.dedent(
    """
    code: demo
    procedure: demo
    version: 1
    effective_from: 2026-01-01
    title: Demo
    reference: Example Law
    modalities:
      - {code: fast, label: Fast}
      - {code: normal, label: Normal}
    rules:
      - {code: child, label: Child, modality: fast, reference: Art. 1,
         when: {vulnerability_any: [unaccompanied_child]}}
      - {code: rest, label: Others, modality: normal, reference: Art. 2}
    """
)


def _propose(**profile: object) -> tuple[str, str, tuple[str, ...]]:
    proposal = propose_modality(LFIP, TriageProfile(**profile))  # type: ignore[arg-type]
    return proposal.modality, proposal.rule, proposal.matched


def test_the_shipped_rules_load_with_references() -> None:
    """Every shipped rule cites the law or UNHCR guidance behind it."""
    assert [r.procedure for r in builtin_rulesets()] == ["asylum"]
    assert LFIP.version == 1
    assert all(rule.reference for rule in LFIP.rules)
    assert {m.code for m in LFIP.modalities} == {
        "prioritised",
        "accelerated",
        "simplified",
        "regular",
    }


@pytest.mark.parametrize(
    ("flag", "rule"),
    [
        ("unaccompanied_child", "special_needs"),
        ("torture_survivor", "special_needs"),
        ("pregnant", "special_needs"),
        ("serious_illness", "protection_needs_unhcr"),
        ("trafficking_victim", "protection_needs_unhcr"),
    ],
)
def test_vulnerable_applicants_are_prioritised(flag: str, rule: str) -> None:
    assert _propose(vulnerabilities=frozenset({flag})) == ("prioritised", rule, (flag,))


def test_special_needs_come_before_accelerated_grounds() -> None:
    """An unaccompanied child is never put in the accelerated procedure by a screening ground."""
    proposal = propose_modality(
        LFIP,
        TriageProfile(
            nationality="ERI",
            vulnerabilities=frozenset({"unaccompanied_child"}),
            accelerated_grounds=("false_documents",),
        ),
    )
    assert (proposal.modality, proposal.rule) == ("prioritised", "special_needs")
    assert "LFIP Art. 67" in proposal.reason


def test_an_accelerated_ground_found_at_screening_accelerates() -> None:
    assert _propose(nationality="ERI", accelerated_grounds=("only_to_delay_removal",)) == (
        "accelerated",
        "accelerated_grounds",
        ("only_to_delay_removal",),
    )


def test_a_high_recognition_nationality_is_simplified_and_unknown_is_regular() -> None:
    assert _propose(nationality="eri") == ("simplified", "high_recognition_nationality", ("ERI",))
    assert _propose(nationality="AFG") == ("regular", "regular", ())
    assert _propose() == ("regular", "regular", ())


def test_a_vulnerability_flag_that_no_rule_names_does_not_prioritise() -> None:
    assert _propose(nationality="IRQ", vulnerabilities=frozenset({"something_else"}))[0] == (
        "regular"
    )


def test_the_proposal_is_stored_as_case_data() -> None:
    data = propose_modality(LFIP, TriageProfile(nationality="YEM")).as_data()
    assert data["proposed"] == "simplified"
    assert data["rule"] == "high_recognition_nationality"
    assert data["ruleset"] == "asylum-lfip"
    assert data["version"] == 1


def test_versions_apply_from_their_date() -> None:
    later = parse_ruleset(MINIMAL.replace("version: 1", "version: 2").replace("2026-01", "2027-01"))
    first = parse_ruleset(MINIMAL)
    both = [first, later]
    assert current_ruleset("demo", dt.date(2026, 12, 31), both).version == 1
    assert current_ruleset("demo", dt.date(2027, 1, 1), both).version == 2
    assert ruleset_version("demo", 2, both) is later
    with pytest.raises(TriageError, match="in force"):
        current_ruleset("demo", dt.date(2025, 1, 1), both)
    with pytest.raises(TriageError, match="version 3"):
        ruleset_version("demo", 3, both)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("modality: normal, reference: Art. 2}", "modality: slow, reference: Art. 2}"), "slow"),
        (("reference: Art. 2}", "reference: Art. 2, when: {accelerated_grounds: true}}"), "last"),
        (("when: {vulnerability_any", "when: {age_below"), "unknown condition"),
        (("title: Demo", "title: Demo\ncolour: red"), "unknown key colour"),
        (("version: 1", "version: 0"), "version"),
        (("{code: rest,", "{code: child,"), "duplicate"),
        (
            ("when: {vulnerability_any: [unaccompanied_child]}", "when: {nationality: true}"),
            "unknown",
        ),
    ],
)
def test_invalid_rulesets_are_refused_naming_the_element(
    change: tuple[str, str], message: str
) -> None:
    with pytest.raises(TriageError, match=message):
        parse_ruleset(MINIMAL.replace(*change), "demo.yaml")


def test_a_simplified_rule_needs_the_nationality_list() -> None:
    text = MINIMAL.replace(
        "when: {vulnerability_any: [unaccompanied_child]}",
        "when: {high_recognition_nationality: true}",
    )
    with pytest.raises(TriageError, match="needs the list"):
        parse_ruleset(text)
