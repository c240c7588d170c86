"""Trafficking identification indicators and the configured combination rule.

The ILO / European Commission *Operational indicators of trafficking in human beings* (Delphi
survey, 2009) give four lists (adult or child, labour or sexual exploitation). Each list sorts
its indicators under six elements of the Palermo Protocol definition and grades every
indicator strong, medium or weak. An element is present when its observed indicators meet a
threshold; the conclusion combines the present elements.

Both the indicators and the rule are data: an *indicator set* is one YAML file with a
``version`` and an ``effective_from`` date (the built-in one is ``indicators/ilo-ec-2009.yaml``
in this package). A changed rule is a new file with a new version, never an edit of a version
that assessments were made under, so every assessment can be re-read under the rule it used.

:func:`assess` gives the configured rule's opinion. It is advice to the screener, who records
their own conclusion (and the reasons when it differs) in the trafficking app; the rule never
decides on its own. docs/trafficking-indicators.md is the guide for screeners and
administrators.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal, cast

import yaml

__all__ = [
    "AGE_GROUPS",
    "GRADES",
    "Assessment",
    "Element",
    "ElementFinding",
    "Grade",
    "Indicator",
    "IndicatorError",
    "IndicatorList",
    "IndicatorSet",
    "Outcome",
    "OutcomeRule",
    "Rule",
    "Threshold",
    "UnknownIndicatorError",
    "assess",
    "builtin_indicator_sets",
    "current_indicator_set",
    "load_indicator_set",
    "parse_indicator_set",
]

Grade = Literal["strong", "medium", "weak"]
AgeGroup = Literal["adult", "child"]

#: The publication's three grades, strongest first.
GRADES: Final[tuple[Grade, ...]] = ("strong", "medium", "weak")
#: Age groups a list applies to; each needs its own outcome rules.
AGE_GROUPS: Final[tuple[AgeGroup, ...]] = ("adult", "child")

_BUILTIN_DIR: Final = "indicators"
_CODE = re.compile(r"[a-z][a-z0-9_]*")
_INDICATOR_CODE = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z0-9_]+")


class IndicatorError(ValueError):
    """An indicator set file is invalid, or an assessment refers to something it lacks."""


class UnknownIndicatorError(IndicatorError):
    """Observed indicator codes that the list being assessed does not contain."""

    def __init__(self, message: str, codes: tuple[str, ...]) -> None:
        super().__init__(message)
        self.codes = codes


@dataclass(frozen=True, slots=True)
class Element:
    """One of the six elements of the trafficking definition."""

    code: str
    label: str
    stage: str


@dataclass(frozen=True, slots=True)
class Indicator:
    """One graded indicator of one list, under one element."""

    code: str
    list_code: str
    element: str
    grade: Grade
    label: str
    check: bool = False  # wording or grade not yet verified against the publication


@dataclass(frozen=True, slots=True)
class IndicatorList:
    """One of the four lists (adult/child x labour/sexual exploitation)."""

    code: str
    label: str
    age_group: AgeGroup
    exploitation: str
    indicators: tuple[Indicator, ...]

    def by_element(self, element: str) -> tuple[Indicator, ...]:
        """The list's indicators under ``element``, strongest grade first."""
        return tuple(i for i in self.indicators if i.element == element)


@dataclass(frozen=True, slots=True)
class Threshold:
    """Minimum counts per grade; an element is present when any threshold is met."""

    strong: int = 0
    medium: int = 0
    weak: int = 0

    def met_by(self, counts: Mapping[Grade, int]) -> bool:
        """Whether ``counts`` (observed indicators per grade) reach every minimum."""
        return (
            counts.get("strong", 0) >= self.strong
            and counts.get("medium", 0) >= self.medium
            and counts.get("weak", 0) >= self.weak
        )

    def counts(self) -> tuple[int, int, int]:
        """The minimum counts in grade order (strong, medium, weak)."""
        return (self.strong, self.medium, self.weak)

    def describe(self) -> str:
        """The threshold in words, e.g. ``"1 strong + 1 medium"``."""
        parts = [f"{n} {g}" for g, n in zip(GRADES, self.counts(), strict=True) if n]
        return " + ".join(parts)


