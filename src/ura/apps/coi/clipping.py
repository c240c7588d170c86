"""COI passages in asylum cases: clipping a passage into a case's research, and checking the
clipped citations against the library as it is now.

A caseworker reading a document clips a passage (or a part of it) into an asylum case with a
note (:func:`clip_passage`). The citation is written by the asylum app
(``ura.apps.asylum.services.citation_add``) into ``assessment.citations``, through the case
engine: need-to-know, the assessment stage, optimistic locking, the case history and the
audit trail apply as to a passage pasted by hand. It keeps the quoted words, their hash, the
document, the edition and the anchor (the shape is in docs/asylum.md).

The decision quotes the words kept in the citation, so a later edition cannot change it
silently; :func:`case_citations_status` tells the caseworker and the approver whether the
quoted words are still in the document's current edition at the same anchor, moved, or
changed or gone, and whether the document was withdrawn from the library.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ura.apps.asylum import roles as asylum_roles
from ura.apps.asylum import services as asylum_services
from ura.apps.asylum.selectors import ASSESSMENT_STATES, PROCEDURE
from ura.apps.cases.access import case_filter, cases_for
from ura.apps.coi import roles
from ura.apps.coi.models import Document, DocumentStatus, Passage
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_records_shown
from ura.coi import Citation, Verification, VerificationStatus, cite, verify
from ura.coi import Passage as TextPassage

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    from ura.apps.accounts.models import User
    from ura.apps.cases.models import Case

    Actor = AbstractUser | AnonymousUser

__all__ = [
    "MAX_TARGETS",
    "ClipStatus",
    "ClippedCitation",
    "case_citations_status",
    "clip_passage",
    "clip_targets",
    "source_label",
]

#: At most this many cases are offered in the clip form (the ones changed most recently):
#: a caseworker has a few applications in the assessment stage at a time.
MAX_TARGETS = 100
MAX_NOTE_CHARS = 2000
#: What ``asylum.services.citation_add`` keeps of one passage.
MAX_QUOTE_CHARS = 10_000


def _require_view(actor: Actor) -> None:
    if not actor.has_perm(roles.VIEW):
        raise PermissionDenied(_("You may not read the COI library."))


def clip_targets(actor: Actor) -> list[Case]:
    """The open asylum cases the actor may cite a passage into: cases the actor may see and
    change, in the assessment stage, when the actor may assess applications and read the
    library; the most recently changed first, at most :data:`MAX_TARGETS`. Each case offered
    is audited as shown (its reference is listed).

    Returns:
        The cases, empty for a user who may not cite (never an error: the document page
        simply offers no clip form).
    """
    if not (actor.has_perm(roles.VIEW) and actor.has_perm(asylum_roles.DECIDE)):
        return []
    # Cases the actor may see and change, of the asylum procedure, open, in the stage the
    # assessment (and so its citations) is written in.
    targets = cases_for(actor, "change").filter(
        case_filter(actor, "view"),
        procedure_code=PROCEDURE,
        state__in=ASSESSMENT_STATES,
        closed_at__isnull=True,
    )
    cases = list(targets.order_by("-updated_at", "-pk")[:MAX_TARGETS])
    if cases:
        audit_records_shown(
            actor=actor, action=AuditAction.LIST, objects=cases, detail={"list": "coi:clip"}
        )
    return cases


def source_label(document: Document) -> str:
    """The document's sources as a reference names them, as ecoi.net writes them: the
    acronym, an en dash and the name (``ACCORD``, dash, ``Austrian Centre for …``), several
    joined by ``; ``."""
    names = []
    for source in document.sources.all():
        if source.acronym and source.acronym != source.name:
            names.append(f"{source.acronym} \N{EN DASH} {source.name}")
        else:
            names.append(source.name)
    return "; ".join(sorted(names))


def clip_passage(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    passage_id: int,
    quote: str | None = None,
    note: str = "",
) -> Case:
    """Cite a passage of the library in an asylum case's assessment, with a note.

    The passage must belong to the current edition of a document in the library (a withdrawn
    document, or an earlier edition, is no longer cited afresh). ``quote`` may be a part of
    the passage, copied exactly (differences in spacing and line breaks do not matter). The
    reference's accessed date is the date the library took its copy from the original URL
    (the document's accessed date), or today when the library has none (docs/asylum.md).

    Raises:
        PermissionDenied: the actor may not read the library, or may not assess applications.
        Http404: no such passage, or a case outside the actor's view.
        ValidationError: the document was withdrawn, the passage is from an earlier edition,
            the quote is not in the passage, the note is too long, the case is not an asylum
            case in the assessment stage, or the words are cited in the case already.
        CaseConflictError: the case changed since ``expected_version``.
    """
    _require_view(actor)
    passage = (
        Passage.objects.filter(pk=passage_id).select_related("edition", "edition__document").first()
    )
    if passage is None:
        raise Http404("No such passage.")
    document = passage.edition.document
    if document.status == DocumentStatus.WITHDRAWN:
        raise ValidationError(
            {"passage": _("This document was withdrawn from the library; it cannot be cited.")}
        )
    if passage.edition.number != document.edition:
        raise ValidationError(
            {
                "passage": _(
                    "This passage is from an earlier edition of the document; cite it from "
                    "the current edition."
                )
            }
        )
    note = note.strip()
    if len(note) > MAX_NOTE_CHARS:
        raise ValidationError({"note": _("At most %d characters.") % MAX_NOTE_CHARS})
    source = source_label(document)
    accessed = document.accessed_on or timezone.localdate()
    try:
        citation = cite(
            TextPassage(anchor=passage.anchor, text=passage.text),
            doc_id=str(document.pk),
            source=source,
            title=document.title,
            published=document.published,
            url=document.url,
            accessed=accessed,
            quote=quote if quote and quote.strip() else None,
        )
    except ValueError:
        raise ValidationError(
            {"quote": _("These words are not in the passage: copy them exactly from it.")}
        ) from None
    if len(citation.quoted_text) > MAX_QUOTE_CHARS:
        raise ValidationError(
            {
                "quote": _(
                    "A citation quotes at most %d characters: quote the part of the passage "
                    "that matters."
                )
                % MAX_QUOTE_CHARS
            }
        )
    return asylum_services.citation_add(
        actor=actor,
        case_id=case_id,
        expected_version=expected_version,
        title=citation.title,
        publisher=source,
        date=citation.published,
        url=citation.url,
        passage=citation.quoted_text,
        anchor=citation.anchor,
        clipping=asylum_services.Clipping(
            document_id=document.pk,
            edition=passage.edition.number,
            source=source,
            accessed=accessed,
            note=note,
        ),
    )


class ClipStatus(StrEnum):
    """What became of a clipped citation in the library (``ClippedCitation.status``)."""

    UNCHANGED = "unchanged"  # the quoted words are at the cited anchor of the current edition
    MOVED = "moved"  # they are in the current edition, at another anchor
    CHANGED = "changed"  # they are nowhere in the current edition (changed or removed)
    WITHDRAWN = "withdrawn"  # the document was withdrawn from the library
    MISSING = "missing"  # the document is no longer in the library at all
    ALTERED = "altered"  # the citation's own quote no longer matches its hash


@dataclass(frozen=True)
class ClippedCitation:
    """One clipped citation of a case, checked against the library.

    Attributes:
        number: the citation's number in the assessment (``[n]``).
        citation: the citation as the case keeps it (``assessment.citations[n-1]``).
        status: a :class:`ClipStatus` value.
        verification: ``ura.coi.verify`` against the current edition's passages (None when
            the document is missing or the quote was altered). For a withdrawn document the
            words are still checked, since the decision may already rest on them.
        document: the library document (None when missing).
        current_edition: the document's current edition number (None when missing).
    """

    number: int
    citation: Mapping[str, Any]
    status: ClipStatus
    verification: Verification | None
    document: Document | None
    current_edition: int | None

    @property
    def cited_edition(self) -> int | None:
        value = self.citation.get("edition")
        return int(value) if isinstance(value, int) else None

    @property
    def newer_edition(self) -> bool:
        """The library has an edition newer than the one the words were quoted from."""
        cited = self.cited_edition
        return (
            cited is not None and self.current_edition is not None and self.current_edition > cited
        )

    @property
    def anchor(self) -> str:
        return str(self.citation.get("anchor", ""))

    @property
    def current_anchor(self) -> str | None:
        """Where the quoted words are now, when they moved."""
        if self.verification is not None and self.status == ClipStatus.MOVED:
            return self.verification.anchor
        return None

    @property
    def words(self) -> str:
        """What became of the quoted words in the current edition, whatever the document's
        status: ``unchanged``, ``moved``, ``changed``, or ``""`` when not checked."""
        return self.verification.status.value if self.verification is not None else ""

    @property
    def warning(self) -> bool:
        """Whether a reviewer must look again before relying on the citation."""
        return self.status != ClipStatus.UNCHANGED


def _as_citation(entry: Mapping[str, Any]) -> Citation:
    def day(value: object) -> dt.date | None:
        try:
            return dt.date.fromisoformat(str(value)) if value else None
        except ValueError:
            return None

    return Citation(
        doc_id=str(entry.get("document_id", "")),
        source=str(entry.get("source") or entry.get("publisher", "")),
        title=str(entry.get("title", "")),
        published=day(entry.get("date")),
        url=str(entry.get("url", "")),
        accessed=day(entry.get("accessed")) or dt.date.min,
        anchor=str(entry.get("anchor", "")),
        quoted_text=str(entry.get("passage", "")),
        text_hash=str(entry.get("passage_hash", "")),
    )


def _current_passages(documents: Sequence[Document]) -> dict[int, list[TextPassage]]:
    if not documents:
        return {}
    wanted = Q()
    for document in documents:
        wanted |= Q(edition__document_id=document.pk, edition__number=document.edition)
    found: dict[int, list[TextPassage]] = {document.pk: [] for document in documents}
    rows = (
        Passage.objects.filter(wanted)
        .order_by("edition__document_id", "position")
        .values_list("edition__document_id", "anchor", "text")
    )
    for document_id, anchor, text in rows:
        found[document_id].append(TextPassage(anchor=anchor, text=text))
    return found


_STATUS = {
    VerificationStatus.UNCHANGED: ClipStatus.UNCHANGED,
    VerificationStatus.MOVED: ClipStatus.MOVED,
    VerificationStatus.CHANGED: ClipStatus.CHANGED,
}


def case_citations_status(actor: Actor, case: Case) -> list[ClippedCitation]:
    """Each citation of the case clipped from the library, checked against the document's
    current edition: the quoted words at the same anchor, moved, changed or gone; the
    document withdrawn or missing. Citations pasted by hand are not in the list.

    Args:
        actor: the user who is shown the result (needs to read the library).
        case: a case the caller loaded through ``cases.access`` for this actor.

    Raises:
        PermissionDenied: the actor may not read the library.
    """
    _require_view(actor)
    entries = [
        (number, entry)
        for number, entry in enumerate(
            case.data.get("assessment", {}).get("citations", []) or [], start=1
        )
        if isinstance(entry, Mapping) and entry.get("document_id") is not None
    ]
    ids = {int(entry["document_id"]) for _, entry in entries}
    documents = Document.objects.in_bulk(ids)
    passages = _current_passages(list(documents.values()))
    checked = []
    for number, entry in entries:
        document = documents.get(int(entry["document_id"]))
        if document is None:
            checked.append(ClippedCitation(number, entry, ClipStatus.MISSING, None, None, None))
            continue
        verification: Verification | None
        try:
            verification = verify(_as_citation(entry), passages[document.pk])
        except ValueError:  # the kept quote no longer matches its hash
            status, verification = ClipStatus.ALTERED, None
        else:
            status = _STATUS[verification.status]
            if document.status == DocumentStatus.WITHDRAWN:
                status = ClipStatus.WITHDRAWN
        checked.append(
            ClippedCitation(number, entry, status, verification, document, document.edition)
        )
    return checked
