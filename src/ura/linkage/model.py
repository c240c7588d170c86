"""The two linkage models as Splink settings: Ura's (on the name layer) and the generic
baseline (plain Splink on raw columns), their blocking rules, unsupervised training, and
moving a trained model between SQL dialects.

Every comparison level carries a plain-words label (``label_for_charts``) and every
comparison a plain name (``comparison_description``): :mod:`ura.linkage.explain` reads them
back from the model JSON to show evidence to caseworkers.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Literal

import splink.comparison_level_library as cll
from splink import Linker, SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.comparison_library import CustomComparison

ModelKind = Literal["ura", "baseline"]

#: Splink logs every training step at INFO; library code keeps it at WARNING.
logging.getLogger("splink").setLevel(logging.WARNING)


class _Comparison(CustomComparison):
    """CustomComparison that keeps its plain description in the model JSON (Splink 5's
    CustomComparison accepts ``comparison_description`` but writes its class name)."""

    def create_description(self) -> str:
        return self._description or super().create_description()


def _comparison(
    output: str, description: str, levels: list[tuple[ComparisonLevelCreator, str]]
) -> ComparisonCreator:
    return _Comparison(
        comparison_levels=[lvl.configure(label_for_charts=label) for lvl, label in levels],
        output_column_name=output,
        comparison_description=description,
    )


def _tf(level: ComparisonLevelCreator, column: str) -> ComparisonLevelCreator:
    return level.configure(
        tf_adjustment_column=column,
        tf_adjustment_weight=1.0,
    )


def _name_part(prefix: str, description: str, other: str) -> ComparisonCreator:
    rom = f"{prefix}_romanised"
    return _comparison(
        prefix,
        description,
        [
            (cll.NullLevel(rom), "not recorded on one side"),
            (_tf(cll.ExactMatchLevel(rom), rom), "same after transliteration"),
            (cll.ColumnsReversedLevel(rom, f"{other}_romanised"), "given and family names swapped"),
            (cll.ExactMatchLevel(f"{prefix}_skeleton"), "same consonants (spelling variant)"),
            (cll.ExactMatchLevel(f"{prefix}_phonetic"), "sound the same"),
            (cll.JaroWinklerLevel(rom, 0.92), "very similar spelling"),
            (cll.JaroWinklerLevel(rom, 0.8), "similar spelling"),
            (cll.ElseLevel(), "different"),
        ],
    )


def _full_name() -> ComparisonCreator:
    return _comparison(
        "full_name",
        "Full name",
        [
            (
                cll.CustomLevel(
                    "name_sorted_l IS NULL OR name_sorted_r IS NULL "
                    "OR (has_name_parts_l AND has_name_parts_r)"
                ).configure(is_null_level=True),
                "compared by given and family name instead, or not recorded",
            ),
            (
                _tf(cll.ExactMatchLevel("name_sorted"), "name_sorted"),
                "same names after transliteration, in any order",
            ),
            (cll.ExactMatchLevel("name_skeleton"), "same consonants in any order"),
            (cll.ExactMatchLevel("name_phonetic"), "names sound the same in any order"),
            (
                cll.Or(
                    cll.JaroWinklerLevel("name_romanised", 0.9),
                    cll.JaroWinklerLevel("name_sorted", 0.9),
                ),
                "very similar spelling",
            ),
            (
                cll.Or(
                    cll.JaroWinklerLevel("name_romanised", 0.75),
                    cll.JaroWinklerLevel("name_sorted", 0.75),
                ),
                "similar spelling",
            ),
            (cll.ElseLevel(), "different"),
        ],
    )


def _date_of_birth() -> ComparisonCreator:
    return _comparison(
        "date_of_birth",
        "Date of birth",
        [
            (cll.NullLevel("dob_year"), "not recorded on one side"),
            (
                cll.And(
                    cll.ExactMatchLevel("dob"), cll.CustomLevel("dob_precise_l AND dob_precise_r")
                ),
                "same date of birth",
            ),
            (cll.ExactMatchLevel("dob_month"), "same year and month of birth"),
            (
                cll.And(
                    cll.ExactMatchLevel("dob_year"),
                    cll.CustomLevel("dob_year_only_l OR dob_year_only_r"),
                ),
                "same year of birth; day and month not known on one side",
            ),
            (cll.DamerauLevenshteinLevel("dob", 1), "dates of birth differ by one digit"),
            (cll.ExactMatchLevel("dob_year"), "same year of birth only"),
            (cll.CustomLevel("abs(dob_year_int_l - dob_year_int_r) <= 1"), "born within one year"),
            (cll.CustomLevel("abs(dob_year_int_l - dob_year_int_r) <= 2"), "born within two years"),
            (cll.ElseLevel(), "different"),
        ],
    )


def _exact(column: str, output: str, description: str, what: str) -> ComparisonCreator:
    return _comparison(
        output,
        description,
        [
            (cll.NullLevel(column), "not recorded on one side"),
            (cll.ExactMatchLevel(column), f"same {what}"),
            (cll.ElseLevel(), f"different {what}"),
        ],
    )


def ura_comparisons() -> list[ComparisonCreator]:
    """Ura's comparisons, all on columns made by :func:`ura.linkage.prepare.prepare`."""
    return [
        _name_part("given", "Given names", "family"),
        _name_part("family", "Family name", "given"),
        _full_name(),
        _date_of_birth(),
        _comparison(
            "document",
            "Document number",
            [
                (cll.NullLevel("doc"), "not recorded on one side"),
                (
                    cll.CustomLevel(
                        "coalesce(document_type_l, '') <> coalesce(document_type_r, '')"
                    ).configure(is_null_level=True),
                    "documents of different types (numbers not comparable)",
                ),
                (cll.ExactMatchLevel("doc"), "same document number"),
                (cll.DamerauLevenshteinLevel("doc", 1), "document numbers differ by one character"),
                (cll.ElseLevel(), "different document numbers"),
            ],
        ),
        _comparison(
            "father",
            "Father's name",
            [
                (cll.NullLevel("father_romanised"), "not recorded on one side"),
                (
                    _tf(cll.ExactMatchLevel("father_romanised"), "father_romanised"),
                    "same after transliteration",
                ),
                (
                    cll.Or(
                        cll.ExactMatchLevel("father_skeleton"),
                        cll.ExactMatchLevel("father_phonetic"),
                    ),
                    "spelling variant",
                ),
                (cll.JaroWinklerLevel("father_romanised", 0.88), "similar spelling"),
                (cll.ElseLevel(), "different"),
            ],
        ),
        _exact("sex", "sex", "Sex", "sex"),
        _exact("nationality", "nationality", "Nationality", "nationality"),
    ]