@dataclass(frozen=True, slots=True)
class OutcomeRule:
    """One possible conclusion: holds when each group has at least one present element."""

    code: str
    label: str
    all_of: tuple[frozenset[str], ...]

    def holds(self, present: frozenset[str]) -> bool:
        """Whether the rule holds given the present elements."""
        return all(group & present for group in self.all_of)


@dataclass(frozen=True, slots=True)
class Rule:
    """The combination rule: element thresholds and the ordered outcomes per age group."""

    element_present_when: tuple[Threshold, ...]
    outcomes: Mapping[AgeGroup, tuple[OutcomeRule, ...]]


@dataclass(frozen=True, slots=True)
class IndicatorSet:
    """A versioned indicator set: elements, the four lists, every indicator and the rule."""

    version: str
    effective_from: dt.date
    source: str
    check: bool
    elements: Mapping[str, Element]
    lists: Mapping[str, IndicatorList]
    indicators: Mapping[str, Indicator]
    rule: Rule
    origin: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """The rule's conclusion: a stable code and its label."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class ElementFinding:
    """What the observed indicators show for one element of the assessed list."""

    element: Element
    present: bool
    indicators: tuple[Indicator, ...]  # the observed indicators of this element
    threshold: Threshold | None  # the first alternative met, when present


@dataclass(frozen=True, slots=True)
class Assessment:
    """The configured rule's opinion on one set of observed indicators."""

    list_code: str
    version: str
    findings: tuple[ElementFinding, ...]  # one per element, in the set's element order
    outcome: Outcome

    @property
    def present_elements(self) -> frozenset[str]:
        """Codes of the elements found present."""
        return frozenset(f.element.code for f in self.findings if f.present)

    def finding(self, element: str) -> ElementFinding:
        """The finding for ``element`` (a code). Raises KeyError for an unknown element."""
        for found in self.findings:
            if found.element.code == element:
                return found
        raise KeyError(element)


# -- assessment -----------------------------------------------------------------------------


def assess(indicator_set: IndicatorSet, list_code: str, observed: Iterable[str]) -> Assessment:
    """Apply an indicator set's rule to the indicators a screener observed.

    Args:
        indicator_set: The set (and so the rule version) to apply.
        list_code: Which of the set's lists the indicators come from, e.g. ``"adult_labour"``.
        observed: Codes of the observed indicators; repeats count once.

    Returns:
        Per element whether it is present, with the observed indicators under it and the
        threshold met, the outcome of the first outcome rule that holds, and the set's version.

    Raises:
        IndicatorError: ``list_code`` is not a list of the set.
        UnknownIndicatorError: An observed code is not an indicator of that list (its
            ``codes`` attribute names them all).
    """
    indicator_list = indicator_set.lists.get(list_code)
    if indicator_list is None:
        known = ", ".join(indicator_set.lists)
        raise IndicatorError(
            f"indicator set {indicator_set.version}: no list {list_code!r} (lists: {known})"
        )
    seen = set(observed)
    own = {i.code for i in indicator_list.indicators}
    unknown = tuple(sorted(seen - own))
    if unknown:
        raise UnknownIndicatorError(_unknown_message(indicator_set, list_code, unknown), unknown)

    findings = []
    for element in indicator_set.elements.values():
        hits = tuple(i for i in indicator_list.by_element(element.code) if i.code in seen)
        counts: dict[Grade, int] = {g: sum(1 for i in hits if i.grade == g) for g in GRADES}
        met = next((t for t in indicator_set.rule.element_present_when if t.met_by(counts)), None)
        findings.append(ElementFinding(element, met is not None, hits, met))
    present = frozenset(f.element.code for f in findings if f.present)
    # Validation guarantees an unconditional last outcome, so one always holds.
    rules = indicator_set.rule.outcomes[indicator_list.age_group]
    outcome = next(rule for rule in rules if rule.holds(present))
    return Assessment(
        list_code=list_code,
        version=indicator_set.version,
        findings=tuple(findings),
        outcome=Outcome(outcome.code, outcome.label),
    )


