"""Pages of the trafficking app: thin; access, masking and audit live in the services,
selectors and the case engine.

Pages that load a case run outside ATOMIC_REQUESTS: the access loaders audit a refused
attempt and then raise, and a request-wide transaction would roll that event back. Their
writes run in the services' own transactions.
"""

from __future__ import annotations

import io
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

from ura.apps.accounts.selectors import acting_user, agency_names
from ura.apps.cases import handoffs, overview, workflow
from ura.apps.cases.access import access_case_by_id
from ura.apps.cases.procedure_labels import case_state_label, transition_label
from ura.apps.cases.services import CaseConflictError
from ura.apps.core.exports import csv_response
from ura.apps.trafficking import forms, selectors, services
from ura.apps.trafficking.panels import trafficking_panel
from ura.apps.trafficking.roles import IDENTIFY, MANAGE, REFER
from ura.casework import htcds
from ura.casework.indicators import IndicatorError

CONFLICT = _(
    "Someone else changed this case while you were working on it. Reload it and try again."
)


def _case(request: HttpRequest, case_id: int, *, shown: bool = True) -> Any:
    case = access_case_by_id(request.user, case_id, shown=shown)
    if case.procedure_code != selectors.PROCEDURE:
        raise Http404("No such trafficking case.")
    return case


def _refusal(form: Any, exc: Exception) -> None:
    """Show why the engine refused, on the form."""
    if isinstance(exc, workflow.TransitionRefusedError):
        for failure in exc.failures:
            form.add_error(None, _guard_text(failure.code, failure.detail))
    elif isinstance(exc, handoffs.ConsentRequiredError):
        form.add_error(
            None,
            _(
                "The person has not consented to the referral: record their consent on the "
                "case first, or use the documented “referral not possible” path."
            ),
        )
    elif isinstance(exc, CaseConflictError):
        form.add_error(None, CONFLICT)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc)
    else:
        form.add_error(None, str(exc) or _("You may not do this."))


def _guard_text(code: str, detail: str) -> str:
    texts = {
        "permission": _("Your role does not allow this step."),
        "required": _("Information is missing: %(detail)s") % {"detail": detail},
        "consent": _("The person's consent is needed first (or an audited override)."),
        "four_eyes": _("A second person must do this step; you did the step before it."),
        "not_allowed_from_state": _("This step is not possible in the case's current state."),
    }
    return str(texts.get(code, detail))


# --- Lists ---------------------------------------------------------------------------------------


def _services_requested(joined: str) -> str:
    """``Referral.service`` keeps the HTCDS codes of the services, comma-joined: the recipient
    reads the labels the referral form offered the referrer."""
    labels = dict(getattr(forms.ReferralForm.base_fields["services"], "choices", []))
    codes = [code.strip() for code in joined.split(",") if code.strip()]
    return ", ".join(str(labels.get(code, code)) for code in codes)


