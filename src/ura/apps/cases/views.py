"""Case pages: the work queue, the case list, notifications, opening a case (search before
create) and the case page with its transitions. The case page's other write forms are in
``write_views``; the supervisors' and administrators' pages in ``supervision_views``.

Thin: need-to-know, locking, history and audit live in ``access``, ``services``,
``handoffs``, ``selectors`` and ``overview``. Every write is a POST carrying the case version
the user read; a stale version changes nothing and says so.

The pages that load a case run outside ATOMIC_REQUESTS, as the people pages do: the access
loader audits a refused attempt and then raises, and a request-wide transaction would roll
that audit event back with the error. Writes run in the services' own transactions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ura.apps.accounts.policy import active_assignments, can_create, role_permissions
from ura.apps.accounts.selectors import acting_user
from ura.apps.cases import overview, panels, procedure_labels, selectors, services, workflow
from ura.apps.cases.access import access_case_by_id, may
from ura.apps.cases.forms import (
    AssignForm,
    CaseCreateForm,
    CaseSearchForm,
    ConsentForm,
    DocumentForm,
    NoteForm,
    PersonSearchForm,
    TaskForm,
    TransitionForm,
)
from ura.apps.cases.models import (
    Case,
    CaseEventKind,
    ReferralStatus,
    TransferStatus,
    Vulnerability,
)
from ura.apps.cases.roles import ASSIGN, OVERRIDE_CONSENT
from ura.apps.core.protected import Masked, visible_value
from ura.apps.core.services import audit_reads_at_end
from ura.apps.people import index
from ura.apps.people.selectors import person_ids_visible, person_names
from ura.casework.procedures import GuardFailure, Procedure, UnknownProcedureError

#: Where the history stands among the case page's sections (``panels.Panel.order``).
HISTORY_ORDER = 500

#: What the person search shows of each record (masked where the user may not see it).
RECORD_FIELDS = (
    "family_name",
    "given_names",
    "sex",
    "date_of_birth",
    "nationality",
    "document_number",
)


def conflict_message() -> str:
    return _(
        "Someone changed this case while you were working on it. Reload the page to see "
        "their changes, then try again."
    )


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _filter_query(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _procedure(case: Case) -> Procedure | None:
    try:
        return workflow.procedure_of(case)
    except UnknownProcedureError:
        return None


def may_read_procedures(user: Any) -> bool:
    """Administrators (staff, or the administrator role) and supervisors read the rules."""
    if getattr(user, "is_staff", False) or user.has_perm(ASSIGN):
        return True
    return any(a.role.code == "administrator" for a in active_assignments(user))


def _procedure_choices(on: dt.date) -> list[tuple[str, str]]:
    registry = workflow.registry()
    choices = []
    for code in registry.codes():
        try:
            current = registry.current(code, on)
        except UnknownProcedureError:
            continue
        choices.append((code, f"{current.title} (v{current.version})"))
    return choices


# --- Work queue, list, notifications -------------------------------------------------------------


_DEADLINE_RANK = {"overdue": 0, "due_soon": 1}


@login_required
@require_http_methods(["GET"])
def queue(request: HttpRequest) -> HttpResponse:
    """The user's open cases — those with an overdue deadline first, then due soon, then the
    rest in the work queue's order (priority, nearest deadline, age) — their open tasks and
    how many notifications wait."""
    unit_wide = request.GET.get("unit") == "1"
    with audit_reads_at_end():  # the cases shown are audited once the page is built
        cases = selectors.work_queue(actor=request.user, unit_wide=unit_wide)
        nearest = overview.next_deadlines(cases=cases)
        # A stable sort: within each band the work queue's own order stays.
        ordered = sorted(
            cases,
            key=lambda c: _DEADLINE_RANK.get(nearest[c.pk].status, 2) if c.pk in nearest else 2,
        )
        rows = [
            {
                "case": c,
                "state": procedure_labels.case_state_label(c),
                "deadline": nearest.get(c.pk),
            }
            for c in ordered
        ]
        return render(
            request,
            "cases/queue.html",
            {
                "rows": rows,
                "unit_wide": unit_wide,
                "tasks": overview.open_tasks(actor=request.user),
                "unread": overview.unread_notifications(actor=request.user),
                "can_create": can_create(request.user, Case),
            },
        )


@login_required
@require_http_methods(["GET"])
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseSearchForm(
        request.GET or None,
        procedures=[
            (code, workflow.registry().versions(code)[-1].title)
            for code in workflow.registry().codes()
        ],
        units=overview.agency_units(actor=request.user),
    )
    filters = selectors.CaseFilters()
    unit_id: int | None = None
    overdue = False
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.CaseFilters(
            q=data["q"],
            procedure=data["procedure"],
            state=data["state"],
            priority=data["priority"],
            open_only=data["open_only"],
        )
        unit_id = int(data["unit"]) if data["unit"] else None
        overdue = data["overdue"]
    with audit_reads_at_end():  # the cases shown are audited once the page is built
        page = overview.case_search(
            actor=request.user,
            filters=filters,
            unit_id=unit_id,
            overdue_only=overdue,
            page=_page_number(request),
        )
        return render(
            request,
            "cases/list.html",
            {
                "form": form,
                "page": page,
                "rows": [(c, procedure_labels.case_state_label(c)) for c in page.object_list],
                "query": _filter_query(request),
                "can_create": can_create(request.user, Case),
            },
        )


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.notification_mark_read(
                actor=acting_user(request.user),
                notification_id=int(request.POST.get("notification", "0")),
            )
        except (ValidationError, ValueError):
            messages.error(request, _("No such notification."))
        return redirect("cases:notifications")
    return render(
        request,
        "cases/notifications.html",
        {"notifications": selectors.notifications_for(actor=request.user)},
    )


# --- Opening a case: search before create --------------------------------------------------------


def _record_row(user: Any, record: Any) -> list[Any]:
    row = []
    for name in RECORD_FIELDS:
        value = visible_value(user, record, name)
        if name == "date_of_birth" and not isinstance(value, Masked):
            value = record.date_of_birth_text()
        elif name == "sex" and isinstance(value, str):
            value = record.get_sex_display()
        row.append(value)
    return row


def _record_headers(records: list[Any]) -> list[Any]:
    if not records:
        return []
    meta = records[0]._meta
    return [meta.get_field(name).verbose_name for name in RECORD_FIELDS]


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    """Step 1 (``?name=…``): find the person in the person index, with the cases already
    open for each candidate. Step 2 (``?person_id=…``): choose the procedure and open the
    case. A case is always about a person of the index: no candidate, no case."""
    if not can_create(request.user, Case):
        raise PermissionDenied
    today = timezone.localdate()
    person_id = request.POST.get("person_id") or request.GET.get("person_id", "")
    if person_id:
        return _create_step_two(request, person_id[:16], today)
    search = PersonSearchForm(request.GET or None)
    candidates: list[dict[str, Any]] = []
    headers: list[Any] = []
    searched = bool(request.GET) and search.is_valid()
    if searched:
        data = search.cleaned_data
        found = index.person_search(
            actor=request.user,
            query=index.SearchQuery(
                name=data.get("name") or "",
                date_of_birth=data.get("date_of_birth"),
                year_of_birth=data.get("year_of_birth"),
                document_number=data.get("document_number") or "",
            ),
        )
        open_cases = overview.open_cases_of_persons(
            actor=request.user, person_ids=[c.person_id for c in found]
        )
        candidates = [
            {
                "candidate": c,
                "rows": [(r, _record_row(request.user, r)) for r in c.records],
                "open_cases": [
                    (case, procedure_labels.case_state_label(case))
                    for case in open_cases.get(c.person_id, [])
                ],
            }
            for c in found
        ]
        headers = _record_headers([r for c in found for r in c.records])
    return render(
        request,
        "cases/create_search.html",
        {
            "form": search,
            "searched": searched,
            "candidates": candidates,
            "headers": headers,
            "can_register": request.user.has_perm("people.add_personrecord"),
        },
    )


def _create_step_two(request: HttpRequest, person_id: str, today: dt.date) -> HttpResponse:
    if person_id not in person_ids_visible(actor=request.user, person_ids=[person_id]):
        raise Http404("No such person.")
    form = CaseCreateForm(
        request.POST or None,
        initial={"person_id": person_id},
        procedures=_procedure_choices(today),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_create(
                actor=acting_user(request.user),
                procedure_code=data["procedure"],
                person_id=person_id,
                priority=data["priority"],
                vulnerabilities=data["vulnerabilities"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Case %(reference)s opened.") % {"reference": case.reference}
            )
            return redirect("cases:detail", case_id=case.pk)
    open_cases = overview.open_cases_of_persons(actor=request.user, person_ids=[person_id])
    return render(
        request,
        "cases/create_form.html",
        {
            "form": form,
            "person_id": person_id,
            "open_cases": [
                (c, procedure_labels.case_state_label(c)) for c in open_cases.get(person_id, [])
            ],
        },
    )


# --- The case page -------------------------------------------------------------------------------


def _guard_messages(
    procedure: Procedure | None, code: str, failures: list[GuardFailure]
) -> list[str]:
    """Each refused guard in words a caseworker acts on."""
    transition = None
    if procedure is not None:
        try:
            transition = procedure.transition(code)
        except KeyError:
            transition = None
    found = []
    for failure in failures:
        if failure.code == "required":
            missing = failure.detail.partition(":")[2].strip()
            found.append(_("Fill in first: %(fields)s.") % {"fields": missing})
        elif failure.code == "permission":
            found.append(
                _("Your roles do not allow this step (it needs %(permission)s).")
                % {"permission": transition.guards.permission if transition else "?"}
            )
        elif failure.code == "consent":
            found.append(
                _(
                    "A person of the case must consent first (%(kind)s): record the consent, "
                    "or give the reason for an override if your role allows one."
                )
                % {"kind": transition.guards.consent if transition else "?"}
            )
        elif failure.code == "four_eyes":
            earlier = transition.guards.four_eyes if transition else None
            label = earlier or "?"
            if earlier:
                label = procedure_labels.transition_label(procedure, earlier)
            found.append(
                _("Whoever did “%(step)s” may not also do this step: a second person must.")
                % {"step": label}
            )
        elif failure.code == "not_allowed_from_state":
            found.append(_("This step is not possible from the case's current state."))
        elif failure.code == "rule":
            found.append(failure.detail)  # the procedure app's own, translated reason
        else:
            found.append(_("There is no such step in this case's procedure."))
    return found


def _transition_entries(
    request: HttpRequest, case: Case, procedure: Procedure | None, bound: TransitionForm | None
) -> list[dict[str, Any]]:
    if procedure is None:  # a procedure no longer shipped: its steps cannot be offered
        return []
    perms = role_permissions(request.user)
    entries = []
    for available in workflow.transitions_available(case):
        code = available["code"]
        guards = procedure.transition(code).guards
        refused_here = bound is not None and bound.initial.get("transition") == code
        # Only the steps the user's roles permit (the permissions the engine's guard checks,
        # services.case_transition): the others would be refused. A step just refused stays,
        # with its form and the reasons.
        if guards.permission and guards.permission not in perms and not refused_here:
            continue
        page = panels.transition_page(request, case, code)
        if page is None and workflow.transition_owner(case.procedure_code, code) is not None:
            continue  # recorded on the procedure app's own panel, never by the generic form
        entry: dict[str, Any] = {
            "code": code,
            "label": procedure_labels.transition_label(procedure, code),
            "url": page,
            "guards": guards,
            "to": procedure_labels.state_label(procedure, available["to"]),
        }
        if page is None:
            entry["form"] = (
                bound
                if refused_here
                else TransitionForm(
                    initial={"version": case.version, "transition": code},
                    required_paths=guards.required,
                    current=_current_values(case.data, guards.required),
                    consent_override=bool(guards.consent) and OVERRIDE_CONSENT in perms,
                    prefix=f"t-{code}",
                )
            )
        entries.append(entry)
    return entries


def _current_values(data: dict[str, Any], paths: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for path in paths:
        node: Any = data.get(path) if path in data else data
        if path not in data:
            for part in path.split("."):
                node = node.get(part) if isinstance(node, dict) else None
        if node is not None and not isinstance(node, dict | list):
            found[path] = str(node)
    return found


def _referral_rows(request: HttpRequest, referrals: list[Any], can_change: bool) -> list[Any]:
    user = request.user
    rows = []
    for r in referrals:
        recipient = getattr(user, "agency_id", None) == r.to_agency_id and (
            r.to_unit_id is None or getattr(user, "unit_id", None) == r.to_unit_id
        )
        referring = getattr(user, "agency_id", None) == r.from_agency_id and can_change
        steps = []
        if recipient and r.status == ReferralStatus.IN_PROGRESS:
            steps += [("accept", _("Accept")), ("reject", _("Reject"))]
        if recipient and r.status == ReferralStatus.ACCEPTED:
            steps.append(("complete", _("Service done")))
        if referring and r.status in (ReferralStatus.IN_PROGRESS, ReferralStatus.ACCEPTED):
            steps.append(("revoke", _("Revoke")))
        rows.append({"referral": r, "steps": steps})
    return rows


def _transfer_rows(request: HttpRequest, transfers: list[Any]) -> list[Any]:
    unit_id = getattr(request.user, "unit_id", None)
    return [
        {
            "transfer": t,
            "steps": [("accept", _("Accept")), ("reject", _("Reject"))]
            if t.status == TransferStatus.REQUESTED and unit_id == t.to_unit_id
            else [],
        }
        for t in transfers
    ]


def _detail_context(
    request: HttpRequest, case: Case, *, bound: TransitionForm | None = None
) -> dict[str, Any]:
    user = request.user
    found = selectors.case_file(case=case, viewer=request.user)
    procedure = _procedure(case)
    can_change = may(user, "change", case)
    initial = {"version": case.version}
    assigned_ids = {a.user_id for a in found.assignments}
    # Those working on a restricted case bring in colleagues themselves (services.case_assign).
    can_assign = ASSIGN in role_permissions(user) or (case.restricted and user.pk in assigned_ids)
    unit_users = overview.assignable_users(unit_id=case.owning_unit_id) if can_assign else []
    recipients = overview.handoff_recipients(actor=user) if can_change else []
    flags = selectors.visible_vulnerabilities(user, case)
    state = (
        procedure.state(case.state)
        if procedure and case.state in {s.code for s in procedure.states}
        else None
    )
    # A restricted case (trafficking) never names its people here: its procedure's panel
    # shows them pseudonymised, and reveals identity only on a reasoned, audited request.
    names = (
        {}
        if case.restricted
        else person_names(actor=user, person_ids=[p.person_id for p in found.persons])
    )
    return {
        "case": case,
        "persons": [(p, names.get(p.person_id)) for p in found.persons],
        "procedure": procedure,
        "state_label": procedure_labels.state_label(procedure, case.state),
        "phase": procedure_labels.phase_label(state.phase) if state else "",
        "may_read_procedures": may_read_procedures(user),
        "vulnerabilities": None if flags is None else [_flag_label(f) for f in flags],
        "file": found,
        "can_change": can_change,
        "can_assign": can_assign,
        "transitions": _transition_entries(request, case, procedure, bound) if can_change else [],
        "note_form": NoteForm(initial=initial, auto_id="note-%s"),
        "document_form": DocumentForm(initial=initial, auto_id="document-%s"),
        "task_form": TaskForm(
            initial=initial, auto_id="task-%s", assignees=[a.user for a in found.assignments]
        ),
        "consent_form": ConsentForm(
            auto_id="consent-%s",
            initial={**initial, "given_on": timezone.localdate()},
            person_ids=[p.person_id for p in found.persons],
            agencies=sorted({(r.agency_id, r.agency_name) for r in recipients}, key=lambda a: a[1]),
        ),
        "referrals": _referral_rows(request, found.referrals, can_change),
        "transfers": _transfer_rows(request, found.transfers),
        "assign_form": AssignForm(
            auto_id="assign-%s",
            initial=initial,
            users=[u for u in unit_users if u.pk not in assigned_ids],
        )
        if can_assign
        else None,
        "history": [
            {
                "event": e,
                "what": e.get_kind_display(),
                "step": procedure_labels.transition_label(procedure, e.transition),
                "from": procedure_labels.state_label(procedure, e.from_state),
                "to": procedure_labels.state_label(procedure, e.to_state),
                "status": e.detail.get("status", "")
                if e.kind in (CaseEventKind.REFERRAL, CaseEventKind.TRANSFER)
                else "",
            }
            for e in found.history
        ],
        # A panel's context is its template's own: rendered apart, so that a procedure app's
        # template reads its variables by name, whatever the case page calls its own. Panels
        # ordered from 500 on come after the history (panels.Panel.order).
        "panels": [
            (
                panel.order >= HISTORY_ORDER,
                panel.title,
                render_to_string(panel.template, dict(panel.context), request=request),
            )
            for panel in panels.panels_for(request, case)
        ],
    }


def _flag_label(flag: str) -> str:
    try:
        return str(Vulnerability(flag).label)
    except ValueError:
        return flag


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET"])
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    # The view is audited once the page is built: the chain head stays free meanwhile.
    with audit_reads_at_end():
        case = access_case_by_id(request.user, case_id)
        return render(request, "cases/detail.html", _detail_context(request, case))


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def case_transition(request: HttpRequest, case_id: int) -> HttpResponse:
    """The generic transition form. A refused guard or a conflict shows the case page again
    with the form as the user filled it and the reasons above it."""
    case = access_case_by_id(request.user, case_id, action="change")
    code = request.POST.get("transition", "")[:64]
    try:
        # A step its procedure app records itself (with the structured data it needs) is
        # never recorded here: the page says where, and the refusal is audited.
        services.step_owner_check(acting_user(request.user), case, code, None, None)
    except workflow.AppOwnedError as owned:
        for text in owned.messages:
            messages.error(request, text)
        return render(request, "cases/detail.html", _detail_context(request, case), status=422)
    procedure = _procedure(case)
    try:
        guards = procedure.transition(code).guards if procedure else None
    except KeyError:
        guards = None
    form = TransitionForm(
        request.POST,
        # The code, kept where the case page looks for the form it shows filled in again.
        initial={"transition": code},
        required_paths=guards.required if guards else (),
        consent_override=bool(guards and guards.consent)
        and OVERRIDE_CONSENT in role_permissions(request.user),
        prefix=f"t-{code}",
    )
    status = 422
    if form.is_valid():
        extra: dict[str, Any] = {}
        if form.cleaned_data.get("occurred_on"):
            extra["occurred_on"] = form.cleaned_data["occurred_on"]
        try:
            services.case_transition(
                actor=acting_user(request.user),
                case_id=case_id,
                transition=code,
                expected_version=form.cleaned_data["version"],
                data_changes=form.data_changes(),
                override_consent_reason=form.cleaned_data.get("override_consent_reason") or "",
                **extra,
            )
        except workflow.TransitionRefusedError as refused:
            for text in _guard_messages(procedure, code, refused.failures):
                form.add_error(None, text)
        except services.CaseConflictError:
            form.add_error(None, conflict_message())
            status = 409
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            label = procedure_labels.transition_label(procedure, code)
            messages.success(request, _("“%(step)s” recorded.") % {"step": label})
            return redirect("cases:detail", case_id=case_id)
    case.refresh_from_db()
    context = _detail_context(request, case, bound=form)
    context["failed_transition"] = code
    return render(request, "cases/detail.html", context, status=status)
