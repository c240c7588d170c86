"""The reintegration sustainability survey's scoring (pure)."""

from __future__ import annotations

import pytest

from ura.casework import reintegration


def test_scores_per_dimension_and_composite() -> None:
    found = reintegration.score(
        {"employment": 5, "food_security": 1, "housing": 3, "safety": 5, "wellbeing": None}
    )
    assert found.dimensions == {"economic": 0.5, "social": 0.5, "psychosocial": 1.0}
    assert found.composite == pytest.approx(0.667, abs=0.001)
    assert found.sustainable


def test_every_dimension_needs_an_answer() -> None:
    with pytest.raises(reintegration.SurveyError, match="psychosocial"):
        reintegration.score({"employment": 3, "housing": 3, "wellbeing": None})


@pytest.mark.parametrize("answer", [0, 6, True])
def test_answers_stay_on_the_scale(answer: int) -> None:
    with pytest.raises(reintegration.SurveyError):
        reintegration.score({"employment": answer, "housing": 3, "safety": 3})


def test_unknown_indicators_are_refused() -> None:
    with pytest.raises(reintegration.SurveyError, match="unknown"):
        reintegration.score({"happiness": 3})


def test_a_low_score_is_not_sustainable() -> None:
    found = reintegration.score({"employment": 1, "housing": 2, "safety": 2})
    assert not found.sustainable
    assert found.composite == pytest.approx(0.167, abs=0.001)
