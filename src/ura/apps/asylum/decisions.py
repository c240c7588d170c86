"""First-instance decisions of the LFIP procedure: the outcomes and what their templates read.

The case engine drafts, submits, returns and approves decisions (``cases.decisions``); this
module declares the asylum outcomes and builds, from the case's structured data, the parts
of the template context only the procedure knows (``ura.casework.documents.DecisionContext``).
The document is for the assigned staff and the applicant: it carries the applicant's
identity as registered, never masked.

Appeal deadlines come from the procedure version the case follows (the deadline rules that
start on ``negative_decision_notified``), never from a template, because LFIP Art. 80 was
amended by Law 7196 and may change again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ura.apps.asylum.selectors import authority_names
from ura.apps.asylum.vocabulary import (
    PROVINCE_NAMES,
    AssessmentSection,
    ConventionGround,
    ExclusionClause,
    InadmissibilityGround,
    Modality,
    Outcome,
    SeriousHarm,
    WithdrawalGround,
)
from ura.apps.cases import workflow
from ura.apps.cases.decisions import DecisionFlow
from ura.coi.citation import format_reference

if TYPE_CHECKING:
    from django.db.models import TextChoices

    from ura.apps.cases.models import Case

#: The event the appeal windows of the procedure start on.
APPEAL_WINDOW_START = "negative_decision_notified"
#: Sections of ``assessment.*`` that the templates read under the same name.
_TEMPLATE_SECTIONS = (
    "material_facts",
    "well_founded_fear",
    "convention_ground",
    "serious_harm",
    "internal_protection",
    "exclusion",
    "admissibility",
    "withdrawal",
)


def _label(choices: type[TextChoices], value: object) -> str:
    return str(dict(choices.choices).get(str(value), value or ""))


def _labels(choices: type[TextChoices], values: object) -> str:
    items = values if isinstance(values, list) else []
    return ", ".join(_label(choices, v) for v in items)


def legal_track(modality: object) -> str:
    """The LFIP procedure a processing modality runs in: LFIP knows the regular (Art. 78)
    and the accelerated (Art. 79) procedure; prioritised and simplified processing are ways
    of running the regular one (UNHCR's processing modalities)."""
    return Modality.ACCELERATED if modality == Modality.ACCELERATED else Modality.REGULAR


#: Outcomes the procedure's appeal rules do not name, and the outcome whose window they
#: share: subsidiary protection refuses refugee status (the template offers the appeal
#: against that part), and an application considered withdrawn is closed unexamined.
#: Confirm against the current LFIP Art. 80 (PROCEDURES.md marks Art. 80 "check").
_APPEAL_AS = {
    Outcome.SUBSIDIARY_PROTECTION: Outcome.REJECTED,
    Outcome.IMPLICITLY_WITHDRAWN: Outcome.REJECTED,
}


def appeal_deadline_days(case: Case, outcome: str) -> int | None:
    """The appeal window in days for ``outcome``, from the deadline rules of the case's
    procedure version that start when a negative decision is notified; None when no rule
    applies (a grant of refugee status is not appealed by the applicant)."""
    data = {**case.data, "modality": legal_track(case.data.get("modality"))}
    rules = [
        rule
        for rule in workflow.procedure_of(case).deadlines
        if rule.starts_on == APPEAL_WINDOW_START and rule.unit == "calendar_days"
    ]
    for candidate in (
        outcome,
        _APPEAL_AS.get(Outcome(outcome)) if outcome in Outcome.values else None,
    ):
        if candidate is None:
            continue
        data["decision"] = {**case.data.get("decision", {}), "outcome": str(candidate)}
        for rule in rules:
            if rule.applies(data):
                return rule.duration
    return None


def _facts(case: Case, language: str) -> list[str]:
    data = case.data
    facts = []
    province = PROVINCE_NAMES.get(str(data.get("assigned_province", "")), "")
    facts.append(
        _("The application for international protection was made on %(day)s.")
        % {"day": case.opened_on.isoformat()}
    )
    if province:
        facts.append(
            _("The applicant was registered and assigned to the province of %(province)s.")
            % {"province": province}
        )
    interview = data.get("interview", {})
    if interview.get("held_on"):
        facts.append(
            _("A personal interview was held on %(day)s in %(language)s.")
            % {"day": interview["held_on"], "language": interview.get("language", "")}
        )
    if data.get("modality"):
        facts.append(
            _("The application was examined in the %(modality)s procedure.")
            % {"modality": _label(Modality, legal_track(data["modality"])).split(" (")[0].lower()}
        )
    return facts


def _assessment(data: Mapping[str, Any]) -> dict[str, list[str]]:
    found = data.get("assessment", {})
    parts: dict[str, list[str]] = {
        key: list(found[key]) for key in _TEMPLATE_SECTIONS if found.get(key)
    }
    credibility = [
        *found.get(AssessmentSection.CREDIBILITY_INTERNAL, []),
        *found.get(AssessmentSection.CREDIBILITY_EXTERNAL, []),
    ]
    if credibility:
        parts["credibility"] = credibility
    return parts


def _day(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def reference(citation: Mapping[str, Any], language: str) -> str:
    """One cited passage in the decision's reference format
    (:func:`ura.coi.citation.format_reference`, which :meth:`ura.coi.Citation.reference`
    prints too): source, title, date, URL, date accessed, anchor, quote — a passage pasted by
    hand simply lacks some of these parts. The quote is the text kept with the citation,
    never the library's current text."""
    return format_reference(
        source=str(citation.get("source") or citation.get("publisher", "")),
        title=str(citation.get("title", "")),
        published=_day(citation.get("date")),
        url=str(citation.get("url", "")),
        accessed=_day(citation.get("accessed")),
        anchor=str(citation.get("anchor", "")),
        quoted_text=str(citation.get("passage", "")),
        language=language,
    )


def _citations(data: Mapping[str, Any], language: str) -> list[dict[str, Any]]:
    # ``reference`` is what the shipped templates print; the parts stay for templates an
    # administrator wrote against the earlier context.
    return [
        {
            "number": number,
            "title": c.get("title", ""),
            "publisher": c.get("publisher", ""),
            "date": c.get("date") or "",
            "url": c.get("url", ""),
            "passage": c.get("passage", ""),
            "reference": reference(c, language),
        }
        for number, c in enumerate(data.get("assessment", {}).get("citations", []), start=1)
    ]


def _outcome_details(outcome: str, data: Mapping[str, Any]) -> dict[str, str]:
    assessment = data.get("assessment", {})
    if outcome in (Outcome.REFUGEE, Outcome.CONDITIONAL_REFUGEE):
        grounds = _labels(ConventionGround, assessment.get("convention_grounds"))
        return {"convention_ground": grounds.lower()} if grounds else {}
    if outcome == Outcome.SUBSIDIARY_PROTECTION:
        harm = _labels(SeriousHarm, assessment.get("serious_harm_types"))
        return {"serious_harm": harm.lower()} if harm else {}
    if outcome == Outcome.EXCLUDED and assessment.get("exclusion_clause"):
        return {"clause": _label(ExclusionClause, assessment["exclusion_clause"])}
    if outcome == Outcome.INADMISSIBLE and data.get("screening", {}).get("inadmissibility_ground"):
        return {
            "ground": _label(InadmissibilityGround, data["screening"]["inadmissibility_ground"])
        }
    if outcome == Outcome.IMPLICITLY_WITHDRAWN:
        ground = data.get("withdrawal", {}).get("ground") or WithdrawalGround.MISSED_REPORTING
        return {"ground": _label(WithdrawalGround, ground)}
    return {}


def decision_context(case: Case, outcome: str, language: str) -> dict[str, Any]:
    """The parts of an asylum decision's template context that come from the case.

    Only what the case holds is given: a template that needs a part the case lacks (the
    material facts of a refusal, the Convention ground of a grant) makes the engine refuse
    the draft naming the missing paths, so the caseworker knows what to complete.
    """
    data = case.data
    applicant = data.get("applicant", {})
    agency, unit = authority_names(case)
    province = PROVINCE_NAMES.get(str(data.get("assigned_province", "")), "")
    with translation.override(language):
        context: dict[str, Any] = {
            "authority": {"name": agency, "unit": unit, "place": province},
            "applicant": {
                key: value
                for key, value in (
                    ("name", applicant.get("name")),
                    ("identification_number", data.get("foreigner_id")),
                    ("nationality", applicant.get("nationality")),
                    # Many applicants do not know their date of birth: the decision says so
                    # rather than waiting for a date that does not exist.
                    ("date_of_birth", applicant.get("date_of_birth") or _("not known")),
                )
                if value
            },
            "facts": _facts(case, language),
            "assessment": _assessment(data),
            "citations": _citations(data, language),
            "outcome_details": _outcome_details(outcome, data),
        }
        days = appeal_deadline_days(case, outcome)
        if days is not None and province:
            context["appeal"] = {
                "court": _("Administrative Court of %(province)s") % {"province": province},
                "deadline_days": days,
            }
    return context


def _section(label: str | Promise) -> str | Promise:
    return format_lazy(gettext_lazy("{section} (assessment)"), section=label)


#: What a draft names when the case lacks a part its template reads: the place in Ura where
#: the caseworker completes it (registration, the screening findings, the assessment editor).
FIELD_LABELS: dict[str, str | Promise] = {
    "applicant": gettext_lazy("the applicant's registration details"),
    "applicant.name": gettext_lazy("the applicant's name as registered"),
    "applicant.identification_number": gettext_lazy(
        "the applicant's foreigner identification number (registration)"
    ),
    "applicant.nationality": gettext_lazy("the applicant's nationality (registration)"),
    "applicant.date_of_birth": gettext_lazy("the applicant's date of birth"),
    "authority": gettext_lazy("the deciding office and the assigned province (registration)"),
    "assessment": gettext_lazy("the assessment"),
    **{
        f"assessment.{code}": _section(label)
        for code, label in AssessmentSection.choices
        if code in _TEMPLATE_SECTIONS
    },
    # The template's credibility part joins the assessment's two credibility sections.
    "assessment.credibility": _section(gettext_lazy("Credibility")),
    "citations": gettext_lazy("the sources cited in the assessment"),
    "facts": gettext_lazy("the facts of the application"),
    "outcome_details": gettext_lazy("the findings this outcome rests on (assessment)"),
    "outcome_details.convention_ground": gettext_lazy(
        "the Convention grounds ticked in the assessment"
    ),
    "outcome_details.serious_harm": gettext_lazy(
        "the kinds of serious harm (LFIP Art. 63) ticked in the assessment"
    ),
    "outcome_details.clause": gettext_lazy(
        "the exclusion clause (LFIP Art. 64) chosen in the assessment"
    ),
    "outcome_details.ground": gettext_lazy(
        "the ground of inadmissibility (LFIP Art. 72), from the step “Assess on an "
        "inadmissibility ground”"
    ),
    "appeal": gettext_lazy(
        "the appeal court and window: the assigned province (registration) and an appeal rule "
        "of the procedure for this outcome"
    ),
}


FLOW = DecisionFlow(
    procedure_code="asylum",
    outcomes={o.value: o.label for o in Outcome},
    languages=("tr", "en"),
    context=decision_context,
    submit_transition="submit_for_approval",
    approve_transition="approve_decision",
    return_transition="return_for_revision",
    field_labels=FIELD_LABELS,
)
