"""Legal procedures as versioned data: states, transitions, guards and deadline rules.

A procedure definition is one YAML file (docs/procedures.md describes the format; the
built-in ones live in ``procedures/`` beside this module). Laws change — LFIP was amended by
Law 7196 in 2019 — so a definition carries a ``version`` and the date from which it applies
to *new* cases (``effective_from``). A case records the version it was opened under and keeps
it: :class:`ProcedureRegistry` answers "which version applies to a case opened on this day"
and "give me version N", and a new version never rewrites an old case.

Guards are evaluated without Django by :func:`check_transition` (implemented in
:mod:`ura.casework.guards` to keep this module short, re-exported here): it takes what the
Django layer knows about the actor and the case (:class:`TransitionContext`) and returns every
failed guard, so a form can show all of them at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal, cast, get_args

import yaml

from ura.casework.guards import (
    GuardFailure,
    GuardFailureCode,
    TransitionContext,
    available_transitions,
    check_transition,
    consent_override_used,
    is_empty,
    lookup_field,
)

__all__ = [
    "ANY_STATE",
    "IMPLICIT_EVENTS",
    "OPENED_EVENT",
    "Condition",
    "DeadlineRule",
    "GuardFailure",
    "GuardFailureCode",
    "Guards",
    "Pause",
    "Procedure",
    "ProcedureError",
    "ProcedureRegistry",
    "State",
    "Transition",
    "TransitionContext",
    "Unit",
    "UnknownProcedureError",
    "available_transitions",
    "builtin_procedures",
    "builtin_registry",
    "check_transition",
    "consent_override_used",
    "load_procedure",
    "lookup_field",
    "parse_procedure",
]

Unit = Literal["calendar_days", "working_days", "months"]

ANY_STATE: Final = "*"
"""``from: "*"`` in a transition: any non-terminal state."""
OPENED_EVENT: Final = "opened"
"""Recorded when a case is created, in the procedure's initial state."""
IMPLICIT_EVENTS: Final = frozenset({OPENED_EVENT})

_BUILTIN_DIR: Final = "procedures"
_CODE_RE: Final = re.compile(r"^[a-z][a-z0-9_]*$")
_PERMISSION_RE: Final = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_UNITS: Final = frozenset(get_args(Unit))


class ProcedureError(ValueError):
    """A procedure definition is invalid; the message names the file and the element."""


class UnknownProcedureError(ProcedureError, LookupError):
    """No procedure (or version) with that code is registered."""


