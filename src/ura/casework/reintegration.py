"""The reintegration sustainability survey (pure: no Django).

IOM measures whether a returnee's reintegration is sustainable on three dimensions —
economic, social and psychosocial — with a survey of indicators scored at each monitoring
visit (IOM, *Reintegration Handbook*, 2019, Module 5 and Annex 4; the "RSS"). Ura keeps the
survey's structure: each indicator is answered on a five-point scale (1 worst, 5 best), a
dimension's score is the weighted mean of its answered indicators scaled to 0-1, and the
composite score is the weighted mean of the dimensions.

The indicators below are a condensed form of IOM's 15 indicators; the weights are equal and
the threshold of 0.66 for "sustainable" is IOM's reading of a score at two thirds of the
scale. All of them are figures to confirm against IOM's published methodology before the
scores are compared with IOM's (``CHECK``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

#: The figures (weights, threshold) come from secondary sources: confirm them.
CHECK: Final = True
SURVEY_VERSION: Final = "rss-2019-condensed-1"
SCALE_MIN: Final = 1
SCALE_MAX: Final = 5
SUSTAINABLE_FROM: Final = 0.66


@dataclass(frozen=True)
class Indicator:
    code: str
    dimension: str
    label: str
    weight: float = 1.0


DIMENSIONS: Final = ("economic", "social", "psychosocial")
DIMENSION_LABELS: Final = {
    "economic": "Economic",
    "social": "Social",
    "psychosocial": "Psychosocial",
}
DIMENSION_WEIGHTS: Final = {"economic": 1.0, "social": 1.0, "psychosocial": 1.0}

INDICATORS: Final = (
    Indicator("economic_satisfaction", "economic", "Satisfaction with the economic situation"),
    Indicator("food_security", "economic", "Food security (rarely reduces meals)"),
    Indicator("employment", "economic", "Work or a regular source of income"),
    Indicator("debt", "economic", "Debts manageable (borrowing less than spending)"),
    Indicator("access_to_credit", "economic", "Could borrow money if needed"),
    Indicator("housing", "social", "Adequate housing"),
    Indicator("public_services", "social", "Access to public services (education, justice)"),
    Indicator("health_care", "social", "Access to health care"),
    Indicator("documents", "social", "Identity documents"),
    Indicator("school", "social", "School-age children attend school"),
    Indicator("community", "psychosocial", "Takes part in community activities"),
    Indicator("support_network", "psychosocial", "Has a network of support"),
    Indicator("no_discrimination", "psychosocial", "Does not feel discriminated against"),
    Indicator("safety", "psychosocial", "Feels physically safe"),
    Indicator("wellbeing", "psychosocial", "No signs of psychological distress"),
)
BY_CODE: Final = {i.code: i for i in INDICATORS}


class SurveyError(ValueError):
    """An unknown indicator, an answer off the scale, or a dimension with no answer."""


@dataclass(frozen=True)
class SurveyScore:
    """The scores of one visit's answers: 0-1 per dimension and composite."""

    version: str
    dimensions: Mapping[str, float]
    composite: float

    @property
    def sustainable(self) -> bool:
        return self.composite >= SUSTAINABLE_FROM


def score(answers: Mapping[str, int | None]) -> SurveyScore:
    """Score a visit's answers (indicator code → 1-5, or None for "not applicable").

    Every dimension needs at least one answer, so that the composite score never rests on a
    dimension nobody asked about.

    Raises:
        SurveyError: an unknown indicator, an answer off the scale, or a dimension unanswered.
    """
    sums: dict[str, float] = dict.fromkeys(DIMENSIONS, 0.0)
    weights: dict[str, float] = dict.fromkeys(DIMENSIONS, 0.0)
    for code, value in answers.items():
        indicator = BY_CODE.get(code)
        if indicator is None:
            raise SurveyError(f"unknown indicator {code!r}")
        if value is None:
            continue
        if isinstance(value, bool) or not SCALE_MIN <= value <= SCALE_MAX:
            raise SurveyError(f"{code}: answer {value!r} is not on the scale 1-5")
        scaled = (value - SCALE_MIN) / (SCALE_MAX - SCALE_MIN)
        sums[indicator.dimension] += indicator.weight * scaled
        weights[indicator.dimension] += indicator.weight
    missing = [d for d in DIMENSIONS if weights[d] == 0]
    if missing:
        raise SurveyError(f"no answer for the {', '.join(missing)} dimension")
    dimensions = {d: round(sums[d] / weights[d], 3) for d in DIMENSIONS}
    total = sum(DIMENSION_WEIGHTS.values())
    composite = sum(DIMENSION_WEIGHTS[d] * dimensions[d] for d in DIMENSIONS) / total
    return SurveyScore(SURVEY_VERSION, dimensions, round(composite, 3))
