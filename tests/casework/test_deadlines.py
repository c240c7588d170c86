"""Deadlines from events and rules: holidays, roll-forward, pauses, renewals, statuses."""

from __future__ import annotations

import dataclasses
import datetime as dt
import textwrap

import pytest

from ura.casework.calendar import WorkingCalendar
from ura.casework.deadlines import CaseEventFact, Deadline, compute_deadlines
from ura.casework.procedures import (
    Procedure,
    ProcedureRegistry,
    builtin_registry,
    parse_procedure,
)

TR = WorkingCalendar("TR")
XK = WorkingCalendar("XK")


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def events(*pairs: tuple[str, str]) -> list[CaseEventFact]:
    return [CaseEventFact(code, d(on)) for code, on in pairs]


RULES = parse_procedure(
    textwrap.dedent(
        """\
        code: demo
        version: 1
        effective_from: 2020-01-01
        title: Demo
        jurisdiction: TR
        legal_basis: A law
        initial_state: open
        states:
          - {code: open, label: Open, phase: intake}
        transitions:
          - code: act
            label: Act
            from: open
            emits: [started, done, held, released, renewed]
        deadlines:
          - code: three_working_days
            label: Three working days
            starts_on: started
            duration: 3
            unit: working_days
            stops_on: [done]
            paused_by: [held]
            resumed_by: [released]
            legal_reference: Art. 1
          - code: ten_days
            label: Ten days
            starts_on: started
            duration: 10
            unit: calendar_days
            stops_on: [done]
            paused_by: [held]
            resumed_by: [released]
            legal_reference: Art. 2
            check: true
          - code: one_month_no_roll
            label: One month
            starts_on: started
            duration: 1
            unit: months
            roll_forward: false
            stops_on: [done]
            paused_by: [held]
            resumed_by: [released]
            binding: false
            legal_reference: Art. 3
          - code: renewable
            label: Renewable permit
            starts_on: renewed
            duration: 30
            unit: calendar_days
            roll_forward: false
            stops_on: [renewed]
            legal_reference: Art. 4
        """
    ),
    "demo.yaml",
)


def by_code(found: list[Deadline]) -> dict[str, Deadline]:
    return {deadline.rule_code: deadline for deadline in found if deadline.instance == 1}


def test_working_days_span_eid_al_fitr_in_turkiye() -> None:
    found = by_code(
        compute_deadlines(RULES, events(("started", "2026-03-19")), TR, d("2026-03-19"))
    )
    # Fri 20 - Sun 22 March 2026 are Eid al-Fitr: Mon 23, Tue 24, Wed 25.
    assert found["three_working_days"].due_on == d("2026-03-25")
    # Ten calendar days end on Sunday 29 March -> Monday 30 March.
    assert found["ten_days"].due_on == d("2026-03-30")
    assert found["one_month_no_roll"].due_on == d("2026-04-19")  # a Sunday, not rolled


def test_calendar_days_ending_on_a_kosovo_holiday_roll_forward() -> None:
    found = by_code(
        compute_deadlines(RULES, events(("started", "2026-02-07")), XK, d("2026-02-07"))
    )
    # 7 February + 10 days = Tuesday 17 February, Kosovo's Independence Day -> Wednesday 18.
    assert found["ten_days"].due_on == d("2026-02-18")
    assert found["three_working_days"].due_on == d("2026-02-11")


def test_statuses() -> None:
    start = events(("started", "2026-03-02"))  # Monday; ten_days due Thursday 12 March
    on = {
        "2026-03-03": "open",
        "2026-03-09": "due_soon",  # Tue, Wed, Thu: three working days left
        "2026-03-12": "due_soon",
        "2026-03-13": "overdue",
    }
    for today, status in on.items():
        deadline = by_code(compute_deadlines(RULES, start, TR, d(today)))["ten_days"]
        assert deadline.status == status, today
    late = by_code(compute_deadlines(RULES, start, TR, d("2026-03-16")))["ten_days"]
    assert late.days_remaining == -4
    assert late.days_overdue == 4
    assert late.check is True


def test_due_soon_threshold_is_a_parameter() -> None:
    deadline = by_code(
        compute_deadlines(
            RULES, events(("started", "2026-03-02")), TR, d("2026-03-09"), due_soon_working_days=1
        )
    )["ten_days"]
    assert deadline.status == "open"
    assert deadline.days_remaining == 3


def test_met_and_met_late() -> None:
    on_time = events(("started", "2026-03-02"), ("done", "2026-03-12"))
    found = by_code(compute_deadlines(RULES, on_time, TR, d("2026-04-30")))
    assert found["ten_days"].status == "met"
    assert found["ten_days"].met_on == d("2026-03-12")
    assert found["ten_days"].days_remaining is None
    assert found["three_working_days"].status == "met_late"
    assert found["three_working_days"].days_overdue == 0


