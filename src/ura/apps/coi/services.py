"""Writes on the COI library: sources, document imports, new editions, metadata, withdrawal and
near-duplicate review; each checks ``coi.manage_library`` and writes its audit event in the
same transaction.

**Importing a file** (:func:`document_import`) validates its metadata
(:class:`DocumentMetadata`; a :class:`ValidationError` per field), then either adds a document
or records an :class:`~ura.apps.coi.models.ImportRejection` with the reason, keeping the file
in storage under a random name, so nothing given to Ura is lost:

* a file that cannot be read (unknown type, damaged, encrypted, no text layer) is rejected;
* the same file (SHA-256) as an edition already in the library is rejected, naming the
  document it is;
* a file whose text resembles an active document's (:mod:`ura.coi.duplicates`, estimated
  similarity 0.5 or more) is imported but flagged for review (``duplicate_review="pending"``,
  ``near_duplicate_of``); :func:`duplicate_review` records the decision.

The text is extracted into passages with stable anchors (:func:`ura.coi.extract.extract`),
stored with the document's first :class:`~ura.apps.coi.models.Edition`. A corrected file is a
new edition (:func:`document_new_edition`): the old edition and its passages are kept, so a
citation can always be checked against the words it quoted.

**Near-duplicates at any size.** The smallest :data:`DUPLICATE_KEYS` values of each
document's signature are stored as :class:`~ura.apps.coi.models.DuplicateKey` rows; an import
asks the database for the active documents sharing any of its keys, then compares whole
signatures. Two documents of similarity 0.5 share one of those keys with probability above
0.99998, so the check finds what a comparison with every document would, in one indexed query,
in every process (about 5 ms at 100,000 documents on PostgreSQL).

The search index follows each committed change (:mod:`ura.apps.coi.search`). Every write that
another person may have raced names the ``expected_version`` it read (optimistic locking):
when the row changed in between, nothing is written and :class:`ConflictError` says so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import mimetypes
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ura.apps.coi import search
from ura.apps.coi.models import (
    Document,
    DocumentCountry,
    DocumentStatus,
    DocumentType,
    DuplicateKey,
    DuplicateReview,
    Edition,
    ImportBatch,
    ImportOrigin,
    ImportRejection,
    Passage,
    Source,
    SourceType,
    Topic,
)
from ura.apps.coi.roles import MANAGE
from ura.apps.coi.thesaurus import thesaurus_ensure
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_diff, audit_record
from ura.coi.duplicates import DuplicateCandidate, DuplicateIndex, Signature, signature
from ura.coi.extract import ExtractionError, extract, file_checksum
from ura.coi.extract import Passage as TextPassage

if TYPE_CHECKING:
    from ura.apps.accounts.models import User

__all__ = [
    "COUNTRY_CODES",
    "DUPLICATE_KEYS",
    "FILE_MAX_BYTES",
    "LANGUAGE_CODES",
    "SOURCE_FIELDS",
    "ConflictError",
    "DocumentMetadata",
    "ImportOutcome",
    "ImportRejectedError",
    "ResolvedMetadata",
    "document_import",
    "document_new_edition",
    "document_update",
    "document_withdraw",
    "duplicate_review",
    "import_batch_finish",
    "import_batch_start",
    "import_rejection_record",
    "metadata_validate",
    "near_duplicate",
    "source_create",
    "source_update",
]

#: Files larger than this are refused (the largest COI reports are some 30 MB).
FILE_MAX_BYTES = 100 * 1024 * 1024
#: Smallest signature values stored per document for the near-duplicate lookup.
DUPLICATE_KEYS = 16
#: Documents sharing the most keys whose whole signatures are compared.
_DUPLICATE_CANDIDATES = 50
_SIGNED = 1 << 63

#: ISO 3166-1 alpha-2, with Kosovo's user-assigned ``XK`` (as ecoi.net and the EU use it).
_COUNTRIES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO
    DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU
    GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW
    KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU
    MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
    PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT
    ZA ZM ZW"""
