"""Person record pages: thin; access, masking and audit live in access/selectors/services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ura.apps.accounts.policy import can, can_create
from ura.apps.accounts.selectors import acting_user
from ura.apps.core.exports import csv_response
from ura.apps.core.protected import Masked, visible_value
from ura.apps.people import selectors, services
from ura.apps.people.access import access_person_record_by_id, person_record_history
from ura.apps.people.forms import PersonRecordForm, PersonRecordSearchForm
from ura.apps.people.models import PersonRecord

LIST_FIELDS = (
    "family_name",
    "given_names",
    "father_name",
    "sex",
    "date_of_birth",
    "nationality",
    "document_number",
)


def field_label(field_name: str) -> Any:
    return getattr(PersonRecord._meta.get_field(field_name), "verbose_name", field_name)


def _shown(user: Any, record: PersonRecord, name: str) -> Any:
    """A field as a person reads it: masked if restricted, labels for codes, and the date of
    birth only as precise as it was recorded (a placeholder 1 January shows as the year)."""
    value = visible_value(user, record, name)
    if isinstance(value, Masked):
        return value
    if name == "date_of_birth":
        return record.date_of_birth_text()
    display = getattr(record, f"get_{name}_display", None)
    return display() if display is not None else value


def _filter_query(request: HttpRequest) -> str:
    """The list's filters as a query string, without the page number."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@login_required
@require_http_methods(["GET"])
def record_list(request: HttpRequest) -> HttpResponse:
    form = PersonRecordSearchForm(request.GET or None)
    filters = selectors.PersonRecordFilters()
    if form.is_valid():
        filters = selectors.PersonRecordFilters(**form.cleaned_data)
    page = selectors.person_record_page(
        actor=request.user, filters=filters, page=_page_number(request)
    )
    rows = [
        (record, [_shown(request.user, record, f) for f in LIST_FIELDS])
        for record in page.object_list
    ]
    template = "people/_results.html" if request.headers.get("HX-Request") else "people/list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "rows": rows,
            "headers": [field_label(f) for f in LIST_FIELDS],
            "can_create": can_create(request.user, PersonRecord),
            "can_export": request.user.has_perm("people.export_personrecord"),
            "query": _filter_query(request),
        },
    )


# The pages that load one record run outside ATOMIC_REQUESTS: the access loader audits a
# refused attempt and then raises, and a request-wide transaction would roll that audit
# event back with the error. Their writes run in the services' own transactions.
@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET"])
def record_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    record = access_person_record_by_id(request.user, record_id)
    fields: list[tuple[Any, Any]] = []
    for name in services.EDITABLE_FIELDS:
        fields.append((field_label(name), _shown(request.user, record, name)))
    return render(
        request,
        "people/detail.html",
        {
            "record": record,
            "fields": fields,
            "can_change": can(request.user, "change", record),
            "can_delete": can(request.user, "delete", record),
            "history": [
                {
                    "version": entry["version"],
                    "changed": [
                        {**change, "label": field_label(change["field"])}
                        for change in entry["changed"]
                    ],
                }
                for entry in person_record_history(request.user, record)
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest) -> HttpResponse:
    if not can_create(request.user, PersonRecord):
        raise PermissionDenied
    form = PersonRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            record = services.person_record_create(actor=acting_user(request.user), **values)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Person record registered."))
            return redirect("people:detail", record_id=record.pk)
    return render(request, "people/form.html", {"form": form, "creating": True})


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, record_id: int) -> HttpResponse:
    record = access_person_record_by_id(
        request.user, record_id, action="change", shown=request.method == "GET"
    )
    # A user never receives a sensitive value they may not see, not even inside a form:
    # such fields are left out of their form.
    hidden = [
        name
        for name in services.EDITABLE_FIELDS
        if isinstance(visible_value(request.user, record, name), Masked)
    ]
    form = PersonRecordForm(
        request.POST or None, instance=record, initial={"version": record.version}
    )
    for name in hidden:
        del form.fields[name]
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version" and k not in hidden}
        try:
            services.person_record_update(
                actor=acting_user(request.user),
                record_id=record_id,
                expected_version=form.cleaned_data["version"] or 0,
                **values,
            )
        except services.StaleVersionError:
            form.add_error(
                None,
                _(
                    "Someone else changed this record while you were editing it. "
                    "Reload it to see their changes, then apply yours again."
                ),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("people:detail", record_id=record_id)
    return render(
        request,
        "people/form.html",
        {"form": form, "record": record, "creating": False, "hidden": hidden},
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def record_delete(request: HttpRequest, record_id: int) -> HttpResponse:
    record = access_person_record_by_id(
        request.user, record_id, action="delete", shown=request.method == "GET"
    )
    if request.method == "POST":
        services.person_record_delete(actor=acting_user(request.user), record_id=record_id)
        messages.success(request, _("Person record deleted."))
        return redirect("people:list")
    return render(request, "people/confirm_delete.html", {"record": record})


@login_required
@require_http_methods(["GET"])
def record_export(request: HttpRequest) -> HttpResponse:
    """The search's records as CSV, masked for the user, each export audited."""
    form = PersonRecordSearchForm(request.GET or None)
    filters = selectors.PersonRecordFilters()
    if form.is_valid():
        filters = selectors.PersonRecordFilters(**form.cleaned_data)
    try:
        export = selectors.person_record_export(actor=request.user, filters=filters)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('people:list')}?{request.GET.urlencode()}")
    return csv_response(filename="person-records.csv", header=export.header, rows=export.rows)
