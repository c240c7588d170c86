"""Pages of the readmission app: thin; access, the agreement's rules and audit live in the
services, selectors and the case engine.

Pages that load a case run outside ATOMIC_REQUESTS: the access loaders audit a refused
attempt and then raise, and a request-wide transaction would roll that event back. Their
writes run in the services' own transactions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ura.apps.accounts.selectors import acting_user
from ura.apps.cases import workflow
from ura.apps.cases.access import access_case_by_id
from ura.apps.cases.procedure_labels import case_state_label, transition_label, translate
from ura.apps.cases.services import CaseConflictError
from ura.apps.readmission import forms, selectors, services
from ura.apps.readmission.roles import DEEMED_CONSENT, MANAGE, VIEW_DASHBOARD

CONFLICT = _(
    "Someone else changed this request while you were working on it. Reload it and try again."
)
_GUARDS = {
    "permission": _("Your role does not allow this step."),
    "not_allowed_from_state": _("This step is not possible in the request's current state."),
}


def _case(request: HttpRequest, case_id: int, *, shown: bool = True) -> Any:
    case = access_case_by_id(request.user, case_id, shown=shown)
    if case.procedure_code != selectors.PROCEDURE:
        raise Http404("No such readmission request.")
    return case


def _refusal(form: Any, exc: Exception) -> None:
    """Show why the engine or the agreement refused, on the form."""
    if isinstance(exc, workflow.TransitionRefusedError):
        for failure in exc.failures:
            text = _GUARDS.get(failure.code)
            if failure.code == "required":
                text = _("Information is missing: %(detail)s") % {"detail": failure.detail}
            form.add_error(None, str(text or failure.detail))
    elif isinstance(exc, CaseConflictError):
        form.add_error(None, CONFLICT)
    elif isinstance(exc, ValidationError):
        for messages_ in exc.message_dict.values():
            for message in messages_:
                form.add_error(None, message)
    else:
        form.add_error(None, str(exc) or _("You may not do this."))


def _back(case_id: int) -> HttpResponse:
    return redirect("cases:detail", case_id=case_id)


@login_required
@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied
    state = request.GET.get("state", "")
    cases = list(selectors.requests_of(actor=request.user, state=state)[:200])
    rows = []
    for case in cases:
        data = case.data.get("request") or {}
        rows.append(
            {
                "case": case,
                "state": case_state_label(case),
                "counterpart": selectors.country_name(str(data.get("counterpart", ""))),
                "procedure": services.REGIMES.get(str(data.get("procedure")), ""),
            }
        )
    return render(
        request,
        "readmission/home.html",
        {
            "rows": rows,
            "state": state,
            "states": [
                (s.code, translate("state", s.label))
                for s in workflow.registry()
                .current(selectors.PROCEDURE, timezone.localdate())
                .states
            ],
            "may_deem": request.user.has_perm(DEEMED_CONSENT),
            "may_see_dashboard": request.user.has_perm(VIEW_DASHBOARD),
        },
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def draft(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied
    form = forms.DraftForm(
        request.POST or None,
        initial={"person_id": request.GET.get("person", ""), "procedure": "regular"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.request_draft(
                actor=acting_user(request.user),
                person_id=data["person_id"],
                agreement=data["agreement"],
                counterpart=data["counterpart"],
                regime=data["procedure"],
                grounds=data["grounds"],
                evidence=data["evidence"],
                nationality=data["nationality"],
                apprehended_on=data["apprehended_on"],
                apprehension_place=data["apprehension_place"],
                border_region=data["border_region"],
                notes=data["notes"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("Request drafted. Check the form, then send it."))
            return _back(case.pk)
    return render(
        request,
        "readmission/draft.html",
        {"form": form, "agreements": selectors.agreements_in_force()},
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET"])
def form_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        pdf = services.request_form_pdf(actor=acting_user(request.user), case_id=case_id)
    except ValidationError:
        messages.error(request, _("The request names no agreement the system knows."))
        return _back(case_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="readmission-request-{case_id}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def send(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, shown=request.method == "GET")
    form = forms.SendForm(
        request.POST or None, initial={"version": case.version, "sent_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.request_send(
                actor=acting_user(request.user),
                case_id=case.pk,
                expected_version=form.cleaned_data["version"],
                sent_on=form.cleaned_data["sent_on"],
            )
        except (
            workflow.TransitionRefusedError,
            CaseConflictError,
            ValidationError,
            PermissionDenied,
        ) as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("Request sent; the form is kept with the case."))
            return _back(case.pk)
    return render(
        request,
        "readmission/step.html",
        {
            "case": case,
            "form": form,
            "title": _("Send the request on the common form"),
            "preview": True,
        },
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, case_id: int, transition: str) -> HttpResponse:
    if transition not in services.STEP_FIELDS:
        raise Http404("No such step.")
    case = _case(request, case_id, shown=request.method == "GET")
    form = forms.StepForm(
        request.POST or None, transition=transition, initial={"version": case.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.step_record(
                actor=acting_user(request.user),
                case_id=case.pk,
                transition=transition,
                expected_version=form.cleaned_data["version"],
                values=form.values(),
            )
        except (
            workflow.TransitionRefusedError,
            CaseConflictError,
            ValidationError,
            PermissionDenied,
        ) as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("Recorded."))
            return _back(case.pk)
    return render(
        request,
        "readmission/step.html",
        {
            "case": case,
            "form": form,
            "title": transition_label(workflow.procedure_of(case), transition),
        },
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def deemed_consent(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, shown=request.method == "GET")
    form = forms.VersionForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.deemed_consent_apply(
                actor=acting_user(request.user),
                case_id=case.pk,
                expected_version=form.cleaned_data["version"],
            )
        except (
            workflow.TransitionRefusedError,
            CaseConflictError,
            ValidationError,
            PermissionDenied,
        ) as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("Deemed consent applied."))
            return _back(case.pk)
    return render(
        request,
        "readmission/step.html",
        {
            "case": case,
            "form": form,
            "title": _("Apply deemed consent (no reply within the time limit)"),
            "summary": selectors.request_summary(case=case),
        },
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def deemed_consent_due(request: HttpRequest) -> HttpResponse:
    done = services.deemed_consent_apply_due(actor=acting_user(request.user))
    if done:
        messages.success(
            request,
            _("Deemed consent applied to: %(refs)s.")
            % {"refs": ", ".join(c.reference for c in done)},
        )
    else:
        messages.info(request, _("No request is due for deemed consent."))
    return redirect("readmission:home")


@login_required
@require_http_methods(["GET"])
def dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW_DASHBOARD):
        raise PermissionDenied
    form = forms.PeriodForm(request.GET or None)
    since, until, counterpart = form.period()
    figures = selectors.dashboard(
        actor=request.user, since=since, until=until, counterpart=counterpart
    )
    return render(
        request,
        "readmission/dashboard.html",
        {"form": form, "figures": figures},
    )
