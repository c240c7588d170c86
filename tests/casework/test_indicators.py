"""Trafficking indicator sets: loading, validation and the configured combination rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from ura.casework.indicators import (
    AGE_GROUPS,
    GRADES,
    IndicatorError,
    IndicatorSet,
    UnknownIndicatorError,
    assess,
    builtin_indicator_sets,
    current_indicator_set,
    load_indicator_set,
    parse_indicator_set,
)

ELEMENTS = (
    "deceptive_recruitment",
    "coercive_recruitment",
    "recruitment_abuse_of_vulnerability",
    "exploitative_conditions",
    "coercion_at_destination",
    "abuse_of_vulnerability_at_destination",
)
RECRUITMENT = [
    "deceptive_recruitment",
    "coercive_recruitment",
    "recruitment_abuse_of_vulnerability",
]
DESTINATION = ["coercion_at_destination", "abuse_of_vulnerability_at_destination"]


def _document() -> dict[str, Any]:
    """A small set: two lists with three indicators per grade under every element."""

    def indicators(list_code: str) -> dict[str, list[dict[str, str]]]:
        return {
            element: [
                {"code": f"{list_code}.{element}.{grade[0]}{n}", "grade": grade, "label": "x"}
                for grade in GRADES
                for n in (1, 2, 3)
            ]
            for element in ELEMENTS
        }

    return {
        "version": "test.1",
        "effective_from": "2020-01-01",
        "source": "Test source",
        "elements": {e: {"label": e.replace("_", " "), "stage": "s"} for e in ELEMENTS},
        "rule": {
            "element_present_when": [
                {"strong": 2},
                {"strong": 1, "medium": 1},
                {"strong": 1, "weak": 1},
                {"medium": 3},
                {"medium": 2, "weak": 1},
            ],
            "outcomes": {
                "adult": [
                    {
                        "code": "trafficked",
                        "label": "Trafficked",
                        "all_of": [RECRUITMENT, ["exploitative_conditions"], DESTINATION],
                    },
                    {"code": "not_enough", "label": "Not enough"},
                ],
                "child": [
                    {
                        "code": "trafficked",
                        "label": "Trafficked",
                        "all_of": [RECRUITMENT, ["exploitative_conditions"]],
                    },
                    {"code": "not_enough", "label": "Not enough"},
                ],
            },
        },
        "lists": {
            "adult_x": {
                "label": "Adults",
                "age_group": "adult",
                "exploitation": "labour",
                "indicators": indicators("adult_x"),
            },
            "child_x": {
                "label": "Children",
                "age_group": "child",
                "exploitation": "labour",
                "indicators": indicators("child_x"),
            },
        },
    }


def _parse(document: dict[str, Any], origin: str = "test.yaml") -> IndicatorSet:
    return parse_indicator_set(yaml.safe_dump(document, sort_keys=False), origin=origin)


@pytest.fixture
def small() -> IndicatorSet:
    return _parse(_document())


@pytest.fixture
def builtin() -> IndicatorSet:
    return builtin_indicator_sets()["ilo-ec-2009.1"]


def _codes(list_code: str, element: str, *grades: str) -> list[str]:
    """Indicator codes for grade letters, e.g. ``("s", "s", "m")`` -> s1, s2, m1."""
    used: dict[str, int] = {}
    codes = []
    for letter in grades:
        used[letter] = used.get(letter, 0) + 1
        codes.append(f"{list_code}.{element}.{letter}{used[letter]}")
    return codes


# -- the built-in set -----------------------------------------------------------------------


def test_builtin_set_loads_with_four_lists_and_six_elements(builtin: IndicatorSet) -> None:
    assert tuple(builtin.elements) == ELEMENTS
    assert set(builtin.lists) == {"adult_labour", "adult_sexual", "child_labour", "child_sexual"}
    assert builtin.effective_from == dt.date(2009, 9, 1)
    assert "Delphi survey" in builtin.source
    assert builtin.check is True  # not yet verified against the publication


def test_every_builtin_indicator_belongs_to_a_known_list_element_and_grade(
    builtin: IndicatorSet,
) -> None:
    for code, indicator in builtin.indicators.items():
        assert indicator.code == code
        assert indicator.list_code in builtin.lists
        assert indicator.element in builtin.elements
        assert indicator.grade in GRADES
        assert code.startswith(f"{indicator.list_code}.{indicator.element}.")
        assert indicator.label
    listed = [i.code for lst in builtin.lists.values() for i in lst.indicators]
    assert sorted(listed) == sorted(builtin.indicators)


def test_every_builtin_list_covers_all_six_elements_and_has_outcomes(
    builtin: IndicatorSet,
) -> None:
    for indicator_list in builtin.lists.values():
        for element in ELEMENTS:
            assert indicator_list.by_element(element), (indicator_list.code, element)
        assert indicator_list.age_group in builtin.rule.outcomes
    assert set(builtin.rule.outcomes) == set(AGE_GROUPS)


def test_builtin_sets_are_cached_and_read_only() -> None:
    sets = builtin_indicator_sets()
    assert sets is builtin_indicator_sets()
    with pytest.raises(TypeError):
        sets["x"] = sets["ilo-ec-2009.1"]  # type: ignore[index]


def test_builtin_adult_labour_case_is_trafficked(builtin: IndicatorSet) -> None:
    """Deceived about the job, excessive hours, confiscated documents and violence."""
    observed = [
        "adult_labour.deceptive_recruitment.s1",
        "adult_labour.deceptive_recruitment.m8",
        "adult_labour.exploitative_conditions.s1",
        "adult_labour.exploitative_conditions.m3",
        "adult_labour.coercion_at_destination.s1",
        "adult_labour.coercion_at_destination.s4",
    ]
    result = assess(builtin, "adult_labour", observed)
    assert result.outcome.code == "trafficked"
    assert result.version == "ilo-ec-2009.1"
    assert result.present_elements == {
        "deceptive_recruitment",
        "exploitative_conditions",
        "coercion_at_destination",
    }


def test_builtin_element_with_only_weak_indicators_is_not_present(builtin: IndicatorSet) -> None:
    weak = [
        i.code
        for i in builtin.lists["adult_labour"].by_element("abuse_of_vulnerability_at_destination")
        if i.grade == "weak"
    ]
    assert len(weak) >= 2
    finding = assess(builtin, "adult_labour", weak).finding("abuse_of_vulnerability_at_destination")
    assert not finding.present
    assert {i.code for i in finding.indicators} == set(weak)


def test_current_indicator_set_is_the_latest_in_force(small: IndicatorSet) -> None:
    newer = _parse({**_document(), "version": "test.2", "effective_from": "2025-01-01"})
    assert current_indicator_set(dt.date(2024, 12, 31), [small, newer]) is small
    assert current_indicator_set(dt.date(2025, 1, 1), [small, newer]) is newer
    assert current_indicator_set(dt.date(2026, 1, 1)).version == "ilo-ec-2009.1"
    with pytest.raises(IndicatorError, match="no indicator set is in force on 2019-12-31"):
        current_indicator_set(dt.date(2019, 12, 31), [small, newer])


# -- element thresholds ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grades", "alternative"),
    [
        (("s", "s"), "2 strong"),
        (("s", "m"), "1 strong + 1 medium"),
        (("s", "w"), "1 strong + 1 weak"),
        (("m", "m", "m"), "3 medium"),
        (("m", "m", "w"), "2 medium + 1 weak"),
        (("s", "s", "s", "m", "w"), "2 strong"),
    ],
)
def test_element_is_present_through_each_alternative(
    small: IndicatorSet, grades: tuple[str, ...], alternative: str
) -> None:
    observed = _codes("adult_x", "coercive_recruitment", *grades)
    finding = assess(small, "adult_x", observed).finding("coercive_recruitment")
    assert finding.present
    assert finding.threshold is not None
    assert finding.threshold.describe() == alternative
    assert [i.code for i in finding.indicators] == sorted(
        observed, key=lambda c: ("smw".index(c[-2]), c)
    )


@pytest.mark.parametrize(
    "grades",
    [(), ("s",), ("m",), ("m", "m"), ("m", "w"), ("w",), ("w", "w", "w"), ("m", "w", "w", "w")],
)
def test_element_is_not_present_below_every_alternative(
    small: IndicatorSet, grades: tuple[str, ...]
) -> None:
    observed = _codes("adult_x", "coercive_recruitment", *grades)
    finding = assess(small, "adult_x", observed).finding("coercive_recruitment")
    assert not finding.present
    assert finding.threshold is None
    assert len(finding.indicators) == len(grades)


def test_repeated_codes_count_once(small: IndicatorSet) -> None:
    code = "adult_x.coercive_recruitment.s1"
    assert not assess(small, "adult_x", [code, code]).finding("coercive_recruitment").present


# -- outcomes -------------------------------------------------------------------------------


def _observed(list_code: str, *elements: str) -> list[str]:
    return [c for e in elements for c in _codes(list_code, e, "s", "s")]


def test_adult_needs_recruitment_exploitation_and_means_at_destination(
    small: IndicatorSet,
) -> None:
    full = _observed(
        "adult_x", "coercive_recruitment", "exploitative_conditions", "coercion_at_destination"
    )
    assert assess(small, "adult_x", full).outcome.code == "trafficked"
    without_means = _observed("adult_x", "coercive_recruitment", "exploitative_conditions")
    assert assess(small, "adult_x", without_means).outcome.code == "not_enough"


def test_child_needs_no_means(small: IndicatorSet) -> None:
    observed = _observed("child_x", "deceptive_recruitment", "exploitative_conditions")
    result = assess(small, "child_x", observed)
    assert result.outcome.code == "trafficked"
    assert result.outcome.label == "Trafficked"


@pytest.mark.parametrize("recruitment", RECRUITMENT)
@pytest.mark.parametrize("destination", DESTINATION)
def test_any_recruitment_and_any_destination_element_will_do(
    small: IndicatorSet, recruitment: str, destination: str
) -> None:
    observed = _observed("adult_x", recruitment, "exploitative_conditions", destination)
    assert assess(small, "adult_x", observed).outcome.code == "trafficked"


def test_builtin_graded_outcomes(builtin: IndicatorSet) -> None:
    def outcome(list_code: str, *elements: str) -> str:
        observed = [
            i.code
            for e in elements
            for i in builtin.lists[list_code].by_element(e)
            if i.grade in ("strong", "medium")
        ]
        return assess(builtin, list_code, observed).outcome.code

    assert outcome("adult_sexual") == "not_enough"
    assert outcome("adult_sexual", "coercive_recruitment") == "not_enough"
    assert outcome("adult_sexual", "exploitative_conditions") == "exploitation_only"
    assert outcome("adult_sexual", "exploitative_conditions", "coercion_at_destination") == (
        "possible"
    )
    everything = ("deceptive_recruitment", "exploitative_conditions", "coercion_at_destination")
    assert outcome("adult_sexual", *everything) == "trafficked"
    assert outcome("child_sexual", "exploitative_conditions") == "possible"
    assert outcome("child_sexual", "deceptive_recruitment", "exploitative_conditions") == (
        "trafficked"
    )


# -- unknown codes --------------------------------------------------------------------------


def test_unknown_indicator_codes_are_refused_and_named(small: IndicatorSet) -> None:
    observed = [
        "adult_x.coercive_recruitment.s1",
        "adult_x.nope.s1",
        "child_x.coercive_recruitment.s1",
    ]
    with pytest.raises(UnknownIndicatorError) as caught:
        assess(small, "adult_x", observed)
    assert caught.value.codes == ("adult_x.nope.s1", "child_x.coercive_recruitment.s1")
    message = str(caught.value)
    assert "adult_x.nope.s1 (no such indicator)" in message
    assert "child_x.coercive_recruitment.s1 (belongs to list child_x)" in message


def test_unknown_list_is_refused(small: IndicatorSet) -> None:
    with pytest.raises(IndicatorError, match=r"no list 'adult_labour' \(lists: adult_x, child_x\)"):
        assess(small, "adult_labour", [])


# -- validation -----------------------------------------------------------------------------


def _broken(change: Any) -> str:
    document = _document()
    change(document)
    with pytest.raises(IndicatorError) as caught:
        _parse(document, origin="broken.yaml")
    message = str(caught.value)
    assert message.startswith("broken.yaml: ")
    return message


def test_unknown_grade_names_file_list_element_and_indicator() -> None:
    def change(d: dict[str, Any]) -> None:
        d["lists"]["adult_x"]["indicators"]["coercive_recruitment"][0]["grade"] = "strng"

    message = _broken(change)
    assert "lists.adult_x.coercive_recruitment" in message
    assert "adult_x.coercive_recruitment.s1: unknown grade 'strng'" in message


def test_unknown_element_in_a_list() -> None:
    def change(d: dict[str, Any]) -> None:
        d["lists"]["adult_x"]["indicators"]["forced_labour"] = []

    assert "lists.adult_x.forced_labour: unknown element 'forced_labour'" in _broken(change)


def test_duplicate_indicator_code() -> None:
    def change(d: dict[str, Any]) -> None:
        items = d["lists"]["adult_x"]["indicators"]["coercive_recruitment"]
        items[1]["code"] = items[0]["code"]

    message = _broken(change)
    assert "lists.adult_x.coercive_recruitment" in message
    assert "indicator code adult_x.coercive_recruitment.s1 given twice" in message


def test_indicator_code_must_name_its_list_and_element() -> None:
    def change(d: dict[str, Any]) -> None:
        d["lists"]["adult_x"]["indicators"]["coercive_recruitment"][0]["code"] = "adult_x.other.s9"

    assert "must start with adult_x.coercive_recruitment." in _broken(change)


def test_rule_referring_to_unknown_element() -> None:
    def change(d: dict[str, Any]) -> None:
        d["rule"]["outcomes"]["child"][0]["all_of"].append(["exploitation"])

    message = _broken(change)
    assert "rule.outcomes.child.trafficked.all_of: unknown element 'exploitation'" in message


def test_threshold_with_unknown_grade() -> None:
    def change(d: dict[str, Any]) -> None:
        d["rule"]["element_present_when"].append({"very_strong": 1})

    message = _broken(change)
    assert "rule.element_present_when[5]: unknown grade 'very_strong'" in message


def test_threshold_met_by_weak_indicators_alone_is_refused() -> None:
    def change(d: dict[str, Any]) -> None:
        d["rule"]["element_present_when"].append({"weak": 4})

    assert "is met by weak indicators alone" in _broken(change)


def test_outcomes_need_a_final_unconditional_outcome() -> None:
    def change(d: dict[str, Any]) -> None:
        d["rule"]["outcomes"]["adult"].pop()

    assert "rule.outcomes.adult: the last outcome must have no all_of" in _broken(change)


def test_outcomes_needed_for_every_age_group() -> None:
    def change(d: dict[str, Any]) -> None:
        del d["rule"]["outcomes"]["child"]

    assert "rule.outcomes: missing child" in _broken(change)


def test_unknown_age_group() -> None:
    def change(d: dict[str, Any]) -> None:
        d["lists"]["child_x"]["age_group"] = "minor"

    assert "lists.child_x.age_group: 'minor' is not one of adult, child" in _broken(change)


def test_missing_version() -> None:
    def change(d: dict[str, Any]) -> None:
        del d["version"]

    assert "top level: missing version" in _broken(change)


def test_key_given_twice_is_refused() -> None:
    with pytest.raises(
        IndicatorError, match=r"dup\.yaml: not valid YAML: .*key 'version' given twice"
    ):
        parse_indicator_set("version: a\nversion: b\n", origin="dup.yaml")


def test_load_indicator_set_names_the_file(tmp_path: Path) -> None:
    good = tmp_path / "local-2026.yaml"
    good.write_text(yaml.safe_dump(_document()), encoding="utf-8")
    assert load_indicator_set(good).version == "test.1"
    assert load_indicator_set(str(good)).origin == "local-2026.yaml"

    document = _document()
    document["elements"]["coercive_recruitment"]["label"] = ""
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(IndicatorError, match=r"^bad\.yaml: elements\.coercive_recruitment\.label"):
        load_indicator_set(bad)
    with pytest.raises(IndicatorError, match="cannot read the indicator set"):
        load_indicator_set(tmp_path / "missing.yaml")
