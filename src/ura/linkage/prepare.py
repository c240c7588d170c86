"""Turn canonical person records into the table that every linkage engine reads.

All standardisation happens here, in plain Python and pyarrow, before any engine sees the
data: the name layer (:mod:`ura.linkage.names`) is called once per distinct string, dates are
split into the parts the date-of-birth comparison needs, and document numbers are reduced to
uppercase letters and digits. DuckDB and Spark therefore compare exactly the same values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from ura.linkage.names import NameKeys, name_keys
from ura.records import LINKAGE_COLUMNS

#: A record's identity across Ura: (source, record_id).
RecordKey = tuple[str, str]

#: Splink's unique id column; the value is ``source + "/" + record_id``.
UNIQUE_ID = "unique_id"
_SEPARATOR = "/"

#: Columns the prepared table carries besides the raw LINKAGE_COLUMNS.
PREPARED_COLUMNS = (
    UNIQUE_ID,
    "name_romanised",
    "name_sorted",
    "name_skeleton",
    "name_phonetic",
    "has_name_parts",
    "given_romanised",
    "given_skeleton",
    "given_phonetic",
    "family_romanised",
    "family_skeleton",
    "family_phonetic",
    "father_romanised",
    "father_skeleton",
    "father_phonetic",
    "dob",
    "dob_year",
    "dob_year_int",
    "dob_month",
    "dob_month_day",
    "dob_precise",
    "dob_year_only",
    "doc",
)

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def unique_id(source: str, record_id: str) -> str:
    """The Splink unique id of a record. Sources must not contain "/" (checked on input)."""
    return f"{source}{_SEPARATOR}{record_id}"


def record_key(uid: str) -> RecordKey:
    """Inverse of :func:`unique_id`."""
    source, _, record_id = uid.partition(_SEPARATOR)
    return (source, record_id)


def normalise_document(number: str) -> str:
    """Uppercase letters and digits only: "ab-12 345" and "AB12345" are the same number."""
    return _NOT_ALNUM.sub("", number.upper())


def _nullable(values: Iterable[str]) -> list[str | None]:
    return [v if v else None for v in values]


def _keys_column(
    texts: Sequence[str], field: Callable[[NameKeys], str], cache: dict[str, NameKeys]
) -> list[str | None]:
    out: list[str | None] = []
    for text in texts:
        keys = cache.get(text)
        if keys is None:
            keys = name_keys(text)
            cache[text] = keys
        value = field(keys)
        out.append(value or None)
    return out


def _check_columns(records: pa.Table) -> None:
    missing = [c for c in LINKAGE_COLUMNS if c not in records.column_names]
    if missing:
        raise ValueError(f"records table lacks linkage columns: {missing}")
    sources = pc.unique(records.column("source")).to_pylist()
    if any(_SEPARATOR in (s or "") for s in sources):
        raise ValueError(f"source names must not contain {_SEPARATOR!r}")


def prepare(records: pa.Table) -> pa.Table:
    """The engine input: raw LINKAGE_COLUMNS (empty strings as nulls, so that "not recorded"
    never counts as agreement) plus the derived columns of PREPARED_COLUMNS.

    Names: ``name_*`` are keys of "given family" (or of ``full_name_original`` when the
    record has neither part, e.g. only an Arabic or Cyrillic full name); ``given_*``,
    ``family_*`` and ``father_*`` are keys of each part. Dates: ``dob_precise`` is true only
    for day precision that is not a placeholder; ``dob_year_only`` is true for year
    precision or a placeholder (the day and month carry no evidence)."""
    _check_columns(records)
    n = records.num_rows
    cols = {
        c: [v or "" for v in records.column(c).to_pylist()]
        for c in LINKAGE_COLUMNS
        if c != "date_of_birth_placeholder"
    }
    placeholder = [bool(v) for v in records.column("date_of_birth_placeholder").to_pylist()]
    given, family = cols["given_names"], cols["family_name"]
    full_text = [
        f"{g} {f}".strip() if (g or f) else o
        for g, f, o in zip(given, family, cols["full_name_original"], strict=True)
    ]
    cache: dict[str, NameKeys] = {}
    out: dict[str, list[object]] = {}
    for c in LINKAGE_COLUMNS:
        if c == "date_of_birth_placeholder":
            out[c] = list(placeholder)
        else:
            out[c] = list(_nullable(cols[c]))
    out["sex"] = [v if v not in ("U", "") else None for v in cols["sex"]]
    out[UNIQUE_ID] = [
        unique_id(s, r) for s, r in zip(cols["source"], cols["record_id"], strict=True)
    ]
    for prefix, texts in (
        ("name", full_text),
        ("given", given),
        ("family", family),
        ("father", cols["father_name"]),
    ):
        out[f"{prefix}_romanised"] = list(_keys_column(texts, lambda k: k.romanised, cache))
        if prefix == "name":
            out["name_sorted"] = list(_keys_column(texts, lambda k: k.sorted, cache))
        out[f"{prefix}_skeleton"] = list(_keys_column(texts, lambda k: k.skeleton, cache))
        out[f"{prefix}_phonetic"] = list(_keys_column(texts, lambda k: k.phonetic, cache))
    out["has_name_parts"] = [
        g is not None and f is not None
        for g, f in zip(out["given_romanised"], out["family_romanised"], strict=True)
    ]
    dob: list[str | None] = [None] * n
    year: list[str | None] = [None] * n
    year_int: list[int | None] = [None] * n
    month: list[str | None] = [None] * n
    month_day: list[str | None] = [None] * n
    precise: list[bool] = [False] * n
    year_only: list[bool] = [False] * n
    for i, (text, precision) in enumerate(
        zip(cols["date_of_birth"], cols["date_of_birth_precision"], strict=True)
    ):
        match = _DATE.match(text)
        if match is None or precision in ("", "unknown"):
            continue
        y, m, d = match.groups()
        year[i], year_int[i] = y, int(y)
        coarse = precision == "year" or placeholder[i]
        year_only[i] = coarse
        if coarse:
            continue
        month[i] = f"{y}-{m}"
        if precision == "day":
            dob[i] = text
            month_day[i] = f"{m}-{d}"
            precise[i] = True
    out["dob"], out["dob_year"], out["dob_year_int"] = list(dob), list(year), list(year_int)
    out["dob_month"], out["dob_month_day"] = list(month), list(month_day)
    out["dob_precise"], out["dob_year_only"] = list(precise), list(year_only)
    out["doc"] = list(_nullable(normalise_document(d) for d in cols["document_number"]))
    schema = pa.schema(
        [
            pa.field(c, pa.bool_())
            if c in ("date_of_birth_placeholder", "has_name_parts", "dob_precise", "dob_year_only")
            else pa.field(c, pa.int64())
            if c == "dob_year_int"
            else pa.field(c, pa.string())
            for c in (*LINKAGE_COLUMNS, *PREPARED_COLUMNS)
        ]
    )
    return pa.table({c: out[c] for c in schema.names}, schema=schema)
