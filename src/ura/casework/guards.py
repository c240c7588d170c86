"""Guard evaluation for procedure transitions, without Django.

The Django layer gathers what it knows about the actor and the case into a
:class:`TransitionContext`; :func:`check_transition` returns *every* failed guard so a form
shows all of them at once, each with a stable code the web layer translates. The guards
implement the case engine's shared rules (docs/procedures.md): a permission, required case
data, recorded consent (PROCEDURES.md: referral and transfer are refused without consent unless
the actor holds the explicit, audited override permission) and four-eyes approval.

These names are re-exported by :mod:`ura.casework.procedures`; import them from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ura.casework.procedures import Procedure, Transition

__all__ = [
    "GuardFailure",
    "GuardFailureCode",
    "TransitionContext",
    "available_transitions",
    "check_transition",
    "consent_override_used",
    "is_empty",
    "lookup_field",
]

GuardFailureCode = Literal[
    "not_allowed_from_state",
    "unknown_transition",
    "permission",
    "required",
    "consent",
    "four_eyes",
    "rule",
]
"""``rule``: a procedure app's own rule on the case's data (a detention past its legal
maximum); its ``detail`` is the user-facing, translated reason."""


@dataclass(frozen=True)
class TransitionContext:
    """What the guards need to know about the actor and the case.

    Attributes:
        actor_id: Who attempts the transition.
        permissions: Permission strings the actor holds for this case.
        data: Case data; nested mappings or dotted keys (``"interview.language"``).
        consents: Consent kinds recorded on the case (and still valid).
        performed_by: Transition code → who last performed it on this case.
    """

    actor_id: int | str
    permissions: frozenset[str] = frozenset()
    data: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    consents: frozenset[str] = frozenset()
    performed_by: Mapping[str, int | str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class GuardFailure:
    """One reason a transition may not happen.

    Attributes:
        code: Stable code (see :data:`GuardFailureCode`).
        detail: Explanation in English for logs and developers; user-facing text is
            translated from ``code`` by the web layer.
    """

    code: GuardFailureCode
    detail: str


def lookup_field(data: Mapping[str, object], name: str) -> object:
    """Read a dotted field from case data.

    Args:
        data: The case data; ``{"interview.language": "ar"}`` and
            ``{"interview": {"language": "ar"}}`` are both understood.
        name: Dotted field name.

    Returns:
        The value, or ``None`` when absent.
    """
    if name in data:
        return data[name]
    current: object = data
    for part in name.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


def is_empty(value: object) -> bool:
    """Whether a case-data value counts as missing for ``required`` and ``applies_when``.

    Args:
        value: The value.

    Returns:
        True for ``None``, blank text and empty collections; ``False`` and ``0`` are values.
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        return len(value) == 0
    return False


def available_transitions(procedure: Procedure, state: str) -> tuple[Transition, ...]:
    """Transitions that may start from ``state``, guards aside.

    Args:
        procedure: The case's procedure version.
        state: The case's current state code.

    Returns:
        The transitions, in file order.
    """
    return tuple(t for t in procedure.transitions if procedure.allowed_from(t, state))


def check_transition(
    procedure: Procedure, state: str, transition_code: str, context: TransitionContext
) -> list[GuardFailure]:
    """Evaluate every guard of a transition.

    Args:
        procedure: The case's procedure version.
        state: The case's current state code.
        transition_code: The transition attempted.
        context: Actor and case facts.

    Returns:
        All failures (empty when the transition may happen). An unknown transition gives
        only ``unknown_transition``.
    """
    try:
        transition = procedure.transition(transition_code)
    except KeyError:
        return [
            GuardFailure(
                "unknown_transition",
                f"{procedure.code} v{procedure.version} has no transition {transition_code!r}",
            )
        ]
    failures: list[GuardFailure] = []
    if not procedure.allowed_from(transition, state):
        failures.append(
            GuardFailure(
                "not_allowed_from_state",
                f"{transition_code!r} is not allowed from state {state!r}",
            )
        )
    guards = transition.guards
    if guards.permission is not None and guards.permission not in context.permissions:
        failures.append(GuardFailure("permission", f"needs permission {guards.permission!r}"))
    missing = [name for name in guards.required if is_empty(lookup_field(context.data, name))]
    if missing:
        failures.append(GuardFailure("required", f"missing case data: {', '.join(missing)}"))
    if (
        guards.consent is not None
        and guards.consent not in context.consents
        and not _holds_override(procedure, context)
    ):
        failures.append(GuardFailure("consent", f"needs recorded consent {guards.consent!r}"))
    if guards.four_eyes is not None:
        earlier = context.performed_by.get(guards.four_eyes)
        if earlier is not None and str(earlier) == str(context.actor_id):
            failures.append(
                GuardFailure(
                    "four_eyes",
                    f"the user who performed {guards.four_eyes!r} may not also "
                    f"perform {transition_code!r}",
                )
            )
    return failures


def consent_override_used(
    procedure: Procedure, transition_code: str, context: TransitionContext
) -> bool:
    """Whether a transition passes its consent guard only through the override permission.

    The Django layer records an audited override event when this is True.

    Args:
        procedure: The case's procedure version.
        transition_code: The transition attempted.
        context: Actor and case facts.

    Returns:
        True when consent is required, not recorded, and the actor holds the override.

    Raises:
        KeyError: No such transition.
    """
    consent = procedure.transition(transition_code).guards.consent
    return (
        consent is not None
        and consent not in context.consents
        and _holds_override(procedure, context)
    )


def _holds_override(procedure: Procedure, context: TransitionContext) -> bool:
    permission = procedure.consent_override_permission
    return permission is not None and permission in context.permissions
