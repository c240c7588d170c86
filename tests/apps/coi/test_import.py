"""Batch import of a folder with a metadata file (CSV and JSON lines), as a job and through
the CLI: bad files, missing and unlisted files are rejections with their reasons, nothing
else in the batch is lost, and the counts reconcile."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from tests.apps.coi.conftest import IndexedBlock, import_text, make_source
from ura.apps.accounts.models import User
from ura.apps.coi import importing, search, services
from ura.apps.coi.models import Document, DuplicateReview, ImportBatch, ImportRejection
from ura.apps.core.models import Job, JobStatus
from ura.cli import app

pytestmark = pytest.mark.django_db

CONFLICT = """# Security situation

Shelling of residential areas near the front line continued, and armed groups recruited
young men by force in several districts, according to local monitors and humanitarian staff.

# Return

Returnees were questioned at the airport by the security services and some were detained.
"""

HTML = """<!doctype html><html><head><title>x</title></head><body>
<h1>Blood feuds in northern Albania</h1>
<p>Families in self-isolation because of a blood feud keep their sons at home from school.</p>
<p>Reconciliation committees mediate between families; the police rarely intervene.</p>
</body></html>"""


def _pdf(*lines: str) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    y = 800
    for line in lines:
        page.drawString(72, y, line)
        y -= 20
    page.save()
    return buffer.getvalue()


def _reconciles(batch: ImportBatch) -> None:
    assert batch.files_total == batch.imported + batch.new_editions + batch.rejected
    assert batch.rejected == batch.rejections.count()
    assert batch.finished_at is not None


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of good files, one bad PDF and one file no metadata row names."""
    root = tmp_path / "delivery"
    (root / "2025").mkdir(parents=True)
    (root / "conflict.txt").write_text(CONFLICT, encoding="utf-8")
    (root / "feuds.html").write_text(HTML, encoding="utf-8")
    (root / "2025" / "prisons.pdf").write_bytes(
        _pdf("Prison conditions remain harsh.", "Overcrowding exceeds 200 per cent.")
    )
    (root / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << broken")
    (root / "stray.txt").write_text("Nobody described this file.", encoding="utf-8")
    (root / ".DS_Store").write_bytes(b"\x00\x01")
    make_source("UNHCR")
    make_source("Human Rights Watch", acronym="HRW")
    return root


ROWS: list[dict[str, Any]] = [
    {
        "file": "conflict.txt",
        "title": "Syria: security situation",
        "title_translated": "",
        "sources": "UNHCR;HRW",
        "type": "report",
        "countries": "SY;LB",
        "topics": "security-situation;forced-recruitment",
        "language": "en",
        "published": "2025-02-01",
        "url": "https://www.example.org/syria",
        "accessed": "2025-03-01",
    },
    {
        "file": "feuds.html",
        "title": "Albania: blood feuds",
        "sources": "UNHCR",
        "type": "query_response",
        "countries": "AL",
        "topics": "blood-feuds",
        "language": "en",
        "published": "2024-11-20",
    },
    {
        "file": "2025/prisons.pdf",
        "title": "Iraq: prison conditions",
        "sources": "HRW",
        "type": "report",
        "countries": "IQ",
        "topics": "prison-conditions",
        "language": "en",
    },
    {
        "file": "broken.pdf",
        "title": "Damaged",
        "sources": "UNHCR",
        "type": "report",
        "countries": "SY",
        "language": "en",
    },
    {
        "file": "missing.pdf",
        "title": "Not delivered",
        "sources": "UNHCR",
        "type": "report",
        "countries": "SY",
        "language": "en",
    },
    {
        "file": "conflict.txt",
        "title": "Named twice",
        "sources": "UNHCR",
        "type": "report",
        "countries": "SY",
        "language": "en",
    },
]


def _csv(path: Path, rows: list[dict[str, Any]], delimiter: str = ",") -> Path:
    columns = list(importing.COLUMNS[:11])
    lines = [delimiter.join(columns)]
    for row in rows:
        cells = [str(row.get(c, "")) for c in columns]
        lines.append(delimiter.join(f'"{c}"' if delimiter in c or '"' in c else c for c in cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def _rejections(batch: ImportBatch) -> dict[str, str]:
    return {r.filename or f"row {r.row}": r.reason for r in batch.rejections.all()}


def test_a_csv_batch_imports_the_good_files_and_rejects_the_rest_with_reasons(
    steward: User, folder: Path, tmp_path: Path, indexed: IndexedBlock
) -> None:
    metadata = _csv(tmp_path / "metadata.csv", ROWS)
    reports: list[tuple[int, int]] = []

    with indexed():
        batch = importing.import_folder(
            actor=steward,
            folder=folder,
            metadata_path=metadata,
            progress=lambda done, total: reports.append((done, total)),
        )

    assert (batch.files_total, batch.imported, batch.new_editions, batch.rejected) == (7, 3, 0, 4)
    _reconciles(batch)
    reasons = _rejections(batch)
    assert set(reasons) == {"broken.pdf", "missing.pdf", "conflict.txt", "stray.txt"}
    assert "could not be read" in reasons["broken.pdf"]
    assert "no such file" in reasons["missing.pdf"]
    assert "earlier row" in reasons["conflict.txt"]
    assert "not named in the metadata" in reasons["stray.txt"]
    kept = {r.filename: r for r in batch.rejections.all()}
    with default_storage.open(kept["broken.pdf"].storage_name) as stream:
        assert stream.read() == (folder / "broken.pdf").read_bytes()
    assert kept["stray.txt"].storage_name
    assert kept["missing.pdf"].storage_name == ""
    assert kept["broken.pdf"].row == 5  # the header is line 1
    assert kept["broken.pdf"].metadata["title"] == "Damaged"
    syria = Document.objects.get(title="Syria: security situation")
    assert [c.country for c in syria.countries.all()] == ["SY", "LB"]
    assert {s.name for s in syria.sources.all()} == {"UNHCR", "Human Rights Watch"}
    assert {t.code for t in syria.topics.all()} == {"security-situation", "forced-recruitment"}
    assert str(syria.accessed_on) == "2025-03-01"
    prisons = Document.objects.get(title="Iraq: prison conditions")
    assert prisons.editions.get().media_type == "application/pdf"
    assert prisons.editions.get().passages.filter(anchor__startswith="p1¶").exists()
    assert reports[-1] == (7, 7)
    found = {h.doc_id for h in search.backend().search("overcrowding OR feud").hits}
    assert found == {str(prisons.pk), str(Document.objects.get(title__startswith="Albania").pk)}


def test_semicolon_separated_csv_is_read_too(steward: User, folder: Path, tmp_path: Path) -> None:
    rows = [dict(ROWS[1], sources="UNHCR", countries="AL")]
    metadata = _csv(tmp_path / "metadata.csv", rows, delimiter=";")
    batch = importing.import_folder(actor=steward, folder=folder, metadata_path=metadata)
    assert batch.imported == 1
    _reconciles(batch)


def test_a_json_lines_batch_with_a_new_edition_a_near_duplicate_and_bad_rows(
    steward: User, folder: Path, tmp_path: Path
) -> None:
    existing = import_text(steward, CONFLICT + "\nFirst version.\n", title="Syria (first)")
    corrected = folder / "corrected.txt"
    corrected.write_text(CONFLICT + "\nCorrected version.\n", encoding="utf-8")
    for name in ("broken.pdf", "stray.txt", "2025/prisons.pdf", "feuds.html"):
        (folder / name).unlink()
    lines: list[dict[str, Any]] = [
        {
            "file": "conflict.txt",
            "title": "Syria: security situation (copy)",
            "sources": ["UNHCR"],
            "type": "report",
            "countries": ["SY"],
            "language": "en",
        },
        {"file": "corrected.txt", "document": existing.pk, "note": "Corrected"},
    ]
    metadata = _jsonl(tmp_path / "metadata.jsonl", lines)
    text = metadata.read_text(encoding="utf-8")
    metadata.write_text(
        text
        + "{not json\n"
        + json.dumps({"file": "x.txt", "title": "T", "countries": ["SYR"]})
        + "\n",
        encoding="utf-8",
    )
    (folder / "x.txt").write_text("Some text.", encoding="utf-8")

    batch = importing.import_folder(actor=steward, folder=folder, metadata_path=metadata)

    assert (batch.files_total, batch.imported, batch.new_editions, batch.rejected) == (4, 1, 1, 2)
    assert batch.near_duplicates == 1
    _reconciles(batch)
    copy = Document.objects.get(title__endswith="(copy)")
    assert copy.duplicate_review == DuplicateReview.PENDING
    assert copy.near_duplicate_of == existing
    existing.refresh_from_db()
    assert existing.edition == 2
    assert existing.editions.get(number=2).note == "Corrected"
    reasons = {r.row: r.reason for r in batch.rejections.all()}
    assert "not valid JSON" in reasons[3]
    assert "countries:" in reasons[4]
    assert "sources:" in reasons[4]
    assert "type:" in reasons[4]


def test_a_new_edition_row_for_an_unknown_document_is_rejected(
    steward: User, folder: Path, tmp_path: Path
) -> None:
    metadata = _jsonl(tmp_path / "m.jsonl", [{"file": "conflict.txt", "document": 4242}])
    (folder / "broken.pdf").unlink()
    (folder / "stray.txt").unlink()
    batch = importing.import_folder(actor=steward, folder=folder, metadata_path=metadata)
    assert _rejections(batch)["conflict.txt"] == "no such document"


def test_one_documents_unexpected_failure_loses_nothing_else(
    steward: User, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = services.document_import

    def flaky(**kwargs: Any) -> services.ImportOutcome:
        if kwargs["filename"] == "feuds.html":
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "document_import", flaky)
    metadata = _csv(tmp_path / "metadata.csv", ROWS[:3])
    batch = importing.import_folder(actor=steward, folder=folder, metadata_path=metadata)

    assert batch.imported == 2
    reasons = _rejections(batch)
    assert reasons["feuds.html"] == "the file could not be imported (RuntimeError)"
    _reconciles(batch)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("m.csv", "file,title,colour\na.txt,A,red\n", "unknown columns colour"),
        ("m.csv", "title,type\nA,report\n", "'file' column is missing"),
        ("m.xlsx", "file\n", ".csv or .jsonl"),
        ("m.jsonl", '{"file": "a.txt", "countrys": ["SY"]}\n', "unknown columns countrys"),
    ],
)
def test_an_unusable_metadata_file_imports_nothing(
    steward: User, folder: Path, tmp_path: Path, name: str, content: str, message: str
) -> None:
    metadata = tmp_path / name
    metadata.write_text(content, encoding="utf-8")
    with pytest.raises(importing.MetadataFileError, match=message):
        importing.import_folder(actor=steward, folder=folder, metadata_path=metadata)
    assert not ImportBatch.objects.exists()


def test_readers_may_not_import_folders(reader: User, folder: Path, tmp_path: Path) -> None:
    metadata = _csv(tmp_path / "metadata.csv", ROWS)
    with pytest.raises(PermissionDenied):
        importing.folder_import(actor=reader, folder=folder, metadata_path=metadata)
    assert not ImportBatch.objects.exists()
    assert not Job.objects.exists()


def test_folder_import_runs_as_a_job_with_progress(
    steward: User, folder: Path, tmp_path: Path
) -> None:
    metadata = _csv(tmp_path / "metadata.csv", ROWS)
    batch = importing.folder_import(actor=steward, folder=folder, metadata_path=metadata)

    job = Job.objects.get(kind=importing.IMPORT_KIND)
    assert batch.job == job
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total) == (7, 7)
    assert job.result["imported"] == 3
    assert job.result["rejected"] == 4
    assert "3 imported" in job.message


