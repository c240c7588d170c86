"""Differentially private counts with OpenDP: the stated epsilon and accuracy, post-processing."""

from __future__ import annotations

import numpy as np
import pytest

from tests.stats.disclosure.tables import long_table
from ura.stats.disclosure import (
    ProtectionRule,
    TableStructure,
    add_noise,
    audit,
    check_publishable,
    protect,
)
from ura.stats.disclosure.audit import DisclosureError

ORIGINAL = long_table(
    [[120, 45, 3, 0], [80, 66, 12, 5], [7, 9, 1, 230]],
    {"SEX": ("F", "M", "UNK"), "CITIZEN": ("AF", "IQ", "IR", "SY")},
)


def test_opendp_noise_states_epsilon_and_accuracy_and_may_be_published() -> None:
    rule = ProtectionRule(name="differential_privacy", epsilon=1.0)
    protected = protect(ORIGINAL, rule)
    record = protected.attrs["disclosure"]
    assert 0 < record["epsilon"] <= 1.0
    assert record["accuracy"] > 0
    assert record["seeded"] is False
    assert "±" in record["note"]
    assert (protected["OBS_VALUE"] >= 0).all()
    assert (protected["OBS_STATUS"] == "E").all()
    check_publishable(protected, rule, original=ORIGINAL)


def test_consistent_margins_add_up() -> None:
    structure = TableStructure.from_frame(ORIGINAL)
    values = structure.dense(ORIGINAL)
    noisy = add_noise(
        structure, values, ProtectionRule(name="differential_privacy", epsilon=0.5), seed=3
    )
    assert np.allclose(structure.equations() @ noisy.values.ravel(), 0)
    assert (noisy.values >= 0).all()
    assert (noisy.values == np.round(noisy.values)).all()


def test_smaller_epsilon_means_more_noise() -> None:
    structure = TableStructure.from_frame(ORIGINAL)
    values = structure.dense(ORIGINAL)
    loose = add_noise(
        structure, values, ProtectionRule(name="differential_privacy", epsilon=2.0), seed=1
    )
    tight = add_noise(
        structure, values, ProtectionRule(name="differential_privacy", epsilon=0.1), seed=1
    )
    assert tight.scale > loose.scale
    assert tight.accuracy > loose.accuracy
    # Event tables: a person with up to 3 events needs three times the scale.
    events = add_noise(
        structure,
        values,
        ProtectionRule(name="differential_privacy", epsilon=2.0, max_contributions=3),
        seed=1,
    )
    assert events.scale == pytest.approx(3 * loose.scale, rel=0.02)


def test_accuracy_covers_about_95_percent_of_the_errors() -> None:
    leaves = np.full((40, 50), 100)
    table = long_table(
        leaves, {"A": [f"a{i}" for i in range(40)], "B": [f"b{i}" for i in range(50)]}
    )
    structure = TableStructure.from_frame(table)
    values = structure.dense(table)
    noisy = add_noise(
        structure, values, ProtectionRule(name="differential_privacy", epsilon=0.5), seed=11
    )
    leaf_errors = np.abs(noisy.values[1:, 1:] - values[1:, 1:])  # "_T" sorts first
    covered = float((leaf_errors <= noisy.accuracy).mean())
    assert 0.93 <= covered <= 0.975


def test_gaussian_mechanism_reports_epsilon_at_delta() -> None:
    rule = ProtectionRule(
        name="differential_privacy", mechanism="gaussian", epsilon=1.0, delta=1e-6
    )
    protected = protect(ORIGINAL, rule)
    record = protected.attrs["disclosure"]
    assert record["delta"] == 1e-6
    assert 0 < record["epsilon"] <= 1.0
    assert audit(protected, rule, original=ORIGINAL) == []


def test_inconsistent_noise_charges_every_cell() -> None:
    structure = TableStructure.from_frame(ORIGINAL)
    values = structure.dense(ORIGINAL)
    consistent = add_noise(structure, values, ProtectionRule(name="differential_privacy"), seed=2)
    every_cell = add_noise(
        structure, values, ProtectionRule(name="differential_privacy", consistent=False), seed=2
    )
    # A person counts in 4 cells of a 2-D table with margins.
    assert every_cell.scale == pytest.approx(4 * consistent.scale, rel=0.02)


def test_a_seeded_table_is_refused() -> None:
    rule = ProtectionRule(name="differential_privacy")
    protected = protect(ORIGINAL, rule, seed=5)
    again = protect(ORIGINAL, rule, seed=5)
    assert protected["OBS_VALUE"].tolist() == again["OBS_VALUE"].tolist()
    with pytest.raises(DisclosureError, match="test seed"):
        check_publishable(protected, rule, original=ORIGINAL)


def test_a_table_without_its_epsilon_is_refused() -> None:
    rule = ProtectionRule(name="differential_privacy")
    protected = protect(ORIGINAL, rule)
    del protected.attrs["disclosure"]["epsilon"]
    del protected.attrs["disclosure"]["accuracy"]
    checks = [str(v) for v in audit(protected, rule, original=ORIGINAL)]
    assert any("epsilon" in c for c in checks)
    assert any("accuracy" in c for c in checks)
