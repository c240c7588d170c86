"""The auditor's pages and the jobs page: thin; rules live in selectors/services/tasks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ura.apps.accounts.selectors import agency_names
from ura.apps.core import presentation, selectors, services, tasks
from ura.apps.core.access import access_job_by_id
from ura.apps.core.forms import AuditEventFilterForm
from ura.apps.core.models import AuditAction, AuditEvent


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _forbidden(request: HttpRequest) -> HttpResponse:
    # A response, not an exception: raising would roll back the request's transaction and
    # with it the access_denied event the selector has just recorded.
    return render(request, "core/forbidden.html", status=403)


def _filter_query(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
@require_GET
def audit_event_list(request: HttpRequest) -> HttpResponse:
    """The audit trail, filtered and paginated; 403 for everyone but auditors.

    403 rather than 404: that an audit page exists is no secret (Ura is open source), and
    an honest refusal is easier to support.
    """
    form = AuditEventFilterForm(request.GET or None)
    page = None
    try:
        if form.is_bound and not form.is_valid():
            selectors.audit_require(request.user, selectors.VIEW_AUDIT)
        else:
            filters = form.filters() if form.is_bound else selectors.AuditEventFilters()
            page = selectors.audit_event_page(
                actor=request.user, filters=filters, page=_page_number(request)
            )
    except PermissionDenied:
        return _forbidden(request)
    agencies = (
        agency_names(agency_ids=(e.actor_agency_id for e in page.object_list)) if page else {}
    )
    rows = (
        []
        if page is None
        else [
            (
                e,
                presentation.change_lines(e),
                presentation.detail_text(e),
                agencies.get(e.actor_agency_id) if e.actor_agency_id is not None else None,
            )
            for e in page.object_list
        ]
    )
    template = (
        "core/_audit_results.html" if request.headers.get("HX-Request") else "core/audit_list.html"
    )
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": _filter_query(request),
            "can_export": request.user.has_perm(selectors.EXPORT_AUDIT),
        },
    )


@login_required
@require_GET
def audit_event_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered audit trail as CSV, streamed; the export is itself audited."""
    form = AuditEventFilterForm(request.GET or None)
    try:
        if form.is_bound and not form.is_valid():
            selectors.audit_require(request.user, selectors.EXPORT_AUDIT)
            return render(
                request,
                "core/audit_list.html",
                {"form": form, "page": None, "rows": [], "query": "", "can_export": True},
                status=400,
            )
        filters = form.filters() if form.is_bound else selectors.AuditEventFilters()
        export = selectors.audit_event_export_set(actor=request.user, filters=filters)
    except PermissionDenied:
        return _forbidden(request)
    services.audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type=AuditEvent._meta.label_lower,
        detail={
            "format": "csv",
            "filters": filters.for_audit(export.events),
            "rows": export.rows,
            "up_to_sequence": export.last_sequence,
        },
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(
        presentation.csv_lines(export.events.iterator(chunk_size=2000)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="ura-audit-{stamp}.csv"'
    return response


@login_required
@require_POST
def audit_verify_start(request: HttpRequest) -> HttpResponse:
    """Start verifying the audit chain in the background; follow it on the jobs page."""
    try:
        job = tasks.audit_chain_verify_start(actor=request.user)
    except PermissionDenied:
        return _forbidden(request)
    messages.success(request, _("Verification started. Its progress is shown below."))
    return redirect(f"{reverse('jobs:list')}#job-{job.pk}")


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/jobs.html", {"jobs": selectors.job_list(actor=request.user)})


@login_required
@require_GET
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """One job's row, for HTMX polling; it stops polling once the job has finished."""
    job = access_job_by_id(request.user, job_id)
    return render(request, "core/_job.html", {"job": job})
