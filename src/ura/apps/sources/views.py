"""Source pages: the sources, their batches with reconciliation and data quality, the
quarantine. Thin: scoping, masking and audit live in the selectors."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ura.apps.sources import selectors
from ura.apps.sources.roles import VIEW_QUARANTINE


@login_required
@require_http_methods(["GET"])
def source_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.sources_with_last_batch(actor=request.user)
    return render(request, "sources/list.html", {"rows": rows})


@login_required
@require_http_methods(["GET"])
def source_detail(request: HttpRequest, name: str) -> HttpResponse:
    source = selectors.source_by_name(actor=request.user, name=name)
    batches = selectors.batch_queryset(actor=request.user, source=source)
    page = Paginator(batches, 20).get_page(request.GET.get("page"))
    latest = selectors.last_good_batch(batches)
    return render(
        request,
        "sources/detail.html",
        {
            "source": source,
            "page": page,
            "quality": selectors.quality_summary(latest.quality) if latest else {},
        },
    )


@login_required
@require_http_methods(["GET"])
def batch_detail(request: HttpRequest, name: str, batch_id: int) -> HttpResponse:
    source = selectors.source_by_name(actor=request.user, name=name)
    batch = selectors.batch_by_id(actor=request.user, source=source, batch_id=batch_id)
    rows: list[dict[str, Any]] = []
    total = 0
    can_see_rows = request.user.has_perm(VIEW_QUARANTINE)
    if can_see_rows:
        rows, total = selectors.quarantine_rows(actor=request.user, batch=batch)
    return render(
        request,
        "sources/batch.html",
        {
            "source": source,
            "batch": batch,
            "rows": rows,
            "total": total,
            "can_see_rows": can_see_rows,
            "quality": selectors.quality_summary(batch.quality),
        },
    )
