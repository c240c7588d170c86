"""Writes of the international protection procedure (LFIP), on the shared case engine.

Each function checks what the procedure's YAML cannot express (a foreigner identification
number's form, a ground from the law's list, a guardian for an unaccompanied child) and then
writes through ``cases.services.case_transition`` or ``case_update``: the case engine checks
the transition's guards (role, required data, four-eyes), locks optimistically, writes the
case's history and the audit trail and recomputes the deadlines, in one transaction. The
data paths written here are documented in docs/asylum.md ("Case data").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ura.apps.asylum import roles
from ura.apps.asylum.models import ReportingRecord, ReportingStatus
from ura.apps.asylum.selectors import (
    ASSESSMENT_STATES,
    PROCEDURE,
    consecutive_missed,
    is_unaccompanied_child,
    triage_proposal,
)
from ura.apps.asylum.vocabulary import (
    FOREIGNER_ID,
    ISO3,
    POSITIVE_OUTCOMES,
    PROVINCE_NAMES,
    AcceleratedGround,
    AppealOutcome,
    AssessmentSection,
    ConventionGround,
    CredibilityFinding,
    ExclusionClause,
    InadmissibilityGround,
    Modality,
    NotificationMethod,
    Outcome,
    ReportingFrequency,
    SeriousHarm,
    WithdrawalGround,
    WithdrawalKind,
)
from ura.apps.cases import services as case_services
from ura.apps.cases import workflow
from ura.apps.cases.access import access_case_by_id

if TYPE_CHECKING:
    from ura.apps.accounts.models import User
    from ura.apps.cases.models import Case

#: Three consecutive reporting days missed without excuse (LFIP Art. 77(1)).
MISSED_REPORTING_LIMIT = 3
#: Paragraphs of one assessment section, and the length of one, kept to what a decision holds.
MAX_PARAGRAPHS = 50
MAX_PARAGRAPH_CHARS = 5000


# --- Validation ---------------------------------------------------------------------------------


#: This app's recorder of the steps and case data it declares (``apps.py``): passed to
#: the case engine's transition and update, which refuse those from anywhere else.
OWNER = workflow.StepOwner(
    PROCEDURE, gettext_lazy("the application's pages (the asylum panel and the decision panel)")
)
#: The case data the asylum pages write (the interview record, the assessment, the
#: notification, the appeal...): the generic case update cannot change it.
OWNED_DATA = (
    "screening",
    "interview",
    "information_request",
    "assessment",
    "notification",
    "appeal",
    "finality",
    "withdrawal",
    "reporting",
)


def foreigner_id_clean(value: str) -> str:
    """The foreigner identification number without spaces, if it has the form Türkiye gives
    it: 11 digits beginning with 99.

    Raises:
        ValidationError: any other form.
    """
    cleaned = "".join(value.split())
    if not FOREIGNER_ID.fullmatch(cleaned):
        raise ValidationError(
            {
                "foreigner_id": _(
                    "A foreigner identification number has 11 digits and begins with 99."
                )
            }
        )
    return cleaned


def _choice(field: str, value: str, choices: Iterable[str]) -> str:
    if value not in set(choices):
        raise ValidationError({field: _("Choose one of the listed values.")})
    return value


def _choices(field: str, values: Iterable[str], choices: Iterable[str]) -> list[str]:
    allowed = set(choices)
    chosen = list(dict.fromkeys(values))
    if any(v not in allowed for v in chosen):
        raise ValidationError({field: _("Choose only listed values.")})
    return chosen


def _text(field: str, value: str, *, limit: int = 500, required: bool = True) -> str:
    cleaned = " ".join(value.split())
    if required and not cleaned:
        raise ValidationError({field: _("This field is required.")})
    if len(cleaned) > limit:
        raise ValidationError({field: _("At most %d characters.") % limit})
    return cleaned


def _nationality(value: str) -> str:
    code = value.strip().upper()
    if not ISO3.fullmatch(code):
        raise ValidationError(
            {"nationality": _("Give the nationality as an ISO 3166-1 alpha-3 code (e.g. AFG).")}
        )
    return code


def _not_future(field: str, day: dt.date) -> dt.date:
    if day > timezone.localdate():
        raise ValidationError({field: _("This date cannot be in the future.")})
    return day


def _asylum_case(actor: User, case_id: int) -> Case:
    """Load a case for a change (need-to-know, audited refusals) that must be an asylum case.

    Raises:
        Http404, PermissionDenied: see ``access_case_by_id``.
        ValidationError: a case of another procedure.
    """
    case = access_case_by_id(actor, case_id, action="change")
    if case.procedure_code != PROCEDURE:
        raise ValidationError(
            {"case": _("This is not an application for international protection.")}
        )
    return case


def _transition(
    actor: User,
    case_id: int,
    version: int,
    transition: str,
    data: Mapping[str, Any],
    occurred_on: dt.date | None = None,
) -> Case:
    # ``occurred_on``: a step recorded after the day it happened (the engine dates the
    # history and the deadlines from it; it refuses a future day or one out of order).
    return case_services.case_transition(
        recorded_by=OWNER,
        actor=actor,
        case_id=case_id,
        transition=transition,
        expected_version=version,
        data_changes=data,
        occurred_on=occurred_on,
    )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


# --- Registration and screening ----------------------------------------------------------------


def application_register(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    foreigner_id: str,
    province: str,
    reporting_frequency: str,
    reporting_place: str,
    nationality: str,
    languages: Sequence[str],
    applicant_name: str,
    date_of_birth: str = "",
    occurred_on: dt.date | None = None,
) -> Case:
    """Register the application (transition ``register``): the foreigner identification
    number, the province the applicant must live in, the reporting duty, and the identity as
    registered (the name and date of birth the decision will carry).

    Raises:
        ValidationError: a value of the wrong form.
        TransitionRefusedError, CaseConflictError, Http404, PermissionDenied: from the engine.
    """
    codes = [c.strip().lower() for c in languages if c.strip()]
    if not codes or any(len(c) > 12 for c in codes):
        raise ValidationError({"languages": _("Name the languages the applicant speaks.")})
    data: dict[str, Any] = {
        "foreigner_id": foreigner_id_clean(foreigner_id),
        "assigned_province": _choice("province", province, PROVINCE_NAMES),
        "reporting.frequency": _choice(
            "reporting_frequency", reporting_frequency, ReportingFrequency.values
        ),
        "reporting.place": _text("reporting_place", reporting_place, limit=200),
        "applicant.nationality": _nationality(nationality),
        "applicant.languages": codes,
        "applicant.name": _text("applicant_name", applicant_name, limit=200),
        "applicant.date_of_birth": _text("date_of_birth", date_of_birth, limit=10, required=False)
        or None,
    }
    return _transition(actor, case_id, expected_version, "register", data, occurred_on=occurred_on)


def screening_record(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    inadmissibility_grounds: Sequence[str],
    accelerated_grounds: Sequence[str],
    notes: str = "",
) -> Case:
    """Record what screening found: grounds of inadmissibility (LFIP Art. 72) and of the
    accelerated procedure (LFIP Art. 79). Triage reads the accelerated grounds.

    Raises:
        ValidationError: the case is not in screening, or an unknown ground.
    """
    case = _asylum_case(actor, case_id)
    if case.state != "screening":
        raise ValidationError({"state": _("Screening findings are recorded during screening.")})
    inadmissible = _choices(
        "inadmissibility_grounds", inadmissibility_grounds, InadmissibilityGround.values
    )
    return case_services.case_update(
        recorded_by=OWNER,
        actor=actor,
        case_id=case_id,
        expected_version=expected_version,
        data_changes={
            "screening.inadmissibility_grounds": inadmissible,
            # assess_inadmissibility requires one ground; the first one found is the lead one.
            "screening.inadmissibility_ground": inadmissible[0] if inadmissible else None,
            "screening.accelerated_grounds": _choices(
                "accelerated_grounds", accelerated_grounds, AcceleratedGround.values
            ),
            "screening.notes": _text("notes", notes, limit=2000, required=False) or None,
            "screening.recorded_on": timezone.localdate().isoformat(),
        },
    )


def modality_decide(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    modality: str,
    reason: str = "",
    occurred_on: dt.date | None = None,
) -> Case:
    """Set the processing modality (transition ``change_modality``): accept triage's proposal
    (no reason needed: the rule that fired is the reason) or override it with a reason. The
    proposal and its rule are stored beside the choice (``triage.*``).

    Raises:
        ValidationError: unknown modality, or an override without a reason.
    """
    case = _asylum_case(actor, case_id)
    modality = _choice("modality", modality, Modality.values)
    proposal = triage_proposal(case)
    reason = _text("reason", reason, limit=500, required=modality != proposal.modality)
    if not reason:
        reason = _("As proposed by triage: %(reason)s") % {"reason": proposal.reason}
    data = {
        "modality": modality,
        "modality_reason": reason,
        "modality_overridden": modality != proposal.modality,
        **{f"triage.{key}": value for key, value in proposal.as_data().items()},
    }
    return _transition(
        actor, case_id, expected_version, "change_modality", data, occurred_on=occurred_on
    )


def inadmissibility_assess(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    ground: str,
    occurred_on: dt.date | None = None,
) -> Case:
    """Go straight from screening to the assessment on an inadmissibility ground (LFIP
    Art. 72): the application is then examined on admissibility only.

    Raises:
        ValidationError: unknown ground.
    """
    data = {
        "screening.inadmissibility_ground": _choice("ground", ground, InadmissibilityGround.values)
    }
    return _transition(
        actor, case_id, expected_version, "assess_inadmissibility", data, occurred_on=occurred_on
    )


# --- Interview ---------------------------------------------------------------------------------


def interview_schedule(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    date: dt.date,
    time: dt.time | None,
    place: str,
    language: str,
    interpreter_needed: bool,
    interpreter: str = "",
    lawyer: str = "",
    guardian: str = "",
    occurred_on: dt.date | None = None,
) -> Case:
    """Schedule the personal interview (LFIP Art. 75). An unaccompanied child is interviewed
    only with a guardian present, so one must be named.

    Raises:
        ValidationError: a date in the past, no place or language, no guardian for a child.
    """
    case = _asylum_case(actor, case_id)
    if date < (occurred_on or timezone.localdate()):
        raise ValidationError({"date": _("An interview cannot be scheduled in the past.")})
    guardian = _text("guardian", guardian, limit=200, required=False)
    if is_unaccompanied_child(case) and not guardian:
        raise ValidationError(
            {"guardian": _("An unaccompanied child is interviewed with a guardian: name one.")}
        )
    data = {
        "interview.date": date.isoformat(),
        "interview.time": time.strftime("%H:%M") if time else None,
        "interview.place": _text("place", place, limit=200),
        "interview.language": _text("language", language, limit=40),
        "interview.interpreter_needed": interpreter_needed,
        "interview.interpreter": _text("interpreter", interpreter, limit=200, required=False)
        or None,
        "interview.lawyer": _text("lawyer", lawyer, limit=200, required=False) or None,
        "interview.guardian": guardian or None,
    }
    return _transition(
        actor, case_id, expected_version, "schedule_interview", data, occurred_on=occurred_on
    )


def interview_reschedule(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    date: dt.date,
    time: dt.time | None,
    reason: str,
    place: str = "",
    occurred_on: dt.date | None = None,
) -> Case:
    """Move the interview to another day (transition ``reschedule_interview``), with the
    reason; the earlier dates are kept in ``interview.previous_dates``.

    Raises:
        ValidationError: a date in the past or no reason.
    """
    case = _asylum_case(actor, case_id)
    if date < (occurred_on or timezone.localdate()):
        raise ValidationError({"date": _("An interview cannot be scheduled in the past.")})
    interview = case.data.get("interview", {})
    previous = [*interview.get("previous_dates", []), interview.get("date")]
    data: dict[str, Any] = {
        "interview.date": date.isoformat(),
        "interview.time": time.strftime("%H:%M") if time else None,
        "interview.reschedule_reason": _text("reason", reason, limit=500),
        "interview.previous_dates": [d for d in previous if d],
    }
    if place.strip():
        data["interview.place"] = _text("place", place, limit=200)
    return _transition(
        actor, case_id, expected_version, "reschedule_interview", data, occurred_on=occurred_on
    )


def interview_record(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    held_on: dt.date,
    language: str,
    record: str,
    duration_minutes: int,
    interpreter: str = "",
    lawyer_present: bool = False,
    guardian_present: bool = False,
    applicant_confirmed: bool = False,
    occurred_on: dt.date | None = None,
) -> Case:
    """Record the personal interview held (transition ``hold_interview``): who was there,
    in which language, how long, the summary record and whether the applicant confirmed it
    after it was read back (LFIP Art. 75).

    Raises:
        ValidationError: a date in the future, an empty record, a child without guardian.
    """
    case = _asylum_case(actor, case_id)
    if is_unaccompanied_child(case) and not guardian_present:
        raise ValidationError(
            {"guardian_present": _("An unaccompanied child is interviewed with a guardian.")}
        )
    if not 1 <= duration_minutes <= 24 * 60:
        raise ValidationError({"duration_minutes": _("Give the duration in minutes.")})
    record = record.strip()
    if not record:
        raise ValidationError({"record": _("Write the interview record.")})
    if len(record) > 100_000:
        raise ValidationError({"record": _("The record is too long.")})
    data = {
        "interview.held_on": _not_future("held_on", held_on).isoformat(),
        "interview.language": _text("language", language, limit=40),
        "interview.record": record,
        "interview.duration_minutes": duration_minutes,
        "interview.interpreter": _text("interpreter", interpreter, limit=200, required=False)
        or None,
        "interview.lawyer_present": lawyer_present,
        "interview.guardian_present": guardian_present,
        "interview.applicant_confirmed": applicant_confirmed,
    }
    return _transition(
        actor, case_id, expected_version, "hold_interview", data, occurred_on=occurred_on or held_on
    )


# --- Assessment --------------------------------------------------------------------------------


def _assessable(actor: User, case_id: int) -> Case:
    case = _asylum_case(actor, case_id)
    if case.state not in ASSESSMENT_STATES:
        raise ValidationError({"state": _("The assessment is written in the assessment stage.")})
    if not actor.has_perm(roles.DECIDE):
        raise PermissionDenied(_("You may not assess applications."))
    return case


def assessment_update(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    sections: Mapping[str, Sequence[str]],
    convention_grounds: Sequence[str] | None = None,
    serious_harm: Sequence[str] | None = None,
    credibility_finding: str | None = None,
    exclusion_clause: str | None = None,
) -> Case:
    """Write parts of the structured assessment: each section a list of paragraphs
    (``assessment.<section>``; an empty list removes the section), and the findings chosen
    from the law's lists.

    Raises:
        ValidationError: the case is not being assessed, an unknown section or value, too
            many or too long paragraphs.
        PermissionDenied: the actor may not assess applications.
    """
    _assessable(actor, case_id)
    changes: dict[str, Any] = {}
    for section, paragraphs in sections.items():
        _choice("section", section, AssessmentSection.values)
        kept = [p.strip() for p in paragraphs if p.strip()]
        if len(kept) > MAX_PARAGRAPHS or any(len(p) > MAX_PARAGRAPH_CHARS for p in kept):
            raise ValidationError(
                {section: _("At most %d paragraphs of %d characters.") % (50, 5000)}
            )
        changes[f"assessment.{section}"] = kept or None
    if convention_grounds is not None:
        chosen = _choices("convention_grounds", convention_grounds, ConventionGround.values)
        changes["assessment.convention_grounds"] = chosen or None
    if serious_harm is not None:
        chosen = _choices("serious_harm", serious_harm, SeriousHarm.values)
        changes["assessment.serious_harm_types"] = chosen or None
    if credibility_finding is not None:
        changes["assessment.credibility_finding"] = (
            _choice("credibility_finding", credibility_finding, CredibilityFinding.values)
            if credibility_finding
            else None
        )
    if exclusion_clause is not None:
        changes["assessment.exclusion_clause"] = (
            _choice("exclusion_clause", exclusion_clause, ExclusionClause.values)
            if exclusion_clause
            else None
        )
    if not changes:
        raise ValidationError({"sections": _("Nothing to change.")})
    return case_services.case_update(
        recorded_by=OWNER,
        actor=actor,
        case_id=case_id,
        expected_version=expected_version,
        data_changes=changes,
    )


def passage_hash(passage: str) -> str:
    """SHA-256 of a cited passage after Unicode NFC and whitespace normalisation, so that the
    same passage pasted twice, or clipped later from the COI library, has the same hash."""
    normalised = " ".join(unicodedata.normalize("NFC", passage).split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Clipping:
    """Where a cited passage comes from when it was clipped from the COI library
    (``ura.apps.coi.clipping.clip_passage``), kept with the citation so that it can be checked
    against later editions of the document.

    Attributes:
        document_id: the library document.
        edition: the edition the words were quoted from.
        source: the document's sources as the reference names them.
        accessed: the date the reference gives as accessed (docs/asylum.md says which).
        note: the caseworker's note on why it matters (never printed in the decision).
    """

    document_id: int
    edition: int
    source: str
    accessed: dt.date
    note: str = ""


def citation_add(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    title: str,
    publisher: str,
    date: dt.date | None,
    url: str,
    passage: str,
    anchor: str = "",
    clipping: Clipping | None = None,
) -> Case:
    """Cite a country-of-origin information passage in the assessment
    (``assessment.citations``, shape in docs/asylum.md). The same passage is cited once.

    A passage pasted by hand names its source, date and web address. A clipping from the COI
    library (``clipping``) also keeps the document, edition, accessed date and note; it may
    be undated or have no web address, as library documents may, and is written as given
    (the library checked the quote against the document).

    Raises:
        ValidationError: a missing field, a URL that is not http(s), a passage cited already.
    """
    case = _assessable(actor, case_id)
    url = url.strip()
    if (url or clipping is None) and (
        not url.startswith(("https://", "http://")) or len(url) > 1000
    ):
        raise ValidationError({"url": _("Give the source's web address (http or https).")})
    if date is None and clipping is None:
        raise ValidationError({"date": _("This field is required.")})
    passage = passage.strip()
    if not passage or len(passage) > 10_000:
        raise ValidationError({"passage": _("Paste the passage (at most 10,000 characters).")})
    digest = passage_hash(passage)
    citations = list(case.data.get("assessment", {}).get("citations", []))
    if any(c.get("passage_hash") == digest for c in citations):
        raise ValidationError({"passage": _("This passage is cited already.")})
    # Library titles and source lists may be longer than what one types by hand.
    clipped = clipping is not None
    citation: dict[str, Any] = {
        "title": _text("title", title, limit=500 if clipped else 300),
        "publisher": _text("publisher", publisher, limit=1000 if clipped else 200),
        "date": _not_future("date", date).isoformat() if date is not None else None,
        "url": url,
        "passage": passage,
        "anchor": _text("anchor", anchor, limit=200, required=False),
        "passage_hash": digest,
    }
    if clipping is not None:
        citation.update(
            {
                "document_id": clipping.document_id,
                "edition": clipping.edition,
                "source": _text("source", clipping.source, limit=1000),
                "accessed": _not_future("accessed", clipping.accessed).isoformat(),
                "clipped_on": timezone.localdate().isoformat(),
                "note": _text("note", clipping.note, limit=2000, required=False),
            }
        )
    citations.append(citation)
    return case_services.case_update(
        recorded_by=OWNER,
        actor=actor,
        case_id=case_id,
        expected_version=expected_version,
        data_changes={"assessment.citations": citations},
    )


def citation_remove(*, actor: User, case_id: int, expected_version: int, passage_hash: str) -> Case:
    """Remove a cited passage (named by its hash) from the assessment; the numbers of the
    later citations move up.

    Raises:
        ValidationError: no such citation.
    """
    case = _assessable(actor, case_id)
    citations = list(case.data.get("assessment", {}).get("citations", []))
    kept = [c for c in citations if c.get("passage_hash") != passage_hash]
    if len(kept) == len(citations):
        raise ValidationError({"passage_hash": _("No such citation.")})
    return case_services.case_update(
        recorded_by=OWNER,
        actor=actor,
        case_id=case_id,
        expected_version=expected_version,
        data_changes={"assessment.citations": kept or None},
    )


def information_request(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    subject: str,
    addressee: str,
    due_on: dt.date | None = None,
    occurred_on: dt.date | None = None,
) -> Case:
    """Ask the applicant or another authority for information or documents (transition
    ``request_information``); the regular decision period pauses meanwhile (see the
    procedure's deadline rule ``decision_regular``).

    Raises:
        ValidationError: no subject or addressee.
    """
    data = {
        "information_request.subject": _text("subject", subject, limit=500),
        "information_request.addressee": _text("addressee", addressee, limit=200),
        "information_request.due_on": _iso(due_on),
        "information_request.received_on": None,
    }
    return _transition(
        actor, case_id, expected_version, "request_information", data, occurred_on=occurred_on
    )


def information_receive(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    summary: str,
    received: bool = True,
    occurred_on: dt.date | None = None,
) -> Case:
    """Record the information received, or that the request lapsed (transition
    ``receive_information``)."""
    data = {
        "information_request.received_on": (occurred_on or timezone.localdate()).isoformat()
        if received
        else None,
        "information_request.outcome": "received" if received else "lapsed",
        "information_request.summary": _text("summary", summary, limit=2000),
    }
    return _transition(
        actor, case_id, expected_version, "receive_information", data, occurred_on=occurred_on
    )


# --- Decision notified, appeal -----------------------------------------------------------------


def decision_notify(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    notified_on: dt.date,
    method: str,
    occurred_on: dt.date | None = None,
) -> Case:
    """Record that the approved decision was notified (LFIP Art. 78): a grant of protection
    (``notify_positive_decision``) or a negative decision with the appeal rights
    (``notify_negative_decision``), chosen by the approved outcome.

    Raises:
        ValidationError: a date in the future, an unknown method, no approved outcome.
    """
    case = _asylum_case(actor, case_id)
    outcome = case.data.get("decision", {}).get("outcome")
    if outcome not in Outcome.values:
        raise ValidationError({"decision": _("There is no approved decision to notify.")})
    transition = (
        "notify_positive_decision" if outcome in POSITIVE_OUTCOMES else "notify_negative_decision"
    )
    data = {
        "notification.date": _not_future("notified_on", notified_on).isoformat(),
        "notification.method": _choice("method", method, NotificationMethod.values),
    }
    return _transition(
        actor, case_id, expected_version, transition, data, occurred_on=occurred_on or notified_on
    )


def appeal_lodge(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    court: str,
    lodged_on: dt.date,
    occurred_on: dt.date | None = None,
) -> Case:
    """Record the appeal lodged at the administrative court (LFIP Art. 80)."""
    data = {
        "appeal.court": _text("court", court, limit=200),
        "appeal.lodged_on": _not_future("lodged_on", lodged_on).isoformat(),
    }
    return _transition(
        actor, case_id, expected_version, "lodge_appeal", data, occurred_on=occurred_on or lodged_on
    )


def appeal_decision_record(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    outcome: str,
    decided_on: dt.date,
    occurred_on: dt.date | None = None,
) -> Case:
    """Record the court's judgment: the decision upheld, or annulled (then the application
    is examined again: ``appeal_reexamine``)."""
    data = {
        "appeal.outcome": _choice("outcome", outcome, AppealOutcome.values),
        "appeal.decided_on": _not_future("decided_on", decided_on).isoformat(),
    }
    return _transition(
        actor,
        case_id,
        expected_version,
        "record_appeal_decision",
        data,
        occurred_on=occurred_on or decided_on,
    )


def appeal_reexamine(
    *, actor: User, case_id: int, expected_version: int, occurred_on: dt.date | None = None
) -> Case:
    """Examine the application again after the court annulled the decision.

    Raises:
        ValidationError: the court did not annul the decision.
    """
    case = _asylum_case(actor, case_id)
    if case.data.get("appeal", {}).get("outcome") != AppealOutcome.ANNULLED:
        raise ValidationError({"appeal": _("Only an annulled decision is examined again.")})
    # The earlier decision's data stays in the history; the new examination starts clean.
    data = {"decision.outcome": None, "decision.reasons": None, "approval.comments": None}
    return _transition(
        actor, case_id, expected_version, "reopen_after_annulment", data, occurred_on=occurred_on
    )


def negative_finalise(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    final_on: dt.date,
    occurred_on: dt.date | None = None,
) -> Case:
    """Close the case as a final negative decision (hand-over to the removal track, LFIP
    Art. 54).

    Raises:
        ValidationError: the court annulled the decision (it must be examined again).
    """
    case = _asylum_case(actor, case_id)
    if case.data.get("appeal", {}).get("outcome") == AppealOutcome.ANNULLED and (
        case.state == "appeal_decided"
    ):
        raise ValidationError({"appeal": _("The court annulled the decision: examine it again.")})
    data = {"finality.date": _not_future("final_on", final_on).isoformat()}
    return _transition(
        actor,
        case_id,
        expected_version,
        "finalise_negative",
        data,
        occurred_on=occurred_on or final_on,
    )


# --- Reporting duty and withdrawal -------------------------------------------------------------


def reporting_record(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    due_on: dt.date,
    status: str,
    excuse: str = "",
) -> ReportingRecord:
    """Record one reporting day: attended, missed, or missed with an excuse. The case's
    ``reporting.consecutive_missed`` counts the misses without excuse since the last day the
    applicant reported or was excused (LFIP Art. 77(1): three make a ground for implicit
    withdrawal).

    Raises:
        ValidationError: no reporting duty, a date in the future or recorded already, an
            excuse missing or given for a day not missed.
    """
    case = _asylum_case(actor, case_id)
    if not actor.has_perm(roles.MANAGE):
        raise PermissionDenied(_("You may not record reporting."))
    reporting = case.data.get("reporting", {})
    if not reporting.get("frequency"):
        raise ValidationError({"case": _("The applicant has no reporting duty yet.")})
    status = _choice("status", status, ReportingStatus.values)
    excuse = _text("excuse", excuse, limit=300, required=status == ReportingStatus.EXCUSED)
    if excuse and status != ReportingStatus.EXCUSED:
        raise ValidationError({"excuse": _("Only a missed day has an excuse.")})
    _not_future("due_on", due_on)
    if ReportingRecord.objects.filter(case_id=case.pk, due_on=due_on).exists():
        raise ValidationError({"due_on": _("This reporting day is recorded already.")})
    with transaction.atomic():
        entry = ReportingRecord.objects.create(
            case_id=case.pk,
            due_on=due_on,
            status=status,
            place=str(reporting.get("place", ""))[:200],
            excuse=excuse,
            recorded_by=actor,
        )
        # The case's own version, history and audit event record the change (no excuse
        # text in them: the record above keeps it).
        case_services.case_update(
            recorded_by=OWNER,
            actor=actor,
            case_id=case.pk,
            expected_version=expected_version,
            data_changes={
                "reporting.last_on": max(due_on.isoformat(), str(reporting.get("last_on") or "")),
                "reporting.consecutive_missed": consecutive_missed(case_id=case.pk),
            },
        )
    return entry


def application_withdraw(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    kind: str,
    ground: str,
    notes: str = "",
    occurred_on: dt.date | None = None,
) -> Case:
    """Withdraw the application (transition ``withdraw``): explicitly, at the applicant's
    written request, or implicitly (LFIP Art. 77(1)). An implicit withdrawal is a
    supervisor's act; on the ground of missed reporting, the case must show three
    consecutive misses without excuse.

    Raises:
        PermissionDenied: an implicit withdrawal by someone who may not approve decisions.
        ValidationError: unknown kind or ground, or too few missed reporting days.
    """
    kind = _choice("kind", kind, WithdrawalKind.values)
    ground = _choice("ground", ground, WithdrawalGround.values)
    if kind == WithdrawalKind.EXPLICIT and ground != WithdrawalGround.APPLICANT_REQUEST:
        raise ValidationError({"ground": _("An explicit withdrawal is the applicant's request.")})
    if kind == WithdrawalKind.IMPLICIT:
        if ground == WithdrawalGround.APPLICANT_REQUEST:
            raise ValidationError({"ground": _("Choose the ground of LFIP Art. 77(1).")})
        if not actor.has_perm(roles.APPROVE):
            raise PermissionDenied(_("An implicit withdrawal is decided by a supervisor."))
        _asylum_case(actor, case_id)
        if (
            ground == WithdrawalGround.MISSED_REPORTING
            and consecutive_missed(case_id=case_id) < MISSED_REPORTING_LIMIT
        ):
            raise ValidationError(
                {
                    "ground": _(
                        "The applicant has not missed reporting three consecutive times "
                        "without excuse."
                    )
                }
            )
    data = {
        "withdrawal.kind": kind,
        "withdrawal.ground": ground,
        "withdrawal.on": (occurred_on or timezone.localdate()).isoformat(),
        "withdrawal.notes": _text("notes", notes, limit=2000, required=False) or None,
    }
    return _transition(actor, case_id, expected_version, "withdraw", data, occurred_on=occurred_on)