# --- the model -------------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """A state a case can be in.

    Attributes:
        code: Stable identifier stored on the case.
        label: Shown to users.
        phase: Groups states on dashboards (e.g. ``"interview"``).
        terminal: No transition leaves it; ``from: "*"`` does not include it.
    """

    code: str
    label: str
    phase: str
    terminal: bool = False


@dataclass(frozen=True)
class Guards:
    """What must hold before a transition may happen.

    Attributes:
        permission: Permission string (``"<app>.<codename>"``) the actor must hold.
        required: Case data fields (dotted names) that must be non-empty.
        consent: Consent kind that must be recorded, unless the actor holds the procedure's
            ``consent_override_permission``.
        four_eyes: Code of an earlier transition whose last performer may not perform this one.
    """

    permission: str | None = None
    required: tuple[str, ...] = ()
    consent: str | None = None
    four_eyes: str | None = None


@dataclass(frozen=True)
class Transition:
    """A move between states (or, without ``to``, an action recorded in the current state).

    Attributes:
        code: Stable identifier, also the name the audit trail records.
        label: Shown to users.
        sources: States it may start from; empty when ``from_any``.
        from_any: ``from: "*"``, any non-terminal state.
        to: Target state; ``None`` keeps the current state (e.g. "detention ordered").
        guards: The guards.
        emits: Event codes recorded when it happens; deadline rules start and stop on them.
    """

    code: str
    label: str
    sources: tuple[str, ...]
    from_any: bool
    to: str | None
    guards: Guards
    emits: tuple[str, ...]


@dataclass(frozen=True)
class Condition:
    """``applies_when``: a rule applies when any clause holds; a clause, when all its fields do.

    A clause maps a dotted case-data field to the allowed values; ``None`` among them stands
    for "missing or empty".

    Attributes:
        clauses: The alternatives.
    """

    clauses: tuple[Mapping[str, tuple[object, ...]], ...]

    def holds(self, data: Mapping[str, object]) -> bool:
        """Whether the case data satisfies the condition.

        Args:
            data: The case data (nested mappings or dotted keys).

        Returns:
            True when at least one clause holds.
        """
        return any(
            all(_normalise(lookup_field(data, name)) in allowed for name, allowed in clause.items())
            for clause in self.clauses
        )


@dataclass(frozen=True)
class DeadlineRule:
    """A deadline derived from events.

    Attributes:
        code: Stable identifier.
        label: Shown to users.
        starts_on: Event that starts the period (each occurrence starts a new instance).
        duration: Length of the period in ``unit``.
        unit: ``calendar_days``, ``working_days`` or ``months``.
        roll_forward: An end on a non-working day moves to the next working day.
        stops_on: Events that end the period (met, or met late).
        paused_by: Events that suspend the period.
        resumed_by: Events that let it run again.
        binding: False when missing the deadline has no legal effect (LFIP Art. 78: the
            applicant is informed, nothing lapses).
        legal_reference: The rule's source, shown beside it.
        check: The figure comes from secondary sources and should be checked.
        applies_when: Condition on case data, or ``None`` (always applies).
        notes: Why the rule is as it is (shown to administrators).
        duration_field: Case-data field (dotted) holding the period's length in ``unit``
            when the law lets the authority choose it (a voluntary departure period of
            15-30 days, LFIP Art. 56); ``duration`` is then the maximum and the default
            while the field is missing or out of range.
    """

    code: str
    label: str
    starts_on: str
    duration: int
    unit: Unit
    roll_forward: bool
    stops_on: tuple[str, ...]
    paused_by: tuple[str, ...]
    resumed_by: tuple[str, ...]
    binding: bool
    legal_reference: str
    check: bool
    applies_when: Condition | None
    notes: str = ""
    duration_field: str | None = None

    def duration_for(self, data: Mapping[str, object]) -> int:
        """The period's length for a case with this data.

        Args:
            data: The case data.

        Returns:
            The whole number in ``duration_field`` when it lies between 1 and ``duration``,
            else ``duration``.
        """
        if self.duration_field is None:
            return self.duration
        value = lookup_field(data, self.duration_field)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= self.duration:
            return value
        return self.duration

    def applies(self, data: Mapping[str, object]) -> bool:
        """Whether the rule applies to a case with this data.

        Args:
            data: The case data.

        Returns:
            True without an ``applies_when`` condition, else the condition's verdict.
        """
        return self.applies_when is None or self.applies_when.holds(data)


@dataclass(frozen=True)
class Pause:
    """One pause or resume effect, derived from the deadline rules (for display).

    Attributes:
        event: The event code.
        deadline: The deadline rule's code.
        action: ``"pause"`` or ``"resume"``.
    """

    event: str
    deadline: str
    action: Literal["pause", "resume"]


@dataclass(frozen=True)
class Procedure:
    """One version of a procedure definition.

    Attributes:
        code: The procedure (``"asylum"``), shared by all its versions.
        version: Increases with every change.
        effective_from: Applies to cases opened on or after this date.
        title: Shown to users.
        jurisdiction: ISO 3166 code of the law's country.
        legal_basis: The law it implements.
        states: All states, in the file's order.
        initial_state: The state a new case starts in.
        transitions: All transitions, in the file's order.
        deadlines: All deadline rules, in the file's order.
        consent_override_permission: Lets its holders pass ``consent`` guards (audited).
        origin: The file it came from, for messages.
    """

    code: str
    version: int
    effective_from: dt.date
    title: str
    jurisdiction: str
    legal_basis: str
    states: tuple[State, ...]
    initial_state: str
    transitions: tuple[Transition, ...]
    deadlines: tuple[DeadlineRule, ...]
    consent_override_permission: str | None
    origin: str

    def state(self, code: str) -> State:
        """The state with this code.

        Args:
            code: State code.

        Returns:
            The state.

        Raises:
            KeyError: No such state.
        """
        return self._states[code]

    def transition(self, code: str) -> Transition:
        """The transition with this code.

        Args:
            code: Transition code.

        Returns:
            The transition.

        Raises:
            KeyError: No such transition.
        """
        return self._transitions[code]

    def deadline(self, code: str) -> DeadlineRule:
        """The deadline rule with this code.

        Args:
            code: Deadline rule code.

        Returns:
            The rule.

        Raises:
            KeyError: No such rule.
        """
        return {rule.code: rule for rule in self.deadlines}[code]

    def allowed_from(self, transition: Transition, state: str) -> bool:
        """Whether ``transition`` may start from ``state`` (guards aside).

        Args:
            transition: A transition of this procedure.
            state: The case's current state code.

        Returns:
            True when ``state`` is one of its sources (or non-terminal, for ``"*"``).
        """
        if transition.from_any:
            found = self._states.get(state)
            return found is not None and not found.terminal
        return state in transition.sources

    def events(self) -> frozenset[str]:
        """Every event this procedure can record: the implicit ones and all ``emits``.

        Returns:
            The event codes.
        """
        return IMPLICIT_EVENTS | {e for t in self.transitions for e in t.emits}

    def pauses(self) -> tuple[Pause, ...]:
        """Which events pause and resume which deadlines.

        Returns:
            The pause and resume effects, by rule in file order.
        """
        found: list[Pause] = []
        for rule in self.deadlines:
            found += [Pause(e, rule.code, "pause") for e in rule.paused_by]
            found += [Pause(e, rule.code, "resume") for e in rule.resumed_by]
        return tuple(found)

    def reachable_states(self) -> frozenset[str]:
        """States reachable from the initial state.

        Returns:
            The reachable state codes (the initial one included).
        """
        seen = {self.initial_state}
        frontier = [self.initial_state]
        while frontier:
            current = frontier.pop()
            for t in self.transitions:
                if t.to is not None and t.to not in seen and self.allowed_from(t, current):
                    seen.add(t.to)
                    frontier.append(t.to)
        return frozenset(seen)

    @property
    def _states(self) -> Mapping[str, State]:
        return _index_states(self.states)

    @property
    def _transitions(self) -> Mapping[str, Transition]:
        return _index_transitions(self.transitions)


@functools.cache
def _index_states(states: tuple[State, ...]) -> Mapping[str, State]:
    return MappingProxyType({s.code: s for s in states})


@functools.cache
def _index_transitions(transitions: tuple[Transition, ...]) -> Mapping[str, Transition]:
    return MappingProxyType({t.code: t for t in transitions})


def _normalise(value: object) -> object:
    return None if is_empty(value) else value


# --- registry --------------------------------------------------------------------------------


class ProcedureRegistry:
    """Several versions of several procedures.

    Args:
        procedures: The definitions; ``(code, version)`` pairs must be unique and, per code,
            a higher version must take effect later.

    Raises:
        ProcedureError: Two definitions share code and version, or versions and
            ``effective_from`` dates disagree.
    """

    def __init__(self, procedures: Iterable[Procedure]) -> None:
        by_code: dict[str, dict[int, Procedure]] = {}
        for procedure in procedures:
            versions = by_code.setdefault(procedure.code, {})
            if procedure.version in versions:
                raise ProcedureError(
                    f"{procedure.origin}: {procedure.code} version {procedure.version} is "
                    f"also defined in {versions[procedure.version].origin}"
                )
            versions[procedure.version] = procedure
        for code, versions in by_code.items():
            ordered = [versions[v] for v in sorted(versions)]
            for older, newer in itertools.pairwise(ordered):
                if newer.effective_from <= older.effective_from:
                    raise ProcedureError(
                        f"{newer.origin}: {code} version {newer.version} must take effect "
                        f"after version {older.version} ({older.effective_from.isoformat()})"
                    )
        self._by_code: Mapping[str, tuple[Procedure, ...]] = MappingProxyType(
            {
                code: tuple(versions[v] for v in sorted(versions))
                for code, versions in by_code.items()
            }
        )

    def codes(self) -> tuple[str, ...]:
        """The registered procedure codes, sorted.

        Returns:
            The codes.
        """
        return tuple(sorted(self._by_code))

    def versions(self, code: str) -> tuple[Procedure, ...]:
        """Every version of a procedure, oldest first.

        Args:
            code: Procedure code.

        Returns:
            The versions.

        Raises:
            UnknownProcedureError: No procedure with this code.
        """
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownProcedureError(f"no procedure {code!r}") from None

    def get(self, code: str, version: int) -> Procedure:
        """A given version: the one a case was opened under.

        Args:
            code: Procedure code.
            version: Version number stored on the case.

        Returns:
            That version.

        Raises:
            UnknownProcedureError: No such procedure or version.
        """
        for procedure in self.versions(code):
            if procedure.version == version:
                return procedure
        raise UnknownProcedureError(f"no version {version} of procedure {code!r}")

    def current(self, code: str, on: dt.date) -> Procedure:
        """The version for a case opened on ``on``: the latest ``effective_from <= on``.

        Args:
            code: Procedure code.
            on: The day the case is opened.

        Returns:
            That version.

        Raises:
            UnknownProcedureError: No such procedure, or none in effect on ``on``.
        """
        effective = [p for p in self.versions(code) if p.effective_from <= on]
        if not effective:
            raise UnknownProcedureError(
                f"no version of procedure {code!r} is in effect on {on.isoformat()}"
            )
        return effective[-1]


# --- loading and validation ------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses duplicate keys (a silently overwritten rule is a wrong rule)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node)
    return mapping


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def load_procedure(path: Path | str) -> Procedure:
    """Read and validate a procedure definition file (UTF-8 YAML).

    Args:
        path: The YAML file.

    Returns:
        The validated, immutable definition.

    Raises:
        ProcedureError: The file cannot be read, is not YAML, or is invalid; the message
            names the file and the element at fault.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProcedureError(f"{path}: cannot read: {exc}") from exc
    return parse_procedure(text, str(path))


