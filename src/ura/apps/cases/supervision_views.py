"""Pages for supervisors and administrators: the agency's caseload with bulk assignment, and
the procedures' rules (read-only: rules are versioned files, docs/procedures.md)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from ura.apps.accounts.selectors import acting_user
from ura.apps.cases import overview, services, workflow
from ura.apps.cases.forms import BulkAssignForm
from ura.apps.cases.procedure_labels import case_state_label, latest_state_label, translate
from ura.apps.cases.roles import ASSIGN
from ura.apps.cases.views import may_read_procedures
from ura.casework.procedures import UnknownProcedureError

# --- Supervision ---------------------------------------------------------------------------------


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def dashboard(request: HttpRequest) -> HttpResponse:
    """The agency's open caseload for supervisors, and bulk assignment of selected cases."""
    if not request.user.has_perm(ASSIGN):
        raise PermissionDenied
    users = overview.assignable_users(agency_id=getattr(request.user, "agency_id", None))
    form = BulkAssignForm(request.POST or None, users=users)
    if request.method == "POST":
        if form.is_valid():
            try:
                assigned = services.cases_assign_bulk(
                    actor=acting_user(request.user),
                    cases=form.case_versions(),
                    user_ids=[form.cleaned_data["user"]],
                )
            except services.CaseConflictError:
                messages.error(
                    request,
                    _(
                        "One of the cases changed after this page was shown; nothing was "
                        "assigned. Look again and repeat."
                    ),
                )
            except ValidationError as exc:
                for text in exc.messages:
                    messages.error(request, text)
            else:
                messages.success(
                    request,
                    ngettext("%(n)d case assigned.", "%(n)d cases assigned.", len(assigned))
                    % {"n": len(assigned)},
                )
                return redirect("cases:dashboard")
        else:
            for errors in form.errors.values():
                messages.error(request, " ".join(str(e) for e in errors))
    board = overview.dashboard(actor=request.user)
    return render(
        request,
        "cases/dashboard.html",
        {
            "board": board,
            "form": form,
            "users": users,
            "unassigned": [(c, case_state_label(c)) for c in board.unassigned],
            "state_columns": [
                (code, state, _state_name(code, state)) for code, state in board.states
            ],
            "rows": [(u, [u.by_state.get(key, 0) for key in board.states]) for u in board.units],
        },
    )


def _state_name(procedure_code: str, state: str) -> str:
    """A state's label in the procedure's latest version (a dashboard mixes versions)."""
    try:
        versions = workflow.registry().versions(procedure_code)
    except UnknownProcedureError:
        return state
    return latest_state_label(versions, state)


# --- Procedures ----------------------------------------------------------------------------------


def _require_procedure_reader(request: HttpRequest) -> None:
    if not may_read_procedures(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET"])
def procedure_list(request: HttpRequest) -> HttpResponse:
    _require_procedure_reader(request)
    registry = workflow.registry()
    rows = []
    for code in registry.codes():
        versions = registry.versions(code)
        for i, procedure in enumerate(versions):
            later = versions[i + 1] if i + 1 < len(versions) else None
            rows.append(
                {
                    "procedure": procedure,
                    "until": later.effective_from - dt.timedelta(days=1) if later else None,
                }
            )
    return render(request, "cases/procedures.html", {"rows": rows})


@login_required
@require_http_methods(["GET"])
def procedure_detail(request: HttpRequest, code: str, version: int) -> HttpResponse:
    _require_procedure_reader(request)
    registry = workflow.registry()
    try:
        procedure = registry.get(code, version)
    except UnknownProcedureError as exc:
        raise Http404("No such procedure version.") from exc
    later = [p for p in registry.versions(code) if p.version > version]
    labels = {s.code: translate("state", s.label) for s in procedure.states}
    steps = {t.code: translate("transition", t.label) for t in procedure.transitions}
    return render(
        request,
        "cases/procedure.html",
        {
            "procedure": procedure,
            "until": later[0].effective_from - dt.timedelta(days=1) if later else None,
            "transitions": [
                {
                    "t": t,
                    "from": [_("any open state")]
                    if t.from_any
                    else [labels.get(s, s) for s in t.sources],
                    "to": labels.get(t.to, t.to) if t.to else _("(stays in its state)"),
                    "four_eyes": steps.get(t.guards.four_eyes or "", ""),
                }
                for t in procedure.transitions
            ],
            "rules": [
                {
                    "rule": rule,
                    "applies_when": [
                        ", ".join(
                            f"{name} = {' / '.join('—' if v is None else str(v) for v in values)}"
                            for name, values in clause.items()
                        )
                        for clause in (rule.applies_when.clauses if rule.applies_when else ())
                    ],
                }
                for rule in procedure.deadlines
            ],
        },
    )
