"""The report's structure is data: the shipped template loads, broken files are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from ura.stats.profile.messages import TEMPLATE_MESSAGES
from ura.stats.profile.template import (
    DEFAULT_TEMPLATE,
    ChartItem,
    DataGapsItem,
    HighlightItem,
    TemplateError,
    known_table_ids,
    load_template,
    parse_template,
)

MINIMAL = """
id: mini
version: 1
title: Mini profile
sections:
  - id: a
    part: A
    title: Immigration
    blocks:
{blocks}
  - id: d
    part: D
    title: Gaps
    blocks:
      - {{kind: data_gaps}}
"""


def mini(blocks: str) -> str:
    return MINIMAL.format(blocks=blocks)


def test_the_extended_migration_profile_follows_the_outline() -> None:
    """Summary, A (seven themes and the international context), B, C and D, in order."""
    template = load_template()
    assert template.id == "extended-migration-profile"
    parts = [s.part for s in template.sections]
    assert parts == ["summary", *["A"] * 8, "B", "C", "D"]
    titles = [s.title for s in template.sections if s.part == "A"]
    for theme in (
        "Immigration", "Emigration", "Irregular migration", "International protection",
        "Temporary protection", "Return and readmission", "Trafficking in human beings",
    ):  # fmt: skip
        assert theme in titles
    required = {s.slot for s in template.slots if s.required}
    assert {"executive_summary", "policy_framework", "key_findings"} <= required
    assert template.tables <= known_table_ids()
    kinds = {type(b) for s in template.sections for b in s.blocks}
    assert {ChartItem, HighlightItem, DataGapsItem} <= kinds


@pytest.mark.parametrize(
    ("blocks", "message"),
    [
        ("      - {kind: chart, table: migr_eipre, chart: pie, title: T, value_label: V}",
         r"blocks\[0\]\.chart: 'pie' is not one of time_series"),
        ("      - {kind: table, table: migr_nope, rows: SEX, title: T}",
         r"blocks\[0\]\.table: no table definition 'migr_nope'"),
        ("      - {kind: table, table: migr_eipre, rows: sex, title: T}",
         r"blocks\[0\]\.rows: 'sex' is not an upper-case dimension id"),
        ("      - {kind: table, table: migr_eipre, rows: SEX, title: T, colour: red}",
         r"blocks\[0\]: unknown key\(s\) colour"),
        ("      - {kind: text, slot: s, label: L}\n      - {kind: text, slot: s, label: M}",
         r"blocks\[1\]\.slot: 's' is used twice"),
        ("      - {kind: text, slot: s, label: L, required: maybe}",
         r"blocks\[0\]\.required: must be true or false"),
        ("      - {kind: highlight, highlight: top_codes, table: migr_eipre, subject: S}",
         r"blocks\[0\]\.dimension: top_codes needs a dimension"),
        ("      - {kind: highlight, highlight: repeat_share, persons: migr_eipre}",
         r"blocks\[0\]\.events: must be a non-empty string"),
        ("      - {kind: chart, table: migr_eipre, chart: province_tile, title: T,"
         " value_label: V, fixed: {TIME_PERIOD: '{today}'}}",
         r"blocks\[0\]\.fixed\.TIME_PERIOD: '\{today\}': only \{period\} or \{previous\}"),
        ("      - {kind: highlight, highlight: largest_changes, table: migr_eipre,"
         " dimension: CITIZEN, subject: S, min_base: 0}",
         r"blocks\[0\]\.min_base: 0 is not a positive whole number"),
    ],
)  # fmt: skip
def test_broken_blocks_are_refused_naming_file_and_field(blocks: str, message: str) -> None:
    with pytest.raises(TemplateError, match=r"^mini\.yaml: sections\[0\]\." + message):
        parse_template(mini(blocks), "mini.yaml")


def test_a_template_needs_one_data_gaps_block() -> None:
    text = mini("      - {kind: text, slot: s, label: L}").replace(
        "- {kind: data_gaps}", "- {kind: key_highlights}"
    )
    with pytest.raises(TemplateError, match="exactly one block must be of kind data_gaps"):
        parse_template(text, "mini.yaml")


def test_not_yaml_is_refused() -> None:
    with pytest.raises(TemplateError, match=r"^x\.yaml: not valid YAML"):
        parse_template("sections: [", "x.yaml")


def test_file_name_must_match_the_id(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text(mini("      - {kind: text, slot: s, label: L}"), encoding="utf-8")
    with pytest.raises(TemplateError, match=r"other\.yaml: id: 'mini' differs from the file name"):
        load_template(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"absent\.yaml: cannot be read"):
        load_template(tmp_path / "absent.yaml")


def test_a_valid_minimal_template_loads(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(
        mini(
            "      - {kind: highlight, highlight: repeat_share, persons: migr_eipre,"
            " events: ura_apprehensions}\n"
            "      - {kind: text, slot: s, label: L, required: true}"
        ),
        encoding="utf-8",
    )
    template = load_template(path)
    assert template.tables == {"migr_eipre", "ura_apprehensions"}
    assert [s.slot for s in template.slots] == ["s"]
    assert DEFAULT_TEMPLATE.name == "extended-migration-profile.yaml"


def test_every_text_of_the_shipped_template_is_in_the_catalogue_list() -> None:
    """makemessages reads Python, not YAML: each title, label and subject is listed."""
    template = load_template()
    texts = {template.title}
    for section in template.sections:
        texts.add(section.title)
        for block in section.blocks:
            for attribute in ("title", "label", "value_label", "subject"):
                value = getattr(block, attribute, "")
                if value:
                    texts.add(value)
    assert texts - set(TEMPLATE_MESSAGES) == set()
