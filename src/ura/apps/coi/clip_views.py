"""The page action that clips a passage of the library into an asylum case (``coi:clip``).

Thin: the form under each passage of a document page (``coi/_clip_form.html``) posts here;
:func:`ura.apps.coi.clipping.clip_passage` checks the library, the case (need-to-know, the
assessment stage, the version read) and writes through the case engine. The user is sent
back to the passage with a message naming the case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ura.apps.accounts.selectors import acting_user
from ura.apps.cases.services import CaseConflictError
from ura.apps.cases.workflow import TransitionRefusedError
from ura.apps.coi import clipping, selectors

if TYPE_CHECKING:
    from ura.apps.cases.models import Case


class ClipForm(forms.Form):
    """What the clip form posts: the passage, the case with the version the user read
    (``<case id>:<version>``), the words to quote (optional) and a note."""

    passage = forms.IntegerField(min_value=1)
    case = forms.RegexField(regex=r"^\d{1,18}:\d{1,9}$")
    quote = forms.CharField(required=False, max_length=10_000, strip=True)
    note = forms.CharField(required=False, max_length=clipping.MAX_NOTE_CHARS, strip=True)

    def target(self) -> tuple[int, int]:
        case_id, version = str(self.cleaned_data["case"]).split(":")
        return int(case_id), int(version)


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


def _back(document_id: int, anchor: str = "") -> HttpResponse:
    url = reverse("coi:document", args=[document_id])
    return redirect(f"{url}#{quote(anchor)}" if anchor else url)


@login_required
@require_POST
def clip(request: HttpRequest) -> HttpResponse:
    """Clip a passage into a case (POST), then back to the passage on the document page.

    A case outside the user's view is "not found" (404) and one the user may see but not
    change is "forbidden" (403), as everywhere; the other refusals (a quote not in the
    passage, a case changed meanwhile or not being assessed) come back as a message on the
    document page, with nothing written.
    """
    form = ClipForm(request.POST)
    if not form.is_valid():
        passage_id = form.cleaned_data.get("passage")
        if passage_id is None:
            raise Http404("No such passage.")
        found = selectors.passage_get(actor=acting_user(request.user), passage_id=passage_id)
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(found.edition.document_id, found.anchor)
    actor = acting_user(request.user)
    case_id, version = form.target()
    passage = selectors.passage_get(actor=actor, passage_id=form.cleaned_data["passage"])
    document_id = passage.edition.document_id
    try:
        case: Case = clipping.clip_passage(
            actor=actor,
            case_id=case_id,
            expected_version=version,
            passage_id=passage.pk,
            quote=form.cleaned_data["quote"] or None,
            note=form.cleaned_data["note"],
        )
    except CaseConflictError:
        messages.error(
            request,
            _("Someone else changed the case meanwhile; nothing was clipped. Try again."),
        )
    except TransitionRefusedError as refused:
        for failure in refused.failures:
            messages.error(request, failure.detail)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        number = len(case.data.get("assessment", {}).get("citations", []))
        messages.success(
            request,
            _("Passage %(anchor)s cited in case %(reference)s as [%(number)d].")
            % {"anchor": passage.anchor, "reference": case.reference, "number": number},
        )
    return _back(document_id, passage.anchor)
