"""Pages of the COI library: search, documents with their passages, sources, countries,
saved searches, and for the library's managers imports and near-duplicate reviews.

Thin: permissions, rules and audit live in ``selectors``, ``saved`` and ``services``. Files
are served through :func:`edition_download` and :func:`rejection_download`, which check the
permission, and always as attachments with ``nosniff`` (never rendered in the browser).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ura.apps.accounts.selectors import acting_user
from ura.apps.coi import clipping, forms, roles, saved, selectors, services
from ura.apps.coi.models import DocumentStatus, DuplicateReview, ImportOrigin

if TYPE_CHECKING:
    from django import forms as django_forms

    from ura.apps.coi.models import Document


CLIP_FORM = "coi/_clip_form.html"


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied(
            _("You may not manage the COI library.")
            if permission == roles.MANAGE
            else _("You may not read the COI library.")
        )


#: Error keys of the services and selectors that a form names otherwise: the metadata's
#: countries (the form asks for the primary one apart), the search's query (``q``).
_FIELD_OF_ERROR = {"countries": "country", "query": "q"}


def _apply_errors(form: django_forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, texts in error.message_dict.items():
            field = _FIELD_OF_ERROR.get(name, name)
            form.add_error(field if field in form.fields else None, texts)
    else:
        form.add_error(None, error.messages)


def _search_url(query: QueryDict) -> str:
    encoded = query.urlencode()
    return reverse("coi:search") + (f"?{encoded}" if encoded else "")


# --- search ----------------------------------------------------------------------------------


def _search_context(
    request: HttpRequest, form: forms.SearchForm, results: selectors.SearchPage | None
) -> dict[str, Any]:
    query = request.GET.copy()
    query.pop("page", None)
    if form.errors.get("q"):
        form.fields["q"].widget.attrs["aria-describedby"] = "query-error query-help"
    # Without results there are no facet boxes: the chosen filters ride along, hidden, so
    # that correcting the query keeps them.
    kept = [
        (key, value)
        for key in (*selectors.FACETS, *(f"{n}_mode" for n in selectors.FACETS), "only_country")
        for value in request.GET.getlist(key)
    ]
    shown_apart = {"q", "published_from", "published_to"}
    other_errors = [
        (form.fields[name].label or name, error)
        for name, errors in form.errors.items()
        if name in form.fields and name not in shown_apart
        for error in errors
    ]
    return {
        "other_errors": other_errors,
        "kept_filters": kept if results is None else [],
        "form": form,
        "results": results,
        "query": query.urlencode(),
        "save_form": forms.SaveSearchForm(initial={"search": query.urlencode()}),
        "can_manage": selectors.can_manage(request.user),
        "modes": forms.MODE_CHOICES,
    }


@login_required
@require_http_methods(["GET"])
def search(request: HttpRequest) -> HttpResponse:
    """The search page: query, facets with counts, results with highlighted passages."""
    _require(request, roles.VIEW)
    form = forms.SearchForm(request.GET)
    results = None
    unavailable = ""
    if form.is_valid():
        try:
            results = selectors.search(actor=request.user, params=form.params())
        except ValidationError as error:
            _apply_errors(form, error)
        except selectors.SearchUnavailableError as error:
            unavailable = str(error)
    context = _search_context(request, form, results)
    context["unavailable"] = unavailable
    return render(request, "coi/search.html", context, status=503 if unavailable else 200)


# --- documents -------------------------------------------------------------------------------


def _clip_context(request: HttpRequest, doc: Document) -> dict[str, Any]:
    """What the clip form (``coi/_clip_form.html``) under each passage needs: the cases the
    user may cite into (listing them audits them as shown, so a withdrawn document, which
    can no longer be cited, asks for none) and where to post."""
    if doc.status == DocumentStatus.WITHDRAWN:
        return {"clip_form": None}
    return {
        "clip_form": CLIP_FORM,
        "clip_cases": clipping.clip_targets(request.user),
        "clip_form_action": reverse("coi:clip"),
    }


@login_required
@require_http_methods(["GET"])
def document(request: HttpRequest, document_id: int) -> HttpResponse:
    """A document: metadata, sources, countries, topics, editions, and the passages of its
    current edition under their anchors (``#p12¶4``)."""
    doc = selectors.document_get(actor=request.user, document_id=document_id)
    can_manage = selectors.can_manage(request.user)
    context: dict[str, Any] = {
        "document": doc,
        "countries": selectors.countries_of(doc),
        "sources": list(doc.sources.all()),
        "topics": list(doc.topics.all()),
        "editions": selectors.editions(doc),
        "passages": selectors.current_passages(doc),
        "can_manage": can_manage,
        "withdrawn": doc.status == DocumentStatus.WITHDRAWN,
        "duplicate_pending": doc.duplicate_review == DuplicateReview.PENDING,
        "review_form": forms.DuplicateReviewForm() if can_manage else None,
        "edition_form": forms.NewEditionForm() if can_manage else None,
        "withdraw_form": forms.WithdrawForm(auto_id="withdraw-%s") if can_manage else None,
    }
    context.update(_clip_context(request, doc))
    return render(request, "coi/document.html", context)


def _attachment(name: str, media_type: str, filename: str) -> FileResponse:
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=media_type or None
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET"])
def edition_download(request: HttpRequest, document_id: int, number: int) -> FileResponse:
    """The original file of one edition, to save (never rendered inline)."""
    edition = selectors.edition_get(actor=request.user, document_id=document_id, number=number)
    return _attachment(
        edition.storage_name, edition.media_type or "application/octet-stream", edition.filename
    )


@login_required
@require_http_methods(["POST"])
def duplicate_review(request: HttpRequest, document_id: int) -> HttpResponse:
    """A manager's decision on a near-duplicate: keep both, or withdraw this one."""
    _require(request, roles.MANAGE)
    form = forms.DuplicateReviewForm(request.POST)
    if form.is_valid():
        try:
            services.duplicate_review(
                actor=acting_user(request.user),
                document_id=document_id,
                decision=DuplicateReview(form.cleaned_data["decision"]),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Review recorded."))
    else:
        messages.error(request, _("Choose a decision."))
    target = request.POST.get("next") or ""
    if target == "duplicates":
        return redirect("coi:duplicates")
    return redirect("coi:document", document_id=document_id)


@login_required
@require_http_methods(["POST"])
def new_edition(request: HttpRequest, document_id: int) -> HttpResponse:
    """A manager uploads a corrected or updated file of a document."""
    _require(request, roles.MANAGE)
    form = forms.NewEditionForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.document_new_edition(
                actor=acting_user(request.user),
                document_id=document_id,
                data=upload.read(),
                filename=upload.name or "",
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("New edition imported."))
    else:
        messages.error(request, _("Choose a file and say what changed."))
    return redirect("coi:document", document_id=document_id)


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, document_id: int) -> HttpResponse:
    """A manager corrects a document's metadata or marks it a key document."""
    _require(request, roles.MANAGE)
    doc = selectors.document_get(actor=request.user, document_id=document_id)
    if request.method == "POST":
        form = forms.DocumentEditForm(request.POST)
        if form.is_valid():
            try:
                services.document_update(
                    actor=acting_user(request.user),
                    document_id=doc.pk,
                    expected_version=form.cleaned_data["version"],
                    metadata=form.metadata(),
                    is_key=form.cleaned_data["is_key"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Document saved."))
                return redirect("coi:document", document_id=doc.pk)
    else:
        form = forms.DocumentEditForm(initial=forms.DocumentEditForm.initial_from(doc))
    return render(request, "coi/document_form.html", {"form": form, "document": doc})


@login_required
@require_http_methods(["POST"])
def document_withdraw(request: HttpRequest, document_id: int) -> HttpResponse:
    """A manager takes a document out of the library (it stays for the decisions citing
    it), saying why."""
    _require(request, roles.MANAGE)
    form = forms.WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.document_withdraw(
                actor=acting_user(request.user),
                document_id=document_id,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Document withdrawn: search no longer finds it."))
    else:
        messages.error(request, _("Say why the document is withdrawn."))
    return redirect("coi:document", document_id=document_id)


# --- sources ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def source_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "coi/sources.html",
        {
            "sources": selectors.sources(actor=request.user),
            "can_manage": selectors.can_manage(request.user),
        },
    )


@login_required
@require_http_methods(["GET"])
def source_detail(request: HttpRequest, source_id: int) -> HttpResponse:
    source = selectors.source_get(actor=request.user, source_id=source_id)
    documents = selectors.source_documents(actor=request.user, source=source)
    page = Paginator(documents, 25).get_page(request.GET.get("page"))
    query = QueryDict(mutable=True)
    query["source"] = source.name
    return render(
        request,
        "coi/source.html",
        {
            "source": source,
            "page": page,
            "search_url": _search_url(query),
            "can_manage": selectors.can_manage(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def source_edit(request: HttpRequest, source_id: int | None = None) -> HttpResponse:
    """Describe a new source, or change a source's description (managers)."""
    _require(request, roles.MANAGE)
    source = selectors.source_get(actor=request.user, source_id=source_id) if source_id else None
    if request.method == "POST":
        form = forms.SourceForm(request.POST, instance=source)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in forms.SourceForm.Meta.fields}
            try:
                if source is None:
                    source = services.source_create(actor=acting_user(request.user), **values)
                else:
                    source = services.source_update(
                        actor=acting_user(request.user),
                        source_id=source.pk,
                        expected_version=form.cleaned_data.get("version") or source.version,
                        **values,
                    )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Source saved."))
                return redirect("coi:source", source_id=source.pk)
    else:
        form = forms.SourceForm(
            instance=source, initial={"version": source.version if source else None}
        )
    return render(request, "coi/source_form.html", {"form": form, "source": source})


# --- countries -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def country_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "coi/countries.html",
        {"countries": selectors.countries_with_documents(actor=request.user)},
    )


@login_required
@require_http_methods(["GET"])
def country(request: HttpRequest, code: str) -> HttpResponse:
    """What the library holds about a country: key documents, recent additions, the topics
    with most material, and the way into the search filtered to it."""
    overview = selectors.country_overview(actor=request.user, code=code)
    if code != overview.code:
        return redirect("coi:country", code=overview.code)
    query = QueryDict(mutable=True)
    query["country"] = overview.code
    only = QueryDict(mutable=True)
    only["only_country"] = overview.code
    return render(
        request,
        "coi/country.html",
        {
            "overview": overview,
            "search_url": _search_url(query),
            "only_url": _search_url(only),
            "newest_url": _search_url(
                QueryDict(f"country={overview.code}&sort=newest", mutable=True)
            ),
        },
    )


# --- saved searches --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def saved_list(request: HttpRequest) -> HttpResponse:
    rows = saved.saved_searches_with_news(actor=request.user)
    return render(
        request,
        "coi/saved_list.html",
        {
            "rows": [
                (row, forms.search_querydict(saved.saved_search_params(row.saved)).urlencode())
                for row in rows
            ],
            "rename_form": forms.RenameForm(),
        },
    )


@login_required
@require_http_methods(["POST"])
def saved_create(request: HttpRequest) -> HttpResponse:
    """Save the search the page shows (its URL parameters come in ``search``)."""
    _require(request, roles.VIEW)
    form = forms.SaveSearchForm(request.POST)
    query = QueryDict(request.POST.get("search", ""))
    if form.is_valid():
        search_form = forms.SearchForm(query)
        if not search_form.is_valid():
            messages.error(request, _("The search has mistakes; correct them before saving."))
            return redirect(_search_url(query))
        try:
            created = saved.saved_search_save(
                actor=request.user, name=form.cleaned_data["name"], params=search_form.params()
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(_search_url(query))
        messages.success(request, _("Search saved as “%(name)s”.") % {"name": created.name})
        return redirect("coi:saved")
    messages.error(request, _("Give the search a name."))
    return redirect(_search_url(query))


@login_required
@require_http_methods(["GET"])
def saved_run(request: HttpRequest, saved_id: int) -> HttpResponse:
    """Run a saved search: its results, and how many documents are new since the last run."""
    try:
        page = int(request.GET.get("page") or 1)
    except ValueError:
        page = 1
    try:
        run = saved.saved_search_run(actor=request.user, saved_id=saved_id, page=max(1, page))
    except (ValidationError, selectors.SearchUnavailableError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("coi:saved")
    query = forms.search_querydict(run.results.params)
    return render(
        request,
        "coi/saved_run.html",
        {
            "run": run,
            "results": run.results,
            "query": "",
            "search_url": _search_url(query),
            "new_documents": [hit.document for hit in run.new_hits],
        },
    )


@login_required
@require_http_methods(["POST"])
def saved_rename(request: HttpRequest, saved_id: int) -> HttpResponse:
    form = forms.RenameForm(request.POST)
    if form.is_valid():
        try:
            saved.saved_search_rename(
                actor=request.user, saved_id=saved_id, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved search renamed."))
    else:
        messages.error(request, _("Give the search a name."))
    return redirect("coi:saved")


@login_required
@require_http_methods(["POST"])
def saved_delete(request: HttpRequest, saved_id: int) -> HttpResponse:
    saved.saved_search_delete(actor=request.user, saved_id=saved_id)
    messages.success(request, _("Saved search deleted."))
    return redirect("coi:saved")


# --- imports (managers) ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def document_import(request: HttpRequest) -> HttpResponse:
    """Upload one document with its metadata. A refused file is kept with the reason on the
    import's page; a near-duplicate is added and flagged for review."""
    _require(request, roles.MANAGE)
    if request.method == "POST":
        form = forms.DocumentImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            metadata = form.metadata()
            try:
                outcome = services.document_import(
                    actor=acting_user(request.user),
                    data=upload.read(),
                    filename=upload.name or "",
                    metadata=metadata,
                    origin=ImportOrigin.UI,
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                return _after_import(request, outcome)
    else:
        form = forms.DocumentImportForm()
    return render(
        request,
        "coi/import.html",
        {"form": form, "source_create_url": reverse("coi:source-create")},
    )


def _after_import(request: HttpRequest, outcome: services.ImportOutcome) -> HttpResponse:
    added = outcome.document
    if added is None:
        rejection = outcome.rejection
        messages.error(
            request,
            _("The file was not imported: %(reason)s")
            % {"reason": rejection.reason if rejection else ""},
        )
        if rejection is not None:
            return redirect("coi:import-batch", batch_id=rejection.batch_id)
        return redirect("coi:imports")
    if outcome.near_duplicate is not None:
        messages.warning(
            request,
            _("Imported, but it looks like a document already in the library; review it below."),
        )
    else:
        messages.success(request, _("Document imported."))
    return redirect("coi:document", document_id=added.pk)


@login_required
@require_http_methods(["GET"])
def import_list(request: HttpRequest) -> HttpResponse:
    batches = selectors.import_batches(actor=request.user)
    page = Paginator(batches, 25).get_page(request.GET.get("page"))
    return render(request, "coi/imports.html", {"page": page})


@login_required
@require_http_methods(["GET"])
def import_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = selectors.import_batch_get(actor=request.user, batch_id=batch_id)
    return render(
        request,
        "coi/import_batch.html",
        {
            "batch": batch,
            "editions": selectors.batch_editions(batch),
            "rejections": list(batch.rejections.all()),
        },
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET"])
def rejection_download(request: HttpRequest, rejection_id: int) -> FileResponse:
    """The file an import refused, as it was given (managers)."""
    rejection = selectors.rejection_get(actor=request.user, rejection_id=rejection_id)
    if not rejection.storage_name:
        raise Http404("No file was kept for this rejection.")
    return _attachment(
        rejection.storage_name, "application/octet-stream", rejection.filename or "rejected"
    )


@login_required
@require_http_methods(["GET"])
def duplicates(request: HttpRequest) -> HttpResponse:
    documents = selectors.duplicates_to_review(actor=request.user)
    page = Paginator(documents, 25).get_page(request.GET.get("page"))
    return render(
        request, "coi/duplicates.html", {"page": page, "review_form": forms.DuplicateReviewForm()}
    )