@login_required
@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.has_perm(IDENTIFY) or user.has_perm(MANAGE)):
        raise PermissionDenied
    cases = selectors.my_cases(actor=user)
    return render(
        request,
        "trafficking/home.html",
        {
            "rows": [(c, selectors.pseudonym(c), case_state_label(c)) for c in cases],
            "referrals": selectors.referrals_awaiting(actor=user) if user.has_perm(MANAGE) else [],
            "may_export_all": user.has_perm("trafficking.approve_closure")
            and user.has_perm("trafficking.export_htcds"),
        },
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET"])
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    return render(
        request,
        "trafficking/case.html",
        {"case": case, **trafficking_panel(request, case)[0].context},
    )


# --- Screening -----------------------------------------------------------------------------------


def _list_choices(indicator_set: Any) -> list[tuple[str, str]]:
    return [(code, item.label) for code, item in indicator_set.lists.items()]


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def screening(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, shown=request.method == "GET")
    if not request.user.has_perm(IDENTIFY):
        raise PermissionDenied
    indicator_set = selectors.indicator_set_in_force()
    lists = _list_choices(indicator_set)
    list_code = request.POST.get("list_code") or request.GET.get("list") or lists[0][0]
    if list_code not in indicator_set.lists:
        list_code = lists[0][0]
    groups = selectors.indicator_groups(indicator_set, list_code)
    form = forms.ScreeningForm(
        request.POST or None,
        initial={"version": case.version, "list_code": list_code},
        lists=lists,
        indicators=[(i.code, i.label) for g in groups for i in g["indicators"]],
    )
    assessment = None
    if request.method == "POST":
        # The rule's opinion is shown on every post, before the screener concludes.
        try:
            assessment = selectors.indicator_preview(
                list_code=list_code, observed=request.POST.getlist("observed")
            )
        except IndicatorError as exc:
            form.add_error(None, str(exc))
    if "save" in request.POST and assessment is not None and form.is_valid():
        data = form.cleaned_data
        try:
            services.screening_record(
                actor=acting_user(request.user),
                case_id=case.pk,
                expected_version=data["version"],
                list_code=list_code,
                observed=data["observed"],
                conclusion=data["conclusion"],
                basis=data["basis"],
                profile=form.profile(),
            )
        except (
            workflow.TransitionRefusedError,
            CaseConflictError,
            ValidationError,
            PermissionDenied,
        ) as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("Screening recorded."))
            return redirect("trafficking:case", case_id=case.pk)
    observed = set(form["observed"].value() or [])
    return render(
        request,
        "trafficking/screening.html",
        {
            "case": case,
            "pseudonym": selectors.pseudonym(case),
            "form": form,
            "indicator_set": indicator_set,
            "list_code": list_code,
            "lists": lists,
            "groups": groups,
            "observed": observed,
            "assessment": assessment,
        },
    )