def test_folder_import_on_a_worker(
    steward: User, folder: Path, tmp_path: Path, immediate_tasks: None
) -> None:
    metadata = _csv(tmp_path / "metadata.csv", ROWS[:2])
    (folder / "broken.pdf").unlink()
    (folder / "stray.txt").unlink()
    (folder / "2025" / "prisons.pdf").unlink()
    job = importing.folder_import_start(actor=steward, folder=folder, metadata_path=metadata)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["imported"] == 2
    assert ImportBatch.objects.get().started_by == steward


# --- The CLI -----------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_import_prints_the_reconciliation_and_the_rejections(
    steward: User, folder: Path, tmp_path: Path
) -> None:
    metadata = _csv(tmp_path / "metadata.csv", ROWS)
    result = runner.invoke(
        app,
        ["coi", "import", str(folder), "--metadata", str(metadata), "--user", steward.username],
    )
    assert result.exit_code == 1, result.output
    assert "7 files = 3 imported + 0 new editions + 4 rejected" in result.output
    assert "rejected broken.pdf (row 5): The file could not be read" in result.output
    assert "rejected stray.txt: the file is not named in the metadata file" in result.output


def test_cli_import_exits_0_when_everything_was_imported(
    steward: User, folder: Path, tmp_path: Path
) -> None:
    for name in ("broken.pdf", "stray.txt", "2025/prisons.pdf", "feuds.html"):
        (folder / name).unlink()
    metadata = _csv(tmp_path / "metadata.csv", ROWS[:1])
    result = runner.invoke(
        app,
        ["coi", "import", str(folder), "--metadata", str(metadata), "--user", steward.username],
    )
    assert result.exit_code == 0, result.output
    assert "1 files = 1 imported" in result.output


