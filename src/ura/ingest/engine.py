"""``ingest()``: read a source with its mapping and validate every row into a canonical record
or a quarantined row with every reason found. Nothing is lost: each data row of the input comes
out exactly once, in order, as :class:`Accepted` or :class:`Rejected`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from ura.ingest.countries import ALPHA2_TO_ALPHA3, ISO3166_ALPHA3
from ura.ingest.mapping import (
    COUNTRY_FIELDS,
    TEXT_FIELDS,
    FieldSpec,
    IngestError,
    Mapping,
    MappingError,
    vocabulary_of,
)
from ura.ingest.outcomes import (
    Accepted,
    Reason,
    Rejected,
    b64,
    digest_bytes,
    digest_cells,
)
from ura.ingest.readers import SourceRow, cell_text, read_source
from ura.records import CanonicalRecord, DatePrecision, DocumentType, Event, EventType, Sex

_NOT_TEXT = (bool, list, tuple, dict, bytes, bytearray)
_TYPE_NAMES = {bool: "a true/false value", list: "a list", tuple: "a list", dict: "an object"}


def ingest(mapping: Mapping, files: Sequence[Path] = ()) -> Iterator[Accepted | Rejected]:
    """Stream the outcome of every data row of ``files`` (or of the SQL query for format sql).

    Checks the call eagerly (files given for a file format, none for sql, files exist, the
    database variable is set) and raises MappingError / IngestError; the rows themselves are
    read lazily. A record id seen earlier in the same call (any file, accepted or not) is
    rejected as ``duplicate_record_id``, so one batch never holds two versions of one id.
    """
    if mapping.format == "sql":
        if files:
            raise MappingError(f"{mapping.origin}: format: sql reads a query, not files")
        variable = str(mapping.options["url_env"])
        if not os.environ.get(variable):
            raise IngestError(f"environment variable {variable} (options.url_env) is not set")
    elif not files:
        raise MappingError(f"{mapping.origin}: format: {mapping.format} needs at least one file")
    for path in files:
        if not Path(path).is_file():
            raise IngestError(f"{Path(path).name}: no such file")
    return _ingest(mapping, [Path(p) for p in files])


def _ingest(mapping: Mapping, files: list[Path]) -> Iterator[Accepted | Rejected]:
    converter = _Converter(mapping)
    seen: set[str] = set()
    sources: list[Path | None] = [*files] if files else [None]
    for path in sources:
        label = path.name if path is not None else f"sql:{mapping.options['url_env']}"
        for row in read_source(mapping, path):
            yield converter.outcome(label, row, seen)


class _Converter:
    """The mapping compiled into per-field steps, applied to one row at a time."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.id_columns = mapping.record_id
        self.fields = dict(mapping.fields)
        self.events = mapping.events

    def outcome(self, file: str, row: SourceRow, seen: set[str]) -> Accepted | Rejected:
        if row.cells is None:
            assert row.problem is not None  # noqa: S101 -- readers always say why
            data = row.raw_bytes if row.raw_bytes is not None else row.raw_text.encode()
            decode_failed = row.problem.code == "decode_error"
            return Rejected(
                file,
                row.row_number,
                None,
                row.raw_text,
                (row.problem,),
                digest_bytes(data),
                b64(data) if decode_failed else "",
            )
        raw = {str(column): cell_text(value) for column, value in row.cells.items()}
        reasons: list[Reason] = [row.problem] if row.problem else []
        record = self.record(row.cells, reasons, seen)
        digest = digest_cells(raw)
        if record is None or reasons:
            return Rejected(file, row.row_number, raw, "", tuple(reasons), digest)
        return Accepted(file, row.row_number, record, raw, digest)

    def record(
        self, cells: dict[str, object], reasons: list[Reason], seen: set[str]
    ) -> CanonicalRecord | None:
        parts = [_text(cells.get(c), c, reasons) for c in self.id_columns]
        record_id = "/".join(parts)
        if not all(parts):
            reasons.append(Reason("record_id", "missing_record_id", "the record id is empty"))
        elif record_id in seen:
            message = "the record id occurs earlier in this ingest"
            reasons.append(Reason("record_id", "duplicate_record_id", message))
        else:
            seen.add(record_id)
        values: dict[str, object] = {}
        for name, spec in self.fields.items():
            value = self.field(name, spec, cells, reasons)
            if value is not None:
                values[name] = value
        events = tuple(
            event
            for index, spec in enumerate(self.events)
            if (event := self.event(index, spec.type, spec.date, spec.place, cells, reasons))
        )
        if reasons:
            return None
        dob = values.get("date_of_birth")
        sex = values.get("sex")
        document_type = values.get("document_type")
        text = {name: str(values.get(name, "")) for name in (*TEXT_FIELDS, *COUNTRY_FIELDS)}
        return CanonicalRecord(
            source=self.mapping.source,
            record_id=record_id,
            sex=sex if isinstance(sex, Sex) else Sex.UNKNOWN,
            date_of_birth=dob.day if isinstance(dob, _ParsedDate) else None,
            date_of_birth_precision=(
                dob.precision if isinstance(dob, _ParsedDate) else DatePrecision.UNKNOWN
            ),
            date_of_birth_placeholder=isinstance(dob, _ParsedDate) and dob.placeholder,
            document_type=document_type if isinstance(document_type, DocumentType) else None,
            events=events,
            **text,
        )

    def field(
        self, name: str, spec: FieldSpec, cells: dict[str, object], reasons: list[Reason]
    ) -> object | None:
        """The canonical value of one field, None when absent or invalid (reason added)."""
        if name == "date_of_birth":
            return self.date(name, spec, cells, reasons, dob=True)
        text = self.source_text(name, spec, cells, reasons)
        if text is None:
            return None
        kind = vocabulary_of(name)
        if not text and not (spec.codes and "" in spec.codes):
            if spec.required:
                reasons.append(Reason(name, "required", "a required value is empty"))
            return None
        code = _coded(name, spec, text, kind, reasons)
        if code is None:
            return None
        if kind == "sex":
            return Sex(code)
        if kind == "document_type":
            return DocumentType(code)
        return code

    def source_text(
        self, name: str, spec: FieldSpec, cells: dict[str, object], reasons: list[Reason]
    ) -> str | None:
        """The field's text from its column(s) or constant, stripped; None on a type error."""
        if spec.value is not None:
            return spec.value
        if len(spec.columns) == 1:
            return _text_or_none(cells.get(spec.columns[0]), name, reasons)
        parts = [_text_or_none(cells.get(column), name, reasons) for column in spec.columns]
        if any(part is None for part in parts):
            return None
        return spec.join.join(part for part in parts if part)

    def date(
        self,
        name: str,
        spec: FieldSpec,
        cells: dict[str, object],
        reasons: list[Reason],
        *,
        dob: bool,
    ) -> _ParsedDate | None:
        value = cells.get(spec.columns[0])
        if isinstance(value, dt.date):
            day = value.date() if isinstance(value, dt.datetime) else value
            return _placeholder(_ParsedDate(day, DatePrecision.DAY, False), spec, dob=dob)
        text = _text_or_none(value, name, reasons)
        if text is None:
            return None
        if not text:
            if spec.required:
                reasons.append(Reason(name, "required", "a required value is empty"))
            return None
        parsed = _parse_date(text, spec)
        if parsed is None:
            message = "the value matches none of the date formats or is not a real date"
            reasons.append(Reason(name, "invalid_date", message))
            return None
        return _placeholder(parsed, spec, dob=dob)

    def event(
        self,
        index: int,
        type_spec: FieldSpec,
        date_spec: FieldSpec,
        place_spec: FieldSpec | None,
        cells: dict[str, object],
        reasons: list[Reason],
    ) -> Event | None:
        path = f"events[{index}]"
        date = self.date(f"{path}.date", date_spec, cells, reasons, dob=False)
        if date is None:
            return None
        type_text = self.source_text(f"{path}.type", type_spec, cells, reasons)
        if type_text is None:
            return None
        if not type_text and not (type_spec.codes and "" in type_spec.codes):
            reasons.append(Reason(f"{path}.type", "required", "the event type is empty"))
            return None
        code = _coded(f"{path}.type", type_spec, type_text, "event_type", reasons)
        place = ""
        if place_spec is not None:
            place = self.source_text(f"{path}.place", place_spec, cells, reasons) or ""
        if code is None:
            return None
        return Event(EventType(code), date.day, place)


