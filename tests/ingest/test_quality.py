"""The data-quality report on a known small file."""

from __future__ import annotations

import json
from itertools import tee
from pathlib import Path

from tests.ingest.helpers import csv_mapping
from ura.ingest import QualityAccumulator, ingest, parse_mapping, quality_report, summarise

ROWS = """KNO,AD,SOYAD,CINSIYET,DOGUM,UYRUK,YKN
1,Ayşe,Yılmaz,K,01.01.1990,SYR,991
2,AYŞE,YILMAZ,K,01.01.1990,SYR,991
3,Ali,Kaya,E,14.03.1985,,992
4,Veli,Kaya,,,,
5,Can,,E,1980,SYR,
3,Ali,Kaya,E,14.03.1985,,992
6,Ece,Demir,Q,31.02.1990,SYR,993
7,Ali,Kaya,E,14.03.1985,SYR,994
"""


def test_quality_figures_on_a_known_file(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(ROWS, encoding="utf-8")
    mapping = parse_mapping(
        csv_mapping().text + "  document_number: {column: YKN}\nidentifiers: [YKN]\n"
    )
    outcomes, again = tee(ingest(mapping, [path]))
    report = quality_report(mapping, outcomes)
    assert summarise(again).read == 8
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (8, 5, 3)
    assert report.completeness == {
        "given_names": 1.0,
        "family_name": 1.0,
        "sex": 0.8,
        "date_of_birth": 0.8,
        "nationality": 0.6,
        "document_number": 0.8,
    }
    assert report.invalid == {
        "date_of_birth": {"invalid_date": 1},
        "family_name": {"required": 1},
        "record_id": {"duplicate_record_id": 1},
        "sex": {"unknown_code": 1},
    }
    assert (report.dob_present, report.dob_placeholder) == (4, 2)
    assert report.dob_placeholder_share == 0.5
    assert report.duplicate_record_ids == 1
    # Ayşe Yılmaz twice (Turkish casing folded), Ali Kaya twice (rows 3 and 7).
    assert (report.likely_duplicate_groups, report.likely_duplicate_records) == (2, 4)
    assert report.identifiers == {"YKN": {"filled": 0.75, "repeated_values": 2}}
    assert json.loads(json.dumps(report.as_dict()))["rows_read"] == 8
    text = report.render()
    assert "accepted 5" in text
    assert "quarantined 3" in text
    for value in ("Ayşe", "Yılmaz", "1990", "991"):
        assert value not in text
        assert value not in json.dumps(report.as_dict())


def test_the_accumulator_matches_quality_report(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(ROWS, encoding="utf-8")
    mapping = csv_mapping()
    accumulator = QualityAccumulator(mapping)
    for outcome in ingest(mapping, [path]):
        accumulator.add(outcome)
    assert accumulator.report() == quality_report(mapping, ingest(mapping, [path]))