def ura_blocking_rules() -> list[BlockingRuleCreator]:
    """Candidate pairs for Ura's model: a pair is scored when ANY rule holds. Several rules
    on different fields keep recall high when one field is wrong or missing. Every rule
    joins on a document or on a name key AND a date key, so blocks stay small as the data
    grows: name-only blocks of common names grow with the square of the record count
    (17 and 11 million pairs at 100k synthetic records, for 2.7k true pairs no other rule
    found, and no change in accuracy without them; see decision 0012)."""
    return [
        block_on("name_phonetic", "dob_year"),
        block_on("doc"),
        block_on("family_skeleton", "father_skeleton", "dob_year"),
        block_on("given_phonetic", "dob"),
        block_on("family_phonetic", "dob"),
        block_on("name_sorted", "dob_month_day"),
    ]


def baseline_comparisons() -> list[ComparisonCreator]:
    """What a generic Splink user writes: Jaro-Winkler on the raw given and family names and
    exact matches on the rest. No name layer, no date precision, no document clean-up."""

    def jw(column: str, output: str, description: str) -> ComparisonCreator:
        return _comparison(
            output,
            description,
            [
                (cll.NullLevel(column), "not recorded on one side"),
                (cll.ExactMatchLevel(column), "same"),
                (cll.JaroWinklerLevel(column, 0.9), "very similar spelling"),
                (cll.JaroWinklerLevel(column, 0.7), "similar spelling"),
                (cll.ElseLevel(), "different"),
            ],
        )

    return [
        jw("given_names", "given", "Given names"),
        jw("family_name", "family", "Family name"),
        _exact("date_of_birth", "date_of_birth", "Date of birth", "date of birth"),
        _exact("document_number", "document", "Document number", "document number"),
        _exact("sex", "sex", "Sex", "sex"),
        _exact("nationality", "nationality", "Nationality", "nationality"),
    ]


def baseline_blocking_rules() -> list[BlockingRuleCreator]:
    """Ura's rules on the raw-column equivalents, rule by rule: name keys become the raw
    given and family names; the year and month-day come from the raw ISO date string;
    the normalised document number becomes the raw one."""
    return [
        block_on("given_names", "family_name", "substr(date_of_birth, 1, 4)"),
        block_on("document_number"),
        block_on("family_name", "father_name", "substr(date_of_birth, 1, 4)"),
        block_on("given_names", "date_of_birth"),
        block_on("family_name", "date_of_birth"),
        block_on("given_names", "family_name", "substr(date_of_birth, 6, 5)"),
    ]