@pytest.mark.parametrize("user", ["", "nobody", "reader"])
def test_cli_import_needs_a_manager(user: str, reader: User, folder: Path, tmp_path: Path) -> None:
    metadata = _csv(tmp_path / "metadata.csv", ROWS)
    username = reader.username if user == "reader" else user
    result = runner.invoke(
        app, ["coi", "import", str(folder), "--metadata", str(metadata), "--user", username]
    )
    assert result.exit_code == 2, result.output
    assert not ImportRejection.objects.exists()


def test_cli_reindex_and_thesaurus(steward: User, tmp_path: Path) -> None:
    result = runner.invoke(app, ["coi", "thesaurus"])
    assert result.exit_code == 0, result.output
    assert "added" in result.output
    again = runner.invoke(app, ["coi", "thesaurus"])
    assert "0 topics added, 0 updated, 0 retired" in again.output
    bad = tmp_path / "t.yaml"
    bad.write_text("version: x\n", encoding="utf-8")
    assert runner.invoke(app, ["coi", "thesaurus", "--file", str(bad)]).exit_code == 2

    import_text(steward, CONFLICT)
    import_text(steward, HTML, filename="feuds.html")
    result = runner.invoke(app, ["coi", "reindex"])
    assert result.exit_code == 0, result.output
    assert "2 documents indexed." in result.output
    assert search.backend().count() == 2


def test_a_metadata_file_inside_the_folder_is_not_imported(steward: User, folder: Path) -> None:
    for name in ("broken.pdf", "stray.txt", "2025/prisons.pdf", "feuds.html"):
        (folder / name).unlink()
    metadata = _csv(folder / "metadata.csv", ROWS[:1])
    batch = importing.import_folder(actor=steward, folder=folder, metadata_path=metadata)
    assert (batch.files_total, batch.imported, batch.rejected) == (1, 1, 0)
