"""Pages of the returns app: thin; access, the data categories a partner may see and audit
live in the services, selectors and the case engine.

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
from ura.apps.cases import handoffs, workflow
from ura.apps.cases.access import access_case_by_id
from ura.apps.cases.procedure_labels import case_state_label
from ura.apps.cases.services import CaseConflictError
from ura.apps.returns import actions, selectors
from ura.apps.returns.roles import COUNSEL, REINTEGRATE
from ura.casework import reintegration

CONFLICT = _(
    "Someone else changed this case while you were working on it. Reload it and try again."
)


def _case(request: HttpRequest, case_id: int, *, shown: bool = True) -> Any:
    case = access_case_by_id(request.user, case_id, shown=shown)
    if case.procedure_code != selectors.PROCEDURE:
        raise Http404("No such return case.")
    return case


def _guard_text(code: str, detail: str) -> str:
    texts = {
        "permission": _("Your role does not allow this step."),
        "required": _("Information is missing: %(detail)s") % {"detail": detail},
        "consent": _("The person's consent is needed first."),
        "four_eyes": _("A second person must do this step; you did the step before it."),
        "not_allowed_from_state": _("This step is not possible in the case's current state."),
    }
    return str(texts.get(code, detail))


def refusal(form: Any, exc: Exception) -> None:
    """Show why the engine refused, on the form."""
    if isinstance(exc, workflow.TransitionRefusedError):
        for failure in exc.failures:
            form.add_error(None, _guard_text(failure.code, failure.detail))
    elif isinstance(exc, handoffs.ConsentRequiredError):
        form.add_error(None, _("The person has not consented to be referred to this partner."))
    elif isinstance(exc, CaseConflictError):
        form.add_error(None, CONFLICT)
    elif isinstance(exc, ValidationError):
        messages_ = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        for name, texts in messages_.items():
            for text in texts:
                if name in form.fields:
                    form.add_error(name, text)
                else:
                    form.add_error(None, text)
    else:
        form.add_error(None, str(exc) or _("You may not do this."))


@login_required
@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.has_perm(COUNSEL) or user.has_perm(REINTEGRATE)):
        raise PermissionDenied
    cases = selectors.my_cases(actor=user)
    return render(
        request,
        "returns/home.html",
        {"rows": [(c, case_state_label(c)) for c in cases]},
    )


@login_required
@require_http_methods(["GET"])
def referrals(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(REINTEGRATE):
        raise PermissionDenied
    found = selectors.referrals_awaiting(actor=request.user)
    return render(request, "returns/referrals.html", {"referrals": found})


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET"])
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    summary = selectors.case_summary(actor=request.user, case=case)
    return render(request, "returns/case.html", case_context(request, summary))


def case_context(request: HttpRequest, summary: selectors.AvrrSummary) -> dict[str, Any]:
    """What the case page and the case-page panel show."""
    user = request.user
    today = timezone.localdate()
    procedure = workflow.procedure_of(summary.case)
    # The steps open in the case's state that the user's role may take.
    available = set()
    for t in summary.transitions:
        needed = procedure.transition(t["code"]).guards.permission
        if needed is None or user.has_perm(needed):
            available.add(t["code"])
    action_links = []
    for action in actions.ACTIONS.values():
        if action.code in ("travel-document-answer", "deliver", "referral-answer"):
            continue
        if action.transitions and not (set(action.transitions) & available):
            continue
        if not action.transitions and not (
            user.has_perm(_FREE_ACTION_PERMISSION[action.code])
            and _free_action_open(action.code, summary)
        ):
            continue
        action_links.append(action)
    return {
        "case": summary.case,
        "s": summary,
        "today": today,
        "actions": action_links,
        "categories": [
            (code, selectors.category_label(code), code in summary.categories)
            for code in sorted(selectors.ALL_CATEGORIES)
        ],
        "deliver_form": actions.form_for(actions.ACTIONS["deliver"]),
        "answer_form": actions.form_for(actions.ACTIONS["travel-document-answer"]),
        "referral_form": actions.form_for(
            actions.ACTIONS["referral-answer"], initial={"version": summary.case.version}
        ),
        "dimensions": reintegration.DIMENSIONS,
        "sustainable_from": reintegration.SUSTAINABLE_FROM,
    }


#: The permission each action outside the procedure's transitions needs.
_FREE_ACTION_PERMISSION = {
    "trafficking-link": COUNSEL,
    "pre-departure": COUNSEL,
    "travel-document": COUNSEL,
    "refer-partner": COUNSEL,
    "assistance": REINTEGRATE,
}


def _free_action_open(code: str, summary: selectors.AvrrSummary) -> bool:
    """Actions that are not transitions: when they make sense."""
    state = summary.case.state
    if not summary.owner_view and code not in ("assistance",):
        return False
    return {
        "trafficking-link": state not in ("closed", "withdrawn", "not_eligible")
        and summary.screening is not None
        and summary.screening.trafficking_victim,
        "pre-departure": state == "pre_departure",
        "travel-document": state == "pre_departure",
        "refer-partner": state in ("pre_departure", "departed", "arrived"),
        "assistance": state in ("reintegration", "monitoring"),
    }.get(code, False)


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def action(request: HttpRequest, case_id: int, code: str) -> HttpResponse:
    chosen = actions.ACTIONS.get(code)
    if chosen is None:
        raise Http404("No such action.")
    case = _case(request, case_id, shown=request.method == "GET")
    data = request.POST if request.method == "POST" else None
    form = actions.form_for(chosen, data, initial={"version": case.version, **_initial(chosen)})
    if request.method == "POST" and form.is_valid():
        try:
            chosen.perform(
                acting_user(request.user),
                case.pk,
                form.cleaned_data["version"],
                form.cleaned_data,
                form,
            )
        except (
            workflow.TransitionRefusedError,
            handoffs.ConsentRequiredError,
            CaseConflictError,
            ValidationError,
            PermissionDenied,
        ) as exc:
            refusal(form, exc)
        else:
            messages.success(request, _("Recorded."))
            if code == "referral-answer" and not form.cleaned_data["accept"]:
                return redirect("returns:referrals")
            return redirect("returns:case", case_id=case.pk)
    return render(
        request,
        "returns/action.html",
        {"case": case, "form": form, "title": chosen.title, "help": chosen.form.help},
    )


def _initial(chosen: actions.CaseAction) -> dict[str, Any]:
    today = timezone.localdate()
    names = {
        "held_on",
        "screened_on",
        "lodged_on",
        "requested_on",
        "answered_on",
        "date",
        "assessed_on",
        "planned_on",
        "delivered_on",
        "visited_on",
    }
    return {n: today for n in names if n in chosen.form.base_fields}
