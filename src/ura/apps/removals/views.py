"""Pages of the removals app: thin; access, rules and audit live in the services, selectors
and the case engine.

Pages that load a case run outside ATOMIC_REQUESTS: the access loaders audit a refused
attempt and then raise, and a request-wide transaction would roll that event back. Writes run
in the services' own transactions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ura.apps.accounts.selectors import acting_user
from ura.apps.cases import workflow
from ura.apps.cases.access import access_case_by_id
from ura.apps.cases.procedure_labels import transition_label
from ura.apps.cases.services import CaseConflictError
from ura.apps.removals import forms, selectors, services
from ura.apps.removals.panels import removal_panel
from ura.apps.removals.roles import MANAGE

CONFLICT = _(
    "Someone else changed this case while you were working on it. Reload it and try again."
)


def _case(request: HttpRequest, case_id: int, *, shown: bool = True) -> Any:
    case = access_case_by_id(request.user, case_id, shown=shown)
    if case.procedure_code != selectors.PROCEDURE:
        raise Http404("No such removal case.")
    return case


def _guard_text(code: str, detail: str) -> str:
    texts = {
        "permission": _("Your role does not allow this step."),
        "required": _("Information is missing: %(detail)s") % {"detail": detail},
        "not_allowed_from_state": _("This step is not possible in the case's current state."),
    }
    return str(texts.get(code, detail))


def refusal_shown(form: Any, exc: Exception) -> None:
    """Show why the engine or a rule refused, on the form."""
    if isinstance(exc, workflow.TransitionRefusedError):
        for failure in exc.failures:
            form.add_error(None, _guard_text(failure.code, failure.detail))
    elif isinstance(exc, CaseConflictError):
        form.add_error(None, CONFLICT)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc)
    else:
        form.add_error(None, str(exc) or _("You may not do this."))


def step_submit(actor: Any, case_id: int, transition: str, form: forms.StepForm) -> None:
    """Hand a valid step form to its service (the pages and the API share this)."""
    d = form.cleaned_data
    if isinstance(form, forms.TravelDocumentRequestForm):
        services.travel_document_request(
            actor=actor,
            case_id=case_id,
            expected_version=d["version"],
            country=d["country"],
            consulate=d["consulate"],
            requested_on=d["requested_on"],
        )
    elif isinstance(form, forms.ConsulateAnswerForm):
        services.consulate_answer(
            actor=actor,
            case_id=case_id,
            expected_version=d["version"],
            request_number=d["request_number"],
            answer=d["answer"],
            answered_on=d["answered_on"],
            document_kind=d["document_kind"],
            document_number=d["document_number"],
        )
    else:
        services.step_record(
            actor=actor,
            case_id=case_id,
            expected_version=d["version"],
            transition=transition,
            data_changes=form.data_changes(),
            occurred_on=form.occurred_on(),
        )


@login_required
@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied
    return render(request, "removals/home.html", {"rows": selectors.my_cases(actor=request.user)})


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET"])
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    context = removal_panel(request, case)[0].context
    # Steps the removal itself implies (the end of detention on removal) have no form.
    steps = [t for t in context["summary"].transitions if t["code"] in forms.STEP_FORMS]
    return render(request, "removals/case.html", {"case": case, "steps": steps, **context})


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, case_id: int, transition: str) -> HttpResponse:
    form_class = forms.STEP_FORMS.get(transition)
    if form_class is None:
        raise Http404("No such step.")
    case = _case(request, case_id, shown=request.method == "GET")
    form = form_class(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        try:
            step_submit(acting_user(request.user), case.pk, transition, form)
        except (
            workflow.TransitionRefusedError,
            CaseConflictError,
            ValidationError,
            PermissionDenied,
        ) as exc:
            refusal_shown(form, exc)
        else:
            messages.success(request, _("Recorded."))
            return redirect("removals:case", case_id=case.pk)
    procedure = workflow.procedure_of(case)
    return render(
        request,
        "removals/step.html",
        {
            "case": case,
            "form": form,
            "title": transition_label(procedure, transition),
            "help": form_class.help,
            "summary": selectors.case_summary(case=case),
        },
    )
