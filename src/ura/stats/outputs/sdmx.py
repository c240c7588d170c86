"""SDMX outputs through ``sdmx1``: a data structure definition per table, SDMX-ML 2.1
(structure and structure-specific data messages) and SDMX-CSV (1.0 and 2.0).

Each table becomes a dataflow ``DF_<id>`` over a DSD ``DSD_<id>``: one coded dimension per
dimension column (code list ``CL_<dimension>`` with the codes the table uses and their English
names), ``TIME_PERIOD`` as the time dimension, ``OBS_VALUE`` as the primary measure, and four
observation-level attributes: ``OBS_STATUS`` (CL_OBS_STATUS), ``CONF_STATUS`` (CL_CONF_STATUS),
``ROUNDED`` (CL_ROUNDED: Y/N) and ``UNIT_MEASURE`` (CL_UNIT). A suppressed cell is written
with its CONF_STATUS and no OBS_VALUE, as SDMX expects.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any, Final, Literal

import pandas as pd
import sdmx
from sdmx.message import DataMessage, Header, StructureMessage
from sdmx.model import common, v21

from ura.stats.outputs.meta import (
    CONF_STATUS,
    CONF_STATUS_NAMES,
    OBS_STATUS,
    OBS_STATUS_NAMES,
    ROUNDED,
    TIME_DIMENSION,
    OutputError,
    TableMeta,
    check_table,
    names_for,
)

AGENCY_ID: Final = "URA"
ROUNDED_NAMES: Final = {"Y": "Rounded (controlled rounding)", "N": "Not rounded"}
UNIT_NAMES: Final = {
    "PER": "Persons",
    "NR": "Number",
    "PER_THS_RES": "Per 1,000 residents",
    "PC": "Percentage",
}
_ATTRIBUTES: Final = (OBS_STATUS, CONF_STATUS, ROUNDED, "UNIT_MEASURE")


def build_structure(table: pd.DataFrame, meta: TableMeta) -> StructureMessage:
    """The SDMX structure message of one table: code lists, concepts, DSD and dataflow.

    Args:
        table: The long-format table (its codes fill the code lists).
        meta: The table's facts (:func:`ura.stats.outputs.meta.table_meta`).

    Returns:
        A structure message holding CL_* code lists, the concept scheme, the DSD and the
        dataflow.

    Raises:
        OutputError: the table does not fit the long format (see ``check_table``).
    """
    table = check_table(table, meta)
    agency = common.Agency(id=AGENCY_ID, name={"en": "Ura"})
    version = meta.version or "1.0"

    def codelist(cl_id: str, names: dict[str, str]) -> common.Codelist:
        codes = common.Codelist(
            id=cl_id, maintainer=agency, version=version, is_final=True, name={"en": cl_id}
        )
        for code, name in names.items():
            codes.append(common.Code(id=code, name={"en": name}))
        return codes

    coded = [d for d in meta.dimensions if d != TIME_DIMENSION]
    lists = {d: codelist(f"CL_{d}", names_for(table, meta, d)) for d in coded}
    lists[OBS_STATUS] = codelist("CL_OBS_STATUS", OBS_STATUS_NAMES)
    lists[CONF_STATUS] = codelist("CL_CONF_STATUS", CONF_STATUS_NAMES)
    lists[ROUNDED] = codelist("CL_ROUNDED", ROUNDED_NAMES)
    lists["UNIT_MEASURE"] = codelist("CL_UNIT", {meta.unit: UNIT_NAMES.get(meta.unit, meta.unit)})

    concepts = common.ConceptScheme(
        id=f"CS_{meta.id}", maintainer=agency, version=version, is_final=True,
        name={"en": f"Concepts of {meta.title}"},
    )  # fmt: skip
    for concept_id in (*meta.dimensions, "OBS_VALUE", *_ATTRIBUTES):
        concepts.append(common.Concept(id=concept_id, name={"en": concept_id}))

    dsd = v21.DataStructureDefinition(
        id=f"DSD_{meta.id}", maintainer=agency, version=version, is_final=True,
        name={"en": meta.title},
    )  # fmt: skip
    # SDMX puts the time dimension last, whatever the table's display order.
    for order, dimension in enumerate(_dsd_order(meta), start=1):
        if dimension == TIME_DIMENSION:
            component: common.DimensionComponent = common.TimeDimension(
                id=dimension, concept_identity=concepts[dimension], order=order
            )
        else:
            component = common.Dimension(
                id=dimension,
                concept_identity=concepts[dimension],
                local_representation=common.Representation(enumerated=lists[dimension]),
                order=order,
            )
        dsd.dimensions.append(component)
    dsd.measures.append(v21.PrimaryMeasure(id="OBS_VALUE", concept_identity=concepts["OBS_VALUE"]))
    for attribute in _ATTRIBUTES:
        dsd.attributes.append(
            common.DataAttribute(
                id=attribute,
                concept_identity=concepts[attribute],
                local_representation=common.Representation(enumerated=lists[attribute]),
                related_to=v21.PrimaryMeasureRelationship(),
                usage_status=common.UsageStatus.mandatory
                if attribute in (OBS_STATUS, CONF_STATUS)
                else common.UsageStatus.conditional,
            )
        )
    dataflow = v21.DataflowDefinition(
        id=f"DF_{meta.id}", maintainer=agency, version=version, is_final=True,
        name={"en": meta.title}, structure=dsd,
    )  # fmt: skip
    message = StructureMessage(header=_header(meta))
    for item in (*lists.values(), concepts, dsd, dataflow):
        message.add(item)
    return message


def build_dataset(table: pd.DataFrame, structure: StructureMessage) -> DataMessage:
    """The data message of a table, over the structure :func:`build_structure` made for it."""
    dataflow = next(iter(structure.dataflow.values()))
    dsd = dataflow.structure
    dimensions = [d.id for d in dsd.dimensions]
    attributes = {a.id: a for a in dsd.attributes}
    unit = next(iter(attributes["UNIT_MEASURE"].local_representation.enumerated)).id
    dataset = v21.StructureSpecificDataSet(structured_by=dsd, described_by=dataflow)
    for row in table.to_dict("records"):
        key = dsd.make_key(common.Key, {d: str(row[d]) for d in dimensions})
        flags = {
            OBS_STATUS: str(row[OBS_STATUS]),
            CONF_STATUS: str(row[CONF_STATUS]),
            ROUNDED: "Y" if bool(row[ROUNDED]) else "N",
            "UNIT_MEASURE": unit,
        }
        attached = {
            name: v21.AttributeValue(
                value=attributes[name].local_representation.enumerated[code],
                value_for=attributes[name],
            )
            for name, code in flags.items()
        }
        value = row["OBS_VALUE"]
        dataset.obs.append(
            v21.Observation(
                dimension=key,
                value=None if pd.isna(value) else value,
                attached_attribute=attached,
                value_for=dsd.measures[0],
            )
        )
    message = DataMessage(dataflow=dataflow, header=structure.header)
    message.data.append(dataset)
    return message


def write_sdmx_ml(table: pd.DataFrame, meta: TableMeta, folder: Path) -> tuple[Path, Path]:
    """Write ``<id>.structure.xml`` (SDMX-ML 2.1 structure) and ``<id>.data.xml`` (SDMX-ML 2.1
    structure-specific data).

    Returns:
        The two paths, structure first.

    Raises:
        OutputError: the table does not fit the long format.
    """
    table = check_table(table, meta)
    structure = build_structure(table, meta)
    data = build_dataset(table, structure)
    folder.mkdir(parents=True, exist_ok=True)
    structure_path = folder / f"{meta.id}.structure.xml"
    data_path = folder / f"{meta.id}.data.xml"
    structure_path.write_bytes(sdmx.to_xml(structure, pretty_print=True))
    data_path.write_bytes(_flat_observations(sdmx.to_xml(data, pretty_print=True)))
    return structure_path, data_path


def write_sdmx_csv(
    table: pd.DataFrame, meta: TableMeta, path: Path, *, version: Literal["1.0", "2.0"] = "2.0"
) -> Path:
    """Write SDMX-CSV: 2.0 (STRUCTURE, STRUCTURE_ID, ACTION columns) or 1.0 (DATAFLOW column),
    then the dimensions in the DSD's order, OBS_VALUE and the attributes.

    Written row by row rather than through sdmx1's object model, which takes seconds per ten
    thousand cells; the tests read the files back with sdmx1 (2.0) and compare every cell.

    Returns:
        ``path``.

    Raises:
        OutputError: the table does not fit the long format.
    """
    table = check_table(table, meta)
    dimensions = _dsd_order(meta)
    dataflow = f"{AGENCY_ID}:DF_{meta.id}({meta.version or '1.0'})"
    lead = ["DATAFLOW"] if version == "1.0" else ["STRUCTURE", "STRUCTURE_ID", "ACTION"]
    prefix = [dataflow] if version == "1.0" else ["dataflow", dataflow, "I"]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow([*lead, *dimensions, "OBS_VALUE", *_ATTRIBUTES])
        columns = [*dimensions, "OBS_VALUE", OBS_STATUS, CONF_STATUS, ROUNDED]
        for *keys, value, obs_status, conf_status, rounded in table[columns].itertuples(
            index=False
        ):
            shown = "" if pd.isna(value) else _number(value)
            flag = "Y" if rounded else "N"
            out.writerow([*prefix, *keys, shown, obs_status, conf_status, flag, meta.unit])
    return path


def _dsd_order(meta: TableMeta) -> list[str]:
    """The dimensions as the DSD orders them: the coded ones, then the time dimension."""
    return [
        *(d for d in meta.dimensions if d != TIME_DIMENSION),
        *(d for d in meta.dimensions if d == TIME_DIMENSION),
    ]


def _number(value: object) -> int | float:
    number = float(value)  # type: ignore[arg-type]  # OBS_VALUE is numeric by the contract
    return int(number) if number.is_integer() else number


def _flat_observations(document: bytes) -> bytes:
    """Declare the observations flat (``dimensionAtObservation="AllDimensions"``), as the
    SDMX-ML 2.1 header requires; sdmx1 writes the attribute only for a series dimension."""
    tag = b"<mes:Structure structureID="
    if document.count(tag) != 1:
        raise OutputError("the SDMX data message has no single header structure reference")
    return document.replace(tag, b'<mes:Structure dimensionAtObservation="AllDimensions" '
                            b"structureID=")  # fmt: skip


def read_sdmx_ml(structure_path: Path, data_path: Path) -> pd.DataFrame:
    """Read SDMX-ML files written by :func:`write_sdmx_ml` back into the long format."""
    structure = _read(structure_path)
    dsd = next(iter(structure.structure.values()))
    return _long(_read(data_path, structure=dsd), dsd)


def read_sdmx_csv(path: Path, structure_path: Path) -> pd.DataFrame:
    """Read an SDMX-CSV 2.0 file written by :func:`write_sdmx_csv` back into the long format."""
    structure = _read(structure_path)
    dataflow = next(iter(structure.dataflow.values()))
    return _long(_read(path, structure=dataflow, format="csv"), dataflow.structure)


def _read(path: Path, **options: Any) -> Any:
    # sdmx.read_sdmx(path) leaves its file open; reading from a handle closes it.
    with path.open("rb") as handle:
        return sdmx.read_sdmx(handle, **options)


def _long(message: DataMessage, dsd: v21.DataStructureDefinition) -> pd.DataFrame:
    if len(message.data) != 1:
        raise OutputError(f"expected one data set, found {len(message.data)}")
    dimensions = [d.id for d in dsd.dimensions]
    rows = []
    for obs in message.data[0].obs:
        row: dict[str, object] = {d: str(obs.key[d].value) for d in dimensions}
        value = obs.value
        row["OBS_VALUE"] = None if value in (None, "") else float(value)
        attributes = {k: str(v.value) for k, v in obs.attached_attribute.items()}
        row[OBS_STATUS] = attributes.get(OBS_STATUS)
        row[CONF_STATUS] = attributes.get(CONF_STATUS)
        row[ROUNDED] = attributes.get(ROUNDED) == "Y"
        row["UNIT_MEASURE"] = attributes.get("UNIT_MEASURE")
        rows.append(row)
    return pd.DataFrame(rows)


def _header(meta: TableMeta) -> Header:
    return Header(
        id=f"URA_{meta.id}",
        prepared=dt.datetime.now(tz=dt.UTC).replace(microsecond=0),
        sender=common.Agency(id=AGENCY_ID),
        source={"en": meta.source} if meta.source else None,
    )
