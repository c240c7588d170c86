"""The demo's migration statistics: profile runs built, reviewed and published by the demo's
two analysts, so that the statistics pages are populated.

Two runs, as a statistics unit would do it: one from Ura's own database (the demo's asylum
and trafficking cases and the person index), and one from synthetic national-register
microdata for the figures Ura's casework does not hold: valid residence permits and work
permits, which the regional impact page reads. The register extract is drawn with a fixed seed
and concentrated on the provinces and nationalities that hold most foreigners, so that its
tables keep most cells after disclosure control (a register spread thinly over 81 provinces
publishes almost nothing). Each table is protected with its rule; the second analyst reviews
it and the first publishes it where the auditor passes it. Running it again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from ura.apps.accounts.models import User
from ura.apps.statistics.models import ProfileRun, StatTable
from ura.apps.statistics.services import (
    profile_build,
    table_publish,
    table_review,
)
from ura.stats import EVENTS_SCHEMA, PERSONS_SCHEMA

BUILDER = "analyst.ankara"
REVIEWER = "analyst.istanbul"
#: Register-based tables computed from the synthetic national microdata.
REGISTER_TABLES = ("migr_resvalid", "ura_work_permits")
#: Tables computed from the demo's cases.
CASE_TABLES = (
    "migr_asyappctza",
    "migr_asydcfsta",
    "ura_asy_recognition_rate",
    "migr_asypenctzm",
    "migr_asyunaa",
    "crim_thb_vexp",
)
_SEED = 20261208
_RESIDENTS = 6000
#: Where the register's foreign residents live, with weights.
_PROVINCES = (("TR-34", 40), ("TR-06", 12), ("TR-35", 10), ("TR-16", 8), ("TR-07", 8),
              ("TR-27", 10), ("TR-31", 6), ("TR-63", 6))  # fmt: skip
_NATIONALITIES = (("SYR", 45), ("AFG", 20), ("IRQ", 20), ("IRN", 15))
_REASONS = (("family", 35), ("education", 15), ("remunerated", 30), ("humanitarian", 20))
_SECTORS = (("c", 35), ("f", 20), ("g", 20), ("i", 15), ("a", 10))


def _pick(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def register_microdata_write(folder: Path, *, residents: int = _RESIDENTS) -> None:
    """Write ``persons.parquet`` and ``events.parquet``: residents holding a residence permit
    valid at the end of the year, a third of them with a work permit issued in the year."""
    rng = random.Random(_SEED)  # noqa: S311 (reproducible synthetic data, not security)
    today = timezone.localdate()
    year = today.year - 1
    persons: list[dict[str, object]] = []
    events: list[dict[str, object]] = []
    for n in range(1, residents + 1):
        person_id = f"REG{n:07d}"
        persons.append(
            {
                "person_id": person_id,
                "sex": rng.choice("MF"),
                "birth_date": dt.date(rng.randint(1965, 2000), rng.randint(1, 12), 1),
                "citizenship": _pick(rng, _NATIONALITIES),
            }
        )
        province = _pick(rng, _PROVINCES)
        issued = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        events.append(
            {
                "event_id": f"RP{n:07d}", "person_id": person_id,
                "event_type": "residence_permit", "event_date": issued, "province": province,
                "category": _pick(rng, _REASONS), "first": rng.random() < 0.4,
                "unaccompanied": None, "destination": None,
                "valid_until": issued + dt.timedelta(days=730),
            }
        )  # fmt: skip
        if rng.random() < 0.33:
            events.append(
                {
                    "event_id": f"WP{n:07d}", "person_id": person_id,
                    "event_type": "work_permit", "event_date": issued, "province": province,
                    "category": _pick(rng, _SECTORS), "first": None, "unaccompanied": None,
                    "destination": None, "valid_until": None,
                }
            )  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(persons, schema=PERSONS_SCHEMA), folder / "persons.parquet")
    pq.write_table(pa.Table.from_pylist(events, schema=EVENTS_SCHEMA), folder / "events.parquet")


def _publish_all(run: ProfileRun, builder: User, reviewer: User) -> int:
    published = 0
    for table in StatTable.objects.filter(run=run).defer("raw", "protected"):
        if not table.audit_passed or not table.cells:
            continue
        table_review(actor=reviewer, table_id=table.pk)
        try:
            table_publish(actor=builder, table_id=table.pk)
        except ValidationError:  # refused by the auditor, or a share of unpublished counts
            continue
        published += 1
    return published


def demo_statistics_load(
    users: dict[str, User],
    progress: Callable[[str], None] | None = None,
    *,
    residents: int = _RESIDENTS,
) -> int:
    """Build, review and publish the demo's statistics; the number of tables published
    (0 when they were already built)."""
    if ProfileRun.objects.exists():
        return 0
    say = progress or (lambda message: None)
    builder, reviewer = users[BUILDER], users[REVIEWER]
    today = timezone.localdate()
    start, end = dt.date(today.year - 2, 1, 1), today
    say("Statistics: computing and protecting the tables of the demo's cases…")
    cases = profile_build(actor=builder, start=start, end=end, as_of=today, table_ids=CASE_TABLES)
    published = _publish_all(cases, builder, reviewer)
    year = today.year - 1
    folder = Path(settings.VAR_DIR) / "demo-microdata"
    say("Statistics: writing synthetic national-register microdata…")
    register_microdata_write(folder, residents=residents)
    say("Statistics: computing and protecting the register-based tables…")
    registers = profile_build(
        actor=builder,
        start=dt.date(year, 1, 1),
        end=dt.date(year, 12, 31),
        as_of=today,
        microdata=folder,
        table_ids=REGISTER_TABLES,
    )
    return published + _publish_all(registers, builder, reviewer)
