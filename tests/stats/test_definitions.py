"""Table definitions: the standard set loads, and a broken file is refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from ura.stats.definitions import (
    DEFINITIONS_DIR,
    AgeReference,
    DefinitionError,
    Measure,
    Sensitivity,
    derived_sources,
    load_definition,
    load_definitions,
    parse_definition,
)

VALID = """
id: sample_table
version: 1
title: A sample
measure: persons
unit: PER
age_reference: event
select: {event_types: [apprehension]}
dimensions:
  - {id: SEX, source: sex}
  - {id: AGE, source: age}
sensitivity: public
protection: {rule: suppression, threshold: 5}
"""

STANDARD_SET = {
    "migr_resfirst", "migr_resvalid", "ura_entries", "ura_exits", "migr_eirfs",
    "migr_asyappctza", "migr_asyunaa", "migr_asydcfsta", "ura_asy_recognition_rate",
    "migr_asypenctzm", "migr_asytpsm", "migr_eipre", "ura_apprehensions", "migr_eiord",
    "migr_eirtn", "ura_readmissions", "crim_thb_vexp", "ura_work_permits",
}  # fmt: skip


def test_the_standard_set_loads_with_the_contract_fields() -> None:
    definitions = load_definitions()
    assert set(definitions) == STANDARD_SET
    for definition in definitions.values():
        assert definition.version >= 1
        assert definition.title
        assert definition.dimensions
        assert definition.unit in {"PER", "NR", "PC"}
        assert definition.protection["rule"]
        assert definition.path is not None
        assert definition.path.stem == definition.id


def test_trafficking_tables_are_strict_and_stocks_age_at_period_end() -> None:
    definitions = load_definitions()
    assert definitions["crim_thb_vexp"].sensitivity is Sensitivity.STRICT
    assert definitions["crim_thb_vexp"].protection["rule"] == "strict"
    for definition in definitions.values():
        if definition.measure is Measure.STOCK:
            assert definition.age_reference is AgeReference.PERIOD_END
        elif definition.age_reference is not None:
            assert definition.age_reference is AgeReference.EVENT


def test_apprehensions_are_defined_both_as_persons_and_as_events() -> None:
    definitions = load_definitions()
    assert definitions["migr_eipre"].measure is Measure.PERSONS
    assert definitions["ura_apprehensions"].measure is Measure.EVENTS
    assert definitions["migr_eipre"].select == definitions["ura_apprehensions"].select


def test_a_valid_text_parses() -> None:
    definition = parse_definition(VALID, "sample.yaml")
    assert definition.id == "sample_table"
    assert definition.dimension_ids == ("SEX", "AGE")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("version: 1", "version: one", "version: must be a positive integer"),
        ("measure: persons", "measure: people", "measure: 'people' is not one of"),
        ("[apprehension]", "[arrest]", "select.event_types: 'arrest' is not one of"),
        ("{id: SEX, source: sex}", "{id: sex, source: sex}", "'sex' is not a valid code"),
        ("source: sex}", "source: gender}", "dimensions[0].source: 'gender'"),
        ("age_reference: event", "age_reference: period_end", "uses ages at event"),
        ("age_reference: event\n", "", "age_reference: None is not one of"),
        ("sensitivity: public", "sensitivity: secret", "sensitivity: 'secret'"),
        ("{rule: suppression, threshold: 5}", "{threshold: 5}", "protection.rule: must be"),
        ("rule: suppression", "rule: magic", "protection.rule: 'magic' is not one of"),
        ("threshold: 5}", "threshold: 0}", "protection.threshold: 0: expected an integer >= 1"),
        ("threshold: 5}", "base: 5}", "protection.base: not a parameter of the suppression rule"),
        ("rule: suppression", "rule: denominator_threshold", "only a ratio table"),
        ("title: A sample", "title: A sample\nlinked: Permits", "linked: 'Permits' is not a valid"),
        ("title: A sample", "title: A sample\ncolour: blue", "unknown key(s) colour"),
        ("- {id: AGE, source: age}", "- {id: SEX, source: age}", "repeat a dimension id"),
        ("unit: PER", "unit: PER\nstock: {valid_until: true}", "only a stock table"),
        ("title: A sample", "title: [unclosed", "YAML:"),
    ],
)
def test_a_broken_definition_is_refused_naming_file_and_field(
    old: str, new: str, message: str
) -> None:
    assert old in VALID
    with pytest.raises(DefinitionError) as caught:
        parse_definition(VALID.replace(old, new, 1), "tables/broken.yaml")
    assert str(caught.value).startswith("tables/broken.yaml: ")
    assert message in str(caught.value)


def test_a_stock_must_say_how_its_status_ends() -> None:
    text = VALID.replace("measure: persons", "measure: stock").replace(
        "age_reference: event", "age_reference: period_end"
    )
    with pytest.raises(DefinitionError, match="stock: must be a mapping"):
        parse_definition(text, "x.yaml")
    with pytest.raises(DefinitionError, match="say how the status ends"):
        parse_definition(text + "stock: {}\n", "x.yaml")
    stock = parse_definition(text + "stock: {ended_by: [asylum_decision]}\n", "x.yaml")
    assert stock.ended_by[0].value == "asylum_decision"


def test_group_codes_must_name_known_members() -> None:
    text = VALID.replace(
        "{id: AGE, source: age}", "{id: AGE, source: age, groups: {Y_LT18: [Y_LT14, Y14-18]}}"
    )
    with pytest.raises(DefinitionError, match=r"unknown member code\(s\) \['Y14-18'\]"):
        parse_definition(text, "x.yaml")


def test_a_ratio_table_needs_a_numerator_and_cannot_have_groups() -> None:
    text = (
        VALID.replace("measure: persons", "measure: ratio")
        .replace("age_reference: event\n", "")
        .replace("  - {id: AGE, source: age}\n", "")
    )
    with pytest.raises(DefinitionError, match="ratio: must be a mapping"):
        parse_definition(text, "x.yaml")
    numerator = "ratio: {numerator: {event_types: [apprehension], first: true}}\n"
    with pytest.raises(DefinitionError, match=r"protection\.rule: a ratio table is protected by"):
        parse_definition(text + numerator, "x.yaml")
    text = text.replace("{rule: suppression, threshold: 5}", "{rule: denominator_threshold}")
    ratio = parse_definition(text + numerator, "x.yaml")
    assert ratio.numerator is not None
    assert ratio.numerator.first is True
    assert ratio.rule.for_ratios
    assert ratio.rule.threshold == 10  # the default for shares


def test_a_file_whose_name_differs_from_its_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other_name.yaml"
    path.write_text(VALID, encoding="utf-8")
    with pytest.raises(DefinitionError, match="differs from the file name"):
        load_definition(path)


def test_asking_for_a_table_that_does_not_exist_names_it() -> None:
    with pytest.raises(DefinitionError, match="no definition for migr_nothing"):
        load_definitions(DEFINITIONS_DIR, ids=["migr_eipre", "migr_nothing"])


DECIDED = """
id: decided
version: 1
title: Decisions by outcome and sex
measure: events
unit: NR
frequency: Q
select: {event_types: [asylum_decision]}
dimensions:
  - id: DECISION
    source: category
    codes: {refugee: GENCONV, subsidiary_protection: SUB_PROT, rejected: REJECTED}
    groups: {TOTAL_POS: [GENCONV, SUB_PROT]}
  - {id: SEX, source: sex}
  - {id: CITIZEN, source: citizenship}
