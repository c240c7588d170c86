"""The small write forms of the case page: each a POST naming the case version the user
read, calling one service and going back to the case page with what happened.

The forms the case page folds away (changing the priority, adding a person, referring,
transferring) are not built with the page: a GET of the address a form posts to shows it,
as the fragment the page's ``<details>`` loads when opened (htmx), or without JavaScript as a
page of its own. The hand-off forms list every unit of every agency, and built on every view
of a case they were about a third of the page's server time.

Outside ATOMIC_REQUESTS like every case page (see ``cases.views``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods

from ura.apps.accounts.selectors import acting_user
from ura.apps.cases import consents, handoffs, overview, selectors, services
from ura.apps.cases.access import access_case_by_id, access_case_document_by_id
from ura.apps.cases.forms import (
    AssignForm,
    CaseUpdateForm,
    ConsentForm,
    DocumentForm,
    NoteForm,
    PersonAddForm,
    ReferralForm,
    ResponseForm,
    TaskForm,
    TransferForm,
    VersionedForm,
)
from ura.apps.cases.models import Case
from ura.apps.cases.views import conflict_message


def _write(
    request: HttpRequest,
    case_id: int,
    form: VersionedForm,
    action: Callable[[Any, int], object],
    done: str,
) -> HttpResponse:
    """Run one small write on a case and go back to the case page (or, when the write ended
    the user's access — a rejected referral — to their work queue)."""
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("cases:detail", case_id=case_id)
    try:
        action(acting_user(request.user), form.cleaned_data["version"])
    except services.CaseConflictError:
        messages.error(request, conflict_message())
    except handoffs.ConsentRequiredError as exc:
        messages.error(
            request,
            _(
                "A person of the case must consent (%(kind)s) before the case is handed over: "
                "record the consent first, or give the reason for an override if your role "
                "allows one."
            )
            % {"kind": exc.kind},
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, done)
    if not overview.case_visible(actor=request.user, case_id=case_id):
        return redirect("cases:queue")
    return redirect("cases:detail", case_id=case_id)


def _posted(request: HttpRequest, form_class: type[VersionedForm], **kwargs: Any) -> Any:
    return form_class(request.POST, request.FILES or None, **kwargs)


# --- The forms the case page folds away, shown on demand ----------------------------------------


def _folded_case(request: HttpRequest, case_id: int) -> tuple[Case, int]:
    """The case a folded form is asked for — loaded for change and audited as shown (the
    form names it) — and the version the user read on the case page (``?version=``), which
    the form carries back: a change made since that page was read is then a conflict, as
    with the forms built with the page."""
    case = access_case_by_id(request.user, case_id, action="change", shown=True)
    try:
        version = int(request.GET.get("version", ""))
    except ValueError:
        version = case.version
    return case, max(0, version)


def _folded_form(
    request: HttpRequest,
    case: Case,
    form: VersionedForm,
    *,
    title: str | Promise,
    submit: str | Promise,
    help_text: str | Promise = "",
) -> HttpResponse:
    """The form alone for the page's ``<details>`` (an htmx request), else a page of its own."""
    context = {
        "case": case,
        "form": form,
        "action": request.path,
        "title": title,
        "submit": submit,
        "help": help_text,
    }
    fragment = request.headers.get("HX-Request") == "true"
    response = render(
        request, "cases/_folded_form.html" if fragment else "cases/folded_form.html", context
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def note_add(request: HttpRequest, case_id: int) -> HttpResponse:
    form = _posted(request, NoteForm)
    return _write(
        request,
        case_id,
        form,
        lambda actor, version: services.case_note_add(
            actor=actor, case_id=case_id, expected_version=version, text=form.cleaned_data["text"]
        ),
        _("Note added."),
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def document_add(request: HttpRequest, case_id: int) -> HttpResponse:
    form = _posted(request, DocumentForm)
    return _write(
        request,
        case_id,
        form,
        lambda actor, version: services.case_document_add(
            actor=actor,
            case_id=case_id,
            expected_version=version,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            original_name=form.cleaned_data["file"].name or "",
            content_type=form.cleaned_data["file"].content_type or "",
        ),
        _("Document stored."),
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET"])
def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    """The stored file, as bytes to save (never rendered as what the uploader claimed)."""
    document = access_case_document_by_id(request.user, document_id)
    response = FileResponse(
        default_storage.open(document.storage_name, "rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def task_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case_by_id(request.user, case_id, action="change")
    assignees = [a.user for a in selectors.case_file(case=case).assignments]
    form = _posted(request, TaskForm, assignees=assignees)
    return _write(
        request,
        case_id,
        form,
        lambda actor, version: services.case_task_add(
            actor=actor,
            case_id=case_id,
            expected_version=version,
            title=form.cleaned_data["title"],
            assignee_id=form.cleaned_data["assignee"],
            due_on=form.cleaned_data["due_on"],
        ),
        _("Task added."),
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def task_complete(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    return _write(
        request,
        case_id,
        _posted(request, VersionedForm),
        lambda actor, version: services.case_task_complete(
            actor=actor, case_id=case_id, expected_version=version, task_id=task_id
        ),
        _("Task done."),
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def consent_record(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case_by_id(request.user, case_id, action="change")
    recipients = overview.handoff_recipients(actor=request.user)
    form = _posted(
        request,
        ConsentForm,
        person_ids=[p.person_id for p in selectors.case_file(case=case).persons],
        agencies=sorted({(r.agency_id, r.agency_name) for r in recipients}),
    )
    return _write(
        request,
        case_id,
        form,
        lambda actor, version: consents.consent_record(
            actor=actor,
            case_id=case_id,
            expected_version=version,
            person_id=form.cleaned_data["person_id"],
            kind=form.cleaned_data["kind"],
            given_on=form.cleaned_data["given_on"],
            scope=form.cleaned_data["scope"],
            recipient_agency_id=form.cleaned_data["recipient_agency"],
        ),
        _("Consent recorded."),
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def consent_withdraw(request: HttpRequest, case_id: int, consent_id: int) -> HttpResponse:
    return _write(
        request,
        case_id,
        _posted(request, VersionedForm),
        lambda actor, version: consents.consent_withdraw(
            actor=actor, case_id=case_id, expected_version=version, consent_id=consent_id
        ),
        _("Withdrawal of consent recorded."),
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def referral_submit(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method == "GET":
        case, version = _folded_case(request, case_id)
        return _folded_form(
            request,
            case,
            ReferralForm(
                initial={"version": version},
                auto_id="referral-%s",
                recipients=overview.handoff_recipients(actor=request.user),
            ),
            title=_("Refer the case"),
            submit=_("Refer"),
            help_text=_(
                "A referral needs a recorded consent of a person of the case (referral), "
                "unless your role may override it with a reason; every override is audited."
            ),
        )
    form = _posted(
        request, ReferralForm, recipients=overview.handoff_recipients(actor=request.user)
    )

    def submit(actor: Any, version: int) -> object:
        agency_id, unit_id = form.recipient_ids()
        return handoffs.referral_submit(
            actor=actor,
            case_id=case_id,
            expected_version=version,
            to_agency_id=agency_id,
            to_unit_id=unit_id,
            service=form.cleaned_data["service"],
            can_change=form.cleaned_data["can_change"],
            override_consent_reason=form.cleaned_data["override_consent_reason"],
        )

    return _write(request, case_id, form, submit, _("Case referred."))


_REFERRAL_STEPS: dict[str, tuple[Callable[..., object], bool, str]] = {
    # step: (service, takes a note, message)
    "accept": (handoffs.referral_accept, True, gettext_noop("Referral accepted.")),
    "reject": (handoffs.referral_reject, True, gettext_noop("Referral rejected.")),
    "complete": (handoffs.referral_complete, False, gettext_noop("Referral reported done.")),
    "revoke": (handoffs.referral_revoke, False, gettext_noop("Referral revoked.")),
}


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def referral_step(request: HttpRequest, case_id: int, referral_id: int, step: str) -> HttpResponse:
    if step not in _REFERRAL_STEPS:
        raise Http404("No such step.")
    service, with_note, done = _REFERRAL_STEPS[step]
    form = _posted(request, ResponseForm)

    def act(actor: Any, version: int) -> object:
        note = {"note": form.cleaned_data["note"]} if with_note else {}
        return service(actor=actor, referral_id=referral_id, expected_version=version, **note)

    return _write(request, case_id, form, act, _(done))


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def transfer_request(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method == "GET":
        case, version = _folded_case(request, case_id)
        # The case page offers a transfer only to the owning agency's people.
        if case.owning_agency_id != getattr(request.user, "agency_id", None):
            raise PermissionDenied("Only the owning agency transfers a case.")
        return _folded_form(
            request,
            case,
            TransferForm(
                initial={"version": version},
                auto_id="transfer-%s",
                recipients=overview.handoff_recipients(actor=request.user),
            ),
            title=_("Transfer the case to another agency"),
            submit=_("Request the transfer"),
        )
    form = _posted(
        request, TransferForm, recipients=overview.handoff_recipients(actor=request.user)
    )
    return _write(
        request,
        case_id,
        form,
        lambda actor, version: handoffs.transfer_request(
            actor=actor,
            case_id=case_id,
            expected_version=version,
            to_unit_id=form.cleaned_data["to_unit"],
            reason=form.cleaned_data["reason"],
            override_consent_reason=form.cleaned_data["override_consent_reason"],
        ),
        _("Transfer requested."),
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def transfer_step(request: HttpRequest, case_id: int, transfer_id: int, step: str) -> HttpResponse:
    if step not in ("accept", "reject"):
        raise Http404("No such step.")
    service = handoffs.transfer_accept if step == "accept" else handoffs.transfer_reject
    form = _posted(request, ResponseForm)
    return _write(
        request,
        case_id,
        form,
        lambda actor, version: service(
            actor=actor,
            transfer_id=transfer_id,
            expected_version=version,
            note=form.cleaned_data["note"],
        ),
        _("Transfer accepted: the case is now your unit's.")
        if step == "accept"
        else _("Transfer declined."),
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def assign(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case_by_id(request.user, case_id, action="change")
    form = _posted(
        request, AssignForm, users=overview.assignable_users(unit_id=case.owning_unit_id)
    )
    return _write(
        request,
        case_id,
        form,
        lambda actor, version: services.case_assign(
            actor=actor,
            case_id=case_id,
            expected_version=version,
            user_ids=form.cleaned_data["users"],
        ),
        _("Assigned."),
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def unassign(request: HttpRequest, case_id: int, user_id: int) -> HttpResponse:
    return _write(
        request,
        case_id,
        _posted(request, VersionedForm),
        lambda actor, version: services.case_unassign(
            actor=actor, case_id=case_id, expected_version=version, user_id=user_id
        ),
        _("Assignment ended."),
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def person_add(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method == "GET":
        case, version = _folded_case(request, case_id)
        return _folded_form(
            request,
            case,
            PersonAddForm(
                initial={"version": version, "household_group": "1"}, auto_id="person-%s"
            ),
            title=_("Add a family or household member"),
            submit=_("Add to the case"),
        )
    form = _posted(request, PersonAddForm)
    return _write(
        request,
        case_id,
        form,
        lambda actor, version: services.case_person_add(
            actor=actor,
            case_id=case_id,
            expected_version=version,
            person_id=form.cleaned_data["person_id"].strip(),
            role=form.cleaned_data["role"],
            household_group=form.cleaned_data["household_group"].strip() or "1",
        ),
        _("Person added to the case."),
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["POST"])
def person_remove(request: HttpRequest, case_id: int, person_id: str) -> HttpResponse:
    form = _posted(request, VersionedForm)
    return _write(
        request,
        case_id,
        form,
        lambda actor, version: services.case_person_remove(
            actor=actor, case_id=case_id, expected_version=version, person_id=person_id
        ),
        _("Person removed from the case."),
    )


@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def case_update(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method == "GET":
        case, version = _folded_case(request, case_id)
        # Offered to those who may see the flags (health data) only, as on the case page.
        if selectors.visible_vulnerabilities(request.user, case) is None:
            raise PermissionDenied("You may not see the vulnerabilities.")
        return _folded_form(
            request,
            case,
            CaseUpdateForm(
                initial={
                    "version": version,
                    "priority": case.priority,
                    "vulnerabilities": case.vulnerabilities,
                },
                auto_id="update-%s",
            ),
            title=_("Change the priority or the vulnerabilities"),
            submit=_("Save"),
        )
    form = _posted(request, CaseUpdateForm)
    return _write(
        request,
        case_id,
        form,
        lambda actor, version: services.case_update(
            actor=actor,
            case_id=case_id,
            expected_version=version,
            priority=form.cleaned_data["priority"],
            vulnerabilities=form.cleaned_data["vulnerabilities"],
        ),
        _("Priority and vulnerabilities saved."),
    )
