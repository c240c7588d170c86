"""Format readers: each turns a source into a stream of rows (column -> native cell value).

Every reader streams (constant memory) and never drops input: a line that does not decode, a
CSV row with the wrong number of fields or a JSON line that is not an object comes out as a row
carrying its problem and the text as received, for the engine to quarantine. Only problems that
make the whole source unreadable (no header, mapped column missing from the header, unset
database variable) raise.

Text files are split into lines on bytes and each line is decoded on its own, so one bad byte
costs one row, never the file. That works for every ASCII-compatible encoding (UTF-8, cp1254,
cp1256, ISO-8859-x, ...) because a newline byte never occurs inside a multi-byte character
there; UTF-16 and UTF-32 are split on whole code units instead.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import decimal
import json
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ura.ingest.mapping import IngestError, Mapping, MappingError
from ura.ingest.outcomes import Reason

_CHUNK = 1 << 16
_BATCH = 4096
_UTF8_BOM = codecs.BOM_UTF8


@dataclass(slots=True)
class SourceRow:
    """One data row as read. ``cells`` is None when the row could not be split into columns;
    then ``problem`` says why and ``raw_text`` / ``raw_bytes`` hold it as received."""

    row_number: int
    cells: dict[str, object] | None
    raw_text: str = ""
    raw_bytes: bytes | None = None
    problem: Reason | None = None


def cell_text(value: object) -> str:
    """A cell as text, faithfully: numbers as written (an integral float without ".0"),
    dates in ISO 8601, booleans, lists and objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time | decimal.Decimal):
        return str(value) if isinstance(value, decimal.Decimal) else value.isoformat()
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "backslashreplace")
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=cell_text)
    return str(value)


def read_source(mapping: Mapping, path: Path | None) -> Iterator[SourceRow]:
    """The rows of one file (or of the SQL query when ``path`` is None)."""
    if mapping.format == "csv" and path is not None:
        return _read_csv(mapping, path)
    if mapping.format == "xlsx" and path is not None:
        return _read_xlsx(mapping, path)
    if mapping.format == "jsonl" and path is not None:
        return _read_jsonl(mapping, path)
    if mapping.format == "parquet" and path is not None:
        return _read_parquet(mapping, path)
    if mapping.format == "sql":
        return _read_sql(mapping)
    raise MappingError(f"{mapping.origin}: format: {mapping.format} needs a file")


# --- text lines ---------------------------------------------------------------------------


def _lines(path: Path, encoding: str) -> Iterator[tuple[bytes, str, bool]]:
    """(bytes as received, decoded text, whether decoding failed) for each line, line ends
    kept. Undecodable bytes become backslash escapes in the text. A byte-order mark at the
    start of the file is not data and is dropped."""
    codec = codecs.lookup(encoding).name
    with path.open("rb") as stream:
        if codec.startswith(("utf-16", "utf-32")):
            width = 2 if codec.startswith("utf-16") else 4
            line_codec = _utf16_32_codec(stream, codec, width)
            raw_lines: Iterable[bytes] = _split_units(stream, "\n".encode(line_codec), width)
        else:
            line_codec = "utf-8" if codec == "utf-8-sig" else codec
            if codec in ("utf-8", "utf-8-sig") and stream.read(3) != _UTF8_BOM:
                stream.seek(0)
            raw_lines = stream
        decode = codecs.getdecoder(line_codec)
        for raw in raw_lines:
            try:
                text = decode(raw)[0]
            except UnicodeDecodeError:
                yield raw, decode(raw, "backslashreplace")[0], True
            else:
                yield raw, text, False


def _utf16_32_codec(stream: BinaryIO, codec: str, width: int) -> str:
    """The fixed-endian codec for a UTF-16/32 file, skipping its byte-order mark if any."""
    if codec.endswith(("-le", "-be")):
        return codec
    head = stream.read(width)
    boms = (
        {codecs.BOM_UTF16_LE: "le", codecs.BOM_UTF16_BE: "be"}
        if width == 2
        else {codecs.BOM_UTF32_LE: "le", codecs.BOM_UTF32_BE: "be"}
    )
    endian = boms.get(head)
    if endian is None:
        stream.seek(0)
        endian = "le"
    return f"{codec}-{endian}"