COUNTRY_CODES = frozenset(_COUNTRIES.split())
#: ISO 639-1, and the ISO 639-3 codes of languages COI is written in that have no 639-1 code
#: (Sorani Kurdish, Dari).
_LANGUAGES = """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu
    hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb
    lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om
    or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg sh si sk sl sm sn so sq sr ss st su sv
    sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
    ckb prs"""
LANGUAGE_CODES = frozenset(_LANGUAGES.split())
#: File types Ura extracts text from, by extension.
_EXTENSIONS = {
    "pdf": "application/pdf",
    "html": "text/html",
    "htm": "text/html",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain",
    "md": "text/plain",
}
#: The source fields :func:`source_create` and :func:`source_update` take.
SOURCE_FIELDS = (
    "name",
    "acronym",
    "source_type",
    "url",
    "mandate",
    "method",
    "coverage",
    "rhythm",
    "reliability_notes",
    "reviewed_on",
)


class ConflictError(ValidationError):
    """The row changed after the version the user read; nothing was written."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            _(
                "Someone else changed this in the meantime (now version %(version)d);"
                " reload it and try again."
            )
            % {"version": current_version},
            code="conflict",
        )
        self.current_version = current_version


class ImportRejectedError(ValidationError):
    """A new edition's file was refused; the rejection (with the file kept) is recorded."""

    def __init__(self, rejection: ImportRejection) -> None:
        super().__init__(rejection.reason, code="rejected")
        self.rejection = rejection


def _require(actor: User | None) -> None:
    if actor is None or not actor.has_perm(MANAGE):
        raise PermissionDenied(_("You may not manage the COI library."))


# --- Metadata --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentMetadata:
    """What the importing person says about a document.

    Attributes:
        title: the original title (required).
        sources: at least one source, by id or by name or acronym.
        document_type: a :class:`~ura.apps.coi.models.DocumentType` value.
        language: the original language, ISO 639-1 (``ckb`` and ``prs`` too).
        countries: the countries covered, ISO 3166-1 alpha-2 (``XK`` for Kosovo), at least
            one; the first is the primary one.
        topics: topic codes of the thesaurus (in use).
        title_translated: the title in English (or the library's working language).
        published: publication date (not in the future).
        url: where the document was found (http or https).
        accessed_on: when it was found there (not in the future).
    """

    title: str
    sources: Sequence[int | str]
    document_type: str
    language: str
    countries: Sequence[str]
    topics: Sequence[str] = ()
    title_translated: str = ""
    published: dt.date | None = None
    url: str = ""
    accessed_on: dt.date | None = None

    def as_json(self) -> dict[str, Any]:
        """The metadata as given, for a rejection's record."""
        return {
            "title": self.title,
            "title_translated": self.title_translated,
            "sources": [str(s) for s in self.sources],
            "document_type": self.document_type,
            "language": self.language,
            "countries": list(self.countries),
            "topics": list(self.topics),
            "published": self.published.isoformat() if self.published else None,
            "url": self.url,
            "accessed_on": self.accessed_on.isoformat() if self.accessed_on else None,
        }


@dataclass(frozen=True)
class ResolvedMetadata:
    """Validated metadata, with the sources and topics it names loaded."""

    title: str
    title_translated: str
    sources: tuple[Source, ...]
    document_type: str
    language: str
    countries: tuple[str, ...]
    topics: tuple[Topic, ...]
    published: dt.date | None
    url: str
    accessed_on: dt.date | None


def _sources(values: Sequence[int | str], errors: dict[str, list[str]]) -> list[Source]:
    found: list[Source] = []
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        if isinstance(value, int) or text.isdigit():
            source = Source.objects.filter(pk=int(text)).first()
        else:
            matches = list(Source.objects.filter(Q(name__iexact=text) | Q(acronym__iexact=text)))
            exact = [s for s in matches if s.name.lower() == text.lower()]
            source = exact[0] if exact else (matches[0] if len(matches) == 1 else None)
            if len(matches) > 1 and not exact:
                errors.setdefault("sources", []).append(
                    _("%(name)s names several sources; use the full name.") % {"name": text}
                )
                continue
        if source is None:
            errors.setdefault("sources", []).append(
                _("Unknown source: %(name)s. Describe the source first.") % {"name": text}
            )
        elif source not in found:
            found.append(source)
    if not found and "sources" not in errors:
        errors["sources"] = [_("Name at least one source.")]
    return found