def parse_procedure(text: str, origin: str = "<string>") -> Procedure:
    """Validate a procedure definition given as YAML text.

    Args:
        text: The YAML document.
        origin: The file name used in messages.

    Returns:
        The validated, immutable definition.

    Raises:
        ProcedureError: The text is not YAML or is invalid; the message starts with
            ``origin`` and names the element at fault.
    """
    try:
        raw = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 -- a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ProcedureError(f"{origin}: not valid YAML: {exc}") from exc
    return _Builder(origin).procedure(raw)


@functools.cache
def builtin_procedures() -> tuple[Procedure, ...]:
    """Every procedure definition shipped in ``ura/casework/procedures/``.

    Returns:
        The definitions, sorted by code and version.

    Raises:
        ProcedureError: A shipped file is invalid.
    """
    folder = resources.files("ura.casework").joinpath(_BUILTIN_DIR)
    found = [
        parse_procedure(entry.read_text(encoding="utf-8"), f"procedures/{entry.name}")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    ]
    return tuple(sorted(found, key=lambda p: (p.code, p.version)))


@functools.cache
def builtin_registry() -> ProcedureRegistry:
    """A registry of :func:`builtin_procedures`.

    Returns:
        The registry.

    Raises:
        ProcedureError: A shipped file is invalid or two share code and version.
    """
    return ProcedureRegistry(builtin_procedures())


