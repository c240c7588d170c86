"""Batch import of a folder of COI documents described by a metadata file (CSV or JSON lines).

Each metadata row names one file of the folder and describes it (the columns are documented
in ``docs/coi-import.md``). Every row and every file ends up as exactly one of: a document, a
new edition of a document, or an :class:`~ura.apps.coi.models.ImportRejection` with its reason
(the file kept in storage), so the batch reconciles::

    files_total = imported + new_editions + rejected

(near-duplicates are imported, and counted in both ``imported`` and ``near_duplicates``).
Rejected are: a row whose metadata is invalid, a row naming a file the folder does not have,
a file that cannot be read or is already in the library, a file named by two rows (the
second), and a file of the folder that no row names.

Each document is imported in a transaction of its own, so a bad file or an error on one
document never loses the others; the search index is updated a hundred documents at a time.
The import runs as a :class:`~ura.apps.core.models.Job` with progress (the jobs page shows
it): in the calling process (:func:`folder_import`, the CLI) or on a worker
(:func:`folder_import_start`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django_tasks import task

from ura.apps.accounts.selectors import acting_user
from ura.apps.coi import search, services
from ura.apps.coi.models import ImportBatch, ImportOrigin
from ura.apps.coi.roles import MANAGE
from ura.apps.core.models import AuditAction, Job
from ura.apps.core.services import audit_record, job_running, job_start

if TYPE_CHECKING:
    from ura.apps.accounts.models import User

__all__ = [
    "COLUMNS",
    "IMPORT_KIND",
    "MetadataFileError",
    "MetadataRow",
    "folder_import",
    "folder_import_job",
    "folder_import_start",
    "import_folder",
    "read_metadata",
    "row_metadata",
]

logger = logging.getLogger(__name__)

IMPORT_KIND = "coi_import"
#: The metadata columns: ``file`` is required; list columns are separated by ``;``.
COLUMNS = (
    "file",
    "title",
    "title_translated",
    "sources",
    "type",
    "countries",
    "topics",
    "language",
    "published",
    "url",
    "accessed",
    "document",
    "note",
)
_LISTS = ("sources", "countries", "topics")

Progress = Callable[[int, int], None]


class MetadataFileError(ValueError):
    """A metadata file that cannot be used at all (nothing is imported): unknown format, no
    ``file`` column, unknown columns, not UTF-8."""


@dataclass(frozen=True)
class MetadataRow:
    """One row of a metadata file: its number (line in the file), the file it names, and
    its values as text (lists as lists); ``error`` when the row itself could not be read."""

    row: int
    file: str
    values: Mapping[str, Any] = field(default_factory=dict)
    error: str = ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _split(value: Any) -> list[str]:
    if isinstance(value, list):
        return [_text(v) for v in value if _text(v)]
    return [part.strip() for part in _text(value).split(";") if part.strip()]


def _check_columns(columns: list[str], where: str, *, need_file: bool = True) -> None:
    names = [c.strip() for c in columns if c is not None]
    unknown = sorted(set(names) - set(COLUMNS))
    if unknown:
        raise MetadataFileError(
            f"{where}: unknown columns {', '.join(unknown)} (known: {', '.join(COLUMNS)})"
        )
    if need_file and "file" not in names:
        raise MetadataFileError(f"{where}: the 'file' column is missing")


def read_metadata(path: Path) -> list[MetadataRow]:
    """Read a metadata file: CSV (``.csv``, a header row, any of ``,`` ``;`` or tab as
    delimiter) or JSON lines (``.jsonl``/``.ndjson``, one object per line).

    Raises:
        MetadataFileError: the file cannot be used at all (see the class).
        OSError: it cannot be opened.
    """
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MetadataFileError(f"{path.name}: not UTF-8 text (byte {exc.start})") from exc
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(text, path.name)
    if suffix in (".jsonl", ".ndjson"):
        return _read_jsonl(text, path.name)
    raise MetadataFileError(f"{path.name}: a metadata file is .csv or .jsonl")


def _read_csv(text: str, name: str) -> list[MetadataRow]:
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if reader.fieldnames is None:
        raise MetadataFileError(f"{name}: the file is empty")
    _check_columns(list(reader.fieldnames), name)
    rows: list[MetadataRow] = []
    for record in reader:
        number = reader.line_num
        if None in record:  # more cells than columns
            rows.append(
                MetadataRow(
                    number,
                    _text(record.get("file")),
                    error=_("the row has more cells than the header has columns"),
                )
            )
            continue
        values = {k.strip(): v for k, v in record.items() if k is not None}
        if not any(_text(v) for v in values.values()):
            continue  # blank line
        rows.append(_row(number, values))
    return rows


def _read_jsonl(text: str, name: str) -> list[MetadataRow]:
    rows: list[MetadataRow] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append(MetadataRow(number, "", error=_("not valid JSON (%(e)s)") % {"e": exc}))
            continue
        if not isinstance(record, dict):
            rows.append(MetadataRow(number, "", error=_("a line must be a JSON object")))
            continue
        _check_columns(list(record), f"{name} line {number}", need_file=False)
        rows.append(_row(number, record))
    return rows


def _row(number: int, values: Mapping[str, Any]) -> MetadataRow:
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        cleaned[key] = _split(value) if key in _LISTS else _text(value)
    return MetadataRow(number, _text(values.get("file")), cleaned)


def _date(value: Any, name: str, errors: dict[str, str]) -> dt.date | None:
    text = _text(value)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = _("%(value)s is not a date (YYYY-MM-DD)") % {"value": text}
        return None


def row_metadata(row: MetadataRow) -> services.DocumentMetadata:
    """The metadata a row gives (checked by ``services.metadata_validate`` on import).

    Raises:
        ValidationError: a date that is not ``YYYY-MM-DD`` (per column).
    """
    values = row.values
    errors: dict[str, str] = {}
    published = _date(values.get("published"), "published", errors)
    accessed = _date(values.get("accessed"), "accessed", errors)
    if errors:
        raise ValidationError(errors)
    return services.DocumentMetadata(
        title=_text(values.get("title")),
        title_translated=_text(values.get("title_translated")),
        sources=list(values.get("sources") or []),
        document_type=_text(values.get("type")),
        language=_text(values.get("language")),
        countries=list(values.get("countries") or []),
        topics=list(values.get("topics") or []),
        published=published,
        url=_text(values.get("url")),
        accessed_on=accessed,
    )


#: Metadata fields named as the metadata file's columns, for rejection reasons.
_COLUMN_OF = {"document_type": "type", "accessed_on": "accessed"}


def _reason(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{_COLUMN_OF.get(name, name)}: {' '.join(messages)}"
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _folder_files(folder: Path, skip: Path) -> list[str]:
    """The folder's files (recursively; hidden ones left out) as POSIX paths relative to it."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.resolve() != skip.resolve():
            found.append(relative.as_posix())
    return found