def metadata_validate(metadata: DocumentMetadata) -> ResolvedMetadata:
    """Check a document's metadata and load the sources and topics it names.

    Raises:
        ValidationError: with a message per field (the :class:`DocumentMetadata` names).
    """
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    title = " ".join((metadata.title or "").split())
    translated = " ".join((metadata.title_translated or "").split())
    if not title:
        errors["title"] = [_("A document needs its title.")]
    elif len(title) > 500:
        errors["title"] = [_("A title has at most 500 characters.")]
    if len(translated) > 500:
        errors["title_translated"] = [_("A title has at most 500 characters.")]
    sources = _sources(list(metadata.sources or ()), errors)
    if metadata.document_type not in DocumentType.values:
        errors["document_type"] = [
            _("Unknown document type %(type)s; one of: %(types)s.")
            % {"type": metadata.document_type, "types": ", ".join(DocumentType.values)}
        ]
    language = (metadata.language or "").strip().lower()
    if language not in LANGUAGE_CODES:
        errors["language"] = [
            _("%(code)s is not an ISO 639-1 language code (such as en, ar, fa).")
            % {"code": metadata.language or "''"}
        ]
    countries: list[str] = []
    for code in metadata.countries or ():
        normal = str(code).strip().upper()
        if normal not in COUNTRY_CODES:
            errors.setdefault("countries", []).append(
                _("%(code)s is not an ISO 3166 country code (such as SY, AF, XK).") % {"code": code}
            )
        elif normal not in countries:
            countries.append(normal)
    if not countries and "countries" not in errors:
        errors["countries"] = [_("Name at least one country the document covers.")]
    codes = list(dict.fromkeys(str(c).strip() for c in metadata.topics or () if str(c).strip()))
    topics = list(Topic.objects.filter(code__in=codes, active=True))
    unknown = sorted(set(codes) - {t.code for t in topics})
    if unknown:
        errors["topics"] = [
            _("Unknown or retired topics: %(codes)s.") % {"codes": ", ".join(unknown)}
        ]
    for name in ("published", "accessed_on"):
        day = getattr(metadata, name)
        if day is not None and not isinstance(day, dt.date):
            errors[name] = [_("Not a date.")]
        elif day is not None and day > today:
            errors[name] = [_("A date in the future.")]
    url = (metadata.url or "").strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = [_("Not a web address (http:// or https://).")]
        if len(url) > 1000:
            errors["url"] = [_("A web address has at most 1000 characters.")]
    if errors:
        raise ValidationError(errors)
    by_code = {t.code: t for t in topics}
    return ResolvedMetadata(
        title=title,
        title_translated=translated,
        sources=tuple(sources),
        document_type=metadata.document_type,
        language=language,
        countries=tuple(countries),
        topics=tuple(by_code[c] for c in codes),
        published=metadata.published,
        url=url,
        accessed_on=metadata.accessed_on,
    )


# --- Files -----------------------------------------------------------------------------------


def _clean_filename(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:255] or "document"


def _media_type(data: bytes, filename: str) -> str | None:
    """The media type Ura reads the file as; None for a type it does not read."""
    if "." in filename:
        return _EXTENSIONS.get(filename.rsplit(".", 1)[1].lower())
    if data.startswith(b"%PDF"):
        return "application/pdf"
    if data.startswith(b"PK\x03\x04"):
        return _EXTENSIONS["docx"]
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "text/html"
    return "text/plain"


def _store(data: bytes) -> str:
    # The stored name says nothing about the file: the name it came with is in the row.
    return default_storage.save(f"coi/{secrets.token_urlsafe(32)}", ContentFile(data))


@contextlib.contextmanager
def _stored(data: bytes) -> Iterator[str]:
    """The file stored for the block that records it; removed again if the block fails."""
    name = _store(data)
    try:
        yield name
    except BaseException:
        default_storage.delete(name)
        raise


@dataclass(frozen=True)
class _Readable:
    media_type: str
    checksum: str
    passages: list[TextPassage]
    signature: Signature


