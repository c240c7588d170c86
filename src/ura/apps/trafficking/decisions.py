"""The trafficking identification decision: a document issued after the screener identified
the person as a presumed victim (``identify_presumed_victim``) or screened them out
(``screen_out``). The case engine drafts, approves and locks it (``cases.decisions``); this
module gives the templates (``casework/templates/decisions/trafficking/``) what only the
trafficking procedure knows.

The decision names the person by the case's pseudonym and their person-index id, never by
name or date of birth: the locked PDF is kept among the case's documents, which every user
who sees the case (the partner organisation too) can open, while the identity is shown only
on an audited reveal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ura.apps.cases import workflow
from ura.apps.cases.decisions import DecisionFlow
from ura.apps.trafficking import selectors
from ura.casework.indicators import builtin_indicator_sets

if TYPE_CHECKING:
    from ura.apps.cases.models import Case

#: Türkiye: Law No. 2577 on Administrative Procedure (İYUK) Art. 7 — 60 days to bring an
#: action before the administrative court against an administrative act.
APPEAL_DAYS = 60
APPEAL_COURT = {"en": "competent administrative court", "sq": "gjykatës administrative kompetente"}
LEGAL_BASIS = [
    "Law No. 6458 on Foreigners and International Protection (LFIP), Article 48",
    "Regulation on Combating Trafficking in Human Beings and Protection of Victims (2016)",
]
SERVICE_LABELS = {
    "en": {
        "shelter": "safe accommodation (shelter)",
        "accommodation": "safe accommodation (shelter)",
        "medical": "medical care",
        "psychological": "psychological support",
        "psychosocial": "psychological support",
        "legal": "legal counselling and aid",
        "interpretation": "interpretation",
    },
    "sq": {
        "shelter": "strehim i sigurt (strehëz)",
        "accommodation": "strehim i sigurt (strehëz)",
        "medical": "kujdes mjekësor",
        "psychological": "mbështetje psikologjike",
        "psychosocial": "mbështetje psikologjike",
        "legal": "këshillim dhe ndihmë juridike",
        "interpretation": "përkthim",
    },
}
EXPLOITATION_LABELS = {
    "en": {"labour": "labour exploitation", "sexual": "sexual exploitation"},
    "sq": {"labour": "shfrytëzim në punë", "sexual": "shfrytëzim seksual"},
}


def _services(case: Case, language: str) -> list[str]:
    referral = case.data.get("referral") if isinstance(case.data.get("referral"), dict) else {}
    kinds = [*selectors.service_kinds(case=case), *((referral or {}).get("services") or [])]
    labels = SERVICE_LABELS.get(language, SERVICE_LABELS["en"])
    return list(dict.fromkeys(labels.get(k, k.replace("_", " ")) for k in kinds))


def _indicator_paragraphs(case: Case) -> list[str]:
    identification = case.data.get("identification") or {}
    summary = identification.get("indicators_assessment") or {}
    version = summary.get("indicator_set", "")
    chosen = builtin_indicator_sets().get(version)
    if chosen is None:
        return [str(identification.get("basis", ""))] if identification.get("basis") else []
    observed = set(summary.get("observed") or [])
    paragraphs = []
    for element in chosen.elements.values():
        labels = [
            i.label
            for i in chosen.lists[summary["list"]].by_element(element.code)
            if i.code in observed
        ]
        if labels:
            present = element.code in (summary.get("present_elements") or [])
            paragraphs.append(
                f"{element.label} ({'present' if present else 'not established'}): "
                + "; ".join(labels)
                + "."
            )
    paragraphs.append(
        f"ILO/EC operational indicators, version {version}, list {summary['list']}; "
        f"the rule's outcome: {summary.get('rule_outcome', '')}."
    )
    if identification.get("basis"):
        paragraphs.append(str(identification["basis"]))
    return paragraphs


def decision_context(case: Case, outcome: str, language: str) -> Mapping[str, Any]:
    """The parts of the decision's template context that the trafficking procedure knows."""
    data = case.data
    profile = data.get("profile") or {}
    identification = data.get("identification") or {}
    person = case.persons.order_by("pk").first()
    types = profile.get("exploitation_types") or []
    listed = (identification.get("indicators_assessment") or {}).get("list", "")
    if not types and listed:
        types = [listed.split("_", 1)[-1]]
    exploitation = EXPLOITATION_LABELS.get(language, EXPLOITATION_LABELS["en"])
    initial = workflow.procedure_of(case).deadline("victim_permit_initial")
    context: dict[str, Any] = {
        "authority": {
            "name": case.owning_agency.name,
            "unit": case.owning_unit.name,
            "place": case.owning_unit.name,
        },
        "applicant": {
            "name": selectors.pseudonym(case),
            "identification_number": person.person_id if person else "",
            "nationality": profile.get("citizenship") or "—",
            # Withheld like the name (see the module docstring).
            "date_of_birth": "—",
        },
        "facts": [
            f"Case {case.reference} was opened on {case.opened_on.isoformat()}.",
            *(
                [f"The person was screened on {identification['date']}."]
                if identification.get("date")
                else []
            ),
        ],
        "assessment": {"indicators": _indicator_paragraphs(case)},
        "citations": [],
        "outcome_details": {
            "legal_basis": LEGAL_BASIS,
            "exploitation_type": ", ".join(exploitation.get(t, t) for t in types) or "—",
            "reflection_period_days": initial.duration,
            "services": _services(case, language),
            "assistance_ends_on": timezone.localdate(),
        },
    }
    if outcome == "not_identified":
        context["appeal"] = {
            "court": APPEAL_COURT.get(language, APPEAL_COURT["en"]),
            "deadline_days": APPEAL_DAYS,
        }
    return context


#: What a draft names when the case lacks a part its template reads (``cases.decisions``):
#: the step of the procedure that records it.
FIELD_LABELS = {
    "applicant": _("the person's pseudonym and person-index record"),
    "applicant.nationality": _("the person's citizenship (screening profile)"),
    "authority": _("the identifying office"),
    "facts": _("the facts of the case"),
    "assessment": _("the screening"),
    "assessment.indicators": _("the indicators observed and the screener's basis (screening)"),
    "outcome_details": _("the identification's details"),
    "outcome_details.exploitation_type": _(
        "the forms of exploitation (screening profile or indicator list)"
    ),
    "outcome_details.services": _("the services of assistance (referral or services)"),
    "outcome_details.reflection_period_days": _(
        "the recovery and reflection period of the procedure (LFIP Art. 48)"
    ),
    "appeal": _("the appeal court and window"),
}


FLOW = DecisionFlow(
    procedure_code="trafficking",
    outcomes={
        "identified_victim": _("Identified as a victim of trafficking"),
        "not_identified": _("Not identified as a victim of trafficking"),
    },
    languages=("sq", "en"),
    context=decision_context,
    # The identification is decided by the transitions identify_presumed_victim and
    # screen_out; the decision is a document issued after them.
    submit_transition=None,
    approve_transition=None,
    return_transition=None,
    field_labels=FIELD_LABELS,
)