class _ParsedDate:
    __slots__ = ("day", "placeholder", "precision")

    def __init__(self, day: dt.date, precision: DatePrecision, placeholder: bool) -> None:
        self.day = day
        self.precision = precision
        self.placeholder = placeholder


def _parse_date(text: str, spec: FieldSpec) -> _ParsedDate | None:
    for fmt in spec.formats:
        try:
            day = dt.datetime.strptime(text, fmt.pattern).date()  # noqa: DTZ007 -- a date only
        except ValueError:
            continue
        if fmt.precision is DatePrecision.DAY:
            return _ParsedDate(day, DatePrecision.DAY, False)
        return _ParsedDate(day.replace(day=1), fmt.precision, False)
    for fmt in spec.formats:
        match = fmt.regex.fullmatch(text) if fmt.regex else None
        if match is None:
            continue
        year, month, day_of_month = int(match["Y"]), int(match["m"]), int(match["d"])
        if year < 1 or month > 12 or day_of_month > 31 or (month and day_of_month):
            continue
        if month == 0:
            return _ParsedDate(dt.date(year, 1, 1), DatePrecision.YEAR, True)
        return _ParsedDate(dt.date(year, month, 1), DatePrecision.MONTH, True)
    return None


def _placeholder(parsed: _ParsedDate, spec: FieldSpec, *, dob: bool) -> _ParsedDate:
    """A day-precision date of birth on one of the source's "day unknown" days is a year."""
    if not dob or parsed.precision is not DatePrecision.DAY:
        return parsed
    if f"{parsed.day.month:02d}-{parsed.day.day:02d}" in spec.placeholder_days:
        return _ParsedDate(parsed.day, DatePrecision.YEAR, True)
    return parsed