def _read(data: bytes, filename: str) -> _Readable | str:
    """The file's text, or why it cannot be imported."""
    if not data:
        return _("The file is empty.")
    if len(data) > FILE_MAX_BYTES:
        return _("The file is larger than %(mb)d MB.") % {"mb": FILE_MAX_BYTES >> 20}
    media_type = _media_type(data, filename)
    if media_type is None:
        guessed = mimetypes.guess_type(filename)[0] or filename.rsplit(".", 1)[-1]
        return _("Ura cannot read %(type)s files; it reads PDF, HTML, DOCX and plain text.") % {
            "type": guessed
        }
    try:
        passages = extract(data, media_type=media_type)
    except ExtractionError as exc:
        return _("The file could not be read: %(why)s.") % {"why": str(exc).rstrip(". ")}
    return _Readable(
        media_type, file_checksum(data), passages, signature([p.text for p in passages])
    )


def _same_file(checksum: str) -> str | None:
    edition = Edition.objects.filter(checksum=checksum).select_related("document").first()
    if edition is None:
        return None
    return _(
        "The same file is already in the library: document %(id)d “%(title)s”, edition %(edition)d."
    ) % {"id": edition.document_id, "title": edition.document.title, "edition": edition.number}


# --- Near-duplicates -------------------------------------------------------------------------


def _keys(sig: Signature) -> list[int]:
    return [h - _SIGNED for h in sig.hashes[:DUPLICATE_KEYS]]


def near_duplicate(sig: Signature, *, exclude: int | None = None) -> DuplicateCandidate | None:
    """The active document most like a text of this signature, if any reaches the
    near-duplicate threshold (see the module docstring).

    Args:
        sig: the new text's signature.
        exclude: a document to leave out (the document itself).
    """
    keys = _keys(sig)
    if not keys:
        return None
    keyed = DuplicateKey.objects.filter(value__in=keys, document__status=DocumentStatus.ACTIVE)
    if exclude is not None:
        keyed = keyed.exclude(document_id=exclude)
    shared = (
        keyed.values("document_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "document_id")[:_DUPLICATE_CANDIDATES]
    )
    ids = [row["document_id"] for row in shared]
    if not ids:
        return None
    index = DuplicateIndex()
    for pk, stored in Document.objects.filter(pk__in=ids).values_list("pk", "signature"):
        if stored:
            index.add(str(pk), Signature.from_bytes(bytes(stored)))
    candidates = index.candidates(sig)
    return candidates[0] if candidates else None


def _keys_store(document: Document, sig: Signature) -> None:
    DuplicateKey.objects.filter(document=document).delete()
    DuplicateKey.objects.bulk_create(
        [DuplicateKey(document=document, value=value) for value in dict.fromkeys(_keys(sig))]
    )


# --- Batches and rejections ------------------------------------------------------------------


def import_batch_start(
    *, actor: User, origin: ImportOrigin | str, label: str = "", job_id: int | None = None
) -> ImportBatch:
    """Open an import: every file given to it becomes a document, a new edition or a
    rejection, counted on the batch.

    Raises:
        PermissionDenied: the actor may not manage the library.
    """
    _require(actor)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            origin=ImportOrigin(origin), label=label[:300], started_by=actor, job_id=job_id
        )
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=batch, detail={"origin": batch.origin}
        )
    return batch


def import_batch_finish(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """Close an import; its counts are refreshed from the database and recorded in the audit
    trail (``files_total = imported + new_editions + rejected``)."""
    _require(actor)
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(finished_at=timezone.now())
        batch.refresh_from_db()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=batch,
            detail={
                "finished": True,
                "files": batch.files_total,
                "imported": batch.imported,
                "new_editions": batch.new_editions,
                "near_duplicates": batch.near_duplicates,
                "rejected": batch.rejected,
            },
        )
    return batch


def _count(batch: ImportBatch, **counters: int) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        files_total=F("files_total") + 1, **{k: F(k) + v for k, v in counters.items()}
    )


