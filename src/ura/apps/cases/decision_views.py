"""The decision panel's forms: draft, edit, submit, return, approve, and the PDF.

Each POST calls one service of ``cases.decisions`` and goes back to the case page's decision
panel with what happened. Outside ATOMIC_REQUESTS like every case page, so that a refused
step's audit event is kept (see ``cases.views``).
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ura.apps.accounts.selectors import acting_user
from ura.apps.cases import decisions, services, workflow


class DraftForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.CharField(label=gettext_lazy("Outcome"), max_length=64)
    language = forms.CharField(label=gettext_lazy("Language of the decision"), max_length=8)
    reasons = forms.CharField(
        label=gettext_lazy("Reasons in brief"), widget=forms.Textarea(attrs={"rows": 3})
    )


class EditForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=gettext_lazy("Text of the decision"), strip=False)


class StepForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReturnForm(StepForm):
    comments = forms.CharField(label=gettext_lazy("What must change"))


def _back(case_id: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("cases:detail", args=[case_id]) + "#decision")


def _run(
    request: HttpRequest,
    case_id: int,
    form: forms.Form,
    step: Callable[[forms.Form], object],
    done: str,
) -> HttpResponse:
    """Validate the form, run the step, report in the page's messages, go back."""
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(case_id)
    try:
        step(form)
    except services.CaseConflictError as conflict:
        messages.error(request, str(conflict))
    except workflow.TransitionRefusedError as refused:
        for failure in refused.failures:
            messages.error(request, failure.detail)
    except PermissionDenied as denied:
        messages.error(request, str(denied) or _("You may not do this."))
    except ValidationError as invalid:
        for error in invalid.messages:
            messages.error(request, error)
    else:
        messages.success(request, done)
    return _back(case_id)


def _case_of(request: HttpRequest, decision_id: int) -> int:
    return decisions.access_decision_by_id(request.user, decision_id).case_id


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def draft(request: HttpRequest, case_id: int) -> HttpResponse:
    def step(form: forms.Form) -> object:
        return decisions.decision_draft(
            actor=acting_user(request.user),
            case_id=case_id,
            expected_version=form.cleaned_data["version"],
            outcome=form.cleaned_data["outcome"],
            language=form.cleaned_data["language"],
            reasons=form.cleaned_data["reasons"],
        )

    return _run(request, case_id, DraftForm(request.POST), step, _("The decision was drafted."))


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def edit(request: HttpRequest, decision_id: int) -> HttpResponse:
    case_id = _case_of(request, decision_id)

    def step(form: forms.Form) -> object:
        return decisions.decision_edit(
            actor=acting_user(request.user),
            decision_id=decision_id,
            expected_revision=form.cleaned_data["revision"],
            text=form.cleaned_data["text"],
        )

    return _run(request, case_id, EditForm(request.POST), step, _("The draft was saved."))


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def submit(request: HttpRequest, decision_id: int) -> HttpResponse:
    case_id = _case_of(request, decision_id)

    def step(form: forms.Form) -> object:
        return decisions.decision_submit(
            actor=acting_user(request.user),
            decision_id=decision_id,
            expected_version=form.cleaned_data["version"],
        )

    done = _("The decision was submitted for approval.")
    return _run(request, case_id, StepForm(request.POST), step, done)


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def return_(request: HttpRequest, decision_id: int) -> HttpResponse:
    case_id = _case_of(request, decision_id)

    def step(form: forms.Form) -> object:
        return decisions.decision_return(
            actor=acting_user(request.user),
            decision_id=decision_id,
            expected_version=form.cleaned_data["version"],
            comments=form.cleaned_data["comments"],
        )

    done = _("The decision was returned to its drafter.")
    return _run(request, case_id, ReturnForm(request.POST), step, done)


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def approve(request: HttpRequest, decision_id: int) -> HttpResponse:
    case_id = _case_of(request, decision_id)

    def step(form: forms.Form) -> object:
        return decisions.decision_approve(
            actor=acting_user(request.user),
            decision_id=decision_id,
            expected_version=form.cleaned_data["version"],
        )

    done = _("The decision was approved; it is final and its PDF is with the case's documents.")
    return _run(request, case_id, StepForm(request.POST), step, done)


@login_required
@require_http_methods(["GET"])
def pdf(request: HttpRequest, decision_id: int) -> HttpResponse:
    return decision_pdf_response(request, decision_id)


def decision_pdf_response(request: HttpRequest, decision_id: int) -> HttpResponse:
    """The decision's PDF as a download: the locked file once approved, else a preview
    marked as a draft (the case's read is audited by the access loader)."""
    decision = decisions.access_decision_by_id(request.user, decision_id)
    content, final = decisions.decision_pdf(decision)
    kind = "decision" if final else "draft"
    name = f"{decision.case.reference}-{kind}-{decision.outcome}.{decision.language}.pdf"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
