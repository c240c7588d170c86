"""``write_extracts()``: each agency's extract in its own layout, a mapping file per source
(the ingest contract), and the ground truth.

A few deliberately invalid data-entry rows (impossible date, unknown nationality code, empty
required family name) are mixed into every extract so that ingest's quarantine has work; they
are not in the truth table and the manifest counts them.
"""

# ruff: noqa: RUF001 -- Cyrillic letters are data here (Serbian Cyrillic column names and codes), not look-alikes

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from openpyxl import Workbook

from ura.synth.generator import linkage_table, render_all
from ura.synth.names import NATIONALITIES, ObjectArray
from ura.synth.sources import (
    KIND_DAY,
    KIND_MISSING,
    KIND_MONTH,
    KIND_PLACEHOLDER,
    Bundle,
    SourceSpec,
)

#: Agencies of the synthetic sources: (code, human-readable name).
SYNTH_AGENCIES: tuple[tuple[str, str], ...] = (
    ("DGMM", "Presidency of Migration Management (Türkiye)"),
    ("GENDARMERIE", "Gendarmerie General Command (Türkiye)"),
    ("COASTGUARD", "Coast Guard Command (Türkiye)"),
    ("BORDER-POLICE", "Border Police"),
    ("NGO-SHELTER", "Shelter NGO"),
    ("KOSOVO-DCAM", "Department for Citizenship, Asylum and Migration (Kosovo)"),
)
#: Above this many rows the border police extract is written as CSV, not XLSX (slow).
XLSX_MAX_ROWS = 50_000
_FIXED_TIME = (2026, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class SourceFile:
    name: str
    agency: str
    path: Path
    mapping_path: Path
    rows: int
    invalid_rows: int
    note: str = ""


@dataclass(frozen=True)
class SynthManifest:
    sources: tuple[SourceFile, ...]
    truth_path: Path
    persons: int
    seed: int


_NAT = {
    "dgmm": ("SURİYE", "AFGANİSTAN", "IRAK", "İRAN", "PAKİSTAN", "TÜRKMENİSTAN", "ÖZBEKİSTAN",
             "GÜRCİSTAN", "AZERBAYCAN", "RUSYA FEDERASYONU", "UKRAYNA", "KOSOVA"),
    "alpha2": ("SY", "AF", "IQ", "IR", "PK", "TM", "UZ", "GE", "AZ", "RU", "UA", "XK"),
    "icao": ("SYR", "AFG", "IRQ", "IRN", "PAK", "TKM", "UZB", "GEO", "AZE", "RUS", "UKR", "RKS"),
    "english": ("Syria", "Afghanistan", "Iraq", "Iran", "Pakistan", "Turkmenistan",
                "Uzbekistan", "Georgia", "Azerbaijan", "Russia", "Ukraine", "Kosovo"),
    "albanian": ("Siri", "Afganistan", "Irak", "Iran", "Pakistan", "Turkmenistan",
                 "Uzbekistan", "Gjeorgji", "Azerbajxhan", "Rusi", "Ukrainë", "Kosovë"),
    "serbian": ("Сирија", "Авганистан", "Ирак", "Иран", "Пакистан", "Туркменистан",
                "Узбекистан", "Грузија", "Азербејџан", "Русија", "Украјина", "Косово"),
}  # fmt: skip


@dataclass(frozen=True)
class Layout:
    """An agency's file: format, options and how its columns come from a bundle."""

    file_name: str
    format: str
    options: dict[str, str]
    columns: Callable[[Bundle, ObjectArray], dict[str, list[str]]]
    mapping: dict[str, object]  # the mapping file minus source/agency/description/format
    nationality_column: str
    family_column: str | None  # set when the family name is required
    date_column: str
    bad_date: str
    bad_nationality: str


def _dates(bundle: Bundle, day: str, month: str, placeholder: str, year: str) -> list[str]:
    patterns = {KIND_DAY: day, KIND_MONTH: month, KIND_PLACEHOLDER: placeholder}
    out: list[str] = []
    for kind, y, m, d in zip(
        bundle.dob_kind.tolist(),
        bundle.year.tolist(),
        bundle.month.tolist(),
        bundle.day.tolist(),
        strict=True,
    ):
        if kind == KIND_MISSING:
            out.append("")
        else:
            out.append(patterns.get(kind, year).format(y=y, m=m, d=d))
    return out


def _codes(values: ObjectArray, scheme: str) -> list[str]:
    lookup = dict(zip(NATIONALITIES, _NAT[scheme], strict=True))
    return [lookup[v] for v in values.tolist()]


def _events(bundle: Bundle, fmt: str) -> list[str]:
    return [str(x) for x in pd.DatetimeIndex(bundle.event_date).strftime(fmt)]


def _sex(bundle: Bundle, male: str, female: str, unknown: str) -> list[str]:
    table = {"M": male, "F": female, "U": unknown}
    return [table[s] for s in bundle.sex.tolist()]


def _list(values: ObjectArray) -> list[str]:
    return [str(v) for v in values.tolist()]


def _nat_codes(scheme: str) -> dict[str, str]:
    return dict(zip(_NAT[scheme], NATIONALITIES, strict=True))


_DMY = ("{d:02d}.{m:02d}.{y:04d}", "{m:02d}.{y:04d}", "01.01.{y:04d}", "{y:04d}")
_ISO = ("{y:04d}-{m:02d}-{d:02d}", "{y:04d}-{m:02d}", "{y:04d}-01-01", "{y:04d}")


def _dgmm(b: Bundle, ids: ObjectArray) -> dict[str, list[str]]:
    return {
        "KAYIT_NO": _list(ids),
        "YKN": _list(b.document_number),
        "AD": _list(b.given),
        "SOYAD": _list(b.family),
        "BABA_ADI": _list(b.father),
        "ANA_ADI": _list(b.mother),
        "CINSIYET": _sex(b, "E", "K", ""),
        "DOGUM_TARIHI": _dates(b, *_DMY),
        "UYRUK": _codes(b.nationality, "dgmm"),
        "KAYIT_TARIHI": _events(b, "%d.%m.%Y"),
        "IL_KODU": [f"{p:02d}" for p in b.place.tolist()],
    }


def _gendarmerie(b: Bundle, ids: ObjectArray) -> dict[str, list[str]]:
    return {
        "OLAY_NO": _list(ids),
        "YABANCI_KIMLIK_NO": _list(b.document_number),
        "ADI": _list(b.given),
        "SOYADI": _list(b.family),
        "BABA_ADI": _list(b.father),
        "CINSIYETI": _sex(b, "Erkek", "Kadın", ""),
        "DOGUM_TARIHI": _dates(b, *_DMY),
        "UYRUGU": _codes(b.nationality, "alpha2"),
        "YAKALAMA_TARIHI": _events(b, "%d.%m.%Y"),
        "IL": [f"{p:02d}" for p in b.place.tolist()],
    }


def _coastguard(b: Bundle, ids: ObjectArray) -> dict[str, list[str]]:
    incident, seq = zip(*(str(i).split("/") for i in ids.tolist()), strict=True)
    return {
        "incident_no": list(incident),
        "person_no": list(seq),
        "first_name": _list(b.given),
        "last_name": _list(b.family),
        "father_name": _list(b.father),
        "gender": _sex(b, "male", "female", "unknown"),
        "birth_date": _dates(b, *_ISO[:2], "{y:04d}", "{y:04d}"),
        "nationality": _list(b.nationality),
        "apprehended_on": _events(b, "%Y-%m-%d"),
        "sea_area": [f"AREA-{p % 9 + 1}" for p in b.place.tolist()],
    }


def _border(b: Bundle, ids: ObjectArray) -> dict[str, list[str]]:
    return {
        "CROSSING_ID": _list(ids),
        "SURNAME": _list(b.family),
        "GIVEN_NAMES": _list(b.given),
        "SEX": _sex(b, "M", "F", "X"),
        "DATE_OF_BIRTH": _dates(
            b, "{d:02d}/{m:02d}/{y:04d}", "{m:02d}/{y:04d}", "01/01/{y:04d}", "{y:04d}"
        ),
        "NATIONALITY": _codes(b.nationality, "icao"),
        "PASSPORT_NO": _list(b.document_number),
        "ISSUING_STATE": _codes(b.nationality, "icao"),
        "ENTRY_DATE": _events(b, "%d/%m/%Y"),
        "BCP": [f"BCP{p:02d}" for p in b.place.tolist()],
    }


def _ngo(b: Bundle, ids: ObjectArray) -> dict[str, list[str]]:
    return {
        "case_ref": _list(ids),
        "full_name": _list(b.full_name_original),
        "first_name": _list(b.given),
        "family_name": _list(b.family),
        "father_name": _list(b.father),
        "mother_name": _list(b.mother),
        "sex": _sex(b, "m", "f", ""),
        "dob": _dates(b, *_ISO[:2], "{y:04d}", "{y:04d}"),
        "country_of_origin": _codes(b.nationality, "english"),
        "intake_date": _events(b, "%Y-%m-%d"),
    }


def _kosovo_returns(b: Bundle, ids: ObjectArray) -> dict[str, list[str]]:
    return {
        "NR_REGJISTRIMIT": _list(ids),
        "NR_PERSONAL": _list(b.document_number),
        "EMRI": _list(b.given),
        "MBIEMRI": _list(b.family),
        "EMRI_I_BABAIT": _list(b.father),
        "EMRI_I_NENES": _list(b.mother),
        "GJINIA": _sex(b, "M", "F", ""),
        "DATELINDJA": _dates(b, _DMY[0], _DMY[1], "00.00.{y:04d}", "{y:04d}"),
        "SHTETESIA": _codes(b.nationality, "albanian"),
        "DATA_KTHIMIT": _events(b, "%d.%m.%Y"),
        "KOMUNA": [f"{p % 38 + 1:02d}" for p in b.place.tolist()],
    }


def _kosovo_civil(b: Bundle, ids: ObjectArray) -> dict[str, list[str]]:
    return {
        "РЕГ_БРОЈ": _list(ids),
        "ЛИЧНИ_БРОЈ": _list(b.document_number),
        "ИМЕ": _list(b.given),
        "ПРЕЗИМЕ": _list(b.family),
        "ИМЕ_ОЦА": _list(b.father),
        "ИМЕ_МАЈКЕ": _list(b.mother),
        "ПОЛ": _sex(b, "М", "Ж", ""),
        "ДАТУМ_РОЂЕЊА": _dates(b, *_ISO[:3], "{y:04d}"),
        "ДРЖАВЉАНСТВО": _codes(b.nationality, "serbian"),
        "ДАТУМ_УПИСА": _events(b, "%Y-%m-%d"),
        "ОПШТИНА": [f"{p % 38 + 1:02d}" for p in b.place.tolist()],
    }


def _date_field(column: str, formats: list[str], **extra: object) -> dict[str, object]:
    return {"column": column, "formats": formats, **extra}


LAYOUTS: dict[str, Layout] = {
    "dgmm-registration": Layout(
        "dgmm_kayit.csv", "csv", {"delimiter": ";", "encoding": "cp1254"}, _dgmm,
        {
            "record_id": ["KAYIT_NO"],
            "fields": {
                "given_names": {"column": "AD"},
                "family_name": {"column": "SOYAD", "required": True},
                "father_name": {"column": "BABA_ADI"},
                "mother_name": {"column": "ANA_ADI"},
                "sex": {"column": "CINSIYET", "codes": {"E": "M", "K": "F", "": "U"}},
                "date_of_birth": _date_field("DOGUM_TARIHI", ["%d.%m.%Y", "%m.%Y", "%Y"]),
                "nationality": {"column": "UYRUK", "codes": _nat_codes("dgmm")},
                "document_type": {"value": "foreigner_id"},
                "document_number": {"column": "YKN"},
                "document_country": {"value": "TUR"},
            },
            "identifiers": ["KAYIT_NO", "YKN"],
            "events": [{"type": {"value": "registration"},
                        "date": _date_field("KAYIT_TARIHI", ["%d.%m.%Y"]),
                        "place": {"column": "IL_KODU"}}],
        },
        "UYRUK", "SOYAD", "DOGUM_TARIHI", "31.02.1990", "ATLANTİS",
    ),
    "gendarmerie-apprehensions": Layout(
        "jandarma_yakalama.csv", "csv", {"delimiter": ",", "encoding": "utf-8"}, _gendarmerie,
        {
            "record_id": ["OLAY_NO"],
            "fields": {
                "given_names": {"column": "ADI"},
                "family_name": {"column": "SOYADI", "required": True},
                "father_name": {"column": "BABA_ADI"},
                "sex": {"column": "CINSIYETI", "codes": {"Erkek": "M", "Kadın": "F", "": "U"}},
                "date_of_birth": _date_field("DOGUM_TARIHI", ["%d.%m.%Y", "%m.%Y", "%Y"]),
                "nationality": {"column": "UYRUGU", "code_list": "iso3166-alpha2"},
                "document_type": {"value": "foreigner_id"},
                "document_number": {"column": "YABANCI_KIMLIK_NO"},
                "document_country": {"value": "TUR"},
            },
            "identifiers": ["YABANCI_KIMLIK_NO"],
            "events": [{"type": {"value": "apprehension"},
                        "date": _date_field("YAKALAMA_TARIHI", ["%d.%m.%Y"]),
                        "place": {"column": "IL"}}],
        },
        "UYRUGU", "SOYADI", "DOGUM_TARIHI", "30.02.1988", "QQ",
    ),
    "coastguard-apprehensions": Layout(
        "coastguard_apprehensions.parquet", "parquet", {}, _coastguard,
        {
            "record_id": ["incident_no", "person_no"],
            "fields": {
                "given_names": {"column": "first_name"},
                "family_name": {"column": "last_name"},
                "father_name": {"column": "father_name"},
                "sex": {"column": "gender",
                        "codes": {"male": "M", "female": "F", "unknown": "U", "": "U"}},
                "date_of_birth": _date_field("birth_date", ["%Y-%m-%d", "%Y-%m", "%Y"]),
                "nationality": {"column": "nationality", "code_list": "iso3166-alpha3"},
            },
            "events": [{"type": {"value": "apprehension"},
                        "date": _date_field("apprehended_on", ["%Y-%m-%d"]),
                        "place": {"column": "sea_area"}}],
        },
        "nationality", None, "birth_date", "1991-13-45", "ZZZ",
    ),
    "border-police-entries": Layout(
        "border_police_entries.xlsx", "xlsx", {"sheet": "Entries", "header_row": "1"}, _border,
        {
            "record_id": ["CROSSING_ID"],
            "fields": {
                "given_names": {"column": "GIVEN_NAMES"},
                "family_name": {"column": "SURNAME", "required": True},
                "sex": {"column": "SEX", "codes": {"M": "M", "F": "F", "X": "U"}},
                "date_of_birth": _date_field("DATE_OF_BIRTH", ["%d/%m/%Y", "%m/%Y", "%Y"]),
                "nationality": {"column": "NATIONALITY", "codes": _nat_codes("icao"),
                                "code_list": "iso3166-alpha3"},
                "document_type": {"value": "passport"},
                "document_number": {"column": "PASSPORT_NO"},
                "document_country": {"column": "ISSUING_STATE", "codes": _nat_codes("icao"),
                                     "code_list": "iso3166-alpha3"},
            },
            "identifiers": ["PASSPORT_NO"],
            "events": [{"type": {"value": "entry"},
                        "date": _date_field("ENTRY_DATE", ["%d/%m/%Y"]),
                        "place": {"column": "BCP"}}],
        },
        "NATIONALITY", "SURNAME", "DATE_OF_BIRTH", "31/04/1985", "UTO",
    ),
    "ngo-shelter-intake": Layout(
        "ngo_shelter_intake.jsonl", "jsonl", {"encoding": "utf-8"}, _ngo,
        {
            "record_id": ["case_ref"],
            "fields": {
                "given_names": {"column": "first_name"},
                "family_name": {"column": "family_name"},
                "father_name": {"column": "father_name"},
                "mother_name": {"column": "mother_name"},
                "full_name_original": {"columns": ["full_name"], "join": " "},
                "sex": {"column": "sex", "codes": {"m": "M", "f": "F", "": "U"}},
                "date_of_birth": _date_field("dob", ["%Y-%m-%d", "%Y-%m", "%Y"]),
                "nationality": {"column": "country_of_origin", "codes": _nat_codes("english")},
            },
            "events": [{"type": {"value": "referral"},
                        "date": _date_field("intake_date", ["%Y-%m-%d"])}],
        },
        "country_of_origin", None, "dob", "1979-02-30", "Atlantis",
    ),
    "kosovo-returns": Layout(
        "kosovo_kthimet.csv", "csv", {"delimiter": ",", "encoding": "utf-8"}, _kosovo_returns,
        {
            "record_id": ["NR_REGJISTRIMIT"],
            "fields": {
                "given_names": {"column": "EMRI"},
                "family_name": {"column": "MBIEMRI", "required": True},
                "father_name": {"column": "EMRI_I_BABAIT"},
                "mother_name": {"column": "EMRI_I_NENES"},
                "sex": {"column": "GJINIA", "codes": {"M": "M", "F": "F", "": "U"}},
                "date_of_birth": _date_field(
                    "DATELINDJA", ["%d.%m.%Y", "%m.%Y", "%Y"], placeholder_days=["01-01", "00-00"]
                ),
                "nationality": {"column": "SHTETESIA", "codes": _nat_codes("albanian")},
                "document_type": {"value": "national_id"},
                "document_number": {"column": "NR_PERSONAL"},
                "document_country": {"value": "XKX"},
            },
            "identifiers": ["NR_PERSONAL"],
            "events": [{"type": {"value": "return"},
                        "date": _date_field("DATA_KTHIMIT", ["%d.%m.%Y"]),
                        "place": {"column": "KOMUNA"}}],
        },
        "SHTETESIA", "MBIEMRI", "DATELINDJA", "32.01.1970", "Atlantidë",
    ),
    "kosovo-civil-register": Layout(
        "kosovo_civil_sr.csv", "csv", {"delimiter": ",", "encoding": "utf-8-sig"}, _kosovo_civil,
        {
            "record_id": ["РЕГ_БРОЈ"],
            "fields": {
                "given_names": {"column": "ИМЕ"},
                "family_name": {"column": "ПРЕЗИМЕ", "required": True},
                "father_name": {"column": "ИМЕ_ОЦА"},
                "mother_name": {"column": "ИМЕ_МАЈКЕ"},
                "sex": {"column": "ПОЛ", "codes": {"М": "M", "Ж": "F", "": "U"}},
                "date_of_birth": _date_field("ДАТУМ_РОЂЕЊА", ["%Y-%m-%d", "%Y-%m", "%Y"]),
                "nationality": {"column": "ДРЖАВЉАНСТВО", "codes": _nat_codes("serbian")},
                "document_type": {"value": "national_id"},
                "document_number": {"column": "ЛИЧНИ_БРОЈ"},
                "document_country": {"value": "XKX"},
            },
            "identifiers": ["ЛИЧНИ_БРОЈ"],
            "events": [{"type": {"value": "registration"},
                        "date": _date_field("ДАТУМ_УПИСА", ["%Y-%m-%d"]),
                        "place": {"column": "ОПШТИНА"}}],
        },
        "ДРЖАВЉАНСТВО", "ПРЕЗИМЕ", "ДАТУМ_РОЂЕЊА", "1988-02-31", "Атлантида",
    ),
}  # fmt: skip


def _with_invalid_rows(
    layout: Layout, columns: dict[str, list[str]], prefix: str, rng: np.random.Generator
) -> tuple[dict[str, list[str]], int]:
    """Copies of a few rows, each broken one way, inserted at random places."""
    rows = len(next(iter(columns.values())))
    count = max(3, rows // 300) if rows else 0
    templates = rng.integers(0, rows, size=count) if rows else np.array([], dtype=np.int64)
    positions = np.sort(rng.integers(0, rows + 1, size=count))
    id_columns = [str(c) for c in layout.mapping["record_id"]]  # type: ignore[attr-defined]
    out = {name: list(values) for name, values in columns.items()}
    for k, (template, position) in enumerate(
        zip(templates.tolist(), positions.tolist(), strict=True)
    ):
        row = {name: values[template] for name, values in columns.items()}
        for c in id_columns:
            row[c] = ""
        row[id_columns[0]] = f"{prefix}{k + 1:05d}"
        broken = k % 3
        if broken == 2 and layout.family_column is None:
            broken = 0
        if broken == 0:
            row[layout.date_column] = layout.bad_date
        elif broken == 1:
            row[layout.nationality_column] = layout.bad_nationality
        else:
            row[str(layout.family_column)] = ""
        if len(id_columns) > 1:
            row[id_columns[1]] = "1"
        for name in out:
            out[name].insert(position + k, row[name])
    return out, count


def _normalise_xlsx(path: Path) -> None:
    """Make an openpyxl file byte-reproducible: fixed zip timestamps and document dates."""
    with zipfile.ZipFile(path) as source:
        parts = [(info.filename, source.read(info)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts:
            if name == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                    rb"\g<1>2026-01-01T00:00:00Z",
                    data,
                )
            target.writestr(zipfile.ZipInfo(name, date_time=_FIXED_TIME), data)
    path.write_bytes(buffer.getvalue())


def _write(layout: Layout, fmt: str, columns: dict[str, list[str]], path: Path) -> None:
    if fmt == "csv":
        pd.DataFrame(columns, dtype=str).to_csv(
            path,
            sep=layout.options.get("delimiter", ","),
            encoding=layout.options.get("encoding", "utf-8"),
            index=False,
            lineterminator="\n",
        )
    elif fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(layout.options.get("sheet", "Sheet1"))
        names = list(columns)
        sheet.append(names)
        for row in zip(*(columns[n] for n in names), strict=True):
            sheet.append(list(row))
        workbook.save(path)
        _normalise_xlsx(path)
    elif fmt == "jsonl":
        names = list(columns)
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            for row in zip(*(columns[n] for n in names), strict=True):
                record = {n: v for n, v in zip(names, row, strict=True) if v != ""}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif fmt == "parquet":
        pq.write_table(pa.table({n: pa.array(v, pa.string()) for n, v in columns.items()}), path)
    else:
        raise ValueError(f"unknown format {fmt}")


def write_extracts(out_dir: Path, *, persons: int, seed: int = 2026) -> SynthManifest:
    """Write every agency's extract, its mapping YAML and ``truth.parquet`` into ``out_dir``.

    The valid rows are exactly the records ``generate(persons, seed)`` returns; the border
    police extract is CSV instead of XLSX when it has more than XLSX_MAX_ROWS rows.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    rendered = render_all(persons, seed)
    files: list[SourceFile] = []
    for s, (spec, bundle, ids) in enumerate(rendered.sources):
        layout = LAYOUTS[spec.name]
        columns = layout.columns(bundle, ids)
        rng = np.random.default_rng([seed, 100 + s])
        columns, invalid = _with_invalid_rows(layout, columns, "ERR", rng)
        fmt, file_name, options, note = layout.format, layout.file_name, dict(layout.options), ""
        if fmt == "xlsx" and len(bundle) > XLSX_MAX_ROWS:
            fmt, file_name = "csv", file_name.removesuffix(".xlsx") + ".csv"
            options = {"delimiter": ",", "encoding": "utf-8"}
            note = f"written as CSV: more than {XLSX_MAX_ROWS} rows (XLSX is slow to write)"
        path = out_dir / file_name
        _write(layout, fmt, columns, path)
        mapping = _mapping(spec, fmt, options, layout)
        mapping_path = out_dir / f"{spec.name}.mapping.yaml"
        mapping_path.write_text(
            yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        files.append(
            SourceFile(
                spec.name, spec.agency, path, mapping_path, len(bundle) + invalid, invalid, note
            )
        )
    _, truth = linkage_table(rendered)
    truth_path = out_dir / "truth.parquet"
    pq.write_table(truth, truth_path)
    return SynthManifest(tuple(files), truth_path, persons, seed)


def _mapping(
    spec: SourceSpec, fmt: str, options: dict[str, str], layout: Layout
) -> dict[str, object]:
    mapping: dict[str, object] = {
        "source": spec.name,
        "agency": spec.agency,
        "description": spec.description,
        "format": fmt,
    }
    typed: dict[str, object] = {k: int(v) if k == "header_row" else v for k, v in options.items()}
    if fmt != "xlsx":
        typed.pop("sheet", None)
        typed.pop("header_row", None)
    if typed:
        mapping["options"] = typed
    mapping.update(layout.mapping)
    return mapping
