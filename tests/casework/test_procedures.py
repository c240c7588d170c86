"""Procedure definitions: validation, versions, guards, and the shipped LFIP and NRM files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import textwrap
from pathlib import Path

import pytest

from ura.casework.procedures import (
    GuardFailure,
    Procedure,
    ProcedureError,
    ProcedureRegistry,
    TransitionContext,
    UnknownProcedureError,
    available_transitions,
    builtin_procedures,
    builtin_registry,
    check_transition,
    consent_override_used,
    load_procedure,
    lookup_field,
    parse_procedure,
)

MINIMAL = textwrap.dedent(
    """\
    code: demo
    version: 1
    effective_from: 2026-01-01
    title: Demo
    jurisdiction: TR
    legal_basis: A law
    initial_state: open
    consent_override_permission: cases.override_consent
    states:
      - {code: open, label: Open, phase: intake}
      - {code: drafted, label: Drafted, phase: decision}
      - {code: done, label: Done, phase: closed, terminal: true}
    transitions:
      - code: submit
        label: Submit
        from: open
        to: drafted
        permission: demo.submit
        emits: [submitted]
      - code: approve
        label: Approve
        from: drafted
        to: done
        permission: demo.approve
        required: [decision.outcome, decision.reasons]
        consent: referral
        four_eyes: submit
        emits: [approved]
      - code: note
        label: Add a note
        from: "*"
    deadlines:
      - code: decide
        label: Decide
        starts_on: opened
        duration: 10
        unit: working_days
        stops_on: [approved]
        legal_reference: Art. 1
    """
)


def parse(text: str = MINIMAL) -> Procedure:
    return parse_procedure(text, "demo.yaml")


def with_replaced(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new, 1)


def test_minimal_definition_parses() -> None:
    procedure = parse()
    assert procedure.code == "demo"
    assert procedure.effective_from == dt.date(2026, 1, 1)
    assert procedure.transition("approve").guards.four_eyes == "submit"
    assert procedure.deadline("decide").unit == "working_days"
    assert procedure.reachable_states() == {"open", "drafted", "done"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (MINIMAL + "colour: blue\n", r"top level: unknown key\(s\) \['colour'\]"),
        (
            with_replaced("phase: intake}", "phase: intake, colour: red}"),
            r"states\[0\]: unknown key\(s\) \['colour'\]",
        ),
        (
            with_replaced("    emits: [submitted]", "    emits: [submitted]\n    why: x"),
            r"transitions\[0\]: unknown key\(s\) \['why'\]",
        ),
        (
            with_replaced("    to: drafted", "    to: drafting"),
            "transition 'submit': unknown state 'drafting'",
        ),
        (
            with_replaced("    from: drafted", "    from: [drafted, review]"),
            "transition 'approve': unknown state 'review'",
        ),
        (with_replaced("initial_state: open", "initial_state: start"), "initial_state: 'start'"),
        (with_replaced("initial_state: open\n", ""), r"missing key\(s\) \['initial_state'\]"),
        (
            with_replaced("code: drafted, label: Drafted", "code: open, label: Drafted"),
            "states: duplicate code 'open'",
        ),
        (
            with_replaced("  - code: note\n", "  - code: submit\n"),
            "transitions: duplicate code 'submit'",
        ),
        (
            with_replaced("    from: open\n", "    from: done\n"),
            r"transition 'submit': starts from terminal state\(s\) \['done'\]",
        ),
        (
            with_replaced("    to: done\n", "    to: drafted\n"),
            r"states: unreachable from 'open': \['done'\]",
        ),
        (
            with_replaced("stops_on: [approved]", "stops_on: [granted]"),
            r"deadline 'decide': event\(s\) \['granted'\] are emitted by no transition",
        ),
        (
            with_replaced("unit: working_days", "unit: fortnights"),
            "deadline 'decide'.unit: 'fortnights' is not one of",
        ),
        (
            with_replaced("duration: 10", "duration: ten"),
            "deadline 'decide'.duration: expected a whole number",
        ),
        (
            with_replaced("four_eyes: submit", "four_eyes: sumbit"),
            "transition 'approve': four_eyes names unknown transition 'sumbit'",
        ),
        (
            with_replaced("consent_override_permission: cases.override_consent\n", ""),
            "transition 'approve': a consent guard needs consent_override_permission",
        ),
        (
            with_replaced("permission: demo.submit", "permission: submit"),
            "transition 'submit'.permission: expected a permission '<app>.<codename>'",
        ),
        (with_replaced("version: 1", "version: 0"), "version: expected a whole number >= 1"),
        (
            with_replaced("effective_from: 2026-01-01", "effective_from: soon"),
            "effective_from: expected a date",
        ),
        (
            with_replaced(
                "    legal_reference: Art. 1",
                "    legal_reference: Art. 1\n    paused_by: [submitted]",
            ),
            "deadline 'decide': paused_by and resumed_by go together",
        ),
        (MINIMAL + "title: Again\n", "not valid YAML: .*duplicate key 'title'"),
        ("- just\n- a list\n", "top level: expected a mapping"),
    ],
)
def test_invalid_definitions_name_file_and_element(text: str, message: str) -> None:
    with pytest.raises(ProcedureError, match=f"^demo.yaml: .*{message}"):
        parse(text)


def test_load_procedure_names_an_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ProcedureError, match=re.escape(f"{missing}: cannot read")):
        load_procedure(missing)


def test_load_procedure_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    assert load_procedure(path).origin == str(path)


# --- versions --------------------------------------------------------------------------------


def version_2() -> Procedure:
    """A change of law: version 2 from 1 July 2026 shortens the deadline to 5 working days."""
    text = with_replaced("version: 1", "version: 2")
    text = text.replace("effective_from: 2026-01-01", "effective_from: 2026-07-01")
    return parse(text.replace("duration: 10", "duration: 5"))


def test_registry_selects_the_version_in_effect_on_the_opening_day() -> None:
    registry = ProcedureRegistry([version_2(), parse()])
    assert registry.current("demo", dt.date(2026, 6, 30)).version == 1
    assert registry.current("demo", dt.date(2026, 7, 1)).version == 2
    assert [p.version for p in registry.versions("demo")] == [1, 2]
    assert registry.codes() == ("demo",)


def test_old_cases_keep_their_version_after_a_change_of_law() -> None:
    """A case stores the version it was opened under; a new version does not rewrite it."""
    before = ProcedureRegistry([parse()])
    opened_in_march = before.current("demo", dt.date(2026, 3, 2))
    stored_version = opened_in_march.version

    after = ProcedureRegistry([parse(), version_2()])
    assert after.get("demo", stored_version).deadline("decide").duration == 10
    assert after.current("demo", dt.date(2026, 8, 3)).deadline("decide").duration == 5


def test_registry_refuses_unknown_codes_versions_and_dates() -> None:
    registry = ProcedureRegistry([parse()])
    with pytest.raises(UnknownProcedureError, match="no procedure 'removal'"):
        registry.current("removal", dt.date(2026, 3, 2))
    with pytest.raises(UnknownProcedureError, match="no version 3"):
        registry.get("demo", 3)
    with pytest.raises(UnknownProcedureError, match="in effect on 2025-12-31"):
        registry.current("demo", dt.date(2025, 12, 31))


def test_registry_refuses_duplicate_versions_and_dates_out_of_order() -> None:
    with pytest.raises(ProcedureError, match="demo version 1 is also defined"):
        ProcedureRegistry([parse(), parse()])
    earlier = dataclasses.replace(version_2(), effective_from=dt.date(2025, 1, 1))
    with pytest.raises(ProcedureError, match="version 2 must take effect after version 1"):
        ProcedureRegistry([parse(), earlier])


# --- guards ----------------------------------------------------------------------------------

APPROVER = TransitionContext(
    actor_id=2,
    permissions=frozenset({"demo.approve"}),
    data={"decision": {"outcome": "rejected"}, "decision.reasons": "Art. 1"},
    consents=frozenset({"referral"}),
    performed_by={"submit": 1},
)


def codes(failures: list[GuardFailure]) -> list[str]:
    return [failure.code for failure in failures]


def test_all_guards_pass() -> None:
    assert check_transition(parse(), "drafted", "approve", APPROVER) == []


def test_unknown_transition() -> None:
    assert codes(check_transition(parse(), "drafted", "publish", APPROVER)) == [
        "unknown_transition"
    ]


def test_not_allowed_from_state() -> None:
    assert codes(check_transition(parse(), "open", "approve", APPROVER)) == [
        "not_allowed_from_state"
    ]


def test_any_state_means_any_non_terminal_state() -> None:
    procedure = parse()
    assert check_transition(procedure, "drafted", "note", APPROVER) == []
    assert codes(check_transition(procedure, "done", "note", APPROVER)) == [
        "not_allowed_from_state"
    ]
    assert [t.code for t in available_transitions(procedure, "drafted")] == ["approve", "note"]
    assert available_transitions(procedure, "done") == ()


def test_permission_guard() -> None:
    context = dataclasses.replace(APPROVER, permissions=frozenset({"demo.submit"}))
    failures = check_transition(parse(), "drafted", "approve", context)
    assert failures == [GuardFailure("permission", "needs permission 'demo.approve'")]


def test_required_guard_names_every_missing_field() -> None:
    context = dataclasses.replace(APPROVER, data={"decision": {"outcome": "  "}})
    failures = check_transition(parse(), "drafted", "approve", context)
    assert failures == [
        GuardFailure("required", "missing case data: decision.outcome, decision.reasons")
    ]


def test_consent_guard_and_its_override() -> None:
    procedure = parse()
    no_consent = dataclasses.replace(APPROVER, consents=frozenset())
    assert codes(check_transition(procedure, "drafted", "approve", no_consent)) == ["consent"]
    assert not consent_override_used(procedure, "approve", no_consent)

    override = dataclasses.replace(
        no_consent, permissions=no_consent.permissions | {"cases.override_consent"}
    )
    assert check_transition(procedure, "drafted", "approve", override) == []
    assert consent_override_used(procedure, "approve", override)
    assert not consent_override_used(procedure, "approve", APPROVER)


def test_four_eyes_guard() -> None:
    same_person = dataclasses.replace(APPROVER, actor_id="1")
    assert codes(check_transition(parse(), "drafted", "approve", same_person)) == ["four_eyes"]


def test_every_failure_is_returned_together() -> None:
    nobody = TransitionContext(actor_id=1, performed_by={"submit": 1})
    assert codes(check_transition(parse(), "open", "approve", nobody)) == [
        "not_allowed_from_state",
        "permission",
        "required",
        "consent",
        "four_eyes",
    ]


def test_lookup_field_reads_nested_and_dotted_keys() -> None:
    data = {"interview": {"language": "ar"}, "decision.outcome": "rejected"}
    assert lookup_field(data, "interview.language") == "ar"
    assert lookup_field(data, "decision.outcome") == "rejected"
    assert lookup_field(data, "interview.date") is None
    assert lookup_field(data, "interview.language.code") is None


# --- the shipped definitions -----------------------------------------------------------------


def test_the_shipped_definitions_load_and_every_state_is_reachable() -> None:
    shipped = {p.code: p for p in builtin_procedures()}
    assert {"asylum", "trafficking", "readmission", "avrr", "removal"} <= set(shipped)
    for procedure in shipped.values():
        assert procedure.reachable_states() == {s.code for s in procedure.states}
        assert procedure.jurisdiction == "TR"
        for rule in procedure.deadlines:
            assert rule.legal_reference
    assert builtin_registry().current("asylum", dt.date(2026, 3, 2)) is shipped["asylum"]


#: Procedures whose app is named otherwise than the procedure code.
PROCEDURE_APPS = {"avrr": "returns", "removal": "removals"}


def test_shipped_permissions_follow_the_app_codename_pattern() -> None:
    """Every step needs a permission, of the one app that owns the procedure (named after it,
    or after its users' noun: the ``removal`` procedure's app is ``removals``) or of cases."""
    for procedure in builtin_procedures():
        for transition in procedure.transitions:
            permission = transition.guards.permission
            assert permission is not None, transition.code
            app = permission.split(".")[0]
            assert app in {PROCEDURE_APPS.get(procedure.code, procedure.code), "cases"}, permission


def test_asylum_definition_carries_the_lfip_rules() -> None:
    asylum = builtin_registry().current("asylum", dt.date(2026, 3, 2))
    approve = asylum.transition("approve_decision")
    assert approve.guards.four_eyes == "submit_for_approval"
    assert approve.guards.permission == "asylum.approve_decision"
    assert asylum.deadline("decision_regular").binding is False  # LFIP Art. 78
    assert asylum.deadline("decision_regular").unit == "months"
    assert asylum.deadline("interview_regular").check is True
    assert asylum.deadline("detention_maximum").roll_forward is False  # LFIP Art. 68
    assert asylum.deadline("appeal_window_regular").check is True  # Art. 80 after Law 7196
    assert asylum.deadline("interview_accelerated").applies({"modality": "accelerated"})
    assert not asylum.deadline("interview_regular").applies({"modality": "accelerated"})
    assert asylum.deadline("interview_regular").applies({})
    assert {(p.event, p.action) for p in asylum.pauses()} == {
        ("information_requested", "pause"),
        ("information_received", "resume"),
    }
    terminal = {s.code for s in asylum.states if s.terminal}
    assert terminal == {
        "closed_final_negative",
        "withdrawn",
        "status_ceased",
        "status_cancelled",
        "closed",
    }


def test_asylum_appeal_windows_depend_on_modality_and_outcome() -> None:
    asylum = builtin_registry().current("asylum", dt.date(2026, 3, 2))
    regular = asylum.deadline("appeal_window_regular")
    short = asylum.deadline("appeal_window_accelerated_inadmissible")
    rejected = {"modality": "regular", "decision": {"outcome": "rejected"}}
    inadmissible = {"modality": "regular", "decision": {"outcome": "inadmissible"}}
    accelerated = {"modality": "accelerated", "decision": {"outcome": "rejected"}}
    assert regular.applies(rejected)
    assert not short.applies(rejected)
    assert short.applies(inadmissible)
    assert not regular.applies(inadmissible)
    assert short.applies(accelerated)
    assert not regular.applies(accelerated)


def test_trafficking_referral_needs_consent_unless_overridden() -> None:
    nrm = builtin_registry().current("trafficking", dt.date(2026, 3, 2))
    assert nrm.consent_override_permission == "cases.override_consent"
    worker = TransitionContext(
        actor_id=7,
        permissions=frozenset({"trafficking.refer_case"}),
        data={"referral": {"organisation": "Shelter", "reason": "Safe accommodation"}},
    )
    assert codes(check_transition(nrm, "risk_assessed", "refer", worker)) == ["consent"]
    consented = dataclasses.replace(worker, consents=frozenset({"referral"}))
    assert check_transition(nrm, "risk_assessed", "refer", consented) == []
    # The documented "referral not possible" path needs no consent.
    no_path = dataclasses.replace(worker, data={"referral.not_possible_reason": "Refused"})
    assert check_transition(nrm, "risk_assessed", "record_referral_not_possible", no_path) == []


def test_trafficking_closure_is_approved_by_a_second_person() -> None:
    nrm = builtin_registry().current("trafficking", dt.date(2026, 3, 2))
    requester = TransitionContext(
        actor_id=7,
        permissions=frozenset({"trafficking.approve_closure"}),
        performed_by={"request_closure": 7},
    )
    assert codes(check_transition(nrm, "closure_requested", "approve_closure", requester)) == [
        "four_eyes"
    ]
    phases = [s.phase for s in nrm.states]
    for phase in (
        "identification",
        "first_assistance",
        "long_term_assistance",
        "return",
        "proceedings",
    ):
        assert phase in phases
