"""Mapping files: the YAML that describes one agency source and how it becomes canonical records.

The whole file is validated up front by :func:`parse_mapping`, so that a wrong key, an unknown
canonical field, a bad date format or a code outside the canonical vocabulary is reported before
a single row is read, with the path of the offending key. The format is documented, with
examples, in ``docs/mapping-files.md``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
from collections.abc import Mapping as AbstractMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import yaml

from ura.ingest.countries import ISO3166_ALPHA3
from ura.records import DatePrecision, DocumentType, EventType, Sex


class IngestError(Exception):
    """A source cannot be read at all (missing file, unset database variable, header that does
    not fit the mapping). Row-level problems never raise: they become quarantined rows."""


class MappingError(IngestError):
    """A mapping file is wrong. The message names the file, the key and what is wrong."""


FORMATS: Final = ("csv", "xlsx", "jsonl", "parquet", "sql")
CODE_LISTS: Final = ("iso3166-alpha3", "iso3166-alpha2")

TEXT_FIELDS: Final = (
    "given_names",
    "family_name",
    "father_name",
    "mother_name",
    "full_name_original",
    "place_of_birth",
    "document_number",
)
COUNTRY_FIELDS: Final = ("nationality", "document_country")
CANONICAL_FIELDS: Final = (
    *TEXT_FIELDS[:5],
    "sex",
    "date_of_birth",
    "place_of_birth",
    "nationality",
    "document_type",
    "document_number",
    "document_country",
)

_OPTIONS: Final[dict[str, frozenset[str]]] = {
    "csv": frozenset({"delimiter", "encoding", "quotechar", "header_row"}),
    "xlsx": frozenset({"sheet", "header_row"}),
    "jsonl": frozenset({"encoding"}),
    "parquet": frozenset(),
    "sql": frozenset({"url_env", "query"}),
}
_TOP_KEYS: Final = frozenset(
    {
        "source",
        "agency",
        "description",
        "format",
        "options",
        "record_id",
        "fields",
        "identifiers",
        "events",
    }
)
_SPEC_KEYS: Final = frozenset(
    {
        "column",
        "columns",
        "join",
        "value",
        "required",
        "codes",
        "default",
        "code_list",
        "formats",
        "placeholder_days",
    }
)
_SOURCE_RE: Final = re.compile(r"[a-z0-9-]+")
_ENV_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DAY_RE: Final = re.compile(r"(\d\d)-(\d\d)")
_KNOWN_DIRECTIVES: Final = frozenset("aAbBdHIjmMpSyYfzZ%")
_PROBE: Final = dt.datetime(
    1987, 6, 5, 4, 3, 2, tzinfo=dt.UTC
)  # every part distinct, so round trips prove it

Vocabulary = Literal["text", "sex", "country", "document_type", "event_type"]


@dataclass(frozen=True, slots=True)
class DateFormat:
    """One strptime format and the precision a date parsed with it has."""

    pattern: str
    precision: DatePrecision
    regex: re.Pattern[str] | None  # matches "00.00.1985"-style values of this format, if any


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How to get one canonical value from a row: a column, several joined, or a constant."""

    path: str  # where in the mapping file, e.g. "fields.sex"
    columns: tuple[str, ...] = ()
    join: str = " "
    value: str | None = None
    required: bool = False
    codes: AbstractMapping[str, str] | None = None
    default: str | None = None
    code_list: str | None = None
    formats: tuple[DateFormat, ...] = ()
    placeholder_days: frozenset[str] = frozenset({"01-01"})


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One event a row may carry (produced when its date is present)."""

    type: FieldSpec
    date: FieldSpec
    place: FieldSpec | None


@dataclass(frozen=True)
class Mapping:
    """A validated mapping file. ``text`` is the YAML exactly as given and ``digest`` its
    SHA-256, so stored rows can name the mapping version that produced them."""

    source: str
    agency: str
    format: str
    text: str
    digest: str
    origin: str = "<string>"
    description: str = ""
    options: AbstractMapping[str, str | int] = field(default_factory=dict)
    record_id: tuple[str, ...] = ()
    fields: AbstractMapping[str, FieldSpec] = field(default_factory=dict)
    identifiers: tuple[str, ...] = ()
    events: tuple[EventSpec, ...] = ()

    @property
    def encoding(self) -> str:
        return str(self.options.get("encoding", "utf-8"))

    @property
    def header_row(self) -> int:
        return int(self.options.get("header_row", 1))

    def columns(self) -> frozenset[str]:
        """Every source column the mapping reads (the file must have all of them)."""
        specs = [*self.fields.values()]
        for event in self.events:
            specs += [event.type, event.date] + ([event.place] if event.place else [])
        named = {c for spec in specs for c in spec.columns}
        return frozenset(named | set(self.record_id) | set(self.identifiers))


def load_mapping(path: Path) -> Mapping:
    """Read and validate a mapping file (UTF-8 YAML)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(
            f"{path}: cannot read the mapping file ({exc.__class__.__name__})"
        ) from None
    return parse_mapping(text, origin=str(path))