def _key(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).as_posix().lstrip("./")


def import_folder(
    *,
    actor: User,
    folder: Path,
    metadata_path: Path,
    origin: ImportOrigin | str = ImportOrigin.CLI,
    job_id: int | None = None,
    progress: Progress | None = None,
) -> ImportBatch:
    """Import every file of ``folder`` as ``metadata_path`` describes it.

    Args:
        actor: who imports (must manage the library).
        folder: the folder of files (sub-folders too; hidden files are left out).
        metadata_path: the metadata file (it may be in the folder; it is not imported).
        origin: where the import was started.
        job_id: the job it runs as, recorded on the batch.
        progress: called as ``progress(done, total)`` after each row and file.

    Returns:
        The finished batch, its counts reconciled.

    Raises:
        PermissionDenied: the actor may not manage the library.
        MetadataFileError: the metadata file cannot be used (nothing is imported).
        NotADirectoryError: ``folder`` is not a folder.
    """
    if not actor.has_perm(MANAGE):
        raise PermissionDenied(_("You may not manage the COI library."))
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    rows = read_metadata(metadata_path)
    files = _folder_files(folder, metadata_path)
    named = {_key(r.file) for r in rows if r.file}
    unlisted = [f for f in files if f not in named]
    total = len(rows) + len(unlisted)
    batch = services.import_batch_start(
        actor=actor,
        origin=origin,
        label=f"{folder.name or folder} ({metadata_path.name})",
        job_id=job_id,
    )
    present = set(files)
    seen: set[str] = set()
    done = 0
    with search.batched():
        for row in rows:
            _import_row(actor, batch, folder, row, present, seen)
            done += 1
            if progress is not None:
                progress(done, total)
        for name in unlisted:
            _reject(
                actor,
                batch,
                _("the file is not named in the metadata file"),
                filename=name,
                data=_read_bytes(folder / name),
            )
            done += 1
            if progress is not None:
                progress(done, total)
    return services.import_batch_finish(actor=actor, batch=batch)


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _reject(
    actor: User,
    batch: ImportBatch,
    reason: str,
    *,
    filename: str = "",
    row: MetadataRow | None = None,
    data: bytes | None = None,
) -> None:
    services.import_rejection_record(
        actor=actor,
        batch=batch,
        reason=reason,
        filename=filename,
        row=row.row if row else None,
        metadata=dict(row.values) if row else None,
        data=data,
    )


def _import_row(
    actor: User,
    batch: ImportBatch,
    folder: Path,
    row: MetadataRow,
    present: set[str],
    seen: set[str],
) -> None:
    name = _key(row.file)
    if row.error:
        _reject(actor, batch, row.error, filename=row.file, row=row)
        return
    if not name:
        _reject(actor, batch, _("the row names no file"), row=row)
        return
    if name not in present:
        _reject(actor, batch, _("no such file in the folder"), filename=row.file, row=row)
        return
    if name in seen:
        _reject(actor, batch, _("the file is named by an earlier row"), filename=row.file, row=row)
        return
    seen.add(name)
    data = _read_bytes(folder / name)
    if data is None:
        _reject(actor, batch, _("the file could not be opened"), filename=row.file, row=row)
        return
    try:
        _import_file(actor, batch, row, name, data)
    except services.ImportRejectedError:
        pass  # recorded, with the file, by the service
    except (ValidationError, Http404) as error:
        reason = _reason(error) if isinstance(error, ValidationError) else _("no such document")
        _reject(actor, batch, reason, filename=name, row=row, data=data)
    except Exception as error:  # one document's failure must not lose the others
        logger.error(
            "COI import batch %s: row %s failed (%s)", batch.pk, row.row, type(error).__name__
        )
        _reject(
            actor,
            batch,
            _("the file could not be imported (%(error)s)") % {"error": type(error).__name__},
            filename=name,
            row=row,
            data=data,
        )


