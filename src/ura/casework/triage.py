"""Triage of applications into processing modalities, by versioned rules.

A backlog is cleared by processing applications differently by profile (UNHCR's processing
modalities): *prioritised* for applicants with special needs, *accelerated* where a ground of
LFIP Art. 79 was found at screening, *simplified* for nationalities with a high recognition
rate, *regular* otherwise. Which profile goes where is data — one YAML file per version in
``triage/`` beside this module, each rule with its legal or UNHCR reference — because the
recognition rates and the authority's policy change.

:func:`propose_modality` is advice: it names the modality, the rule that fired and why. The
caseworker accepts the proposal or overrides it with a reason (the asylum app stores both).

Rules are tried in order; the first whose condition holds fires, and the last rule has no
condition. A condition is a mapping with one key:

- ``vulnerability_any: [flags]`` — the applicant has at least one of the vulnerability flags;
- ``accelerated_grounds: true`` — screening found at least one accelerated ground;
- ``high_recognition_nationality: true`` — the nationality is in the ruleset's list.

Example:
    >>> ruleset = current_ruleset("asylum", dt.date(2026, 1, 1))
    >>> proposal = propose_modality(ruleset, TriageProfile(nationality="ERI"))
    >>> proposal.modality, proposal.rule
    ('simplified', 'high_recognition_nationality')
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

import yaml

__all__ = [
    "Modality",
    "Proposal",
    "Rule",
    "Ruleset",
    "TriageError",
    "TriageProfile",
    "builtin_rulesets",
    "current_ruleset",
    "load_ruleset",
    "parse_ruleset",
    "propose_modality",
    "ruleset_version",
]

_BUILTIN_DIR: Final = "triage"
_CODE: Final = re.compile(r"[a-z][a-z0-9_]*")
_RULESET_CODE: Final = re.compile(r"[a-z][a-z0-9_-]*")
_ISO3: Final = re.compile(r"[A-Z]{3}")
_CONDITIONS: Final = frozenset(
    {"vulnerability_any", "accelerated_grounds", "high_recognition_nationality"}
)
_TOP_REQUIRED: Final = frozenset(
    {"code", "procedure", "version", "effective_from", "title", "reference", "modalities", "rules"}
)
_TOP_OPTIONAL: Final = frozenset({"high_recognition_nationalities", "notes"})
_RULE_REQUIRED: Final = frozenset({"code", "label", "modality", "reference"})
_RULE_OPTIONAL: Final = frozenset({"when", "notes", "check"})


class TriageError(ValueError):
    """A triage ruleset is invalid, or none applies."""


@dataclass(frozen=True)
class Modality:
    code: str
    label: str


@dataclass(frozen=True)
class Rule:
    """One rule: if ``condition`` holds (None: always), propose ``modality``."""

    code: str
    label: str
    modality: str
    reference: str
    condition: tuple[str, Any] | None = None
    notes: str = ""
    check: bool = False


@dataclass(frozen=True)
class Ruleset:
    code: str
    procedure: str
    version: int
    effective_from: dt.date
    title: str
    reference: str
    modalities: tuple[Modality, ...]
    rules: tuple[Rule, ...]
    high_recognition_nationalities: frozenset[str] = frozenset()
    high_recognition_threshold: float | None = None
    high_recognition_check: bool = False

    def modality(self, code: str) -> Modality:
        """The modality ``code``.

        Raises:
            TriageError: the ruleset has no such modality.
        """
        for modality in self.modalities:
            if modality.code == code:
                return modality
        raise TriageError(f"{self.code} v{self.version}: no modality {code!r}")


@dataclass(frozen=True)
class TriageProfile:
    """What triage reads about an application.

    Attributes:
        nationality: ISO 3166-1 alpha-3 code, or None when unknown.
        vulnerabilities: The case's vulnerability flags.
        accelerated_grounds: Codes of the LFIP Art. 79 grounds found at screening.
    """

    nationality: str | None = None
    vulnerabilities: frozenset[str] = frozenset()
    accelerated_grounds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Proposal:
    """The modality a ruleset proposes for a profile, the rule that fired and why.

    ``matched`` lists what made the rule fire (the flags, the grounds, the nationality), so
    that the reason can be shown in any language; ``reason`` is an English summary.
    """

    modality: str
    rule: str
    rule_label: str
    reference: str
    matched: tuple[str, ...]
    reason: str
    ruleset: str
    version: int

    def as_data(self) -> dict[str, Any]:
        """The proposal as case data (``triage.*``)."""
        return {
            "proposed": self.modality,
            "rule": self.rule,
            "reference": self.reference,
            "matched": list(self.matched),
            "reason": self.reason,
            "ruleset": self.ruleset,
            "version": self.version,
        }


def _matches(ruleset: Ruleset, rule: Rule, profile: TriageProfile) -> tuple[str, ...] | None:
    """What in ``profile`` satisfies ``rule`` (empty for an unconditional rule), or None."""
    if rule.condition is None:
        return ()
    kind, value = rule.condition
    if kind == "vulnerability_any":
        found = tuple(flag for flag in value if flag in profile.vulnerabilities)
        return found or None
    if kind == "accelerated_grounds":
        return tuple(profile.accelerated_grounds) or None
    # high_recognition_nationality
    nationality = (profile.nationality or "").upper()
    return (nationality,) if nationality in ruleset.high_recognition_nationalities else None


def propose_modality(ruleset: Ruleset, profile: TriageProfile) -> Proposal:
    """Propose a processing modality for ``profile``: the first rule that holds fires.

    Args:
        ruleset: The rules in force (see :func:`current_ruleset`).
        profile: The application's nationality, vulnerability flags and screening findings.

    Returns:
        The proposal with the rule that fired, its reference and what matched.
    """
    for rule in ruleset.rules:
        matched = _matches(ruleset, rule, profile)
        if matched is None:
            continue
        reason = rule.label + (f": {', '.join(matched)}" if matched else "")
        return Proposal(
            modality=rule.modality,
            rule=rule.code,
            rule_label=rule.label,
            reference=rule.reference,
            matched=matched,
            reason=f"{reason} ({rule.reference})",
            ruleset=ruleset.code,
            version=ruleset.version,
        )
    # Unreachable for a validated ruleset, whose last rule is unconditional.
    raise TriageError(f"{ruleset.code} v{ruleset.version}: no rule applies")


# --- Loading -----------------------------------------------------------------------------------


def _fail(origin: str, where: str, message: str) -> TriageError:
    return TriageError(f"{origin}: {where}: {message}")


def _mapping(
    raw: object, origin: str, where: str, required: frozenset[str], optional: frozenset[str]
) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise _fail(origin, where, "must be a mapping")
    keys = set(raw)
    if missing := sorted(required - keys):
        raise _fail(origin, where, f"missing {', '.join(missing)}")
    if unknown := sorted(keys - required - optional):
        raise _fail(origin, where, f"unknown key {', '.join(map(str, unknown))}")
    return raw


def _text(value: object, origin: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(origin, where, "must be non-empty text")
    return " ".join(value.split())


def _code(value: object, origin: str, where: str) -> str:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise _fail(origin, where, f"{value!r} is not a code (lower case, digits, _)")
    return value


def _ruleset_code(value: object, origin: str) -> str:
    if not isinstance(value, str) or not _RULESET_CODE.fullmatch(value):
        raise _fail(origin, "code", f"{value!r} is not a code (lower case, digits, - or _)")
    return value


def _condition(raw: object, origin: str, where: str) -> tuple[str, Any]:
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise _fail(origin, where, "must be a mapping with exactly one condition")
    ((kind, value),) = raw.items()
    if kind not in _CONDITIONS:
        raise _fail(origin, where, f"unknown condition {kind!r}; use one of {sorted(_CONDITIONS)}")
    if kind == "vulnerability_any":
        if not isinstance(value, list) or not value:
            raise _fail(origin, f"{where}.{kind}", "must be a non-empty list of flags")
        return kind, tuple(_code(v, origin, f"{where}.{kind}") for v in value)
    if value is not True:
        raise _fail(origin, f"{where}.{kind}", "must be true")
    return kind, True


def _rule(raw: object, origin: str, index: int, modalities: set[str]) -> Rule:
    where = f"rules[{index}]"
    data = _mapping(raw, origin, where, _RULE_REQUIRED, _RULE_OPTIONAL)
    code = _code(data["code"], origin, f"{where}.code")
    where = f"rule {code!r}"
    modality = _code(data["modality"], origin, f"{where}.modality")
    if modality not in modalities:
        raise _fail(origin, f"{where}.modality", f"{modality!r} is not a declared modality")
    check = data.get("check", False)
    if not isinstance(check, bool):
        raise _fail(origin, f"{where}.check", "must be true or false")
    return Rule(
        code=code,
        label=_text(data["label"], origin, f"{where}.label"),
        modality=modality,
        reference=_text(data["reference"], origin, f"{where}.reference"),
        condition=_condition(data["when"], origin, f"{where}.when") if "when" in data else None,
        notes=_text(data["notes"], origin, f"{where}.notes") if "notes" in data else "",
        check=check,
    )


def parse_ruleset(text: str, origin: str = "<string>") -> Ruleset:
    """Read a triage ruleset from YAML text.

    Raises:
        TriageError: invalid YAML, unknown or missing keys, an undeclared modality, a
            condition the engine does not know, duplicate codes, or a last rule that has a
            condition (some profile would get no proposal).
    """
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TriageError(f"{origin}: not valid YAML: {exc}") from exc
    data = _mapping(raw, origin, "top level", _TOP_REQUIRED, _TOP_OPTIONAL)
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _fail(origin, "version", "must be a whole number of at least 1")
    effective = data["effective_from"]
    if not isinstance(effective, dt.date) or isinstance(effective, dt.datetime):
        raise _fail(origin, "effective_from", "must be a date (YYYY-MM-DD)")
    raw_modalities = data["modalities"]
    if not isinstance(raw_modalities, list) or not raw_modalities:
        raise _fail(origin, "modalities", "must be a non-empty list")
    modalities = []
    for i, item in enumerate(raw_modalities):
        m = _mapping(item, origin, f"modalities[{i}]", frozenset({"code", "label"}), frozenset())
        modalities.append(
            Modality(
                _code(m["code"], origin, f"modalities[{i}].code"),
                _text(m["label"], origin, f"modalities[{i}].label"),
            )
        )
    codes = {m.code for m in modalities}
    if len(codes) != len(modalities):
        raise _fail(origin, "modalities", "duplicate codes")
    raw_rules = data["rules"]
    if not isinstance(raw_rules, list) or not raw_rules:
        raise _fail(origin, "rules", "must be a non-empty list")
    rules = tuple(_rule(r, origin, i, codes) for i, r in enumerate(raw_rules))
    if len({r.code for r in rules}) != len(rules):
        raise _fail(origin, "rules", "duplicate codes")
    if rules[-1].condition is not None:
        raise _fail(origin, f"rule {rules[-1].code!r}", "the last rule must have no condition")
    if any(r.condition is None for r in rules[:-1]):
        raise _fail(origin, "rules", "only the last rule may have no condition")
    nationalities: frozenset[str] = frozenset()
    threshold: float | None = None
    check = False
    if "high_recognition_nationalities" in data:
        where = "high_recognition_nationalities"
        h = _mapping(
            data[where],
            origin,
            where,
            frozenset({"nationalities"}),
            frozenset({"threshold", "check", "notes"}),
        )
        listed = h["nationalities"]
        if not isinstance(listed, list) or not all(
            isinstance(n, str) and _ISO3.fullmatch(n) for n in listed
        ):
            raise _fail(origin, f"{where}.nationalities", "must list ISO 3166-1 alpha-3 codes")
        nationalities = frozenset(listed)
        if "threshold" in h:
            value = h["threshold"]
            if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value <= 1:
                raise _fail(origin, f"{where}.threshold", "must be a rate between 0 and 1")
            threshold = float(value)
        check = bool(h.get("check", False))
    if any(r.condition == ("high_recognition_nationality", True) for r in rules) and not (
        nationalities
    ):
        raise _fail(origin, "high_recognition_nationalities", "a rule needs the list")
    return Ruleset(
        code=_ruleset_code(data["code"], origin),
        procedure=_code(data["procedure"], origin, "procedure"),
        version=version,
        effective_from=effective,
        title=_text(data["title"], origin, "title"),
        reference=_text(data["reference"], origin, "reference"),
        modalities=tuple(modalities),
        rules=rules,
        high_recognition_nationalities=nationalities,
        high_recognition_threshold=threshold,
        high_recognition_check=check,
    )


def load_ruleset(path: Path | str) -> Ruleset:
    """Read a triage ruleset from a YAML file.

    Raises:
        TriageError: see :func:`parse_ruleset`.
    """
    path = Path(path)
    return parse_ruleset(path.read_text(encoding="utf-8"), path.name)


@functools.cache
def builtin_rulesets() -> tuple[Ruleset, ...]:
    """Every ruleset shipped in ``ura/casework/triage/``, by procedure and version.

    Raises:
        TriageError: a shipped file is invalid, or two share procedure and version.
    """
    folder = resources.files("ura.casework").joinpath(_BUILTIN_DIR)
    found = sorted(
        (
            parse_ruleset(entry.read_text(encoding="utf-8"), f"triage/{entry.name}")
            for entry in folder.iterdir()
            if entry.name.endswith(".yaml")
        ),
        key=lambda r: (r.procedure, r.version),
    )
    keys = [(r.procedure, r.version) for r in found]
    if len(set(keys)) != len(keys):
        raise TriageError("two triage rulesets share a procedure and version")
    return tuple(found)


def current_ruleset(
    procedure: str, on: dt.date, rulesets: Iterable[Ruleset] | None = None
) -> Ruleset:
    """The ruleset for ``procedure`` in force on ``on``: the highest version whose
    ``effective_from`` is not later.

    Raises:
        TriageError: no ruleset of the procedure is in force on that day.
    """
    candidates = [
        r
        for r in (builtin_rulesets() if rulesets is None else rulesets)
        if r.procedure == procedure and r.effective_from <= on
    ]
    if not candidates:
        raise TriageError(f"no triage rules for {procedure!r} in force on {on.isoformat()}")
    return max(candidates, key=lambda r: r.version)


def ruleset_version(
    procedure: str, version: int, rulesets: Iterable[Ruleset] | None = None
) -> Ruleset:
    """Version ``version`` of ``procedure``'s rules (to re-read an earlier proposal).

    Raises:
        TriageError: no such version.
    """
    for ruleset in builtin_rulesets() if rulesets is None else rulesets:
        if ruleset.procedure == procedure and ruleset.version == version:
            return ruleset
    raise TriageError(f"no triage rules {procedure!r} version {version}")