def _unknown_message(indicator_set: IndicatorSet, list_code: str, unknown: tuple[str, ...]) -> str:
    described = []
    for code in unknown:
        other = indicator_set.indicators.get(code)
        if other is None:
            described.append(f"{code} (no such indicator)")
        else:
            described.append(f"{code} (belongs to list {other.list_code})")
    return (
        f"indicator set {indicator_set.version}, list {list_code}: "
        f"unknown indicator codes: {', '.join(described)}"
    )


# -- loading --------------------------------------------------------------------------------


def load_indicator_set(path: Path | str) -> IndicatorSet:
    """Read and validate an indicator set file (UTF-8 YAML).

    Args:
        path: The YAML file.

    Returns:
        The validated, immutable indicator set.

    Raises:
        IndicatorError: The file cannot be read, is not YAML, or is invalid; the message names
            the file and the list, element or indicator at fault.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise IndicatorError(
            f"{path}: cannot read the indicator set ({exc.__class__.__name__})"
        ) from None
    return parse_indicator_set(text, origin=path.name)


def parse_indicator_set(text: str, origin: str = "<string>") -> IndicatorSet:
    """Validate an indicator set given as YAML text.

    Args:
        text: The YAML document.
        origin: The file name used in error messages.

    Returns:
        The validated, immutable indicator set.

    Raises:
        IndicatorError: The text is not YAML or is invalid; the message starts with ``origin``.
    """
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 -- a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise IndicatorError(f"{origin}: not valid YAML: {exc}") from None
    return _Parser(origin).indicator_set(data)


@functools.cache
def builtin_indicator_sets() -> Mapping[str, IndicatorSet]:
    """The indicator sets shipped with Ura, by version, oldest ``effective_from`` first.

    Returns:
        A read-only mapping from version to indicator set.

    Raises:
        IndicatorError: A shipped file is invalid, or two files share a version.
    """
    folder = resources.files("ura.casework").joinpath(_BUILTIN_DIR)
    sets: list[IndicatorSet] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            sets.append(parse_indicator_set(entry.read_text(encoding="utf-8"), entry.name))
    by_version: dict[str, IndicatorSet] = {}
    for item in sorted(sets, key=lambda s: (s.effective_from, s.version)):
        if item.version in by_version:
            first = by_version[item.version].origin
            raise IndicatorError(f"{item.origin}: version {item.version!r} also in {first}")
        by_version[item.version] = item
    return MappingProxyType(by_version)


def current_indicator_set(on: dt.date, sets: Iterable[IndicatorSet] | None = None) -> IndicatorSet:
    """The set in force on a date: the latest ``effective_from`` on or before it.

    Args:
        on: The date of the assessment.
        sets: Sets to choose from; the built-in sets when omitted.

    Returns:
        The indicator set in force on ``on``.

    Raises:
        IndicatorError: No set is in force on that date.
    """
    candidates = list(builtin_indicator_sets().values() if sets is None else sets)
    in_force = [s for s in candidates if s.effective_from <= on]
    if not in_force:
        raise IndicatorError(f"no indicator set is in force on {on.isoformat()}")
    return max(in_force, key=lambda s: (s.effective_from, s.version))


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice (YAML would silently keep the last one)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} given twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Parser:
    """Turns the loaded YAML into an :class:`IndicatorSet`, failing with the path at fault."""

    _TOP_KEYS: Final = frozenset(
        {"version", "effective_from", "source", "check", "elements", "rule", "lists"}
    )

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, problem: str) -> IndicatorError:
        return IndicatorError(f"{self.origin}: {where}: {problem}" if where else problem)

    def mapping(self, value: object, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"must be a mapping, not {type(value).__name__}")
        for key in value:
            if not isinstance(key, str):
                raise self.fail(where, f"key {key!r} must be text")
        return cast("dict[str, Any]", value)

    def keys(
        self,
        value: dict[str, Any],
        where: str,
        required: AbstractSet[str],
        allowed: AbstractSet[str],
    ) -> None:
        missing = sorted(required - value.keys())
        if missing:
            raise self.fail(where, f"missing {', '.join(missing)}")
        extra = sorted(value.keys() - allowed)
        if extra:
            raise self.fail(where, f"unknown key {', '.join(extra)}")

    def text(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "must be non-empty text")
        return value.strip()

    def code(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not _CODE.fullmatch(value):
            raise self.fail(where, f"{value!r} is not a code (lower-case letters, digits, _)")
        return value

    def flag(self, value: object, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, "must be true or false")
        return value

    def indicator_set(self, data: object) -> IndicatorSet:
        top = self.mapping(data, "")
        self.keys(top, "top level", self._TOP_KEYS - {"check"}, self._TOP_KEYS)
        version = self.text(top["version"], "version")
        effective = top["effective_from"]
        if isinstance(effective, str):
            try:
                effective = dt.date.fromisoformat(effective)
            except ValueError:
                raise self.fail("effective_from", f"{effective!r} is not a date") from None
        if not isinstance(effective, dt.date) or isinstance(effective, dt.datetime):
            raise self.fail("effective_from", "must be a date (YYYY-MM-DD)")
        elements = self.elements(top["elements"])
        rule = self.rule(top["rule"], elements)
        lists, indicators = self.lists(top["lists"], elements)
        return IndicatorSet(
            version=version,
            effective_from=effective,
            source=self.text(top["source"], "source"),
            check=self.flag(top.get("check", False), "check"),
            elements=MappingProxyType(elements),
            lists=MappingProxyType(lists),
            indicators=MappingProxyType(indicators),
            rule=rule,
            origin=self.origin,
        )

    def elements(self, value: object) -> dict[str, Element]:
        raw = self.mapping(value, "elements")
        if not raw:
            raise self.fail("elements", "no elements")
        elements = {}
        for code, spec in raw.items():
            where = f"elements.{code}"
            self.code(code, where)
            body = self.mapping(spec, where)
            self.keys(body, where, {"label", "stage"}, {"label", "stage"})
            elements[code] = Element(
                code, self.text(body["label"], f"{where}.label"), self.code(body["stage"], where)
            )
        return elements

    def rule(self, value: object, elements: Mapping[str, Element]) -> Rule:
        raw = self.mapping(value, "rule")
        expected = {"element_present_when", "outcomes"}
        self.keys(raw, "rule", expected, expected)
        alternatives = raw["element_present_when"]
        if not isinstance(alternatives, list) or not alternatives:
            raise self.fail("rule.element_present_when", "must be a non-empty list")
        thresholds = tuple(
            self.threshold(alt, f"rule.element_present_when[{n}]")
            for n, alt in enumerate(alternatives)
        )
        outcomes_raw = self.mapping(raw["outcomes"], "rule.outcomes")
        self.keys(outcomes_raw, "rule.outcomes", set(AGE_GROUPS), set(AGE_GROUPS))
        outcomes: dict[AgeGroup, tuple[OutcomeRule, ...]] = {}
        for group in AGE_GROUPS:
            outcomes[group] = self.outcomes(outcomes_raw[group], f"rule.outcomes.{group}", elements)
        return Rule(thresholds, MappingProxyType(outcomes))

    def threshold(self, value: object, where: str) -> Threshold:
        raw = self.mapping(value, where)
        counts: dict[str, int] = {}
        for grade, count in raw.items():
            if grade not in GRADES:
                raise self.fail(where, f"unknown grade {grade!r} (grades: {', '.join(GRADES)})")
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise self.fail(f"{where}.{grade}", f"{count!r} is not a count (0 or more)")
            counts[grade] = count
        if not any(counts.values()):
            raise self.fail(where, "requires no indicator at all; every element would be present")
        if counts.get("strong", 0) == 0 and counts.get("medium", 0) == 0:
            # The publication never lets weak indicators alone establish an element.
            raise self.fail(where, "is met by weak indicators alone")
        return Threshold(**counts)

    def outcomes(
        self, value: object, where: str, elements: Mapping[str, Element]
    ) -> tuple[OutcomeRule, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(where, "must be a non-empty list of outcomes")
        rules: list[OutcomeRule] = []
        for n, spec in enumerate(value):
            at = f"{where}[{n}]"
            body = self.mapping(spec, at)
            self.keys(body, at, {"code", "label"}, {"code", "label", "all_of"})
            code = self.code(body["code"], f"{at}.code")
            at = f"{where}.{code}"
            if any(r.code == code for r in rules):
                raise self.fail(at, "outcome code given twice")
            groups = body.get("all_of", [])
            if not isinstance(groups, list):
                raise self.fail(f"{at}.all_of", "must be a list of element lists")
            all_of = []
            for group in groups:
                if not isinstance(group, list) or not group:
                    raise self.fail(f"{at}.all_of", "each group must be a non-empty element list")
                for element in group:
                    if element not in elements:
                        raise self.fail(
                            f"{at}.all_of",
                            f"unknown element {element!r} (elements: {', '.join(elements)})",
                        )
                all_of.append(frozenset(group))
            rules.append(OutcomeRule(code, self.text(body["label"], f"{at}.label"), tuple(all_of)))
        unconditional = [r for r in rules if not r.all_of]
        if not unconditional or rules[-1].all_of:
            raise self.fail(where, "the last outcome must have no all_of (it applies otherwise)")
        if len(unconditional) > 1:
            raise self.fail(where, f"outcome {unconditional[0].code} hides the outcomes after it")
        return tuple(rules)

    def lists(
        self, value: object, elements: Mapping[str, Element]
    ) -> tuple[dict[str, IndicatorList], dict[str, Indicator]]:
        raw = self.mapping(value, "lists")
        if not raw:
            raise self.fail("lists", "no lists")
        lists: dict[str, IndicatorList] = {}
        indicators: dict[str, Indicator] = {}
        allowed = {"label", "age_group", "exploitation", "indicators"}
        for list_code, spec in raw.items():
            where = f"lists.{list_code}"
            self.code(list_code, where)
            body = self.mapping(spec, where)
            self.keys(body, where, allowed, allowed)
            age_group = body["age_group"]
            if age_group not in AGE_GROUPS:
                raise self.fail(
                    f"{where}.age_group", f"{age_group!r} is not one of {', '.join(AGE_GROUPS)}"
                )
            by_element = self.mapping(body["indicators"], f"{where}.indicators")
            own: list[Indicator] = []
            for element, items in by_element.items():
                at = f"{where}.{element}"
                if element not in elements:
                    raise self.fail(
                        at, f"unknown element {element!r} (elements: {', '.join(elements)})"
                    )
                if not isinstance(items, list):
                    raise self.fail(at, "must be a list of indicators")
                for item in items:
                    indicator = self.indicator(item, at, list_code, element)
                    if indicator.code in indicators:
                        raise self.fail(at, f"indicator code {indicator.code} given twice")
                    indicators[indicator.code] = indicator
                    own.append(indicator)
            lists[list_code] = IndicatorList(
                code=list_code,
                label=self.text(body["label"], f"{where}.label"),
                age_group=age_group,
                exploitation=self.code(body["exploitation"], f"{where}.exploitation"),
                indicators=tuple(own),
            )
        return lists, indicators

    def indicator(self, value: object, where: str, list_code: str, element: str) -> Indicator:
        body = self.mapping(value, where)
        self.keys(body, where, {"code", "grade", "label"}, {"code", "grade", "label", "check"})
        code = body["code"]
        if not isinstance(code, str) or not _INDICATOR_CODE.fullmatch(code):
            raise self.fail(where, f"{code!r} is not an indicator code (<list>.<element>.<id>)")
        prefix = f"{list_code}.{element}."
        if not code.startswith(prefix):
            raise self.fail(where, f"indicator {code} must start with {prefix}")
        grade = body["grade"]
        if grade not in GRADES:
            raise self.fail(
                where, f"indicator {code}: unknown grade {grade!r} (grades: {', '.join(GRADES)})"
            )
        return Indicator(
            code=code,
            list_code=list_code,
            element=element,
            grade=grade,
            label=self.text(body["label"], f"{where}: indicator {code}: label"),
            check=self.flag(body.get("check", False), f"{where}: indicator {code}: check"),
        )