def parse_mapping(text: str, origin: str = "<string>") -> Mapping:
    """Validate a mapping given as YAML text. Raises MappingError naming the key at fault."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 -- a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise MappingError(f"{origin}: not valid YAML: {exc}") from None
    return _Parser(origin).mapping(data, text)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice (YAML would silently keep the last one)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} given twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _vocabulary(kind: Vocabulary) -> frozenset[str]:
    if kind == "sex":
        return frozenset(s.value for s in Sex)
    if kind == "country":
        return ISO3166_ALPHA3
    if kind == "document_type":
        return frozenset(d.value for d in DocumentType)
    if kind == "event_type":
        return frozenset(e.value for e in EventType)
    return frozenset()


def vocabulary_of(canonical: str) -> Vocabulary:
    """Which canonical vocabulary a field's values come from ("text" for free text)."""
    if canonical == "sex":
        return "sex"
    if canonical in COUNTRY_FIELDS:
        return "country"
    if canonical == "document_type":
        return "document_type"
    return "text"


class _Parser:
    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, path: str, problem: str) -> MappingError:
        where = f"{self.origin}: {path}: " if path else f"{self.origin}: "
        return MappingError(where + problem)

    def mapping(self, data: object, text: str) -> Mapping:
        doc = self.table(data, "")
        unknown = sorted(set(doc) - _TOP_KEYS)
        if unknown:
            raise self.fail(unknown[0], f"unknown key (allowed: {', '.join(sorted(_TOP_KEYS))})")
        for key in ("source", "agency", "format", "record_id"):
            if key not in doc:
                raise self.fail(key, "required key is missing")
        source = self.string(doc["source"], "source")
        if not _SOURCE_RE.fullmatch(source):
            raise self.fail("source", "must be lowercase letters, digits and '-' only")
        agency = self.string(doc["agency"], "agency")
        if not agency or any(ch.isspace() for ch in agency):
            raise self.fail("agency", "must be a non-empty code without spaces")
        fmt = self.string(doc["format"], "format")
        if fmt not in FORMATS:
            raise self.fail("format", f"must be one of {', '.join(FORMATS)}")
        description = self.string(doc.get("description", ""), "description")
        options = self.options(doc.get("options", {}), fmt)
        record_id = self.columns_list(doc["record_id"], "record_id")
        if not record_id:
            raise self.fail("record_id", "needs at least one column")
        fields_raw = self.table(doc.get("fields", {}), "fields")
        fields: dict[str, FieldSpec] = {}
        for name, spec in fields_raw.items():
            if name not in CANONICAL_FIELDS:
                allowed = ", ".join(CANONICAL_FIELDS)
                raise self.fail(f"fields.{name}", f"not a canonical field (allowed: {allowed})")
            fields[name] = self.field_spec(spec, f"fields.{name}", name)
        identifiers = self.columns_list(doc.get("identifiers", []), "identifiers")
        events_raw = doc.get("events", [])
        if not isinstance(events_raw, list):
            raise self.fail("events", "must be a list")
        events = tuple(self.event(e, f"events[{i}]") for i, e in enumerate(events_raw))
        return Mapping(
            source=source,
            agency=agency,
            format=fmt,
            text=text,
            digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            origin=self.origin,
            description=description,
            options=options,
            record_id=record_id,
            fields=fields,
            identifiers=identifiers,
            events=events,
        )

    def table(self, value: object, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, "must be a mapping of keys to values")
        for key in value:
            if not isinstance(key, str):
                raise self.fail(f"{path}.{key}" if path else str(key), "keys must be text")
        return value

    def string(self, value: object, path: str) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"must be text, not {_yaml_type(value)}")
        return value

    def columns_list(self, value: object, path: str) -> tuple[str, ...]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            raise self.fail(path, "must be a column name or a list of column names")
        out = tuple(self.string(v, f"{path}[{i}]") for i, v in enumerate(items))
        for i, column in enumerate(out):
            if not column.strip():
                raise self.fail(f"{path}[{i}]", "column name is empty")
        return out

    def options(self, value: object, fmt: str) -> dict[str, str | int]:
        raw = self.table(value, "options")
        allowed = _OPTIONS[fmt]
        out: dict[str, str | int] = {}
        for key, item in raw.items():
            path = f"options.{key}"
            if key not in allowed:
                names = ", ".join(sorted(allowed)) or "none"
                raise self.fail(path, f"not an option of format {fmt} (allowed: {names})")
            if key == "header_row":
                if isinstance(item, bool) or not isinstance(item, int) or item < 1:
                    raise self.fail(path, "must be a whole number from 1 (the first row)")
                out[key] = item
                continue
            text = self.string(item, path)
            if key in ("delimiter", "quotechar") and len(text) != 1:
                raise self.fail(path, "must be exactly one character")
            if key == "encoding":
                self.check_encoding(text, path)
            if key == "url_env" and not _ENV_RE.fullmatch(text):
                raise self.fail(path, "must be the NAME of an environment variable, not a URL")
            if key == "query" and not text.strip():
                raise self.fail(path, "is empty")
            out[key] = text
        if "delimiter" in out and out["delimiter"] == out.get("quotechar", '"'):
            raise self.fail("options.delimiter", "must differ from the quote character")
        if fmt == "sql":
            for key in ("url_env", "query"):
                if key not in out:
                    raise self.fail(f"options.{key}", "required for format sql")
        return out

    def check_encoding(self, name: str, path: str) -> None:
        try:
            codec = codecs.lookup(name)
        except LookupError:
            raise self.fail(path, "not a known text encoding") from None
        if codec.name.startswith(("utf-16", "utf-32", "utf-8")):
            return
        try:
            ok = "\n".encode(codec.name) == b"\n" and b"\n;,\t\"'".decode(codec.name) == "\n;,\t\"'"
        except (UnicodeError, TypeError, LookupError):
            ok = False
        if not ok:
            raise self.fail(path, "unsupported: the encoding must be ASCII-compatible or UTF-16/32")

    def field_spec(
        self, value: object, path: str, canonical: str, *, kind: Vocabulary | None = None
    ) -> FieldSpec:
        raw = self.table(value, path)
        unknown = sorted(set(raw) - _SPEC_KEYS)
        if unknown:
            allowed = ", ".join(sorted(_SPEC_KEYS))
            raise self.fail(f"{path}.{unknown[0]}", f"unknown key (allowed: {allowed})")
        sources = [k for k in ("column", "columns", "value") if k in raw]
        if len(sources) != 1:
            raise self.fail(path, "needs exactly one of column, columns or value")
        is_date = canonical in ("date_of_birth", "event_date")
        vocab: Vocabulary = kind or vocabulary_of(canonical)
        columns: tuple[str, ...] = ()
        constant: str | None = None
        if "column" in raw:
            columns = (self.string(raw["column"], f"{path}.column"),)
            if not columns[0].strip():
                raise self.fail(f"{path}.column", "column name is empty")
        elif "columns" in raw:
            if is_date:
                raise self.fail(f"{path}.columns", "a date comes from one column")
            columns = self.columns_list(raw["columns"], f"{path}.columns")
            if not columns:
                raise self.fail(f"{path}.columns", "needs at least one column")
        else:
            if is_date:
                raise self.fail(f"{path}.value", "a date comes from a column")
            constant = self.string(raw["value"], f"{path}.value")
            self.in_vocabulary(constant, vocab, f"{path}.value")
        join = self.string(raw.get("join", " "), f"{path}.join")
        if "join" in raw and "columns" not in raw:
            raise self.fail(f"{path}.join", "only used with columns")
        required = raw.get("required", False)
        if not isinstance(required, bool):
            raise self.fail(f"{path}.required", "must be true or false")
        codes: dict[str, str] | None = None
        if "codes" in raw:
            if is_date:
                raise self.fail(f"{path}.codes", "dates are parsed with formats, not codes")
            codes = {}
            for key, code in self.codes_dict(raw["codes"], f"{path}.codes").items():
                self.in_vocabulary(code, vocab, f"{path}.codes[{key!r}]")
                codes[key] = code
        default: str | None = None
        if "default" in raw:
            if codes is None:
                raise self.fail(f"{path}.default", "only used with codes")
            default = self.string(raw["default"], f"{path}.default")
            self.in_vocabulary(default, vocab, f"{path}.default")
        code_list: str | None = None
        if "code_list" in raw:
            code_list = self.string(raw["code_list"], f"{path}.code_list")
            if code_list not in CODE_LISTS:
                raise self.fail(f"{path}.code_list", f"must be one of {', '.join(CODE_LISTS)}")
            if vocab != "country" and canonical != "place_of_birth":
                raise self.fail(f"{path}.code_list", "only for country fields")
        formats: tuple[DateFormat, ...] = ()
        if is_date:
            if "formats" not in raw:
                raise self.fail(f"{path}.formats", "required for a date")
            formats = self.formats(raw["formats"], f"{path}.formats")
        elif "formats" in raw:
            raise self.fail(f"{path}.formats", "only for dates")
        placeholder_days = frozenset({"01-01"})
        if "placeholder_days" in raw:
            if canonical != "date_of_birth":
                raise self.fail(f"{path}.placeholder_days", "only for date_of_birth")
            placeholder_days = self.placeholder_days(
                raw["placeholder_days"], f"{path}.placeholder_days"
            )
        return FieldSpec(
            path=path,
            columns=columns,
            join=join,
            value=constant,
            required=required,
            codes=codes,
            default=default,
            code_list=code_list,
            formats=formats,
            placeholder_days=placeholder_days,
        )

    def codes_dict(self, value: object, path: str) -> dict[str, str]:
        if not isinstance(value, dict) or not value:
            raise self.fail(path, "must be a non-empty mapping of source value -> canonical value")
        out: dict[str, str] = {}
        for key, code in value.items():
            if not isinstance(key, str):
                raise self.fail(
                    f"{path}[{key!r}]",
                    f'source value is a YAML {_yaml_type(key)}; quote it (e.g. "{key}")',
                )
            out[key.strip()] = self.string(code, f"{path}[{key!r}]")
        return out

    def in_vocabulary(self, value: str, kind: Vocabulary, path: str) -> None:
        allowed = _vocabulary(kind)
        if kind != "text" and value not in allowed:
            shown = ", ".join(sorted(allowed)) if len(allowed) < 20 else "ISO 3166-1 alpha-3"
            raise self.fail(path, f"{value!r} is not a canonical {kind} code ({shown})")

    def formats(self, value: object, path: str) -> tuple[DateFormat, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(path, "must be a non-empty list of strptime formats")
        return tuple(self.date_format(v, f"{path}[{i}]") for i, v in enumerate(value))

    def date_format(self, value: object, path: str) -> DateFormat:
        pattern = self.string(value, path)
        directives = re.findall(r"%(.)", pattern.replace("%%", ""))
        bad = [d for d in directives if d not in _KNOWN_DIRECTIVES]
        if bad or pattern.count("%") != len(directives) + 2 * pattern.count("%%"):
            raise self.fail(path, "not a valid strptime format (unknown or incomplete %-code)")
        if "Y" not in directives and "y" not in directives:
            raise self.fail(path, "a date format needs a year (%Y or %y)")
        try:
            back = dt.datetime.strptime(_PROBE.strftime(pattern), pattern)  # noqa: DTZ007
        except ValueError:
            raise self.fail(path, "not a valid strptime format") from None
        if back.year != _PROBE.year:
            raise self.fail(path, "not a valid strptime format (the year does not round-trip)")
        has_day = "d" in directives or "j" in directives
        has_month = "m" in directives or "b" in directives or "B" in directives
        precision = (
            DatePrecision.DAY
            if has_day
            else DatePrecision.MONTH
            if has_month
            else DatePrecision.YEAR
        )
        return DateFormat(pattern, precision, _zero_date_regex(pattern))

    def placeholder_days(self, value: object, path: str) -> frozenset[str]:
        if not isinstance(value, list):
            raise self.fail(path, 'must be a list of "MM-DD" values')
        out: set[str] = set()
        for i, item in enumerate(value):
            text = self.string(item, f"{path}[{i}]")
            match = _DAY_RE.fullmatch(text)
            if not match or int(match[1]) > 12 or int(match[2]) > 31:
                raise self.fail(f"{path}[{i}]", 'must be "MM-DD" (e.g. "01-01" or "00-00")')
            out.add(text)
        return frozenset(out)

    def event(self, value: object, path: str) -> EventSpec:
        raw = self.table(value, path)
        unknown = sorted(set(raw) - {"type", "date", "place"})
        if unknown:
            raise self.fail(f"{path}.{unknown[0]}", "unknown key (allowed: date, place, type)")
        for key in ("type", "date"):
            if key not in raw:
                raise self.fail(f"{path}.{key}", "required key is missing")
        type_spec = self.field_spec(raw["type"], f"{path}.type", "event_type", kind="event_type")
        date_spec = self.field_spec(raw["date"], f"{path}.date", "event_date")
        place = self.field_spec(raw["place"], f"{path}.place", "place") if "place" in raw else None
        return EventSpec(type_spec, date_spec, place)


def _zero_date_regex(pattern: str) -> re.Pattern[str] | None:
    """A regex matching values of a day format whose day and/or month is written as zeros
    ("00.00.1985"), which strptime cannot parse; None when the format has other parts."""
    if "%d" not in pattern or "%m" not in pattern:
        return None
    parts: list[str] = []
    for piece in re.split(r"(%.)", pattern):
        if piece == "%d":
            parts.append(r"(?P<d>\d\d)")
        elif piece == "%m":
            parts.append(r"(?P<m>\d\d)")
        elif piece == "%Y":
            parts.append(r"(?P<Y>\d{4})")
        elif piece.startswith("%"):
            return None
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts))


def _yaml_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return "text" if isinstance(value, str) else type(value).__name__