def _split_units(stream: BinaryIO, newline: bytes, width: int) -> Iterator[bytes]:
    """Split a UTF-16/32 byte stream into lines at newline code units (aligned to ``width``)."""
    pending = b""
    while chunk := stream.read(_CHUNK):
        data = pending + chunk
        start = search = 0
        while (found := data.find(newline, search)) >= 0:
            if (found - start) % width:
                search = found + 1
                continue
            yield data[start : found + width]
            start = search = found + width
        pending = data[start:]
    if pending:
        yield pending


class _Tracker:
    """Feeds decoded lines to csv.reader and remembers which lines made up the last record
    (csv.reader reads exactly the lines of one record per step, never ahead)."""

    def __init__(self, lines: Iterator[tuple[bytes, str, bool]]) -> None:
        self._lines = lines
        self.taken: list[tuple[bytes, str, bool]] = []

    def __iter__(self) -> _Tracker:
        return self

    def __next__(self) -> str:
        item = next(self._lines)
        self.taken.append(item)
        return item[1]

    def take(self) -> list[tuple[bytes, str, bool]]:
        taken, self.taken = self.taken, []
        return taken


def _problem_row(
    number: int, taken: Sequence[tuple[bytes, str, bool]], code: str, message: str
) -> SourceRow:
    data = b"".join(raw for raw, _, _ in taken)
    text = "".join(line for _, line, _ in taken)
    return SourceRow(number, None, text, data, Reason("row", code, message))


_DECODE = "the row has bytes that do not decode in the declared encoding"


def _header(names: Sequence[object], mapping: Mapping, file: str) -> list[str]:
    """Column names, made unique (an empty or repeated name becomes ``#<position>``), after
    checking that every column the mapping reads is there exactly once."""
    out: list[str] = []
    seen: set[str] = set()
    counts: dict[str, int] = {}
    for name in names:
        text = cell_text(name).strip()
        counts[text] = counts.get(text, 0) + 1
    for position, name in enumerate(names, start=1):
        text = cell_text(name).strip()
        if not text or counts[text] > 1 or text in seen:
            text = f"#{position}"
        seen.add(text)
        out.append(text)
    _check_columns(mapping, file, set(out), {n for n, c in counts.items() if c > 1})
    return out


def _check_columns(mapping: Mapping, file: str, present: set[str], repeated: set[str]) -> None:
    for column in sorted(mapping.columns()):
        if column in repeated:
            raise MappingError(f"{mapping.origin}: column {column!r} appears twice in {file}")
        if column not in present:
            raise MappingError(
                f"{mapping.origin}: column {column!r} named in the mapping is not in {file}"
            )


# --- CSV ----------------------------------------------------------------------------------


def _read_csv(mapping: Mapping, path: Path) -> Iterator[SourceRow]:
    tracker = _Tracker(_lines(path, mapping.encoding))
    reader = csv.reader(
        tracker,
        delimiter=str(mapping.options.get("delimiter", ",")),
        quotechar=str(mapping.options.get("quotechar", '"')),
        strict=False,
    )
    header: list[str] | None = None
    records = 0
    while header is None:
        try:
            record = next(reader)
        except StopIteration:
            raise IngestError(f"{path.name}: no header row {mapping.header_row}") from None
        except csv.Error:
            raise IngestError(f"{path.name}: the header cannot be read as CSV") from None
        taken = tracker.take()
        if not record:
            continue
        records += 1
        if records == mapping.header_row:
            if any(bad for _, _, bad in taken):
                raise IngestError(f"{path.name}: the header does not decode as {mapping.encoding}")
            header = _header(record, mapping, path.name)
    width = len(header)
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error:
            taken = tracker.take()
            number += 1
            yield _problem_row(number, taken, "csv_error", "the row is not well-formed CSV")
            continue
        taken = tracker.take()
        if not record:
            continue
        number += 1
        if len(taken) == 1 and not taken[0][2]:
            pass  # the common case: one clean line
        elif any(bad for _, _, bad in taken):
            yield _problem_row(number, taken, "decode_error", _DECODE)
            continue
        if len(record) != width:
            message = f"the row has {len(record)} fields where the header has {width}"
            yield _problem_row(number, taken, "field_count", message)
            continue
        yield SourceRow(number, dict(zip(header, record, strict=True)))