def _coded(name: str, spec: FieldSpec, text: str, kind: str, reasons: list[Reason]) -> str | None:
    """Apply the code map and the code list; check the result is in the field's vocabulary."""
    if spec.codes is not None and text in spec.codes:
        return spec.codes[text]
    if kind == "country" or spec.code_list is not None:
        code = _country(text, spec.code_list or "iso3166-alpha3")
        if code is not None:
            return code
        if spec.codes is not None and spec.default is not None:
            return spec.default
        message = "value is not a valid ISO 3166-1 code" + (
            " and not in the code map" if spec.codes is not None else ""
        )
        reasons.append(Reason(name, "invalid_country", message))
        return None
    if spec.codes is not None:
        if spec.default is not None:
            return spec.default
        reasons.append(Reason(name, "unknown_code", "value not in the code map"))
        return None
    if kind == "sex" and text not in _SEX_CODES:
        reasons.append(Reason(name, "unknown_code", "value is not a canonical sex code"))
        return None
    if kind == "document_type" and text not in _DOCUMENT_TYPES:
        reasons.append(Reason(name, "unknown_code", "value is not a canonical document type"))
        return None
    if kind == "event_type" and text not in _EVENT_TYPES:
        reasons.append(Reason(name, "unknown_code", "value is not a canonical event type"))
        return None
    return text


_SEX_CODES = frozenset(s.value for s in Sex)
_DOCUMENT_TYPES = frozenset(d.value for d in DocumentType)
_EVENT_TYPES = frozenset(e.value for e in EventType)


def _country(text: str, code_list: str) -> str | None:
    code = text.upper()
    if code_list == "iso3166-alpha2":
        return ALPHA2_TO_ALPHA3.get(code)
    return code if code in ISO3166_ALPHA3 else None


def _text_or_none(value: object, name: str, reasons: list[Reason]) -> str | None:
    if isinstance(value, _NOT_TEXT):
        kind = _TYPE_NAMES.get(type(value), "binary data")
        reasons.append(Reason(name, "invalid_type", f"{kind} where text was expected"))
        return None
    return cell_text(value).strip()


def _text(value: object, column: str, reasons: list[Reason]) -> str:
    text = _text_or_none(value, column, reasons)
    return text or ""
