"""The migration profile report of a profile run: ``ura.stats.profile`` fed with the run's
**protected** tables, UNHCR's context and the analysts' texts (docs/statistics.md).

The report is annual: its period is the year the run ends in, and only the run's annual
tables are given to it (a monthly or quarterly table is listed as a data gap, never summed
up, since adding protected cells could give a suppressed one back).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import pandas as pd
from django.utils import translation
from django.utils.translation import gettext

from ura.apps.statistics.models import (
    ProfileRun,
    ProfileText,
    ProfileTextVersion,
    StatTable,
    TableStatus,
)
from ura.stats.profile import ProfileTemplate, Report, ReportMeta, build_report, load_template
from ura.stats.profile.template import TextSlot
from ura.stats.reference.unhcr import load_unhcr_context

#: The country the profile is about (the deployment's), and the producer in source notes.
COUNTRY = "Türkiye"
PRODUCER = "Presidency of Migration Management"


@functools.cache
def template() -> ProfileTemplate:
    """The shipped extended migration profile template."""
    return load_template()


def template_slots() -> dict[str, TextSlot]:
    """The template's text slots by id, in reading order."""
    return {s.slot: s for s in template().slots}


def used_table_ids() -> set[str]:
    """Every table id the template reads (besides UNHCR's context)."""
    return set(template().tables) - {"unhcr_context", "foreigners_per_thousand"}


@dataclass(frozen=True)
class ProfileSource:
    """What a run's report is built from: its tables the report uses, the analysts' current
    texts (for analysts only; empty for everyone else) and the last published version of each
    text (for everyone)."""

    run: ProfileRun
    tables: list[StatTable]  # annual, with a protected version, used by the template
    texts: dict[str, ProfileText]  # the current texts, analysts only
    published: dict[str, ProfileTextVersion] = field(default_factory=dict)

    @property
    def period(self) -> str:
        return str(self.run.period_end.year)

    @property
    def missing_texts(self) -> list[str]:
        """The required slots not written yet, in reading order."""
        return [
            slot
            for slot, item in template_slots().items()
            if item.required and not (slot in self.texts and self.texts[slot].text.strip())
        ]

    @property
    def unpublished_texts(self) -> list[str]:
        """The required slots without a published text, in reading order."""
        return [
            slot
            for slot, item in template_slots().items()
            if item.required and not (slot in self.published and self.published[slot].text.strip())
        ]

    @property
    def pending_texts(self) -> list[str]:
        """The slots whose current text is not the published one (a draft or reviewed)."""
        return [slot for slot, text in self.texts.items() if text.status != TableStatus.PUBLISHED]

    @property
    def unpublished(self) -> list[StatTable]:
        """The report's tables not published yet."""
        return [t for t in self.tables if t.status != TableStatus.PUBLISHED]

    @property
    def can_be_final(self) -> bool:
        """A final report has every required text published and uses published tables only."""
        return bool(self.tables) and not self.unpublished_texts and not self.unpublished


def report_of(
    source: ProfileSource,
    frames: dict[str, pd.DataFrame],
    *,
    final: bool = False,
    published_texts: bool = False,
) -> Report:
    """Build the report; ``frames`` are the protected frames of ``source.tables`` by id.

    ``published_texts`` (always for a final report) takes the last published version of each
    text instead of the current one; a slot without one says "not yet published".

    Raises:
        ReportError: ``final`` and a required text is missing.
    """
    published_texts = published_texts or final
    tables = dict(frames)
    tables["unhcr_context"] = load_unhcr_context()
    meta = ReportMeta(
        country=gettext(COUNTRY),
        period=source.period,
        reference_date=str(source.run.as_of),
        edition=gettext("Profile run %(run)d") % {"run": source.run.pk},
        source=gettext(PRODUCER),
        final=final,
        published_texts=published_texts,
    )
    chosen = source.published if published_texts else source.texts
    texts = {slot: t.text for slot, t in chosen.items()}
    return build_report(template(), tables, texts, meta)


def locale() -> str:
    """The request's language as a locale for numbers."""
    return translation.to_locale(translation.get_language() or "en")