# --- JSON Lines ---------------------------------------------------------------------------


def _read_jsonl(mapping: Mapping, path: Path) -> Iterator[SourceRow]:
    number = 0
    for raw, text, bad in _lines(path, mapping.encoding):
        if not text.strip():
            continue
        number += 1
        taken = ((raw, text, bad),)
        if bad:
            yield _problem_row(number, taken, "decode_error", _DECODE)
            continue
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            yield _problem_row(number, taken, "invalid_json", "the line is not valid JSON")
            continue
        if not isinstance(value, dict):
            message = "the line is JSON but not an object of column -> value"
            yield _problem_row(number, taken, "not_an_object", message)
            continue
        yield SourceRow(number, value)


# --- XLSX ---------------------------------------------------------------------------------


def _read_xlsx(mapping: Mapping, path: Path) -> Iterator[SourceRow]:
    import openpyxl  # only xlsx sources pay for importing it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise IngestError(f"{path.name}: not a readable XLSX file ({type(exc).__name__})") from None
    try:
        sheet_name = mapping.options.get("sheet")
        if sheet_name is None:
            sheet = workbook.worksheets[0]
        elif str(sheet_name) in workbook.sheetnames:
            sheet = workbook[str(sheet_name)]
        else:
            raise MappingError(
                f"{mapping.origin}: options.sheet: no sheet of that name in {path.name}"
            )
        rows = sheet.iter_rows(min_row=mapping.header_row, values_only=True)
        head = list(next(rows, ()))
        while head and (head[-1] is None or cell_text(head[-1]).strip() == ""):
            head.pop()
        if not head:
            raise IngestError(f"{path.name}: header row {mapping.header_row} is empty")
        header = _header(head, mapping, path.name)
        width = len(header)
        number = 0
        for values in rows:
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            number += 1
            cells: dict[str, object] = dict(zip(header, values[:width], strict=False))
            extra = [(i, v) for i, v in enumerate(values[width:], start=width + 1) if v is not None]
            if extra:
                for position, value in extra:
                    cells[f"#{position}"] = value
                message = f"the row has cells beyond the {width} columns of the header"
                yield SourceRow(number, cells, problem=Reason("row", "field_count", message))
                continue
            yield SourceRow(number, cells)
    finally:
        workbook.close()


# --- Parquet ------------------------------------------------------------------------------


def _read_parquet(mapping: Mapping, path: Path) -> Iterator[SourceRow]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise IngestError(
            f"{path.name}: not a readable Parquet file ({type(exc).__name__})"
        ) from None
    names = list(parquet.schema_arrow.names)
    repeated = {n for n in names if names.count(n) > 1}
    _check_columns(mapping, path.name, set(names), repeated)
    number = 0
    with parquet:
        for batch in parquet.iter_batches(batch_size=_BATCH):
            columns = [column.to_pylist() for column in batch.columns]
            for values in zip(*columns, strict=True):
                number += 1
                yield SourceRow(number, dict(zip(names, values, strict=True)))


# --- SQL ----------------------------------------------------------------------------------


def _read_sql(mapping: Mapping) -> Iterator[SourceRow]:
    import sqlalchemy

    variable = str(mapping.options["url_env"])
    url = os.environ.get(variable, "")
    if not url:
        raise IngestError(f"environment variable {variable} (options.url_env) is not set")
    try:
        engine = sqlalchemy.create_engine(url)
    except (sqlalchemy.exc.ArgumentError, ImportError) as exc:
        raise IngestError(
            f"{variable} is not a usable database URL ({type(exc).__name__})"
        ) from None
    number = 0
    try:
        with engine.connect() as connection:
            result = connection.execution_options(stream_results=True, yield_per=_BATCH).execute(
                sqlalchemy.text(str(mapping.options["query"]))
            )
            keys = list(result.keys())
            header = _header(keys, mapping, f"the result of options.query on {variable}")
            for row in result:
                number += 1
                yield SourceRow(number, dict(zip(header, row, strict=True)))
    except sqlalchemy.exc.SQLAlchemyError as exc:
        # The message of a driver error may contain the URL; only the kind of error is shown.
        raise IngestError(f"the query on {variable} failed ({type(exc).__name__})") from None
    finally:
        engine.dispose()
