"""The topic thesaurus documents are indexed with: a versioned default in
``data/topics.yaml`` (broader and narrower terms with scope notes), loaded into
:class:`~ura.apps.coi.models.Topic` rows.

**When it is loaded.** A new library gets it from a data migration (``0003``), so the import
page offers its topics from the start. A newer version of the file (new terms, changed
labels, retired terms) is applied by ``ura coi thesaurus``; its new terms also by the next
import (:func:`thesaurus_ensure`).

**Codes are for ever.** A term is never deleted or renamed: a term no longer used is listed
under ``retired`` and made inactive, so the documents indexed with it keep it, and it is no
longer offered for new ones.

**Labels are English, shown translated**: every label of the file is in :data:`LABELS`
(marked for ``makemessages``), and :func:`topic_label` shows a topic in the user's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ura.apps.coi.models import Topic
from ura.apps.coi.roles import MANAGE
from ura.apps.core.models import AuditAction
from ura.apps.core.services import AuditEntry, audit_append

if TYPE_CHECKING:
    from ura.apps.core.services import Actor

__all__ = [
    "DEFAULT_PATH",
    "LABELS",
    "Term",
    "Thesaurus",
    "ThesaurusError",
    "ThesaurusReport",
    "default_thesaurus",
    "parse_thesaurus",
    "thesaurus_ensure",
    "thesaurus_load",
    "topic_label",
]

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "topics.yaml"
_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

#: Every label of the default thesaurus, for the translators (tests check it is complete).
LABELS = (
    gettext_noop("Security situation"),
    gettext_noop("Armed conflict"),
    gettext_noop("Armed groups and terrorism"),
    gettext_noop("Criminality and organised crime"),
    gettext_noop("Blood feuds"),
    gettext_noop("Landmines and explosive remnants of war"),
    gettext_noop("Political situation"),
    gettext_noop("Political opposition"),
    gettext_noop("Elections"),
    gettext_noop("Freedom of expression and the media"),
    gettext_noop("Human rights defenders"),
    gettext_noop("Corruption"),
    gettext_noop("Ethnic and religious minorities"),
    gettext_noop("Ethnic minorities"),
    gettext_noop("Religious minorities"),
    gettext_noop("Religious conversion and apostasy"),
    gettext_noop("Citizenship and statelessness"),
    gettext_noop("Women"),
    gettext_noop("Gender-based violence"),
    gettext_noop("Forced and child marriage"),
    gettext_noop("Female genital mutilation"),
    gettext_noop("Honour-related violence"),
    gettext_noop("Single women and female-headed households"),
    gettext_noop("Children"),
    gettext_noop("Recruitment of children"),
    gettext_noop("Child labour"),
    gettext_noop("Education"),
    gettext_noop("Unaccompanied and separated children"),
    gettext_noop("LGBTIQ persons"),
    gettext_noop("Military service and desertion"),
    gettext_noop("Conscription"),
    gettext_noop("Desertion and draft evasion"),
    gettext_noop("Forced recruitment by armed groups"),
    gettext_noop("Trafficking in human beings"),
    gettext_noop("Health care"),
    gettext_noop("Mental health care"),
    gettext_noop("Availability of medicines"),
    gettext_noop("Persons with disabilities"),
    gettext_noop("Documents and civil registration"),
    gettext_noop("Identity documents and passports"),
    gettext_noop("Civil registration"),
    gettext_noop("Forged and fraudulently obtained documents"),
    gettext_noop("Freedom of movement"),
    gettext_noop("Exit and entry procedures"),
    gettext_noop("Checkpoints and internal travel"),
    gettext_noop("Internal protection alternative"),
    gettext_noop("Return and reintegration"),
    gettext_noop("Treatment of returnees"),
    gettext_noop("Reintegration support"),
    gettext_noop("Judiciary and rule of law"),
    gettext_noop("Fair trial"),
    gettext_noop("State protection and the police"),
    gettext_noop("Death penalty"),
    gettext_noop("Detention and prisons"),
    gettext_noop("Arbitrary arrest and detention"),
    gettext_noop("Prison conditions"),
    gettext_noop("Enforced disappearances"),
    gettext_noop("Torture and ill-treatment"),
    gettext_noop("Humanitarian situation"),
    gettext_noop("Food security"),
    gettext_noop("Housing and shelter"),
    gettext_noop("Employment and livelihoods"),
    gettext_noop("Humanitarian access and aid"),
    gettext_noop("Internal displacement"),
    gettext_noop("Refugees and asylum seekers in the country"),
)


class ThesaurusError(ValueError):
    """A thesaurus file that cannot be loaded (the message says where and why)."""


@dataclass(frozen=True, slots=True)
class Term:
    """One term: its code, English label, scope note and broader term's code."""

    code: str
    label: str
    scope_note: str = ""
    broader: str | None = None


@dataclass(frozen=True, slots=True)
class Thesaurus:
    """A version of the thesaurus: its terms, broader terms before narrower ones, and the
    codes it retires."""

    version: int
    terms: tuple[Term, ...]
    retired: tuple[str, ...] = ()

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(t.code for t in self.terms)


@dataclass
class ThesaurusReport:
    """What loading a thesaurus changed (codes of the topics)."""

    version: int
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0