sensitivity: public
protection: {rule: rounding, base: 5}
"""

SHARE = """
id: share
version: 1
title: Recognition rate by sex
measure: ratio
unit: PC
frequency: A
select: {event_types: [asylum_decision]}
ratio: {numerator: {event_types: [asylum_decision], categories: [refugee, subsidiary_protection]}}
derived_from: {table: decided, numerator: {DECISION: TOTAL_POS}, denominator: {DECISION: _T}}
dimensions:
  - {id: SEX, source: sex}
sensitivity: public
protection: {rule: denominator_threshold}
"""


def _derived_set(folder: Path, share: str = SHARE, decided: str = DECIDED) -> None:
    (folder / "decided.yaml").write_text(decided, encoding="utf-8")
    (folder / "share.yaml").write_text(share, encoding="utf-8")
    load_definitions(folder)


def test_a_derived_ratio_names_its_source_and_the_cells_it_takes() -> None:
    rate = load_definitions()["ura_asy_recognition_rate"]
    assert rate.derived_from is not None
    assert rate.derived_from.table == "migr_asydcfsta"
    assert dict(rate.derived_from.numerator) == {"DECISION": "TOTAL_POS"}
    assert dict(rate.derived_from.denominator) == {"DECISION": "_T"}
    assert derived_sources(load_definitions())["ura_asy_recognition_rate"].id == "migr_asydcfsta"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("derived_from: {table: decided,", "derived_from: {table: nothing,"),
         r"share\.yaml: derived_from\.table: no definition 'nothing'"),
        (("{DECISION: TOTAL_POS}", "{DECISION: POSITIVE}"),
         r"derived_from\.numerator\.DECISION: 'POSITIVE' is not a code of decided"),
        (("{DECISION: TOTAL_POS}", "{OUTCOME: TOTAL_POS}"),
         r"derived_from\.numerator: OUTCOME is not a dimension of decided"),
        (("{DECISION: TOTAL_POS}", "{SEX: F}"),
         r"derived_from\.numerator\.SEX: is a dimension of this table"),
        (("{DECISION: TOTAL_POS}", "{DECISION: _T}"),
         r"derived_from: the numerator picks the same cells as the denominator"),
        (("denominator: {DECISION: _T}", "denominator: {DECISION: GENCONV}"),
         r"derived_from\.numerator: DECISION TOTAL_POS is not inside GENCONV"),
        (("categories: [refugee, subsidiary_protection]", "categories: [refugee]"),
         r"derived_from\.numerator: picks other events of decided than ratio\.numerator"),
        (("numerator: {DECISION: TOTAL_POS}", "numerator: {DECISION: TOTAL_POS, CITIZEN: SY}"),
         r"derived_from\.numerator\.CITIZEN: a share of one citizenship is not a selection"),
        (("frequency: A", "frequency: M"),
         r"share\.yaml: frequency: a period of M is not made of periods of Q \(decided\)"),
        (("- {id: SEX, source: sex}", "- {id: GEO, source: province}"),
         r"dimensions: GEO is not a dimension of decided"),
        (("select: {event_types: [asylum_decision]}", "select: {event_types: [asylum_decision], "
          "categories: [refugee, subsidiary_protection, rejected]}"),
         r"derived_from\.denominator: picks other events of decided than select names"),
    ],
)  # fmt: skip
def test_a_derived_ratio_that_does_not_fit_its_source_is_refused(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in SHARE
    with pytest.raises(DefinitionError, match=message):
        _derived_set(tmp_path, share=SHARE.replace(old, new))


def test_a_derived_ratio_needs_a_source_counting_events_in_shorter_periods(
    tmp_path: Path,
) -> None:
    _derived_set(tmp_path)  # the pair as written is accepted
    with pytest.raises(DefinitionError, match="decided counts persons; a share is computed from"):
        _derived_set(tmp_path, decided=DECIDED.replace("measure: events", "measure: persons"))
    with pytest.raises(DefinitionError, match="SEX is defined differently in decided"):
        _derived_set(
            tmp_path,
            decided=DECIDED.replace(
                "{id: SEX, source: sex}", "{id: SEX, source: sex, total: false}"
            ),
        )
    without_total = DECIDED.replace(
        "    groups: {TOTAL_POS", "    total: false\n    groups: {TOTAL_POS"
    )
    with pytest.raises(DefinitionError, match="DECISION has no total in decided: name a code"):
        _derived_set(tmp_path, decided=without_total)


def test_only_a_ratio_is_derived(tmp_path: Path) -> None:
    counts = SHARE.replace("measure: ratio", "measure: events").replace("ratio: {numerator", "#")
    with pytest.raises(DefinitionError, match="derived_from: only a ratio table is derived from"):
        _derived_set(tmp_path, share=counts)
