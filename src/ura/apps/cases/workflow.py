"""The case engine's procedures applied to stored cases: which procedure version a new case
follows, whether a transition's guards pass, and the deadlines a case's history implies.

The rules themselves are data in the pure package ``ura.casework`` (states, transitions,
guards and deadline rules per procedure version, with the legal reference beside each
rule); this module only feeds it what the database knows — the actor's permissions, the
consents in force, who performed which transition — and stores what it answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ura.apps.cases.models import (
    RUNNING_DEADLINES,
    Case,
    CaseDeadline,
    CaseEvent,
    CaseEventKind,
    Consent,
)
from ura.casework.calendar import WorkingCalendar
from ura.casework.deadlines import CaseEventFact, compute_deadlines
from ura.casework.procedures import (
    OPENED_EVENT,
    GuardFailure,
    Procedure,
    ProcedureRegistry,
    TransitionContext,
    UnknownProcedureError,
    available_transitions,
    builtin_registry,
    check_transition,
    consent_override_used,
)

#: Procedures whose cases are always restricted: a trafficking victim's identity is the most
#: sensitive data in the system, shown only to assigned users (PROCEDURES.md §2).
RESTRICTED_PROCEDURES = frozenset({"trafficking"})
#: Reference prefixes ("AS-2026-000123"); other procedures use their code's first letters.
REFERENCE_PREFIXES = {"asylum": "AS", "trafficking": "TR", "avrr": "RT", "removal": "RM"}


class TransitionRefusedError(Exception):
    """One or more guards of the transition failed; ``failures`` lists every one."""

    def __init__(self, failures: list[GuardFailure]) -> None:
        super().__init__(_("The transition is not allowed now."))
        self.failures = failures


#: (case, transition, data after the change, actor's permissions) -> failures with the code
#: ``rule``: a procedure app's own rule on the case's data, beyond what the YAML guards say.
TransitionRule = Callable[["Case", str, Mapping[str, Any], frozenset[str]], list[GuardFailure]]
_transition_rules: dict[str, list[TransitionRule]] = {}


def register_transition_rule(procedure_code: str, rule: TransitionRule) -> None:
    """Check ``rule`` on every transition of ``procedure_code``, whichever page or API
    endpoint asks for it (called from the procedure app's ``AppConfig.ready``). Registering
    the same rule twice has no effect."""
    rules = _transition_rules.setdefault(procedure_code, [])
    if rule not in rules:
        rules.append(rule)


@dataclass(frozen=True, eq=False)
class StepOwner:
    """A procedure app that records some transitions and owns some case data itself, with
    structured data of its own (a readmission request's PDF, an AVRR application's consents,
    a detention review). Each app makes one at import time and passes it to
    ``services.case_transition`` / ``case_update`` as ``recorded_by``: a Python object, so no
    request can claim it. ``where`` names, for the user, the place those steps are recorded."""

    procedure_code: str
    where: str | Promise


_owned_transitions: dict[tuple[str, str], StepOwner] = {}
_owned_data: dict[str, list[tuple[str, StepOwner]]] = {}


class AppOwnedError(ValidationError):
    """A generic write asked for a step or data that a procedure app records itself."""

    def __init__(self, field: str, message: str, owner: StepOwner) -> None:
        super().__init__({field: message})
        self.owner = owner


def register_app_steps(
    owner: StepOwner, transitions: Iterable[str] = (), data_prefixes: Iterable[str] = ()
) -> None:
    """Declare (from the procedure app's ``AppConfig.ready``) the transitions its services
    record and the case-data keys (dotted prefixes) they write: the generic transition and
    update refuse them unless ``owner`` is passed, and the generic case page does not offer
    the transitions. Registering again has no further effect."""
    known = {
        t.code for version in registry().versions(owner.procedure_code) for t in version.transitions
    }
    for code in transitions:
        if code not in known:
            raise ValueError(f"{owner.procedure_code} has no transition {code!r}")
        _owned_transitions[(owner.procedure_code, code)] = owner
    owned = _owned_data.setdefault(owner.procedure_code, [])
    for prefix in data_prefixes:
        if (prefix, owner) not in owned:
            owned.append((prefix, owner))


def transition_owner(procedure_code: str, transition: str) -> StepOwner | None:
    """The app that records ``transition`` itself, if one declared it."""
    return _owned_transitions.get((procedure_code, transition))


def _overlaps(path: str, prefix: str) -> bool:
    # Setting a parent replaces its children, setting a child changes its parent.
    return path == prefix or path.startswith(prefix + ".") or prefix.startswith(path + ".")


def check_step_owner(
    case: Case,
    *,
    transition: str | None,
    data_paths: Iterable[str],
    recorded_by: StepOwner | None,
) -> None:
    """Refuse a transition or data change that another recorder owns.

    Raises:
        AppOwnedError: naming where the step or data is recorded.
    """
    code = case.procedure_code
    if transition is not None:
        owner = transition_owner(code, transition)
        if owner is not None and owner is not recorded_by:
            raise AppOwnedError(
                "transition",
                _("This step is recorded on %(where)s, not with the generic step form.")
                % {"where": owner.where},
                owner,
            )
    for path in data_paths:
        for prefix, owner in _owned_data.get(code, ()):
            if _overlaps(path, prefix) and owner is not recorded_by:
                raise AppOwnedError(
                    "data_changes",
                    _("“%(path)s” is recorded on %(where)s; it cannot be changed here.")
                    % {"path": path, "where": owner.where},
                    owner,
                )


def registry() -> ProcedureRegistry:
    """The procedures Ura ships (read once per process)."""
    return builtin_registry()


def override_reason_missing() -> TransitionRefusedError:
    """The refusal when a consent guard would pass only by override and no reason is given."""
    return TransitionRefusedError(
        [GuardFailure("consent", "no consent recorded: an override needs its reason")]
    )


@dataclass(frozen=True)
class NewCaseProcedure:
    code: str
    version: int
    initial_state: str
    restricted: bool
    reference_prefix: str


def procedure_for_new_case(code: str, on: dt.date) -> NewCaseProcedure:
    """The version of procedure ``code`` in force on ``on``, as a new case needs it.

    Raises:
        ValidationError: no such procedure, or none in force on that day.
    """
    try:
        procedure = registry().current(code, on)
    except UnknownProcedureError as exc:
        raise ValidationError({"procedure": _("No such procedure in force.")}) from exc
    return NewCaseProcedure(
        code=procedure.code,
        version=procedure.version,
        initial_state=procedure.initial_state,
        restricted=procedure.code in RESTRICTED_PROCEDURES,
        reference_prefix=REFERENCE_PREFIXES.get(procedure.code, procedure.code[:2].upper()),
    )


#: (case, procedure version) -> the version as it applies to that case. A procedure app whose
#: figures depend on the case itself (a readmission request takes its deadlines from the
#: agreement it is made under) registers one from its ``AppConfig.ready``.
ProcedureAdapter = Callable[["Case", Procedure], Procedure]
_adapters: dict[str, ProcedureAdapter] = {}


def register_procedure_adapter(procedure_code: str, adapter: ProcedureAdapter) -> None:
    """Let ``adapter`` adjust the procedure of every case of ``procedure_code``."""
    _adapters[procedure_code] = adapter


def procedure_of(case: Case) -> Procedure:
    """The procedure version the case follows (the one in force when it was opened), as its
    procedure app adapts it to the case."""
    procedure = registry().get(case.procedure_code, case.procedure_version)
    adapter = _adapters.get(case.procedure_code)
    return adapter(case, procedure) if adapter is not None else procedure


def consents_in_force(case: Case) -> frozenset[str]:
    """The kinds of consent recorded on the case and not withdrawn."""
    return frozenset(
        Consent.objects.filter(case=case, withdrawn_at__isnull=True).values_list("kind", flat=True)
    )


def performed_by(case: Case) -> dict[str, int | str]:
    """Who last performed each transition of the case (what four-eyes guards compare)."""
    done: dict[str, int | str] = {}
    for code, actor_id in (
        CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION)
        .order_by("pk")
        .values_list("transition", "actor_id")
    ):
        if actor_id is not None:
            done[code] = actor_id
    return done


@dataclass(frozen=True)
class Target:
    """Where an allowed transition leads."""

    to_state: str
    terminal: bool
    emits: tuple[str, ...]
    consent_overridden: bool


def transition_check(
    *,
    case: Case,
    transition: str,
    actor_id: int,
    permissions: frozenset[str],
    data: Mapping[str, Any],
) -> Target:
    """Check every guard of ``transition`` from the case's state.

    Raises:
        TransitionRefusedError: with every failed guard.
    """
    procedure = procedure_of(case)
    context = TransitionContext(
        actor_id=actor_id,
        permissions=permissions,
        data=data,
        consents=consents_in_force(case),
        performed_by=performed_by(case),
    )
    failures = check_transition(procedure, case.state, transition, context)
    if not failures:
        for rule in _transition_rules.get(case.procedure_code, ()):
            failures.extend(rule(case, transition, data, permissions))
    if failures:
        raise TransitionRefusedError(list(failures))
    chosen = procedure.transition(transition)
    # A transition without a target records an action in the current state.
    state = procedure.state(chosen.to or case.state)
    return Target(
        to_state=state.code,
        terminal=state.terminal,
        emits=chosen.emits,
        consent_overridden=consent_override_used(procedure, transition, context),
    )


def transitions_available(case: Case, *, generic_only: bool = False) -> list[dict[str, str]]:
    """The transitions the procedure allows from the case's state (guards not checked);
    with ``generic_only``, without those a procedure app records itself (the generic step
    form and API offer only the others)."""
    return [
        {"code": t.code, "label": t.label, "to": t.to or case.state}
        for t in available_transitions(procedure_of(case), case.state)
        if not generic_only or transition_owner(case.procedure_code, t.code) is None
    ]


def calendar(procedure: Procedure) -> WorkingCalendar:
    """The working-day calendar of the procedure's country: ``URA_WORKING_CALENDARS[country]``
    when the administrator configured one (added or removed holidays), else the country's
    public holidays and a Saturday and Sunday weekend."""
    configured: Mapping[str, Mapping[str, Any]] = getattr(settings, "URA_WORKING_CALENDARS", {})
    country = procedure.jurisdiction.upper()
    return WorkingCalendar.from_config(configured.get(country, {"country": country}))


def case_event_facts(case: Case) -> list[CaseEventFact]:
    """What happened to the case, as the deadline rules read it: its opening and every event
    a transition emitted, on the day it happened, in order."""
    facts = [CaseEventFact(code=OPENED_EVENT, on=case.opened_on)]
    transitions = CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION)
    for event in transitions.order_by("pk"):
        emitted = event.detail.get("emits", [])
        facts.extend(CaseEventFact(code=str(code), on=event.occurred_on) for code in emitted)
    # The engine wants time order; a case opened (back-dated) on a given day can only have
    # events from then on, and the sort is stable for events of one day.
    return sorted(facts, key=lambda fact: fact.on)


def deadlines_refresh(case: Case, *, today: dt.date | None = None) -> list[CaseDeadline]:
    """Recompute the case's deadlines and store them in place of the previous ones, and the
    nearest due date of those still running on the case (``Case.nearest_due_on``)."""
    today = today or timezone.localdate()
    procedure = procedure_of(case)
    computed = compute_deadlines(
        procedure,
        case_event_facts(case),
        calendar(procedure),
        today,
        data=case.data,
    )
    CaseDeadline.objects.filter(case=case).delete()
    # The work queue sorts by the nearest running deadline (Case.nearest_due_on): every
    # change of a case's deadlines passes here, so the case keeps it in step.
    running = [d.due_on for d in computed if d.status in RUNNING_DEADLINES and d.due_on]
    case.nearest_due_on = min(running, default=None)
    Case.objects.filter(pk=case.pk).update(nearest_due_on=case.nearest_due_on)
    return CaseDeadline.objects.bulk_create(
        [
            CaseDeadline(
                case=case,
                code=d.rule_code,
                instance=d.instance,
                label=d.label[:200],
                started_on=d.started_on,
                due_on=d.due_on,
                met_on=d.met_on,
                status=d.status,
                legal_reference=d.legal_reference[:200],
                binding=d.binding,
                needs_check=d.check,
                computed_on=today,
            )
            for d in computed
        ]
    )