def _terms(items: Any, broader: str | None, where: str) -> list[Term]:
    if not isinstance(items, list):
        raise ThesaurusError(f"{where}: expected a list of terms")
    terms: list[Term] = []
    for n, item in enumerate(items, start=1):
        at = f"{where}[{n}]"
        if not isinstance(item, dict):
            raise ThesaurusError(f"{at}: expected a term (code, label, ...)")
        unknown = set(item) - {"code", "label", "scope_note", "narrower"}
        if unknown:
            raise ThesaurusError(f"{at}: unknown keys {', '.join(sorted(unknown))}")
        code, label = item.get("code"), item.get("label")
        if not isinstance(code, str) or not _CODE.match(code) or len(code) > 64:
            raise ThesaurusError(f"{at}: a code is lower-case words joined by '-' (got {code!r})")
        if not isinstance(label, str) or not label.strip() or len(label) > 200:
            raise ThesaurusError(f"{at} ({code}): a label of 1 to 200 characters is needed")
        note = item.get("scope_note") or ""
        if not isinstance(note, str):
            raise ThesaurusError(f"{at} ({code}): the scope note must be text")
        terms.append(Term(code, label.strip(), " ".join(note.split()), broader))
        if "narrower" in item:
            terms.extend(_terms(item["narrower"], code, f"{at}.narrower"))
    return terms


def parse_thesaurus(text: str) -> Thesaurus:
    """Read a thesaurus file (the format of ``data/topics.yaml``).

    Raises:
        ThesaurusError: malformed YAML, a bad code or label, a code used twice, or a retired
            code that is also a term.
    """
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ThesaurusError(f"not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("version"), int):
        raise ThesaurusError("a thesaurus has a version (a whole number) and topics")
    terms = _terms(raw.get("topics"), None, "topics")
    seen: set[str] = set()
    for term in terms:
        if term.code in seen:
            raise ThesaurusError(f"topic {term.code} appears twice")
        seen.add(term.code)
    retired = raw.get("retired") or []
    if not isinstance(retired, list) or not all(isinstance(c, str) for c in retired):
        raise ThesaurusError("retired: expected a list of codes")
    both = seen & set(retired)
    if both:
        raise ThesaurusError(f"retired codes are also terms: {', '.join(sorted(both))}")
    return Thesaurus(raw["version"], tuple(terms), tuple(retired))


@lru_cache(maxsize=1)
def default_thesaurus() -> Thesaurus:
    """The thesaurus shipped with Ura (``data/topics.yaml``)."""
    return parse_thesaurus(DEFAULT_PATH.read_text(encoding="utf-8"))


def thesaurus_load(*, actor: Actor, thesaurus: Thesaurus | None = None) -> ThesaurusReport:
    """Create or update the topics of a thesaurus (the default one if None) and retire the
    codes it retires. Idempotent: loading the same version again changes nothing.

    Args:
        actor: who loads it (must manage the library); None for the system (the CLI and the
            first import), recorded as such in the audit trail.
        thesaurus: the thesaurus to load.

    Raises:
        PermissionDenied: the actor may not manage the library.
    """
    if actor is not None and not actor.has_perm(MANAGE):
        raise PermissionDenied(_("You may not manage the COI library."))
    thesaurus = thesaurus or default_thesaurus()
    report = ThesaurusReport(thesaurus.version)
    entries: list[AuditEntry] = []
    with transaction.atomic():
        existing = {t.code: t for t in Topic.objects.select_for_update()}
        for term in thesaurus.terms:  # broader terms come first
            parent = existing[term.broader] if term.broader else None
            topic = existing.get(term.code)
            wanted = {
                "label": term.label,
                "scope_note": term.scope_note,
                "parent_id": parent.pk if parent else None,
                "active": True,
            }
            if topic is None:
                topic = Topic.objects.create(code=term.code, **wanted)
                existing[term.code] = topic
                report.created.append(term.code)
                entries.append(_entry(AuditAction.CREATE, topic, thesaurus.version))
                continue
            before = {name: getattr(topic, name) for name in wanted}
            if before == wanted:
                report.unchanged += 1
                continue
            for name, value in wanted.items():
                setattr(topic, name, value)
            topic.save()
            report.updated.append(term.code)
            changed = {
                name: {"old": before[name], "new": value}
                for name, value in wanted.items()
                if before[name] != value and name != "scope_note"
            }
            entries.append(_entry(AuditAction.UPDATE, topic, thesaurus.version, changed))
        for code in thesaurus.retired:
            topic = existing.get(code)
            if topic is not None and topic.active:
                topic.active = False
                topic.save(update_fields=["active"])
                report.retired.append(code)
                changes = {"active": {"old": True, "new": False}}
                entries.append(_entry(AuditAction.UPDATE, topic, thesaurus.version, changes))
        audit_append(actor=actor, entries=entries)
    return report


def _entry(
    action: AuditAction, topic: Topic, version: int, changes: dict[str, Any] | None = None
) -> AuditEntry:
    return AuditEntry(
        action,
        topic._meta.label_lower,
        str(topic.pk),
        changes or {},
        {"code": topic.code, "thesaurus_version": version},
    )


def thesaurus_ensure() -> ThesaurusReport | None:
    """Load the default thesaurus if any of its terms is missing from the library (a new
    installation, or a newer file with new terms); None when nothing was missing."""
    wanted = default_thesaurus().codes
    present = Topic.objects.filter(code__in=wanted).count()
    if present == len(wanted):
        return None
    return thesaurus_load(actor=None)


def topic_label(topic: Topic) -> str:
    """A topic's label in the user's language (labels are translated through gettext)."""
    return _(topic.label) if topic.label else topic.code