# --- Referral ------------------------------------------------------------------------------------


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, shown=request.method == "GET")
    if not request.user.has_perm(REFER):
        raise PermissionDenied
    recipients = overview.handoff_recipients(actor=request.user)
    by_unit = {r.unit_id: r for r in recipients}
    form = forms.ReferralForm(
        request.POST or None,
        initial={"version": case.version, "services": ["accommodation"]},
        units=[(r.unit_id, f"{r.agency_name} — {r.unit_name}") for r in recipients],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = by_unit[data["to_unit"]]
        try:
            services.case_refer(
                actor=acting_user(request.user),
                case_id=case.pk,
                expected_version=data["version"],
                to_agency_id=unit.agency_id,
                to_unit_id=unit.unit_id,
                reason=data["reason"],
                reason_code=data["reason_code"],
                services_requested=data["services"],
                override_consent_reason=data["override_consent_reason"],
            )
        except (
            workflow.TransitionRefusedError,
            handoffs.ConsentRequiredError,
            CaseConflictError,
            ValidationError,
            PermissionDenied,
        ) as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("Referral sent; the organisation sees the case now."))
            return redirect("trafficking:case", case_id=case.pk)
    return render(
        request,
        "trafficking/refer.html",
        {"case": case, "pseudonym": selectors.pseudonym(case), "form": form},
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET"])
def referrals(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied
    found = selectors.referrals_awaiting(actor=request.user)
    return render(
        request,
        "trafficking/referrals.html",
        {
            "rows": [
                (
                    r,
                    selectors.pseudonym(r.case),
                    forms.ReferralAnswerForm(initial={"version": r.case.version}),
                    _services_requested(r.service),
                )
                for r in found
            ],
            "organisations": agency_names(agency_ids=[r.from_agency_id for r in found]),
        },
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def referral_answer(request: HttpRequest, referral_id: int) -> HttpResponse:
    form = forms.ReferralAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or reject."))
        return redirect("trafficking:referrals")
    accept = form.cleaned_data["answer"] == "accept"
    try:
        case = services.referral_answer(
            actor=acting_user(request.user),
            referral_id=referral_id,
            expected_version=form.cleaned_data["version"],
            accept=accept,
            note=form.cleaned_data["note"],
        )
    except (workflow.TransitionRefusedError, CaseConflictError, ValidationError) as exc:
        messages.error(
            request,
            CONFLICT
            if isinstance(exc, CaseConflictError)
            else _("The answer was not recorded: give a reason when rejecting."),
        )
        return redirect("trafficking:referrals")
    if accept:
        messages.success(request, _("Referral accepted: first assistance has started."))
        return redirect("trafficking:case", case_id=case.pk)
    messages.success(request, _("Referral rejected; the case went back to the referring agency."))
    return redirect("trafficking:referrals")


# --- Steps ---------------------------------------------------------------------------------------


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
            services.step_record(
                actor=acting_user(request.user),
                case_id=case.pk,
                expected_version=form.cleaned_data["version"],
                transition=transition,
                data_changes=form.data_changes(),
                override_consent_reason=form.override_reason(),
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
            return redirect("trafficking:case", case_id=case.pk)
    procedure = workflow.procedure_of(case)
    return render(
        request,
        "trafficking/step.html",
        {
            "case": case,
            "pseudonym": selectors.pseudonym(case),
            "form": form,
            "title": transition_label(procedure, transition),
            "help": form_class.help,
        },
    )


# --- Services ------------------------------------------------------------------------------------


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def service_list(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, shown=request.method == "GET")
    agency_ids = {case.owning_agency_id, *[r.to_agency_id for r in case.referrals.all()]}
    if getattr(request.user, "agency_id", None):
        agency_ids.add(request.user.agency_id)  # type: ignore[union-attr]
    providers = sorted(agency_names(agency_ids=agency_ids).items(), key=lambda p: p[1])
    form = forms.ServiceForm(
        request.POST or None,
        initial={
            "version": case.version,
            "started_on": timezone.localdate(),
            "provider": getattr(request.user, "agency_id", None),
        },
        providers=providers,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.service_record(
                actor=acting_user(request.user),
                case_id=case.pk,
                expected_version=data["version"],
                kind=data["kind"],
                provider_agency_id=data["provider"],
                started_on=data["started_on"],
                ended_on=data["ended_on"],
                notes=data["notes"],
            )
        except (CaseConflictError, ValidationError, PermissionDenied) as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("Service recorded."))
            return redirect("trafficking:services", case_id=case.pk)
    return render(
        request,
        "trafficking/services.html",
        {
            "case": case,
            "pseudonym": selectors.pseudonym(case),
            "services": selectors.services_of(case=case),
            "form": form,
        },
    )


# --- Identity ------------------------------------------------------------------------------------


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def identity(request: HttpRequest, case_id: int) -> HttpResponse:
    """Reveal the identity for this one response: never cached, never kept in the session."""
    case = _case(request, case_id, shown=request.method == "GET")
    form = forms.RevealForm(request.POST or None)
    revealed = None
    if request.method == "POST" and form.is_valid():
        try:
            revealed = services.identity_reveal(
                actor=acting_user(request.user), case_id=case.pk, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, PermissionDenied) as exc:
            _refusal(form, exc)
    response = render(
        request,
        "trafficking/identity.html",
        {
            "case": case,
            "pseudonym": selectors.pseudonym(case),
            "form": form,
            "revealed": revealed,
            "fields": services.IDENTITY_FIELDS,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


# --- HTCDS ---------------------------------------------------------------------------------------


def htcds_download(records: list[htcds.HtcdsRecord], fmt: str, name: str) -> HttpResponse:
    """HTCDS records as a JSON or CSV download (the API answers with the same)."""
    if fmt == "csv":
        # The HTCDS writer has no formula guard; csv_response adds it to every cell.
        return csv_response(
            filename=f"{name}.csv",
            header=list(htcds.HTCDS_FIELDS),
            rows=([selectors.htcds_csv_cell(v) for v in r.values()] for r in records),
        )
    buffer = io.StringIO()
    htcds.write_htcds_json(records, buffer)
    response = HttpResponse(buffer.getvalue(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET"])
def htcds_case(request: HttpRequest, case_id: int, fmt: str) -> HttpResponse:
    try:
        records = services.htcds_export(actor=acting_user(request.user), case_id=case_id)
    except ValidationError:
        messages.error(request, _("This case has no referral that may be exported (consent)."))
        return redirect("trafficking:case", case_id=case_id)
    return htcds_download(records, fmt, f"htcds-case-{case_id}")


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET"])
def htcds_all(request: HttpRequest, fmt: str) -> HttpResponse:
    records = services.htcds_export(actor=acting_user(request.user))
    return htcds_download(records, fmt, "htcds-referrals")