def test_pause_and_resume_extend_the_period() -> None:
    paused = events(("started", "2026-03-02"), ("held", "2026-03-04"), ("released", "2026-03-09"))
    found = by_code(compute_deadlines(RULES, paused, TR, d("2026-03-09")))
    # Five calendar days paused: 12 March + 5 = Tuesday 17 March.
    assert found["ten_days"].due_on == d("2026-03-17")
    assert found["ten_days"].paused_units == 5
    # Three working days paused (Thu 5, Fri 6, Mon 9): Thu 5 March + 3 -> Tue 10 March.
    assert found["three_working_days"].paused_units == 3
    assert found["three_working_days"].due_on == d("2026-03-10")
    assert found["one_month_no_roll"].due_on == d("2026-04-07")


def test_an_open_pause_has_no_due_date() -> None:
    paused = events(("started", "2026-03-02"), ("held", "2026-03-04"))
    deadline = by_code(compute_deadlines(RULES, paused, TR, d("2026-06-01")))["ten_days"]
    assert deadline.status == "paused"
    assert deadline.due_on is None
    assert deadline.paused_since == d("2026-03-04")
    assert deadline.days_remaining is None


def test_stopping_during_a_pause_counts_the_pause() -> None:
    found = events(("started", "2026-03-02"), ("held", "2026-03-04"), ("done", "2026-03-20"))
    deadline = by_code(compute_deadlines(RULES, found, TR, d("2026-03-20")))["ten_days"]
    assert deadline.status == "met"
    assert deadline.due_on == d("2026-03-30")  # 12 March + 16 days paused = Sat 28 -> Mon 30


def test_a_pause_after_expiry_does_not_revive_the_period() -> None:
    late = events(("started", "2026-03-02"), ("held", "2026-03-20"))
    deadline = by_code(compute_deadlines(RULES, late, TR, d("2026-03-25")))["ten_days"]
    assert deadline.status == "overdue"
    assert deadline.due_on == d("2026-03-12")


def test_each_renewal_starts_a_new_instance_and_meets_the_previous_one() -> None:
    renewals = events(("renewed", "2026-01-05"), ("renewed", "2026-02-02"))
    found = [
        dl
        for dl in compute_deadlines(RULES, renewals, TR, d("2026-02-10"))
        if dl.rule_code == "renewable"
    ]
    assert [(dl.instance, dl.status) for dl in found] == [(1, "met"), (2, "open")]
    assert found[1].due_on == d("2026-03-04")


def test_future_events_are_ignored_and_order_is_checked() -> None:
    assert compute_deadlines(RULES, events(("started", "2026-03-02")), TR, d("2026-03-01")) == []
    with pytest.raises(ValueError, match="events must be in time order"):
        compute_deadlines(
            RULES, events(("started", "2026-03-02"), ("done", "2026-03-01")), TR, d("2026-03-05")
        )
    with pytest.raises(ValueError, match="due_soon_working_days"):
        compute_deadlines(RULES, [], TR, d("2026-03-05"), due_soon_working_days=-1)


# --- the shipped LFIP definition -------------------------------------------------------------


def asylum() -> Procedure:
    return builtin_registry().current("asylum", dt.date(2026, 3, 2))


def test_regular_asylum_case() -> None:
    history = events(
        ("opened", "2026-03-02"),
        ("registered", "2026-03-02"),
        ("information_requested", "2026-04-10"),
        ("information_received", "2026-04-20"),
    )
    found = by_code(
        compute_deadlines(asylum(), history, TR, d("2026-04-20"), data={"modality": "regular"})
    )
    assert set(found) == {"interview_regular", "decision_regular"}
    assert found["interview_regular"].due_on == d("2026-04-01")
    assert found["interview_regular"].status == "overdue"
    assert found["interview_regular"].legal_reference == "LFIP Art. 75; RFIP"
    # 6 months = 2 September; 10 days paused = Saturday 12 September -> Monday 14 September.
    decision = found["decision_regular"]
    assert decision.due_on == d("2026-09-14")
    assert decision.binding is False


def test_accelerated_asylum_case_over_eid() -> None:
    history = events(
        ("registered", "2026-03-19"),
        ("interview_held", "2026-03-23"),
    )
    found = by_code(
        compute_deadlines(asylum(), history, TR, d("2026-03-23"), data={"modality": "accelerated"})
    )
    assert set(found) == {"interview_accelerated", "decision_accelerated"}
    # 3 days from Thursday 19 March end on Sunday 22 (Eid) -> Monday 23 March: met.
    assert found["interview_accelerated"].due_on == d("2026-03-23")
    assert found["interview_accelerated"].status == "met"
    assert found["decision_accelerated"].due_on == d("2026-03-30")  # Sat 28 -> Mon 30


def test_detention_maximum_never_rolls_forward() -> None:
    history = events(("registered", "2026-03-02"), ("detention_ordered", "2026-03-20"))
    found = by_code(compute_deadlines(asylum(), history, TR, d("2026-04-15")))
    assert found["detention_maximum"].due_on == d("2026-04-19")  # a Sunday
    assert found["detention_maximum"].legal_reference == "LFIP Art. 68"