def _import_file(actor: User, batch: ImportBatch, row: MetadataRow, name: str, data: bytes) -> None:
    document = _text(row.values.get("document"))
    if document:
        if not document.isdigit():
            raise ValidationError({"document": _("a document number")})
        services.document_new_edition(
            actor=actor,
            document_id=int(document),
            data=data,
            filename=name,
            note=_text(row.values.get("note")),
            batch=batch,
            row=row.row,
        )
        return
    # imported, or rejected (and counted) by the service
    services.document_import(
        actor=actor,
        data=data,
        filename=name,
        metadata=row_metadata(row),
        batch=batch,
        row=row.row,
    )


# --- As a job ----------------------------------------------------------------------------------


def _summary(batch: ImportBatch) -> dict[str, int]:
    return {
        "batch": batch.pk,
        "files": batch.files_total,
        "imported": batch.imported,
        "new_editions": batch.new_editions,
        "near_duplicates": batch.near_duplicates,
        "rejected": batch.rejected,
    }


def _run(
    job_id: int,
    actor: User,
    folder: Path,
    metadata_path: Path,
    origin: ImportOrigin | str,
    progress: Progress | None = None,
) -> ImportBatch:
    with job_running(job_id) as reporter:

        def report(done: int, total: int) -> None:
            reporter.progress(done, total, _("Importing COI documents…"))
            if progress is not None:
                progress(done, total)

        batch = import_folder(
            actor=actor,
            folder=folder,
            metadata_path=metadata_path,
            origin=origin,
            job_id=job_id,
            progress=report,
        )
        reporter.succeed(
            message=_(
                "%(files)d files: %(imported)d imported (%(near)d to review as near-duplicates),"
                " %(editions)d new editions, %(rejected)d rejected."
            )
            % {
                "files": batch.files_total,
                "imported": batch.imported,
                "near": batch.near_duplicates,
                "editions": batch.new_editions,
                "rejected": batch.rejected,
            },
            result=_summary(batch),
        )
    return batch


@task()
def folder_import_job(job_id: int, folder: str, metadata_path: str) -> dict[str, int]:
    """Import a folder on a worker, as the user who asked."""
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    actor = acting_user(job.requested_by) if job.requested_by else None
    if actor is None:
        raise PermissionDenied("A COI import is run for a user.")
    batch = _run(job_id, actor, Path(folder), Path(metadata_path), ImportOrigin.CLI)
    return _summary(batch)


def _check(actor: User, folder: Path, metadata_path: Path) -> None:
    if not actor.has_perm(MANAGE):
        raise PermissionDenied(_("You may not manage the COI library."))
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    read_metadata(metadata_path)  # a metadata file that cannot be used fails here, at once


def folder_import_start(*, actor: User, folder: Path, metadata_path: Path) -> Job:
    """Start a folder import on a worker (progress on the jobs page).

    Raises:
        PermissionDenied, MetadataFileError, NotADirectoryError: as :func:`import_folder`,
            before anything is queued.
    """
    _check(actor, folder, metadata_path)
    return job_start(
        actor=actor,
        kind=IMPORT_KIND,
        label=_("COI import of %(folder)s") % {"folder": folder.name or str(folder)},
        task=folder_import_job,
        folder=str(folder.resolve()),
        metadata_path=str(metadata_path.resolve()),
    )


def folder_import(
    *,
    actor: User,
    folder: Path,
    metadata_path: Path,
    origin: ImportOrigin | str = ImportOrigin.CLI,
    progress: Progress | None = None,
) -> ImportBatch:
    """Import a folder in this process, as a job others can follow on the jobs page.

    Raises:
        PermissionDenied, MetadataFileError, NotADirectoryError: as :func:`import_folder`,
            before the job is created.
        ura.apps.core.services.JobFailedError: the import stopped on an unexpected error
            (what was imported stays; the job says it failed).
    """
    _check(actor, folder, metadata_path)
    with transaction.atomic():
        job = Job.objects.create(
            kind=IMPORT_KIND,
            label=(_("COI import of %(folder)s") % {"folder": folder.name or str(folder)})[:200],
            requested_by=actor,
        )
        audit_record(actor=actor, action=AuditAction.CREATE, obj=job, detail={"kind": IMPORT_KIND})
    return _run(job.pk, actor, folder, metadata_path, origin, progress)
