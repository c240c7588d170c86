"""Person index pages: search, the person 360° view, clerical review, linkage runs.

Thin: need-to-know, masking and audit live in ``people.index``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ura.apps.core.protected import visible_value
from ura.apps.people import index
from ura.apps.people.forms import PersonIndexSearchForm, ReviewDecisionForm
from ura.apps.people.models import PersonRecord, ReviewDecisionKind
from ura.apps.people.tasks import linkage_run_start
from ura.apps.people.views import field_label

#: What the index pages show of each record, in order.
RECORD_FIELDS = (
    "family_name",
    "given_names",
    "father_name",
    "full_name_original",
    "sex",
    "date_of_birth",
    "nationality",
    "document_type",
    "document_number",
)


def _record_row(user: Any, record: PersonRecord) -> list[Any]:
    row = []
    for name in RECORD_FIELDS:
        value = visible_value(user, record, name)
        if name == "date_of_birth":
            value = record.date_of_birth_text()
        elif name in ("sex", "document_type") and isinstance(value, str):
            value = getattr(record, f"get_{name}_display")()
        row.append(value)
    return row


@login_required
@require_http_methods(["GET"])
def person_search(request: HttpRequest) -> HttpResponse:
    form = PersonIndexSearchForm(request.GET or None)
    candidates: list[Any] = []
    searched = False
    if request.GET and form.is_valid():
        data = form.cleaned_data
        found = index.person_search(
            actor=request.user,
            query=index.SearchQuery(
                name=data.get("name") or "",
                date_of_birth=data.get("date_of_birth"),
                year_of_birth=data.get("year_of_birth"),
                document_number=data.get("document_number") or "",
            ),
        )
        searched = True
        candidates = [
            {
                "candidate": c,
                "rows": [(r, _record_row(request.user, r)) for r in c.records],
            }
            for c in found
        ]
    elif not request.user.has_perm(index.VIEW_RECORDS):
        raise PermissionDenied
    return render(
        request,
        "people/index/search.html",
        {
            "form": form,
            "candidates": candidates,
            "searched": searched,
            "headers": [field_label(n) for n in RECORD_FIELDS],
        },
    )


# Outside ATOMIC_REQUESTS: a refused view is audited, then raises (see people.views).
@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET"])
def person_detail(request: HttpRequest, person_id: str) -> HttpResponse:
    view = index.access_person_view(request.user, person_id)
    return render(
        request,
        "people/index/person.html",
        {
            "view": view,
            "headers": [field_label(n) for n in RECORD_FIELDS],
            "rows": [
                (r, _record_row(request.user, r), view.link_probability.get(r.pk))
                for r in view.records
            ],
        },
    )


@login_required
@require_http_methods(["GET"])
def review_list(request: HttpRequest) -> HttpResponse:
    decided = request.GET.get("decided") == "1"
    pairs = index.review_queue(actor=request.user, decided=decided)
    page = Paginator(pairs, 25).get_page(request.GET.get("page"))
    return render(request, "people/index/review_list.html", {"page": page, "decided": decided})


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, pair_id: int) -> HttpResponse:
    form = ReviewDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        index.review_decide(
            actor=request.user,
            pair_id=pair_id,
            decision=ReviewDecisionKind(form.cleaned_data["decision"]),
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Decision recorded. Every later linkage run respects it."))
        return redirect("people:review")
    pair = index.access_review_pair(request.user, pair_id)
    return render(
        request,
        "people/index/review_detail.html",
        {
            "pair": pair,
            "form": form,
            "headers": [field_label(n) for n in RECORD_FIELDS],
            "left": _record_row(request.user, pair.record_l),
            "right": _record_row(request.user, pair.record_r),
            "evidence": index.review_evidence(pair),
        },
    )


@login_required
@require_http_methods(["POST"])
def run_start(request: HttpRequest) -> HttpResponse:
    job = linkage_run_start(
        actor=request.user, incremental=request.POST.get("mode") == "incremental"
    )
    return redirect("jobs:progress", job.pk)


@login_required
@require_http_methods(["GET"])
def run_list(request: HttpRequest) -> HttpResponse:
    runs = index.linkage_runs(actor=request.user)
    page = Paginator(runs, 25).get_page(request.GET.get("page"))
    current = index.current_run()
    return render(
        request,
        "people/index/runs.html",
        {
            "page": page,
            "current_id": current.pk if current else None,
            "can_start": request.user.has_perm("people.add_linkagerun"),
        },
    )
