"""Pages of the asylum app: the LFIP steps that need structured forms, the assessment
editor, reporting, the stage queues and the backlog dashboard. Thin: access, rules and audit
live in the cases app's loaders and in this app's services and selectors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ura.apps.accounts.selectors import acting_user
from ura.apps.asylum import forms, roles, selectors, services
from ura.apps.asylum.panels import TRANSITION_PAGES
from ura.apps.asylum.vocabulary import AssessmentSection, Modality
from ura.apps.cases import workflow
from ura.apps.cases.access import access_case_by_id
from ura.apps.cases.procedure_labels import translate
from ura.apps.cases.services import CaseConflictError

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from ura.apps.accounts.models import User
    from ura.apps.cases.models import Case

Handler = Callable[["User", int, int, Mapping[str, Any]], object]


@dataclass(frozen=True)
class Step:
    title: str | Promise
    form: type[forms.VersionedForm]
    handler: Handler


def _call(service: Callable[..., object]) -> Handler:
    def handler(actor: User, case_id: int, version: int, data: Mapping[str, Any]) -> object:
        values = {k: v for k, v in data.items() if k != "version"}
        return service(actor=actor, case_id=case_id, expected_version=version, **values)

    return handler


STEPS: dict[str, Step] = {
    "register": Step(
        gettext_lazy("Register the application"),
        forms.RegisterForm,
        _call(services.application_register),
    ),
    "change_modality": Step(
        gettext_lazy("Processing modality"), forms.ModalityForm, _call(services.modality_decide)
    ),
    "assess_inadmissibility": Step(
        gettext_lazy("Assess on an inadmissibility ground (LFIP Art. 72)"),
        forms.InadmissibilityForm,
        _call(services.inadmissibility_assess),
    ),
    "schedule_interview": Step(
        gettext_lazy("Schedule the personal interview"),
        forms.ScheduleForm,
        _call(services.interview_schedule),
    ),
    "reschedule_interview": Step(
        gettext_lazy("Reschedule the interview"),
        forms.RescheduleForm,
        _call(services.interview_reschedule),
    ),
    "hold_interview": Step(
        gettext_lazy("Record the personal interview (LFIP Art. 75)"),
        forms.InterviewRecordForm,
        _call(services.interview_record),
    ),
    "request_information": Step(
        gettext_lazy("Request information or documents"),
        forms.InformationRequestForm,
        _call(services.information_request),
    ),
    "receive_information": Step(
        gettext_lazy("Record the information received"),
        forms.InformationReceivedForm,
        _call(services.information_receive),
    ),
    "notify_positive_decision": Step(
        gettext_lazy("Record the notification of the decision"),
        forms.NotificationForm,
        _call(services.decision_notify),
    ),
    "notify_negative_decision": Step(
        gettext_lazy("Record the notification of the decision"),
        forms.NotificationForm,
        _call(services.decision_notify),
    ),
    "lodge_appeal": Step(
        gettext_lazy("Record the appeal (LFIP Art. 80)"),
        forms.AppealForm,
        _call(services.appeal_lodge),
    ),
    "record_appeal_decision": Step(
        gettext_lazy("Record the court's decision"),
        forms.AppealDecisionForm,
        _call(services.appeal_decision_record),
    ),
    "reopen_after_annulment": Step(
        gettext_lazy("Examine the application again after annulment"),
        forms.VersionedForm,
        _call(services.appeal_reexamine),
    ),
    "finalise_negative": Step(
        gettext_lazy("Close as final negative (LFIP Art. 54)"),
        forms.FinalForm,
        _call(services.negative_finalise),
    ),
    "withdraw": Step(
        gettext_lazy("Withdraw the application (LFIP Art. 77)"),
        forms.WithdrawForm,
        _call(services.application_withdraw),
    ),
}
assert set(STEPS) == set(TRANSITION_PAGES)  # noqa: S101  # every registered page has a form


def _asylum_case(request: HttpRequest, case_id: int) -> Case:
    """The case for a page of this app: loaded for a change (audited as shown), and an
    asylum case, or no page at all."""
    case = access_case_by_id(request.user, case_id, action="change", shown=True)
    if case.procedure_code != selectors.PROCEDURE:
        raise Http404("Not an asylum case.")
    return case


def _case_url(case_id: int) -> str:
    return reverse("cases:detail", args=[case_id])


def _apply_errors(form: django_forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _write(
    request: HttpRequest, form: forms.VersionedForm, case_id: int, write: Callable[[], object]
) -> bool:
    """Run ``write``; on refusal put the reasons on the form and return False."""
    try:
        write()
    except ValidationError as error:
        _apply_errors(form, error)
    except workflow.TransitionRefusedError as refused:
        form.add_error(None, [f.detail for f in refused.failures])
    except CaseConflictError:
        form.add_error(
            None, _("Someone else changed this case meanwhile. Reload the case and try again.")
        )
    except PermissionDenied as denied:
        form.add_error(None, str(denied) or _("You may not do this."))
    else:
        return True
    return False


def _initial(request: HttpRequest, case: Case, transition: str) -> dict[str, Any]:
    data = case.data
    initial: dict[str, Any] = {"version": case.version}
    if transition == "register":
        prefill = selectors.registration_prefill(actor=request.user, case=case)
        applicant = data.get("applicant", {})
        initial.update(
            applicant_name=applicant.get("name") or prefill.name,
            date_of_birth=applicant.get("date_of_birth") or prefill.date_of_birth,
            nationality=applicant.get("nationality") or prefill.nationality,
        )
    elif transition == "change_modality":
        initial["modality"] = selectors.triage_proposal(case).modality
    elif transition == "assess_inadmissibility":
        initial["ground"] = data.get("screening", {}).get("inadmissibility_ground", "")
    elif transition == "schedule_interview":
        languages = data.get("applicant", {}).get("languages", [])
        initial["language"] = languages[0] if languages else ""
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, case_id: int, transition: str) -> HttpResponse:
    chosen = STEPS.get(transition)
    if chosen is None:
        raise Http404("No such step.")
    case = _asylum_case(request, case_id)
    form = chosen.form(request.POST or None, initial=_initial(request, case, transition))
    if request.method == "POST" and form.is_valid():
        actor = acting_user(request.user)
        if _write(
            request,
            form,
            case.pk,
            lambda: chosen.handler(actor, case.pk, form.cleaned_data["version"], form.cleaned_data),
        ):
            messages.success(request, _("Saved."))
            return redirect(_case_url(case.pk))
    context: dict[str, Any] = {
        "case": case,
        "title": chosen.title,
        "form": form,
        "transition": transition,
    }
    if transition == "change_modality":
        context["proposal"] = selectors.triage_proposal(case)
    return render(request, "asylum/step.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def screening(request: HttpRequest, case_id: int) -> HttpResponse:
    """Screening findings (LFIP Art. 72 and 79) and the triage proposal they lead to."""
    case = _asylum_case(request, case_id)
    found = case.data.get("screening", {})
    form = forms.ScreeningForm(
        request.POST or None,
        initial={
            "version": case.version,
            "inadmissibility_grounds": found.get("inadmissibility_grounds", []),
            "accelerated_grounds": found.get("accelerated_grounds", []),
            "notes": found.get("notes", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        if _write(
            request,
            form,
            case.pk,
            lambda: services.screening_record(
                actor=acting_user(request.user),
                case_id=case.pk,
                expected_version=values["version"],
                inadmissibility_grounds=values["inadmissibility_grounds"],
                accelerated_grounds=values["accelerated_grounds"],
                notes=values["notes"],
            ),
        ):
            messages.success(request, _("Screening findings saved; see the proposed modality."))
            return redirect("asylum:step", case_id=case.pk, transition="change_modality")
    return render(
        request,
        "asylum/screening.html",
        {"case": case, "form": form, "proposal": selectors.triage_proposal(case)},
    )


def _paragraphs(assessment: Mapping[str, Any], code: str) -> str:
    return "\n\n".join(assessment.get(code, []))


@login_required
@require_http_methods(["GET", "POST"])
def assessment(request: HttpRequest, case_id: int) -> HttpResponse:
    """The structured assessment editor and the cited country-of-origin passages."""
    case = _asylum_case(request, case_id)
    found = case.data.get("assessment", {})
    initial: dict[str, Any] = {
        "version": case.version,
        "convention_grounds": found.get("convention_grounds", []),
        "serious_harm": found.get("serious_harm_types", []),
        "credibility_finding": found.get("credibility_finding", ""),
        "exclusion_clause": found.get("exclusion_clause", ""),
        **{f"section_{c}": _paragraphs(found, c) for c in AssessmentSection.values},
    }
    posted = request.POST if request.POST.get("form") == "assessment" else None
    form = forms.AssessmentForm(posted, initial=initial)
    cited = request.POST if request.POST.get("form") == "citation" else None
    citation = forms.CitationForm(cited, initial={"version": case.version})
    actor = acting_user(request.user)
    if posted is not None and form.is_valid():
        v = form.cleaned_data
        if _write(
            request,
            form,
            case.pk,
            lambda: services.assessment_update(
                actor=actor,
                case_id=case.pk,
                expected_version=v["version"],
                sections=form.sections(),
                convention_grounds=v["convention_grounds"],
                serious_harm=v["serious_harm"],
                credibility_finding=v["credibility_finding"],
                exclusion_clause=v["exclusion_clause"],
            ),
        ):
            messages.success(request, _("Assessment saved."))
            return redirect("asylum:assessment", case_id=case.pk)
    if cited is not None and citation.is_valid():
        c = citation.cleaned_data
        if _write(
            request,
            citation,
            case.pk,
            lambda: services.citation_add(
                actor=actor,
                case_id=case.pk,
                expected_version=c["version"],
                title=c["title"],
                publisher=c["publisher"],
                date=c["date"],
                url=c["url"],
                passage=c["passage"],
                anchor=c["anchor"],
            ),
        ):
            messages.success(request, _("Passage cited."))
            return redirect("asylum:assessment", case_id=case.pk)
    if request.POST.get("form") == "uncite":
        try:
            services.citation_remove(
                actor=actor,
                case_id=case.pk,
                expected_version=int(request.POST.get("version", "0")),
                passage_hash=request.POST.get("passage_hash", ""),
            )
        except (ValidationError, CaseConflictError, ValueError):
            messages.error(request, _("The citation could not be removed; reload and try again."))
        else:
            messages.success(request, _("Citation removed."))
        return redirect("asylum:assessment", case_id=case.pk)
    return render(
        request,
        "asylum/assessment.html",
        {
            "case": case,
            "form": form,
            "citation_form": citation,
            "citations": list(enumerate(found.get("citations", []), start=1)),
            "editable": case.state in selectors.ASSESSMENT_STATES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reporting(request: HttpRequest, case_id: int) -> HttpResponse:
    """The applicant's reporting days: record one, see the latest."""
    case = _asylum_case(request, case_id)
    form = forms.ReportingForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        v = form.cleaned_data
        if _write(
            request,
            form,
            case.pk,
            lambda: services.reporting_record(
                actor=acting_user(request.user),
                case_id=case.pk,
                expected_version=v["version"],
                due_on=v["due_on"],
                status=v["status"],
                excuse=v["excuse"],
            ),
        ):
            messages.success(request, _("Reporting recorded."))
            return redirect("asylum:reporting", case_id=case.pk)
    return render(
        request,
        "asylum/reporting.html",
        {
            "case": case,
            "form": form,
            "history": selectors.reporting_history(case=case),
            "consecutive_missed": selectors.consecutive_missed(case_id=case.pk),
            "may_withdraw": request.user.has_perm(roles.APPROVE),
        },
    )


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@login_required
@require_http_methods(["GET"])
def queue(request: HttpRequest) -> HttpResponse:
    """Open cases per stage, oldest first, filtered by modality, office and nationality."""
    procedure = workflow.registry().current(selectors.PROCEDURE, timezone.localdate())
    states = [(s.code, translate("state", s.label)) for s in procedure.states if not s.terminal]
    form = forms.QueueForm(
        request.GET or None,
        states=states,
        offices=selectors.office_choices(actor=request.user),
    )
    filters = selectors.QueueFilters()
    if form.is_valid():
        filters = selectors.QueueFilters(**form.cleaned_data)
    page = selectors.stage_queue(actor=request.user, filters=filters, page=_page_number(request))
    labels = dict(states)
    modalities = dict(Modality.choices)
    rows = [
        (
            case,
            labels.get(case.state, case.state),
            modalities.get(case.data.get("modality", ""), ""),
            case.data.get("applicant", {}).get("nationality", ""),
        )
        for case in page.object_list
    ]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "asylum/queue.html",
        {"form": form, "page": page, "rows": rows, "query": params.urlencode()},
    )


@login_required
@require_http_methods(["GET"])
def missed_reporting(request: HttpRequest) -> HttpResponse:
    """Applicants who missed reporting three consecutive times (LFIP Art. 77(1))."""
    return render(
        request,
        "asylum/missed_reporting.html",
        {
            "found": selectors.missed_reporting(actor=request.user),
            "may_withdraw": request.user.has_perm(roles.APPROVE),
        },
    )


@login_required
@require_http_methods(["GET"])
def backlog(request: HttpRequest) -> HttpResponse:
    """The caseload by stage, age, nationality and office; throughput; time to clear."""
    figures = selectors.backlog(actor=request.user)
    largest = max((c.value or 0 for c in figures.throughput), default=0)
    return render(
        request,
        "asylum/backlog.html",
        {
            "figures": figures,
            "largest_week": largest,
            "share_percent": round(figures.share_in_time * 100)
            if figures.share_in_time is not None
            else None,
            "may_see_cases": request.user.has_perm("cases.view_case"),
        },
    )