_TOP_REQUIRED: Final = frozenset(
    {
        "code",
        "version",
        "effective_from",
        "title",
        "jurisdiction",
        "legal_basis",
        "states",
        "initial_state",
        "transitions",
    }
)
_TOP_OPTIONAL: Final = frozenset({"deadlines", "consent_override_permission", "notes"})
_STATE_KEYS: Final = (frozenset({"code", "label", "phase"}), frozenset({"terminal", "notes"}))
_TRANSITION_KEYS: Final = (
    frozenset({"code", "label", "from"}),
    frozenset({"to", "emits", "permission", "required", "consent", "four_eyes", "notes"}),
)
_DEADLINE_KEYS: Final = (
    frozenset({"code", "label", "starts_on", "duration", "unit", "legal_reference"}),
    frozenset(
        {
            "roll_forward",
            "stops_on",
            "paused_by",
            "resumed_by",
            "binding",
            "check",
            "applies_when",
            "notes",
            "duration_field",
        }
    ),
)


class _Builder:
    """Turns parsed YAML into a :class:`Procedure`, naming ``origin`` and the element in errors."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, message: str) -> ProcedureError:
        return ProcedureError(f"{self.origin}: {where}: {message}")

    def mapping(
        self, value: object, where: str, required: frozenset[str], optional: frozenset[str]
    ) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected a mapping, got {type(value).__name__}")
        unknown = sorted(str(k) for k in set(value) - required - optional)
        if unknown:
            raise self.fail(
                where, f"unknown key(s) {unknown}; allowed: {sorted(required | optional)}"
            )
        missing = sorted(required - set(value))
        if missing:
            raise self.fail(where, f"missing key(s) {missing}")
        return value

    def text(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"expected non-empty text, got {value!r}")
        return value.strip()

    def code(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not _CODE_RE.match(value):
            raise self.fail(where, f"expected a code of a-z, 0-9 and _, got {value!r}")
        return value

    def codes(self, value: object, where: str) -> tuple[str, ...]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            raise self.fail(where, f"expected a code or a list of codes, got {value!r}")
        return tuple(self.code(item, where) for item in items)

    def flag(self, value: object, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"expected true or false, got {value!r}")
        return value

    def permission(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not _PERMISSION_RE.match(value):
            raise self.fail(where, f"expected a permission '<app>.<codename>', got {value!r}")
        return value

    def unique(self, codes: Iterable[str], where: str) -> None:
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                raise self.fail(where, f"duplicate code {code!r}")
            seen.add(code)

    def elements(self, raw: Mapping[str, Any], key: str) -> list[object]:
        value = raw.get(key, [])
        if not isinstance(value, list):
            raise self.fail(key, "expected a list")
        return value

    def procedure(self, raw: object) -> Procedure:
        top = self.mapping(raw, "top level", _TOP_REQUIRED, _TOP_OPTIONAL)
        version = top["version"]
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self.fail("version", f"expected a whole number >= 1, got {version!r}")
        effective_from = top["effective_from"]
        if isinstance(effective_from, str):
            with contextlib.suppress(ValueError):
                effective_from = dt.date.fromisoformat(effective_from)
        if not isinstance(effective_from, dt.date) or isinstance(effective_from, dt.datetime):
            raise self.fail("effective_from", f"expected a date YYYY-MM-DD, got {effective_from!r}")
        states = tuple(self.state(item, i) for i, item in enumerate(self.elements(top, "states")))
        if not states:
            raise self.fail("states", "at least one state is needed")
        self.unique((s.code for s in states), "states")
        state_codes = {s.code for s in states}
        initial = top["initial_state"]
        if initial not in state_codes:
            raise self.fail("initial_state", f"{initial!r} is not one of the states")
        override = top.get("consent_override_permission")
        if override is not None:
            override = self.permission(override, "consent_override_permission")
        transitions = tuple(
            self.transition(item, i, state_codes)
            for i, item in enumerate(self.elements(top, "transitions"))
        )
        self.unique((t.code for t in transitions), "transitions")
        transition_codes = {t.code for t in transitions}
        terminal = {s.code for s in states if s.terminal}
        for t in transitions:
            where = f"transition {t.code!r}"
            if t.guards.four_eyes is not None and t.guards.four_eyes not in transition_codes:
                raise self.fail(where, f"four_eyes names unknown transition {t.guards.four_eyes!r}")
            if t.guards.consent is not None and override is None:
                raise self.fail(
                    where, "a consent guard needs consent_override_permission at the top level"
                )
            if set(t.sources) & terminal:
                raise self.fail(
                    where, f"starts from terminal state(s) {sorted(set(t.sources) & terminal)}"
                )
        deadlines = tuple(
            self.deadline(item, i) for i, item in enumerate(self.elements(top, "deadlines"))
        )
        self.unique((d.code for d in deadlines), "deadlines")
        procedure = Procedure(
            code=self.code(top["code"], "code"),
            version=version,
            effective_from=effective_from,
            title=self.text(top["title"], "title"),
            jurisdiction=self.text(top["jurisdiction"], "jurisdiction"),
            legal_basis=self.text(top["legal_basis"], "legal_basis"),
            states=states,
            initial_state=initial,
            transitions=transitions,
            deadlines=deadlines,
            consent_override_permission=override,
            origin=self.origin,
        )
        events = procedure.events()
        for rule in deadlines:
            used = (rule.starts_on, *rule.stops_on, *rule.paused_by, *rule.resumed_by)
            unknown = sorted({e for e in used if e not in events})
            if unknown:
                raise self.fail(
                    f"deadline {rule.code!r}", f"event(s) {unknown} are emitted by no transition"
                )
        unreachable = [s.code for s in states if s.code not in procedure.reachable_states()]
        if unreachable:
            raise self.fail("states", f"unreachable from {initial!r}: {unreachable}")
        return procedure

    def state(self, raw: object, index: int) -> State:
        item = self.mapping(raw, f"states[{index}]", *_STATE_KEYS)
        code = self.code(item["code"], f"states[{index}].code")
        where = f"state {code!r}"
        return State(
            code=code,
            label=self.text(item["label"], f"{where}.label"),
            phase=self.code(item["phase"], f"{where}.phase"),
            terminal=self.flag(item.get("terminal", False), f"{where}.terminal"),
        )

    def transition(self, raw: object, index: int, states: set[str]) -> Transition:
        item = self.mapping(raw, f"transitions[{index}]", *_TRANSITION_KEYS)
        code = self.code(item["code"], f"transitions[{index}].code")
        where = f"transition {code!r}"
        from_any = item["from"] == ANY_STATE
        sources = () if from_any else self.codes(item["from"], f"{where}.from")
        if not from_any and not sources:
            raise self.fail(f"{where}.from", "names no state")
        to = item.get("to")
        for state in (*sources, *([to] if to is not None else [])):
            if state not in states:
                raise self.fail(where, f"unknown state {state!r}")
        raw_required = item.get("required", [])
        if not isinstance(raw_required, list):
            raise self.fail(f"{where}.required", "expected a list of field names")
        required = tuple(self.text(name, f"{where}.required") for name in raw_required)
        permission = item.get("permission")
        consent = item.get("consent")
        four_eyes = item.get("four_eyes")
        return Transition(
            code=code,
            label=self.text(item["label"], f"{where}.label"),
            sources=sources,
            from_any=from_any,
            to=to,
            guards=Guards(
                permission=None
                if permission is None
                else self.permission(permission, f"{where}.permission"),
                required=required,
                consent=None if consent is None else self.code(consent, f"{where}.consent"),
                four_eyes=None if four_eyes is None else self.code(four_eyes, f"{where}.four_eyes"),
            ),
            emits=self.codes(item.get("emits", []), f"{where}.emits"),
        )

    def deadline(self, raw: object, index: int) -> DeadlineRule:
        item = self.mapping(raw, f"deadlines[{index}]", *_DEADLINE_KEYS)
        code = self.code(item["code"], f"deadlines[{index}].code")
        where = f"deadline {code!r}"
        unit = item["unit"]
        if unit not in _UNITS:
            raise self.fail(f"{where}.unit", f"{unit!r} is not one of {sorted(_UNITS)}")
        duration = item["duration"]
        if not isinstance(duration, int) or isinstance(duration, bool) or duration < 1:
            raise self.fail(f"{where}.duration", f"expected a whole number >= 1, got {duration!r}")
        paused_by = self.codes(item.get("paused_by", []), f"{where}.paused_by")
        resumed_by = self.codes(item.get("resumed_by", []), f"{where}.resumed_by")
        if bool(paused_by) != bool(resumed_by):
            raise self.fail(where, "paused_by and resumed_by go together")
        return DeadlineRule(
            code=code,
            label=self.text(item["label"], f"{where}.label"),
            starts_on=self.code(item["starts_on"], f"{where}.starts_on"),
            duration=duration,
            unit=cast(Unit, unit),
            roll_forward=self.flag(item.get("roll_forward", True), f"{where}.roll_forward"),
            stops_on=self.codes(item.get("stops_on", []), f"{where}.stops_on"),
            paused_by=paused_by,
            resumed_by=resumed_by,
            binding=self.flag(item.get("binding", True), f"{where}.binding"),
            legal_reference=self.text(item["legal_reference"], f"{where}.legal_reference"),
            check=self.flag(item.get("check", False), f"{where}.check"),
            applies_when=self.condition(item.get("applies_when"), f"{where}.applies_when"),
            notes=self.text(item["notes"], f"{where}.notes") if "notes" in item else "",
            duration_field=self.text(item["duration_field"], f"{where}.duration_field")
            if "duration_field" in item
            else None,
        )

    def condition(self, raw: object, where: str) -> Condition | None:
        if raw is None:
            return None
        clauses_raw = raw if isinstance(raw, list) else [raw]
        if not clauses_raw:
            raise self.fail(where, "an empty list never holds")
        clauses: list[Mapping[str, tuple[object, ...]]] = []
        for clause in clauses_raw:
            if not isinstance(clause, Mapping) or not clause:
                raise self.fail(where, f"expected a mapping of field to value(s), got {clause!r}")
            built: dict[str, tuple[object, ...]] = {}
            for name, allowed in clause.items():
                values = allowed if isinstance(allowed, list) else [allowed]
                for value in values:
                    if value is not None and not isinstance(value, str | int | bool):
                        raise self.fail(f"{where}.{name}", f"unsupported value {value!r}")
                built[self.text(name, where)] = tuple(values)
            clauses.append(MappingProxyType(built))
        return Condition(tuple(clauses))