def import_rejection_record(
    *,
    actor: User,
    batch: ImportBatch,
    reason: str,
    filename: str = "",
    row: int | None = None,
    metadata: Mapping[str, Any] | None = None,
    data: bytes | None = None,
) -> ImportRejection:
    """Record a file or metadata row an import refused, with the reason; the file (if any)
    is kept in storage under a random name. Counts as one file of the batch.

    Raises:
        PermissionDenied: the actor may not manage the library.
    """
    _require(actor)
    with transaction.atomic():
        storage_name = _store(data) if data else ""
        try:
            rejection = ImportRejection.objects.create(
                batch=batch,
                filename=_clean_filename(filename) if filename else "",
                row=row,
                reason=reason,
                metadata=dict(metadata or {}),
                storage_name=storage_name,
            )
            _count(batch, rejected=1)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=rejection,
                detail={"batch": batch.pk, "row": row, "file_kept": bool(storage_name)},
            )
        except BaseException:
            if storage_name:
                default_storage.delete(storage_name)
            raise
    return rejection


# --- Importing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    """What became of one file: a document (new, or a new edition of one) or a rejection.

    Attributes:
        document: the document, None when rejected.
        rejection: the rejection, None when imported.
        new_edition: the file was a new edition of ``document``.
        near_duplicate: the active document the new one resembles (it is flagged for review).
    """

    document: Document | None = None
    rejection: ImportRejection | None = None
    new_edition: bool = False
    near_duplicate: DuplicateCandidate | None = None

    @property
    def rejected(self) -> bool:
        return self.rejection is not None


def _passages_create(edition: Edition, passages: Sequence[TextPassage]) -> None:
    Passage.objects.bulk_create(
        [
            Passage(
                edition=edition,
                position=position,
                anchor=p.anchor[:200],
                text=p.text,
                text_hash=p.hash,
            )
            for position, p in enumerate(passages)
        ],
        batch_size=1000,
    )


def _indexing_set(document: Document, meta: ResolvedMetadata) -> None:
    DocumentCountry.objects.filter(document=document).delete()
    DocumentCountry.objects.bulk_create(
        [
            DocumentCountry(document=document, country=code, position=position)
            for position, code in enumerate(meta.countries)
        ]
    )
    document.sources.set(meta.sources)
    document.topics.set(meta.topics)


def document_import(
    *,
    actor: User,
    data: bytes,
    filename: str,
    metadata: DocumentMetadata,
    batch: ImportBatch | None = None,
    origin: ImportOrigin | str = ImportOrigin.UI,
    row: int | None = None,
) -> ImportOutcome:
    """Import one file as a new document (in one transaction of its own).

    Args:
        actor: who imports (must manage the library).
        data: the file's bytes.
        filename: the name it came with (its extension says how to read it).
        metadata: what the importer says about it.
        batch: the import it belongs to; None opens and closes one for this file.
        origin: where it came from, for a batch opened here.
        row: the metadata file's row describing the file (a batch import), for a rejection.

    Returns:
        The outcome: the document (flagged when it looks like another), or the rejection of
        an unreadable file or of a file already in the library (kept in storage).

    Raises:
        PermissionDenied: the actor may not manage the library.
        ValidationError: the metadata is invalid (per field); nothing is stored.
    """
    _require(actor)
    thesaurus_ensure()
    meta = metadata_validate(metadata)
    filename = _clean_filename(filename)
    own = batch is None
    if batch is None:
        batch = import_batch_start(actor=actor, origin=origin, label=filename)
    try:
        readable = _readable(actor, batch, data, filename, row, metadata.as_json())
        if isinstance(readable, ImportRejection):
            return ImportOutcome(rejection=readable)
        similar = near_duplicate(readable.signature)
        document = _document_create(actor, batch, meta, readable, data, filename, similar)
        return ImportOutcome(document=document, near_duplicate=similar)
    finally:
        if own:
            import_batch_finish(actor=actor, batch=batch)


def _readable(
    actor: User,
    batch: ImportBatch,
    data: bytes,
    filename: str,
    row: int | None,
    metadata: dict[str, Any],
) -> _Readable | ImportRejection:
    """The file read into passages, or its rejection (recorded, the file kept): unreadable,
    or already in the library."""
    readable = _read(data, filename)
    reason = readable if isinstance(readable, str) else _same_file(readable.checksum)
    if isinstance(readable, str) or reason is not None:
        return import_rejection_record(
            actor=actor,
            batch=batch,
            reason=reason or "",
            filename=filename,
            row=row,
            metadata=metadata,
            data=data,
        )
    return readable


def _document_create(
    actor: User,
    batch: ImportBatch,
    meta: ResolvedMetadata,
    readable: _Readable,
    data: bytes,
    filename: str,
    similar: DuplicateCandidate | None,
) -> Document:
    with _stored(data) as storage_name, transaction.atomic():
        document = Document.objects.create(
            title=meta.title,
            title_translated=meta.title_translated,
            document_type=meta.document_type,
            language=meta.language,
            published=meta.published,
            url=meta.url,
            accessed_on=meta.accessed_on,
            added_by=actor,
            signature=readable.signature.to_bytes(),
            near_duplicate_of_id=int(similar.doc_id) if similar else None,
            duplicate_similarity=similar.similarity if similar else None,
            duplicate_review=DuplicateReview.PENDING if similar else "",
        )
        _indexing_set(document, meta)
        edition = Edition.objects.create(
            document=document,
            number=1,
            storage_name=storage_name,
            filename=filename,
            media_type=readable.media_type,
            size=len(data),
            checksum=readable.checksum,
            batch=batch,
            imported_by=actor,
        )
        _passages_create(edition, readable.passages)
        _keys_store(document, readable.signature)
        _count(batch, imported=1, near_duplicates=1 if similar else 0)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=document,
            detail={
                "batch": batch.pk,
                "edition": 1,
                "sha256": readable.checksum,
                "passages": len(readable.passages),
                "countries": list(meta.countries),
                "near_duplicate_of": int(similar.doc_id) if similar else None,
            },
        )
        search.index_after_commit([document.pk])
    return document


def _document(document_id: int, *, lock: bool = False) -> Document:
    documents = Document.objects.select_for_update() if lock else Document.objects
    document = documents.filter(pk=document_id).first()
    if document is None:
        raise Http404("No such document.")
    return document


def _locked_write(document: Document, expected_version: int, **fields: Any) -> None:
    """Apply ``fields`` and step the version if the document is still at
    ``expected_version``; refreshes ``document``."""
    updated = Document.objects.filter(pk=document.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    if not updated:
        current = Document.objects.filter(pk=document.pk).values_list("version", flat=True)
        raise ConflictError(current.first() or 0)
    document.refresh_from_db()


def document_new_edition(
    *,
    actor: User,
    document_id: int,
    data: bytes,
    filename: str,
    note: str = "",
    expected_version: int | None = None,
    batch: ImportBatch | None = None,
    origin: ImportOrigin | str = ImportOrigin.UI,
    row: int | None = None,
) -> Document:
    """Import a corrected or updated file of a document as its new current edition. The
    earlier editions and their passages are kept (citations are checked against them).

    Args:
        note: what changed (for readers of the document's history).
        expected_version: the document version the user read (None: whatever it is now).
        batch: the import it belongs to; None opens and closes one for this file.
        origin: where it came from, for a batch opened here.
        row: the metadata file's row naming the file (a batch import), for a rejection.

    Raises:
        PermissionDenied: the actor may not manage the library.
        Http404: no such document.
        ValidationError: the document is withdrawn.
        ImportRejectedError: the file cannot be read or is already in the library (the
            rejection is recorded and the file kept).
        ConflictError: the document changed since ``expected_version``.
    """
    _require(actor)
    document = _document(document_id)
    if document.status == DocumentStatus.WITHDRAWN:
        raise ValidationError(_("A withdrawn document takes no new editions."))
    filename = _clean_filename(filename)
    own = batch is None
    if batch is None:
        batch = import_batch_start(actor=actor, origin=origin, label=filename)
    try:
        readable = _readable(
            actor, batch, data, filename, row, {"document": document.pk, "note": note}
        )
        if isinstance(readable, ImportRejection):
            raise ImportRejectedError(readable)
        with _stored(data) as storage_name, transaction.atomic():
            document = _document(document_id, lock=True)
            version = document.version if expected_version is None else expected_version
            previous = document.edition
            old = dict(
                Passage.objects.filter(
                    edition__document=document, edition__number=previous
                ).values_list("anchor", "text_hash")
            )
            number = (document.editions.aggregate(n=Max("number"))["n"] or 0) + 1
            _locked_write(
                document, version, edition=number, signature=readable.signature.to_bytes()
            )
            edition = Edition.objects.create(
                document=document,
                number=number,
                storage_name=storage_name,
                filename=filename,
                media_type=readable.media_type,
                size=len(data),
                checksum=readable.checksum,
                note=note.strip()[:300],
                batch=batch,
                imported_by=actor,
            )
            _passages_create(edition, readable.passages)
            _keys_store(document, readable.signature)
            _count(batch, new_editions=1)
            new = {p.anchor: p.hash for p in readable.passages}
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=document,
                changes={"edition": {"old": previous, "new": number}},
                detail={
                    "change": "new_edition",
                    "batch": batch.pk,
                    "sha256": readable.checksum,
                    "passages": len(new),
                    "passages_changed": sum(1 for a, h in new.items() if a in old and old[a] != h),
                    "passages_added": len(set(new) - set(old)),
                    "passages_removed": len(set(old) - set(new)),
                    "version": document.version,
                },
            )
            search.index_after_commit([document.pk])
    finally:
        if own:
            import_batch_finish(actor=actor, batch=batch)
    return document


# --- Changing documents ----------------------------------------------------------------------

_SCALARS = (
    "title",
    "title_translated",
    "document_type",
    "language",
    "published",
    "url",
    "accessed_on",
)


def _indexing_snapshot(document: Document) -> dict[str, Any]:
    return {
        "countries": list(document.countries.values_list("country", flat=True)),
        "sources": sorted(document.sources.values_list("pk", flat=True)),
        "topics": sorted(document.topics.values_list("code", flat=True)),
    }


def document_update(
    *,
    actor: User,
    document_id: int,
    expected_version: int,
    metadata: DocumentMetadata,
    is_key: bool | None = None,
) -> Document:
    """Replace a document's metadata (and its "key document" mark, unless None).

    Raises:
        PermissionDenied: the actor may not manage the library.
        Http404: no such document.
        ValidationError: invalid metadata (per field).
        ConflictError: the document changed since ``expected_version``.
    """
    _require(actor)
    meta = metadata_validate(metadata)
    with transaction.atomic():
        document = _document(document_id, lock=True)
        scalars = (*_SCALARS, "is_key")
        before = {name: getattr(document, name) for name in scalars}
        lists_before = _indexing_snapshot(document)
        fields: dict[str, Any] = {name: getattr(meta, name) for name in _SCALARS}
        if is_key is not None:
            fields["is_key"] = is_key
        _locked_write(document, expected_version, **fields)
        _indexing_set(document, meta)
        changes: dict[str, Any] = audit_diff(
            Document, before, {name: getattr(document, name) for name in scalars}
        )
        lists_after = _indexing_snapshot(document)
        changes.update(
            {
                name: {"old": lists_before[name], "new": value}
                for name, value in lists_after.items()
                if lists_before[name] != value
            }
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=document,
            changes=changes,
            detail={"change": "metadata", "version": document.version},
        )
        search.index_after_commit([document.pk])
    return document


def document_withdraw(
    *, actor: User, document_id: int, reason: str, expected_version: int | None = None
) -> Document:
    """Take a document out of the library: it leaves search, and stays in the database (with
    its editions and passages) for the decisions that cite it.

    Raises:
        PermissionDenied: the actor may not manage the library.
        Http404: no such document.
        ValidationError: no reason given, or already withdrawn.
        ConflictError: the document changed since ``expected_version``.
    """
    _require(actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why the document is withdrawn.")})
    with transaction.atomic():
        document = _document(document_id, lock=True)
        if document.status == DocumentStatus.WITHDRAWN:
            raise ValidationError(_("The document is already withdrawn."))
        _withdraw(actor, document, expected_version, reason[:300], "withdrawn")
    return document


def _withdraw(
    actor: User,
    document: Document,
    expected_version: int | None,
    reason: str,
    why: str,
    **extra: Any,
) -> None:
    version = document.version if expected_version is None else expected_version
    _locked_write(
        document, version, status=DocumentStatus.WITHDRAWN, withdrawn_reason=reason, **extra
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=document,
        changes={"status": {"old": DocumentStatus.ACTIVE, "new": DocumentStatus.WITHDRAWN}},
        detail={"change": why, "version": document.version},
    )
    search.index_after_commit([document.pk])


def duplicate_review(
    *,
    actor: User,
    document_id: int,
    decision: DuplicateReview | str,
    expected_version: int | None = None,
) -> Document:
    """Record what a COI researcher decided about a document flagged as a near-duplicate:
    not a duplicate (both stay), or a duplicate (this one is withdrawn, naming the other).

    Raises:
        PermissionDenied: the actor may not manage the library.
        Http404: no such document.
        ValidationError: no review is pending, or the decision is not one of the two.
        ConflictError: the document changed since ``expected_version``.
    """
    _require(actor)
    decision = DuplicateReview(decision)
    if decision == DuplicateReview.PENDING:
        raise ValidationError(_("Decide whether it is a duplicate."))
    with transaction.atomic():
        document = _document(document_id, lock=True)
        if document.duplicate_review != DuplicateReview.PENDING:
            raise ValidationError(_("This document has no duplicate review pending."))
        if decision == DuplicateReview.CONFIRMED:
            reason = _("Duplicate of document %(id)s") % {"id": document.near_duplicate_of_id}
            _withdraw(
                actor,
                document,
                expected_version,
                reason,
                "duplicate_confirmed",
                duplicate_review=decision,
            )
        else:
            version = document.version if expected_version is None else expected_version
            _locked_write(document, version, duplicate_review=decision)
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=document,
                changes={"duplicate_review": {"old": DuplicateReview.PENDING, "new": decision}},
                detail={"change": "duplicate_review", "version": document.version},
            )
    return document


# --- Sources ---------------------------------------------------------------------------------


def _source_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(SOURCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown source fields: {', '.join(sorted(unknown))}")
    values = dict(fields)
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = value.strip()
    if values.get("reviewed_on") and values["reviewed_on"] > timezone.localdate():
        raise ValidationError({"reviewed_on": _("A date in the future.")})
    return values


def source_create(
    *, actor: User, name: str, source_type: SourceType | str, **fields: Any
) -> Source:
    """Describe a new source (the other fields: :data:`SOURCE_FIELDS`).

    Raises:
        PermissionDenied: the actor may not manage the library.
        ValidationError: per field (a name already used, an unknown type, a bad URL...).
    """
    _require(actor)
    values = _source_values({"name": name, "source_type": source_type, **fields})
    source = Source(**values)
    source.full_clean()
    with transaction.atomic():
        source.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=source,
            changes=audit_diff(Source, None, _source_snapshot(source)),
        )
    return source


def _source_snapshot(source: Source) -> dict[str, Any]:
    return {name: getattr(source, name) for name in SOURCE_FIELDS}


def source_update(*, actor: User, source_id: int, expected_version: int, **fields: Any) -> Source:
    """Change a source's description (any of :data:`SOURCE_FIELDS`).

    Raises:
        PermissionDenied: the actor may not manage the library.
        Http404: no such source.
        ValidationError: per field.
        ConflictError: the source changed since ``expected_version``.
    """
    _require(actor)
    values = _source_values(fields)
    with transaction.atomic():
        source = Source.objects.select_for_update().filter(pk=source_id).first()
        if source is None:
            raise Http404("No such source.")
        if source.version != expected_version:
            raise ConflictError(source.version)
        before = _source_snapshot(source)
        for name, value in values.items():
            setattr(source, name, value)
        source.full_clean()
        source.version = F("version") + 1
        source.save()
        source.refresh_from_db()
        changes = audit_diff(Source, before, _source_snapshot(source))
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=source,
            changes=changes,
            detail={"version": source.version},
        )
    return source
