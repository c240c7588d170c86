"""Pages of migration statistics: the catalogue, a table (cross-table, charts, downloads,
release actions), profile runs, regional impact and the international context.

Thin: who may see what is decided in ``selectors``; the workflow and its audit in
``services``. Downloads are sent as attachments with ``nosniff``.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ura.apps.accounts.selectors import acting_user
from ura.apps.statistics import downloads, presentation, profile, roles, selectors, services
from ura.apps.statistics.forms import BuildForm, ProfileTextForm
from ura.apps.statistics.models import TableStatus
from ura.apps.statistics.regional import STOCK_TABLE, WORK_TABLE, regional_figures
from ura.apps.statistics.tasks import profile_build_start
from ura.stats.outputs.charts import time_series_spec
from ura.stats.profile import render_pdf, report_context
from ura.stats.reference.unhcr import (
    CITATION,
    COUNTRIES,
    COUNTRY_NOTES,
    INDICATORS,
    load_unhcr_context,
)

COUNTRY_NAMES = {
    "TUR": gettext_lazy("Türkiye"),
    "SRB": gettext_lazy("Serbia and Kosovo: S/RES/1244 (1999)"),
    "ALB": gettext_lazy("Albania"),
    "MKD": gettext_lazy("North Macedonia"),
    "MNE": gettext_lazy("Montenegro"),
    "BIH": gettext_lazy("Bosnia and Herzegovina"),
    "DEU": gettext_lazy("Germany"),
    "GRC": gettext_lazy("Greece"),
    "LBN": gettext_lazy("Lebanon"),
    "JOR": gettext_lazy("Jordan"),
    "IRN": gettext_lazy("Iran"),
    "PAK": gettext_lazy("Pakistan"),
}


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied(_("You may not do this with statistical tables."))


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    entries = selectors.catalogue(actor=request.user)
    return render(
        request,
        "statistics/catalogue.html",
        {"entries": entries, "is_analyst": selectors.is_analyst(request.user)},
    )


@login_required
def table_detail(request: HttpRequest, table_id: int) -> HttpResponse:
    table = selectors.access_table(request.user, table_id)
    frame = selectors.protected_frame(table)
    meta = selectors.meta_of(table)
    query = {key: str(value) for key, value in request.GET.items()}
    cross, filters = presentation.layout(frame, meta, query)
    chosen = {f.dimension: f.chosen for f in filters}
    specs = presentation.charts(frame, meta, chosen) if not frame.empty else []
    is_analyst = selectors.is_analyst(request.user)
    return render(
        request,
        "statistics/table.html",
        {
            "table": table,
            "meta": meta,
            "cross": cross,
            "filters": filters,
            "dimensions": presentation.dimensions(frame),
            "charts": [(f"chart-{i}", f"spec-chart-{i}", s) for i, s in enumerate(specs)],
            "formats": [(k, v[0]) for k, v in downloads.FORMATS.items()],
            "is_analyst": is_analyst,
            "may_review": is_analyst
            and table.status == TableStatus.DRAFT
            and request.user.has_perm(roles.REVIEW)
            and table.built_by_id != request.user.pk,
            "may_publish": is_analyst
            and table.status == TableStatus.REVIEWED
            and request.user.has_perm(roles.PUBLISH),
            "protection": meta.protection,
        },
    )


def _attachment(download: downloads.Download) -> HttpResponse:
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def table_download(request: HttpRequest, table_id: int, fmt: str) -> HttpResponse:
    table = selectors.access_table(request.user, table_id)
    if fmt not in downloads.FORMATS:
        raise Http404(_("Unknown format."))
    if table.status != TableStatus.PUBLISHED:
        _require(request, roles.ANALYSE)
    result = downloads.render(selectors.protected_frame(table), selectors.meta_of(table), fmt)
    services.record_download(actor=request.user, table=table, fmt=fmt)
    return _attachment(result)


@login_required
def table_unprotected(request: HttpRequest, table_id: int) -> HttpResponse:
    _require(request, roles.ANALYSE)
    table = selectors.access_table(request.user, table_id)
    frame = selectors.raw_frame(request.user, table)
    services.record_download(actor=request.user, table=table, fmt="csv", raw=True)
    return _attachment(downloads.raw_csv(frame, selectors.meta_of(table)))


@login_required
@require_POST
def table_review(request: HttpRequest, table_id: int) -> HttpResponse:
    selectors.access_table(request.user, table_id)
    try:
        services.table_review(actor=acting_user(request.user), table_id=table_id)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("The table is reviewed; it can now be published."))
    return redirect("statistics:table", table_id)


@login_required
@require_POST
def table_publish(request: HttpRequest, table_id: int) -> HttpResponse:
    selectors.access_table(request.user, table_id)
    try:
        services.table_publish(actor=acting_user(request.user), table_id=table_id)
    except services.PublicationRefusedError as exc:
        messages.error(request, exc.messages[0])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("The table is published."))
    return redirect("statistics:table", table_id)


@login_required
@require_http_methods(["GET", "POST"])
def runs(request: HttpRequest) -> HttpResponse:
    _require(request, roles.ANALYSE)
    form = BuildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = profile_build_start(
            actor=request.user,
            start=data["start"],
            end=data["end"],
            as_of=data["as_of"] or data["end"],
            engine=data["engine"],
        )
        return redirect("jobs:progress", job.pk)
    return render(
        request,
        "statistics/runs.html",
        {"form": form, "runs": selectors.runs(actor=request.user)[:50]},
    )


def _published_frame(definition_id: str) -> tuple[Any, Any]:
    table = selectors.published_table(definition_id)
    return table, (selectors.protected_frame(table) if table else None)


@login_required
def regional(request: HttpRequest) -> HttpResponse:
    _require(request, roles.VIEW)
    stock, stock_frame = _published_frame(STOCK_TABLE)
    work, work_frame = _published_frame(WORK_TABLE)
    figures = regional_figures(stock, stock_frame, work, work_frame)
    return render(
        request,
        "statistics/regional.html",
        {
            "figures": figures,
            "charts": [("chart-provinces", "spec-chart-provinces", figures.tile_spec)]
            if figures.tile_spec
            else [],
        },
    )


@login_required
def international(request: HttpRequest) -> HttpResponse:
    _require(request, roles.VIEW)
    context = load_unhcr_context()
    sections = []
    for indicator in ("ASYL_APP", "REFUGEES"):
        rows = context[context["INDICATOR"] == indicator]
        years = sorted(rows["TIME_PERIOD"].unique())[-12:]
        values = {
            (str(r["GEO"]), str(r["TIME_PERIOD"])): int(r["OBS_VALUE"])
            for r in rows.to_dict("records")
        }
        table_rows = [
            (
                code,
                COUNTRY_NAMES.get(code, code),
                [f"{values[(code, y)]:,}" if (code, y) in values else ":" for y in years],
            )
            for code in COUNTRIES
        ]
        chart = time_series_spec(
            rows[rows["GEO"].isin(["TUR", "DEU", "GRC", "SRB"])].drop(columns=["INDICATOR"]),
            title=INDICATORS[indicator].split(" (")[0],
            value_label=_("Persons"),
            series="GEO",
            series_names={k: str(v) for k, v in COUNTRY_NAMES.items()},
            source=CITATION,
        )
        sections.append(
            {
                "indicator": indicator,
                "label": INDICATORS[indicator],
                "years": years,
                "rows": table_rows,
                "charts": [
                    (f"chart-{indicator.lower()}", f"spec-chart-{indicator.lower()}", chart)
                ],
            }
        )
    return render(
        request,
        "statistics/international.html",
        {"sections": sections, "citation": CITATION, "notes": list(COUNTRY_NOTES.values())},
    )


@login_required
def profile_latest(request: HttpRequest) -> HttpResponse:
    run = selectors.latest_profile_run(request.user)
    if run is None:
        return render(request, "statistics/profile_none.html")
    return redirect("statistics:profile", run.pk)


@login_required
def profile_page(request: HttpRequest, run_id: int) -> HttpResponse:
    source = selectors.access_profile(request.user, run_id)
    is_analyst = selectors.is_analyst(request.user)
    # Everyone but analysts reads the published texts only. Analysts read the current texts,
    # and the report is final (no "draft" mark) once every required text and every table is
    # published and no text has a newer unpublished version.
    published_texts = not is_analyst
    final = source.can_be_final and (published_texts or not source.pending_texts)
    report = profile.report_of(
        source, selectors.profile_frames(source), final=final, published_texts=published_texts
    )
    context = report_context(report, translate=_, locale=profile.locale())
    charts = []
    for number, block in enumerate(
        b for section in context["sections"] for b in section["blocks"] if b["kind"] == "chart"
    ):
        block["chart_id"] = f"profile-chart-{number}"
        block["spec_id"] = f"spec-profile-chart-{number}"
        block["spec_data"] = json.loads(block["spec"])
        charts.append(block)
    slots = profile.template_slots()
    return render(
        request,
        "statistics/profile.html",
        {
            "source": source,
            "report": context,
            "charts": charts,
            "is_analyst": is_analyst,
            "missing": [(s, _(slots[s].label)) for s in report.missing_texts],
            "published_view": published_texts,
            "gaps": len(report.data_gaps),
            "slots": [
                (
                    slot,
                    _(item.label),
                    item.required,
                    source.texts.get(slot),
                    source.published.get(slot),
                )
                for slot, item in slots.items()
            ],
            "withheld": source.unpublished,
        },
    )


def _may_review_text(request: HttpRequest, text: Any) -> bool:
    return bool(
        text is not None
        and text.status == TableStatus.DRAFT
        and text.text.strip()
        and request.user.has_perm(roles.REVIEW)
        and text.updated_by_id != request.user.pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_text(request: HttpRequest, run_id: int, slot: str) -> HttpResponse:
    _require(request, roles.ANALYSE)
    source = selectors.access_profile(request.user, run_id)
    slots = profile.template_slots()
    if slot not in slots:
        raise Http404(_("The report has no such text."))
    current = source.texts.get(slot)
    initial = {
        "text": current.text if current else "",
        "version": current.version if current else 0,
    }
    form = ProfileTextForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_text_save(
                actor=acting_user(request.user),
                run_id=source.run.pk,
                slot=slot,
                text=form.cleaned_data["text"],
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleTextError as exc:
            form.add_error(None, exc.messages[0])
            conflict = selectors.access_profile(request.user, run_id).texts.get(slot)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("The text is saved as a draft."))
            return redirect(reverse("statistics:profile", args=[source.run.pk]) + f"#slot-{slot}")
    return render(
        request,
        "statistics/profile_text.html",
        {
            "source": source,
            "slot": slot,
            "label": _(slots[slot].label),
            "required": slots[slot].required,
            "current": current,
            "published": source.published.get(slot),
            "versions": selectors.text_versions(request.user, current) if current else [],
            "may_review": _may_review_text(request, current),
            "may_publish": current is not None
            and current.status == TableStatus.REVIEWED
            and request.user.has_perm(roles.PUBLISH),
            "conflict": conflict,
            "form": form,
        },
    )


def _text_step(request: HttpRequest, run_id: int, slot: str, step: str) -> HttpResponse:
    _require(request, roles.ANALYSE)
    source = selectors.access_profile(request.user, run_id)
    action = services.profile_text_review if step == "review" else services.profile_text_publish
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, _("Which version did you read? Open the text again."))
    else:
        try:
            action(
                actor=acting_user(request.user),
                run_id=source.run.pk,
                slot=slot,
                expected_version=version,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(
                request,
                _("The text is reviewed; it can now be published.")
                if step == "review"
                else _("The text is published."),
            )
    return redirect("statistics:profile_text", source.run.pk, slot)


@login_required
@require_POST
def profile_text_review(request: HttpRequest, run_id: int, slot: str) -> HttpResponse:
    return _text_step(request, run_id, slot, "review")


@login_required
@require_POST
def profile_text_publish(request: HttpRequest, run_id: int, slot: str) -> HttpResponse:
    return _text_step(request, run_id, slot, "publish")


@login_required
def profile_pdf(request: HttpRequest, run_id: int) -> HttpResponse:
    source = selectors.access_profile(request.user, run_id)
    is_analyst = selectors.is_analyst(request.user)
    final = request.GET.get("final") == "1"
    if final and not source.can_be_final:
        # The builder refuses a final report without every required text; Ura also wants
        # every text and table it uses published. Say what is missing.
        slots = profile.template_slots()
        unwritten = source.missing_texts if is_analyst else []
        if unwritten:
            messages.error(
                request,
                _("A final report needs every required text; not yet written: %(texts)s.")
                % {"texts": ", ".join(str(_(slots[s].label)) for s in unwritten)},
            )
        unpublished = [s for s in source.unpublished_texts if s not in unwritten]
        if unpublished:
            messages.error(
                request,
                _("A final report uses published texts only; not yet published: %(texts)s.")
                % {"texts": ", ".join(str(_(slots[s].label)) for s in unpublished)},
            )
        if source.unpublished or not source.tables:
            messages.error(
                request,
                _("A final report uses published tables only; not yet published: %(tables)s.")
                % {"tables": ", ".join(t.definition_id for t in source.unpublished) or "—"},
            )
        return redirect("statistics:profile", source.run.pk)
    # Non-analysts get the published texts only; analysts' draft PDF has the current texts.
    report = profile.report_of(
        source, selectors.profile_frames(source), final=final, published_texts=not is_analyst
    )
    content = render_pdf(report, translate=_, locale=profile.locale())
    services.record_profile_pdf(
        actor=request.user,
        run=source.run,
        final=final,
        tables=[t.definition_id for t in source.tables],
    )
    kind = "final" if final else "draft"
    return _attachment(
        downloads.Download(
            content,
            f"migration-profile-{source.period}-run{source.run.pk}-{kind}.pdf",
            "application/pdf",
        )
    )
