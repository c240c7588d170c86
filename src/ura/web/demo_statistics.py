"""The demo's migration statistics: profile runs built, reviewed and published by the demo's
two analysts, so that the statistics pages are populated.

Two runs, as a statistics unit would do it: one from Ura's own database (the demo's asylum
and trafficking cases and the person index), and one from synthetic national-register
microdata (``ura.synth.microdata``, a fixed seed) for the figures Ura's casework does not hold:
residence and work permits, refusals of entry, apprehensions, returns and readmissions. Each
table is protected with its rule; the second analyst reviews it and the first publishes it
where the auditor passes it. Running it again adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ura.apps.accounts.models import User
from ura.apps.statistics.models import ProfileRun, StatTable
from ura.apps.statistics.services import (
    PublicationRefusedError,
    profile_build,
    table_publish,
    table_review,
)
from ura.synth.microdata import write_microdata

BUILDER = "analyst.ankara"
REVIEWER = "analyst.istanbul"
#: Register-based tables computed from the synthetic national microdata.
REGISTER_TABLES = (
    "migr_resvalid",
    "migr_resfirst",
    "ura_work_permits",
    "migr_eirfs",
    "ura_apprehensions",
    "migr_eipre",
    "migr_eiord",
    "migr_eirtn",
    "ura_readmissions",
)
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
_PERSONS = 1500


def _publish_all(run: ProfileRun, builder: User, reviewer: User) -> int:
    published = 0
    for table in StatTable.objects.filter(run=run).defer("raw", "protected"):
        if not table.audit_passed or not table.cells:
            continue
        table_review(actor=reviewer, table_id=table.pk)
        try:
            table_publish(actor=builder, table_id=table.pk)
        except PublicationRefusedError:
            continue
        published += 1
    return published


def demo_statistics_load(
    users: dict[str, User], progress: Callable[[str], None] | None = None
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
    if not (folder / "events").exists():
        say("Statistics: writing synthetic national-register microdata…")
        write_microdata(
            folder, _PERSONS, seed=_SEED, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31)
        )
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
