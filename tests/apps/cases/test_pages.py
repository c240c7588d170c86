"""The case pages through HTTP: who sees which page, the work queue's order, search before
create, the generic transition form with its guards and dates, optimistic locking on the
page's forms, and the supervisors' bulk assignment.

The procedure is written for the tests (``ura.casework`` parses it like the shipped ones) so
that they pin the pages' behaviour, not the current law's text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.apps.cases.factories import make_case, make_person
from tests.conftest import login
from tests.factories import make_unit, make_user
from ura.apps.accounts.models import RoleCode, Unit, User
from ura.apps.cases import panels, services, workflow
from ura.apps.cases.models import Case, CaseAssignment, CaseEvent, CaseNote, Notification
from ura.apps.core.models import AuditAction, AuditEvent
from ura.apps.people.models import PersonRecord
from ura.apps.people.services import person_name_keys_refresh
from ura.casework.procedures import ProcedureRegistry, parse_procedure

pytestmark = pytest.mark.django_db

_PROCEDURE = """
code: pagetest
version: 1
effective_from: 2014-04-11
title: Page test procedure
jurisdiction: TR
legal_basis: Law 6458 (test)
consent_override_permission: cases.override_consent
states:
  - {code: registered, label: Registered here, phase: registration}
  - {code: interviewed, label: Interviewed here, phase: determination}
  - {code: decided, label: Decided here, phase: decision, terminal: true}
initial_state: registered
transitions:
  - code: interview
    label: Interview held
    from: [registered]
    to: interviewed
    permission: cases.change_case
    required: [interview.date]
    emits: [interview_held]
  - code: decide
    label: Decide the case
    from: [interviewed]
    to: decided
    permission: cases.approve_case
    four_eyes: interview
deadlines:
  - code: interview_due
    label: Personal interview
    starts_on: opened
    stops_on: [interview_held]
    duration: 30
    unit: calendar_days
    roll_forward: false
    legal_reference: LFIP Art. 75