def test_appeal_window_follows_the_outcome() -> None:
    history = events(("registered", "2025-09-01"), ("negative_decision_notified", "2026-03-02"))
    data = {"modality": "regular", "decision": {"outcome": "inadmissible"}}
    found = by_code(compute_deadlines(asylum(), history, TR, d("2026-03-03"), data=data))
    assert "appeal_window_regular" not in found
    window = found["appeal_window_accelerated_inadmissible"]
    assert window.due_on == d("2026-03-17")
    assert window.check is True


def test_an_old_case_keeps_its_rules_after_a_change_of_law() -> None:
    """Version 2 (from 2027) shortens the regular interview period; a 2026 case keeps 30 days."""
    v1 = asylum()
    rules = tuple(
        dataclasses.replace(rule, duration=21) if rule.code == "interview_regular" else rule
        for rule in v1.deadlines
    )
    v2 = dataclasses.replace(v1, version=2, effective_from=d("2027-01-01"), deadlines=rules)
    registry = ProcedureRegistry([v1, v2])
    old_case = registry.get("asylum", registry.current("asylum", d("2026-12-01")).version)
    new_case = registry.current("asylum", d("2027-01-04"))
    history = events(("registered", "2027-01-04"))
    old_due = by_code(compute_deadlines(old_case, history, TR, d("2027-01-04")))
    new_due = by_code(compute_deadlines(new_case, history, TR, d("2027-01-04")))
    assert old_due["interview_regular"].due_on == d("2027-02-03")
    assert new_due["interview_regular"].due_on == d("2027-01-25")


@pytest.mark.parametrize("modality", ["prioritised", "simplified"])
def test_prioritised_and_simplified_cases_run_in_the_regular_procedure(modality: str) -> None:
    """Vulnerable applicants (prioritised) and high-recognition caseloads (simplified) keep
    the regular procedure's interview and decision deadlines."""
    history = events(("opened", "2026-03-02"), ("registered", "2026-03-02"))
    found = by_code(
        compute_deadlines(asylum(), history, TR, d("2026-03-03"), data={"modality": modality})
    )
    assert set(found) == {"interview_regular", "decision_regular"}


def test_trafficking_permit_renewals() -> None:
    nrm = builtin_registry().current("trafficking", dt.date(2026, 3, 2))
    history = events(
        ("presumed_victim_identified", "2026-01-05"),
        ("victim_permit_granted", "2026-01-06"),
        ("victim_permit_renewed", "2026-02-04"),
    )
    found = compute_deadlines(nrm, history, TR, d("2026-02-10"))
    summary = {(dl.rule_code, dl.instance): (dl.status, dl.due_on) for dl in found}
    assert summary[("victim_permit_initial", 1)] == ("met", d("2026-02-05"))
    assert summary[("victim_permit_renewal", 1)] == ("open", d("2026-08-04"))
    assert summary[("victim_permit_maximum", 1)] == ("open", d("2029-01-06"))


def removal() -> Procedure:
    return builtin_registry().current("removal", d("2026-03-02"))


def test_a_duration_field_sets_the_period_within_its_maximum() -> None:
    """The voluntary departure period is the length the decision gave (15-30 days); a
    missing or out-of-range length falls back to the maximum."""
    history = events(("voluntary_departure_started", "2026-03-02"))
    for days, due in ((15, "2026-03-17"), ("20", "2026-03-22"), (None, "2026-04-01")):
        data = {"voluntary_departure": {"days": days}}
        found = by_code(compute_deadlines(removal(), history, TR, d("2026-03-03"), data=data))
        assert found["voluntary_departure"].due_on == d(due), days
    data = {"voluntary_departure": {"days": 45}}
    found = by_code(compute_deadlines(removal(), history, TR, d("2026-03-03"), data=data))
    assert found["voluntary_departure"].due_on == d("2026-04-01")


def test_a_duration_field_is_read_when_loading() -> None:
    rule = removal().deadline("detention_maximum_extended")
    assert rule.duration_field == "detention.maximum_months"
    assert rule.duration_for({"detention": {"maximum_months": 9}}) == 9
    assert rule.duration_for({"detention": {"maximum_months": True}}) == 12


def test_removal_detention_maximum_and_its_extension() -> None:
    """Six months from the start of detention, never rolled forward; an extension for
    non-cooperation replaces it with six months plus the extension, counted from the start."""
    history = events(
        ("apprehension_recorded", "2026-01-10"),
        ("detention_started", "2026-01-12"),
        ("review_period_started", "2026-01-12"),
    )
    found = by_code(compute_deadlines(removal(), history, TR, d("2026-07-10")))
    assert found["detention_maximum"].due_on == d("2026-07-12")  # a Sunday: no roll-forward
    assert found["detention_maximum"].status == "due_soon"
    assert "detention_maximum_extended" not in found
    assert found["detention_review"].due_on == d("2026-02-12")
    assert found["detention_review"].status == "overdue"
    assert found["removal_decision"].due_on == d("2026-01-12")
    extended = {"detention": {"extended": True, "maximum_months": 10}}
    found = by_code(compute_deadlines(removal(), history, TR, d("2026-07-10"), data=extended))
    assert "detention_maximum" not in found
    assert found["detention_maximum_extended"].due_on == d("2026-11-12")