def settings_creator(kind: ModelKind) -> SettingsCreator:
    """Untrained settings for one model kind."""
    comparisons: list[ComparisonCreator | dict[str, Any]]
    rules: list[BlockingRuleCreator | dict[str, Any]]
    if kind == "ura":
        comparisons, rules = [*ura_comparisons()], [*ura_blocking_rules()]
    else:
        comparisons, rules = [*baseline_comparisons()], [*baseline_blocking_rules()]
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        # gamma_ (level) and bf_/tf_ (weight) columns are Ura's evidence; the compared
        # values themselves (retain_matching_columns) are never read back, and keeping them
        # roughly doubles the width of every scored pair.
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        em_convergence=0.001,
        max_iterations=20,
    )


def _deterministic_rules(kind: ModelKind) -> list[str | BlockingRuleCreator]:
    if kind == "ura":
        return [block_on("doc", "dob_year"), block_on("name_sorted", "dob")]
    return [
        block_on("document_number", "substr(date_of_birth, 1, 4)"),
        block_on("given_names", "family_name", "date_of_birth"),
    ]


def _em_rules(kind: ModelKind) -> list[BlockingRuleCreator]:
    if kind == "ura":
        return [block_on("doc"), block_on("dob")]
    return [
        block_on("date_of_birth"),
        block_on("given_names", "family_name"),
        block_on("document_number"),
    ]


#: Share of true matches the deterministic rules are assumed to find when estimating the
#: prior: names and dates are both recorded cleanly in roughly two thirds of duplicates.
DETERMINISTIC_RECALL = 0.6


def _one_sided_term_frequencies(linker: Linker) -> None:
    """Floor every term-frequency-adjusted level's value frequency at the level's average
    u, so that a common name weighs less than an average one but a rare name never weighs
    more. Rarity in one data set is weak evidence: a family's rare surname and father's
    name are shared by its siblings, and a rare spelling is often one clerk's habit."""
    settings = linker._settings_obj  # Splink has no public setter for this
    for comparison in settings.comparisons:
        levels = comparison.comparison_levels
        for level in levels:
            if level._has_tf_adjustments and not level.is_null_level:
                exact_u = level._u_probability_corresponding_to_exact_match(levels)
                level._tf_minimum_u_value = exact_u


def train(linker: Linker, kind: ModelKind, record_count: int) -> None:
    """Estimate every parameter without labels: the prior from deterministic rules, u from
    random pairs, m by EM in sessions blocked on different fields (a field cannot be
    estimated in a session blocked on it, so each field is estimated in another)."""
    linker.training.estimate_probability_two_random_records_match(
        _deterministic_rules(kind), recall=DETERMINISTIC_RECALL
    )
    max_pairs = float(min(5_000_000, max(100_000, record_count * 20)))
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=7)
    if kind == "ura":
        _one_sided_term_frequencies(linker)
    for rule in _em_rules(kind):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule,
            fix_u_probabilities=True,
        )


def model_kind(model: dict[str, Any]) -> ModelKind:
    """Which builder made a model dict (from its comparison column names)."""
    names = {c.get("output_column_name") for c in model.get("comparisons", [])}
    return "ura" if "full_name" in names else "baseline"


_LEVEL_PARAMS = (
    "m_probability",
    "u_probability",
    "tf_adjustment_column",
    "tf_adjustment_weight",
    "tf_minimum_u_value",
)


def settings_for_dialect(model_json: str, dialect: str) -> dict[str, Any]:
    """The trained model as a settings dict in ``dialect``. A model trained on one engine
    stores that engine's SQL (function names differ: jaro_winkler_similarity in DuckDB,
    jaro_winkler in Spark); its trained parameters are copied onto the same model rebuilt
    for the target dialect, level by level, so one JSON scores on every engine."""
    model: dict[str, Any] = json.loads(model_json)
    if model.get("sql_dialect") == dialect:
        return model
    kind = model_kind(model)
    target = settings_creator(kind).create_settings_dict(dialect)
    source_comparisons = {c["output_column_name"]: c for c in model["comparisons"]}
    for comparison in target["comparisons"]:
        trained = source_comparisons.get(comparison["output_column_name"])
        if trained is None or len(trained["comparison_levels"]) != len(
            comparison["comparison_levels"]
        ):
            raise ValueError("model JSON does not match Ura's model structure")
        for level, trained_level in zip(
            comparison["comparison_levels"], trained["comparison_levels"], strict=True
        ):
            if level.get("label_for_charts") != trained_level.get("label_for_charts"):
                raise ValueError("model JSON does not match Ura's model structure")
            for key in _LEVEL_PARAMS:
                if key in trained_level:
                    level[key] = trained_level[key]
    target["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    return target