"""


@pytest.fixture(autouse=True)
def procedures(monkeypatch: pytest.MonkeyPatch) -> ProcedureRegistry:
    registry = ProcedureRegistry([parse_procedure(_PROCEDURE)])
    monkeypatch.setattr(workflow, "registry", lambda: registry)
    return registry


@pytest.fixture
def worker(unit: Unit) -> User:
    return make_user(role=RoleCode.CASEWORKER, unit=unit)


@pytest.fixture
def supervisor(unit: Unit) -> User:
    return make_user(role=RoleCode.SUPERVISOR, unit=unit)


def signed_in(user: User) -> Client:
    """A client signed in as ``user``, past two-factor enrolment for the roles that need it
    (administrators)."""
    client = login(Client(), user)
    if client.get("/accounts/two-factor/").status_code == 200:
        device = TOTPDevice.objects.get(user=user)
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        assert client.post("/accounts/two-factor/", {"token": f"{code:06d}"}).status_code == 302
    return client


def _open(owner: User, opened_on: dt.date | None = None, **values: Any) -> Case:
    return services.case_create(
        actor=owner,
        procedure_code="pagetest",
        person_id=make_person(owner=owner),
        opened_on=opened_on,
        **values,
    )


def _text(response: Any) -> str:
    return str(response.content.decode())


def _transition(case: Case, code: str, version: int, **fields: str) -> dict[str, str]:
    """The generic transition form as the case page posts it."""
    prefix = f"t-{code}-"
    data = {"transition": code, f"{prefix}transition": code, f"{prefix}version": str(version)}
    data.update({f"{prefix}{name}": value for name, value in fields.items()})
    return data


# --- Who sees which page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "role", "status"),
    [
        ("/cases/queue/", RoleCode.CASEWORKER, 200),
        ("/cases/queue/", RoleCode.DATA_STEWARD, 403),
        ("/cases/", RoleCode.CASEWORKER, 200),
        ("/cases/", RoleCode.DATA_STEWARD, 403),
        ("/cases/new/", RoleCode.CASEWORKER, 200),
        ("/cases/new/", RoleCode.PARTNER_NGO, 403),
        ("/cases/dashboard/", RoleCode.SUPERVISOR, 200),
        ("/cases/dashboard/", RoleCode.CASEWORKER, 403),
        ("/cases/procedures/", RoleCode.SUPERVISOR, 200),
        ("/cases/procedures/", RoleCode.ADMINISTRATOR, 200),
        ("/cases/procedures/", RoleCode.CASEWORKER, 403),
        ("/cases/procedures/pagetest/1/", RoleCode.ADMINISTRATOR, 200),
        ("/cases/procedures/pagetest/9/", RoleCode.ADMINISTRATOR, 404),
        ("/cases/notifications/", RoleCode.CASEWORKER, 200),
    ],
)
def test_each_page_answers_by_role(unit: Unit, url: str, role: RoleCode, status: int) -> None:
    client = signed_in(make_user(role=role, unit=unit))
    assert client.get(url).status_code == status


def test_pages_send_the_signed_out_to_sign_in(worker: User) -> None:
    case = _open(worker)
    for url in ("/cases/queue/", "/cases/", f"/cases/{case.pk}/", "/cases/dashboard/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_case_page_shows_the_case_to_its_unit_and_agency_only(
    worker: User, supervisor: User
) -> None:
    case = _open(worker)
    page = login(Client(), worker).get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    text = _text(page)
    assert case.reference in text
    assert "Page test procedure" in text
    assert "Registered here" in text
    assert "LFIP Art. 75" in text
    assert login(Client(), supervisor).get(f"/cases/{case.pk}/").status_code == 200
    stranger = make_user(role=RoleCode.CASEWORKER, unit=make_unit())
    assert login(Client(), stranger).get(f"/cases/{case.pk}/").status_code == 404


def test_the_case_page_names_its_people_but_a_restricted_case_does_not(worker: User) -> None:
    """The person's name comes from their record the user may see (a list view, audited);
    a restricted case shows person ids only, whoever looks."""
    case = _open(worker)
    person_id = case.persons.get().person_id
    record = PersonRecord.objects.get(created_by=worker)
    page = _text(login(Client(), worker).get(f"/cases/{case.pk}/"))
    assert record.family_name in page
    assert AuditEvent.objects.filter(
        action=AuditAction.LIST, object_id=str(record.pk), actor_id=worker.pk
    ).exists()
    hidden = make_case(
        owner=worker, procedure="pagetest", restricted=True, assigned=(worker,), person_id=person_id
    )
    restricted_page = _text(login(Client(), worker).get(f"/cases/{hidden.pk}/"))
    assert person_id in restricted_page
    assert record.family_name not in restricted_page
    # Not even a link to the person's page: identity is revealed only by the procedure's
    # reasoned, audited step.
    assert f"/people/index/{person_id}/" not in restricted_page
    assert f"/people/index/{person_id}/" in page


def test_a_restricted_case_does_not_exist_for_a_colleague_not_assigned(
    worker: User, unit: Unit
) -> None:
    """A trafficking case is 404 for a caseworker of the same unit, for reads and writes
    alike, until they are assigned."""
    colleague = make_user(role=RoleCode.CASEWORKER, unit=unit)
    case = make_case(owner=worker, procedure="pagetest", restricted=True, assigned=(worker,))
    client = login(Client(), colleague)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    response = client.post(f"/cases/{case.pk}/notes", {"version": case.version, "text": "x"})
    assert response.status_code == 404
    assert not CaseNote.objects.filter(case=case).exists()
    assert case.reference not in _text(client.get("/cases/"))
    CaseAssignment.objects.create(case=case, user=colleague, assigned_by=worker)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert login(Client(), worker).get(f"/cases/{case.pk}/").status_code == 200


# --- Work queue and list -------------------------------------------------------------------------


def test_the_work_queue_shows_overdue_cases_first(worker: User) -> None:
    """An urgent case with time left comes after a normal case whose deadline has passed."""
    today = timezone.localdate()
    fresh = _open(worker, opened_on=today, priority="urgent")
    late = _open(worker, opened_on=today - dt.timedelta(days=90))
    text = _text(login(Client(), worker).get("/cases/queue/"))
    assert late.reference in text
    assert fresh.reference in text
    assert text.index(late.reference) < text.index(fresh.reference)
    assert "Overdue" in text


def test_the_work_queue_lists_open_tasks_and_unread_notifications(
    worker: User, supervisor: User
) -> None:
    case = _open(worker)
    services.case_task_add(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        title="Call the interpreter",
        assignee_id=worker.pk,
    )
    case.refresh_from_db()
    services.case_assign(
        actor=supervisor, case_id=case.pk, expected_version=case.version, user_ids=[worker.pk]
    )
    Notification.objects.create(user=worker, case=case, message="Something happened.")
    text = _text(login(Client(), worker).get("/cases/queue/"))
    assert "Call the interpreter" in text
    assert "1 unread notification" in text


def test_the_case_list_searches_by_reference_and_overdue(worker: User) -> None:
    today = timezone.localdate()
    fresh = _open(worker, opened_on=today)
    late = _open(worker, opened_on=today - dt.timedelta(days=90))
    client = login(Client(), worker)
    text = _text(client.get("/cases/", {"q": fresh.reference}))
    assert fresh.reference in text
    assert late.reference not in text
    text = _text(client.get("/cases/", {"overdue": "on"}))
    assert late.reference in text
    assert fresh.reference not in text


def test_notifications_are_listed_and_marked_read(worker: User) -> None:
    case = _open(worker)
    note = Notification.objects.create(user=worker, case=case, message="You were assigned.")
    client = login(Client(), worker)
    assert "You were assigned." in _text(client.get("/cases/notifications/"))
    response = client.post("/cases/notifications/", {"notification": note.pk})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None


# --- Search before create ------------------------------------------------------------------------


def test_search_before_create_finds_the_person_and_their_open_case_then_opens_one(
    worker: User,
) -> None:
    person_id = make_person(owner=worker)
    record = PersonRecord.objects.get(created_by=worker)
    person_name_keys_refresh([record])
    existing = make_case(
        owner=worker, procedure="pagetest", person_id=person_id, assigned=(worker,)
    )
    client = login(Client(), worker)

    found = client.get("/cases/new/", {"name": record.family_name})
    assert found.status_code == 200
    text = _text(found)
    assert person_id in text
    assert existing.reference in text
    assert f"?person_id={person_id}" in text
    assert "/people/new" in text  # the way to register someone who is not found

    form = client.get("/cases/new/", {"person_id": person_id})
    assert form.status_code == 200
    assert existing.reference in _text(form)

    response = client.post(
        "/cases/new/", {"person_id": person_id, "procedure": "pagetest", "priority": "high"}
    )
    assert response.status_code == 302
    case = Case.objects.exclude(pk=existing.pk).get(persons__person_id=person_id)
    assert response["Location"] == f"/cases/{case.pk}/"
    assert (case.procedure_code, case.priority, case.state) == ("pagetest", "high", "registered")


def test_a_case_cannot_be_opened_for_a_person_the_user_cannot_see(worker: User) -> None:
    stranger = make_user(role=RoleCode.CASEWORKER, unit=make_unit())
    person_id = make_person(owner=stranger)
    client = login(Client(), worker)
    assert client.get("/cases/new/", {"person_id": person_id}).status_code == 404
    response = client.post("/cases/new/", {"person_id": person_id, "procedure": "pagetest"})
    assert response.status_code == 404
    assert not Case.objects.exists()


# --- Transitions ---------------------------------------------------------------------------------


def test_the_generic_transition_form_moves_the_case(worker: User) -> None:
    case = _open(worker)
    client = login(Client(), worker)
    page = _text(client.get(f"/cases/{case.pk}/"))
    assert 'name="t-interview-data:interview.date"' in page
    response = client.post(
        f"/cases/{case.pk}/transition",
        _transition(case, "interview", case.version, **{"data:interview.date": "2026-01-20"}),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "interviewed"
    assert case.data == {"interview": {"date": "2026-01-20"}}
    assert "“Interview held” recorded." in _text(client.get(response["Location"]))


def test_the_generic_transition_form_labels_its_fields_in_words(worker: User) -> None:
    case = _open(worker)
    page = _text(login(Client(), worker).get(f"/cases/{case.pk}/"))
    assert '<label for="id_t-interview-data:interview.date">Interview: date</label>' in page
    assert ">interview.date<" not in page


def test_the_case_page_offers_only_the_steps_the_users_roles_permit(
    worker: User, supervisor: User
) -> None:
    """Deciding needs cases.approve_case, which a caseworker's role does not grant: the
    caseworker is not offered the step (the guard would refuse it); the supervisor is."""
    case = _open(worker)
    mine = login(Client(), worker)
    mine.post(
        f"/cases/{case.pk}/transition",
        _transition(case, "interview", 1, **{"data:interview.date": "2026-01-20"}),
    )
    worker_page = _text(mine.get(f"/cases/{case.pk}/"))
    assert "Interviewed here" in worker_page
    assert 'id="step-decide"' not in worker_page
    assert "Needs permission" not in worker_page
    supervisor_page = _text(login(Client(), supervisor).get(f"/cases/{case.pk}/"))
    assert 'id="step-decide"' in supervisor_page


def test_a_failing_guard_is_shown_and_nothing_changes(worker: User) -> None:
    case = _open(worker)
    response = login(Client(), worker).post(
        f"/cases/{case.pk}/transition", _transition(case, "interview", case.version)
    )
    assert response.status_code == 422
    assert "Fill in first: interview.date." in _text(response)
    assert 'href="#step-interview"' in _text(response)  # the summary leads to the form
    case.refresh_from_db()
    assert (case.state, case.version) == ("registered", 1)


def test_four_eyes_refusal_names_the_earlier_step(supervisor: User) -> None:
    """The supervisor who held the interview may not also decide."""
    case = _open(supervisor)
    client = login(Client(), supervisor)
    client.post(
        f"/cases/{case.pk}/transition",
        _transition(case, "interview", 1, **{"data:interview.date": "2026-01-20"}),
    )
    response = client.post(f"/cases/{case.pk}/transition", _transition(case, "decide", 2))
    assert response.status_code == 422
    assert "Whoever did “Interview held” may not also do this step" in _text(response)
    case.refresh_from_db()
    assert case.state == "interviewed"


def test_a_transition_recorded_late_keeps_the_day_it_happened(worker: User) -> None:
    today = timezone.localdate()
    case = _open(worker, opened_on=today - dt.timedelta(days=10))
    happened = today - dt.timedelta(days=2)
    response = login(Client(), worker).post(
        f"/cases/{case.pk}/transition",
        _transition(
            case,
            "interview",
            case.version,
            occurred_on=happened.isoformat(),
            **{"data:interview.date": happened.isoformat()},
        ),
    )
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=case, kind="transition")
    assert event.occurred_on == happened


def test_a_transition_cannot_be_dated_in_the_future(worker: User) -> None:
    case = _open(worker)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = login(Client(), worker).post(
        f"/cases/{case.pk}/transition",
        _transition(
            case,
            "interview",
            case.version,
            occurred_on=tomorrow.isoformat(),
            **{"data:interview.date": "2026-01-20"},
        ),
    )
    assert response.status_code == 422
    assert "cannot be recorded in the future" in _text(response)
    case.refresh_from_db()
    assert case.state == "registered"


# --- Optimistic locking --------------------------------------------------------------------------


def test_a_stale_transition_shows_the_conflict_and_changes_nothing(worker: User) -> None:
    case = _open(worker)
    stale = case.version
    services.case_note_add(actor=worker, case_id=case.pk, expected_version=stale, text="first")
    response = login(Client(), worker).post(
        f"/cases/{case.pk}/transition",
        _transition(case, "interview", stale, **{"data:interview.date": "2026-01-20"}),
    )
    assert response.status_code == 409
    assert "Someone changed this case while you were working on it" in _text(response)
    case.refresh_from_db()
    assert (case.state, case.version, case.data) == ("registered", stale + 1, {})


def test_a_stale_note_shows_the_conflict_and_is_not_stored(worker: User) -> None:
    case = _open(worker)
    client = login(Client(), worker)
    assert client.post(f"/cases/{case.pk}/notes", {"version": 1, "text": "one"}).status_code == 302
    response = client.post(f"/cases/{case.pk}/notes", {"version": 1, "text": "two"}, follow=True)
    assert "Someone changed this case while you were working on it" in _text(response)
    assert list(CaseNote.objects.filter(case=case).values_list("text", flat=True)) == ["one"]


# --- Supervision ---------------------------------------------------------------------------------


def test_bulk_assignment_assigns_the_selected_cases(
    worker: User, supervisor: User, unit: Unit
) -> None:
    first, second, third = (make_case(owner=supervisor, procedure="pagetest") for _ in range(3))
    client = login(Client(), supervisor)
    board = _text(client.get("/cases/dashboard/"))
    for case in (first, second, third):
        assert f'value="{case.pk}:{case.version}"' in board
    response = client.post(
        "/cases/dashboard/",
        {
            "cases": [f"{first.pk}:{first.version}", f"{second.pk}:{second.version}"],
            "user": worker.pk,
        },
    )
    assert response.status_code == 302
    assigned = set(
        CaseAssignment.objects.filter(user=worker, ended_at__isnull=True).values_list(
            "case_id", flat=True
        )
    )
    assert assigned == {first.pk, second.pk}
    assert Notification.objects.filter(user=worker).count() == 2
    board = _text(client.get("/cases/dashboard/"))
    assert f'value="{third.pk}:' in board
    assert f'value="{first.pk}:' not in board


def test_bulk_assignment_with_a_stale_case_assigns_none(worker: User, supervisor: User) -> None:
    first, second = (
        make_case(owner=supervisor, procedure="pagetest"),
        make_case(owner=supervisor, procedure="pagetest"),
    )
    services.case_note_add(actor=supervisor, case_id=second.pk, expected_version=1, text="x")
    response = login(Client(), supervisor).post(
        "/cases/dashboard/",
        {"cases": [f"{first.pk}:1", f"{second.pk}:1"], "user": worker.pk},
    )
    assert response.status_code == 200
    assert "nothing was assigned" in _text(response)
    assert not CaseAssignment.objects.filter(user=worker).exists()


def test_the_dashboard_counts_overdue_work_per_unit_and_person(
    worker: User, supervisor: User
) -> None:
    _open(worker, opened_on=timezone.localdate() - dt.timedelta(days=90))
    board = login(Client(), supervisor).get("/cases/dashboard/")
    assert board.status_code == 200
    (unit_load,) = board.context["board"].units
    assert (unit_load.open_cases, unit_load.overdue) == (1, 1)
    (user_load,) = board.context["board"].users
    assert (user_load.username, user_load.overdue) == (worker.username, 1)


def test_the_dashboard_does_not_count_restricted_cases_the_supervisor_cannot_see(
    worker: User, supervisor: User
) -> None:
    make_case(owner=worker, procedure="pagetest", restricted=True, assigned=(worker,))
    board = login(Client(), supervisor).get("/cases/dashboard/")
    assert board.context["board"].units == []
    assert board.context["board"].unassigned_total == 0


# --- What procedure apps add ---------------------------------------------------------------------


def test_registered_panels_and_transition_pages_appear_on_the_case_page(
    worker: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A procedure app's panel is rendered with its own context, in order (history after
    order 500); a transition with its own page is linked there instead of the generic form."""
    monkeypatch.setattr(panels, "_panels", {})
    monkeypatch.setattr(panels, "_transition_pages", {})
    panels.register_panel(
        "pagetest",
        lambda request, case: [
            panels.Panel(
                "Late panel", "cases/_folded.html", {"case": case, "title": "Late form"}, order=600
            ),
            panels.Panel(
                "Early panel",
                "cases/_folded.html",
                {"case": case, "title": "Early form"},
                order=200,
            ),
        ],
    )
    panels.register_transition_page("pagetest", "interview", lambda request, case: "/elsewhere/")
    case = _open(worker)
    text = _text(login(Client(), worker).get(f"/cases/{case.pk}/"))
    early, history, late = (text.index(s) for s in ("Early panel", "<h2>History", "Late panel"))
    assert early < history < late
    assert "Early form" in text[early:history]
    assert "Late form" in text[late:]
    assert 'href="/elsewhere/"' in text
    assert "t-interview-data:interview.date" not in text


def test_a_deadline_status_is_shown_in_words_strong_when_pressing() -> None:
    shown = Template("{% load cases %}{{ status|deadline_status }}")
    assert shown.render(Context({"status": "overdue"})) == "<strong>Overdue</strong>"
    assert shown.render(Context({"status": "due_soon"})) == "<strong>Due soon</strong>"
    assert shown.render(Context({"status": "met_late"})) == "Met late"
    assert shown.render(Context({"status": "<b>new</b>"})) == "&lt;b&gt;new&lt;/b&gt;"
