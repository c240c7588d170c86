"""Every action on an AVRR case, for the pages and the JSON API alike: its form, its title,
the transitions of ``avrr.yaml`` it performs, and how it calls the services.

A page posts the form; the API posts the same fields as JSON (``/api/v1/returns/cases/<id>/
actions/<action>``). Both validate with the same form and call the same service, so the two
cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from ura.apps.accounts.selectors import agencies_of_kinds
from ura.apps.returns import forms, services

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from ura.apps.accounts.models import User

#: Agencies that may receive returnees or provide reintegration assistance.
PARTNER_KINDS = ("ngo", "international_organisation", "social_services")

Perform = Callable[["User", int, int, dict[str, Any], forms.VersionedForm], Any]


@dataclass(frozen=True)
class CaseAction:
    code: str
    title: str | Promise
    form: type[forms.VersionedForm]
    perform: Perform
    transitions: tuple[str, ...] = ()
    needs_partners: bool = False


def partners() -> list[tuple[int, str]]:
    return agencies_of_kinds(kinds=PARTNER_KINDS)


def _step(transition: str) -> Perform:
    def perform(actor: User, case_id: int, version: int, d: dict[str, Any], form: Any) -> Any:
        return services.step_record(
            actor=actor,
            case_id=case_id,
            expected_version=version,
            transition=transition,
            data_changes=form.data_changes(),
        )

    return perform


def _counsel(actor: User, case_id: int, version: int, d: dict[str, Any], form: Any) -> Any:
    return services.counselling_record(
        actor=actor,
        case_id=case_id,
        expected_version=version,
        held_on=d["held_on"],
        language=d["language"],
        interpreter=d["interpreter"],
        topics=d["topics"],
        outcome=d["outcome"],
        notes=d["notes"],
    )


def _screen(actor: User, case_id: int, version: int, d: dict[str, Any], form: Any) -> Any:
    return services.screening_record(
        actor=actor,
        case_id=case_id,
        expected_version=version,
        screened_on=d["screened_on"],
        eligible=d["eligible"],
        basis=d["basis"],
        unaccompanied_child=d["unaccompanied_child"],
        trafficking_victim=d["trafficking_victim"],
        medical_needs=d["medical_needs"],
        medical_notes=d["medical_notes"],
        other_vulnerabilities=d["other_vulnerabilities"],
    )


def _link(actor: User, case_id: int, version: int, d: dict[str, Any], form: Any) -> Any:
    return services.trafficking_link(
        actor=actor,
        case_id=case_id,
        expected_version=version,
        trafficking_case_id=d["trafficking_case_id"],
        consent_given_on=d["consent_given_on"],
    )


def _bid(actor: User, case_id: int, version: int, d: dict[str, Any], form: Any) -> Any:
    return services.best_interests_record(
        actor=actor,
        case_id=case_id,
        expected_version=version,
        held_on=d["held_on"],
        guardian_name=d["guardian_name"],
        guardian_present=d["guardian_present"],
        family_tracing=d["family_tracing"],
        child_views=d["child_views"],
        outcome=d["outcome"],
        reasoning=d["reasoning"],
    )


def _apply(actor: User, case_id: int, version: int, d: dict[str, Any], form: Any) -> Any:
    return services.application_lodge(
        actor=actor,
        case_id=case_id,
        expected_version=version,
        lodged_on=d["lodged_on"],
        destination_country=d["destination_country"],
        destination_place=d["destination_place"],
        voluntariness_declared=d["voluntariness_declared"],
        shared_categories=d["shared_categories"],
        partner_agency_id=d["partner_agency_id"],
        contact_at_destination=d["contact_at_destination"],
        reintegration_intentions=d["reintegration_intentions"],
    )


def _checklist(actor: User, case_id: int, version: int, d: dict[str, Any], form: Any) -> Any:
    return services.pre_departure_update(
        actor=actor, case_id=case_id, expected_version=version, changes=form.changes()
    )


def _doc_request(actor: User, case_id: int, version: int, d: dict[str, Any], form: Any) -> Any:
    return services.travel_document_request(
        actor=actor,
        case_id=case_id,
        expected_version=version,
        consulate=d["consulate"],
        country=d["country"],
        requested_on=d["requested_on"],
    )


def _doc_answer(actor: User, case_id: int, version: int, d: dict[str, Any], form: Any) -> Any:
    return services.travel_document_answer(
        actor=actor,
        case_id=case_id,
        expected_version=version,
        request_id=d["request_id"],
        status=d["status"],
        answered_on=d["answered_on"],
        valid_until=d["valid_until"],
    )


def _move(actor: User, case_id: int, version: int, d: dict[str, Any], form: Any) -> Any:
    return services.movement_record(
        actor=actor,
        case_id=case_id,
        expected_version=version,
        kind=d["kind"],
        date=d["date"],
        place=d["place"],
        notes=d["notes"],
        confirmed_by=d["confirmed_by"],
    )


def _refer(actor: User, case_id: int, version: int, d: dict[str, Any], form: Any) -> Any:
    return services.partner_refer(
        actor=actor, case_id=case_id, expected_version=version, to_agency_id=d["to_agency_id"]
    )


def _answer(actor: User, case_id: int, version: int, d: dict[str, Any], form: Any) -> Any:
    return services.referral_answer(
        actor=actor, case_id=case_id, expected_version=version, accept=d["accept"], note=d["note"]
    )


def _assist(actor: User, case_id: int, version: int, d: dict[str, Any], form: Any) -> Any:
    return services.assistance_add(
        actor=actor,
        case_id=case_id,
        expected_version=version,
        level=d["level"],
        kind=d["kind"],
        description=d["description"],
        provider_agency_id=d["provider_agency_id"],
        planned_on=d["planned_on"],
        amount=d["amount"],
        currency=d["currency"],
    )


def _deliver(actor: User, case_id: int, version: int, d: dict[str, Any], form: Any) -> Any:
    return services.assistance_deliver(
        actor=actor,
        case_id=case_id,
        expected_version=version,
        item_id=d["item_id"],
        delivered_on=d["delivered_on"],
    )


def _monitor(actor: User, case_id: int, version: int, d: dict[str, Any], form: Any) -> Any:
    return services.monitoring_visit_record(
        actor=actor,
        case_id=case_id,
        expected_version=version,
        visited_on=d["visited_on"],
        answers=form.answers(),
        notes=d["notes"],
    )


_ALL = (
    CaseAction("counselling", _("Record a counselling session"), forms.CounsellingForm, _counsel,
               ("record_counselling",)),
    CaseAction("screening", _("Eligibility and vulnerability screening"), forms.ScreeningForm,
               _screen, ("screen_eligible", "screen_not_eligible")),
    CaseAction("trafficking-link", _("Link to the person's trafficking case"),
               forms.TraffickingLinkForm, _link),
    CaseAction("best-interests", _("Best-interests determination"), forms.BestInterestsForm,
               _bid, ("determine_best_interests",)),
    CaseAction("application", _("Application and declaration of voluntariness"),
               forms.ApplicationForm, _apply, ("lodge_application",), needs_partners=True),
    CaseAction("approve", _("Approve the application"), forms.ApproveForm,
               _step("approve_application"), ("approve_application",)),
    CaseAction("reject", _("Reject the application"), forms.RejectForm,
               _step("reject_application"), ("reject_application",)),
    CaseAction("pre-departure", _("Pre-departure checklist"), forms.PreDepartureForm,
               _checklist),
    CaseAction("travel-document", _("Request a travel document"), forms.DocumentRequestForm,
               _doc_request),
    CaseAction("travel-document-answer", _("The consulate's answer"),
               forms.DocumentAnswerForm, _doc_answer),
    CaseAction("movement", _("Departure, transit or arrival"), forms.MovementForm, _move,
               ("record_departure", "record_transit", "confirm_arrival")),
    CaseAction("refer-partner", _("Refer to the partner organisation at destination"),
               forms.PartnerReferralForm, _refer, needs_partners=True),
    CaseAction("referral-answer", _("Answer the referral"), forms.ReferralAnswerForm, _answer),
    CaseAction("reception", _("Reception on arrival"), forms.ReceptionForm,
               _step("record_reception"), ("record_reception",)),
    CaseAction("plan", _("Reintegration assessment and plan"), forms.PlanForm,
               _step("agree_reintegration_plan"), ("agree_reintegration_plan",)),
    CaseAction("assistance", _("Add reintegration assistance"), forms.AssistanceForm, _assist,
               needs_partners=True),
    CaseAction("deliver", _("Assistance delivered"), forms.DeliverForm, _deliver,
               ("record_assistance_delivered",)),
    CaseAction("monitoring", _("Monitoring visit (sustainability survey)"),
               forms.MonitoringForm, _monitor, ("record_monitoring_visit",)),
    CaseAction("withdraw", _("The person withdraws"), forms.WithdrawForm, _step("withdraw"),
               ("withdraw",)),
    CaseAction("close", _("Close the case"), forms.CloseForm, _step("close_case"),
               ("close_case",)),
)  # fmt: skip
ACTIONS: dict[str, CaseAction] = {a.code: a for a in _ALL}
#: Which action performs each transition (the case page links its "next steps" there).
BY_TRANSITION: dict[str, str] = {t: a.code for a in _ALL for t in a.transitions}


def form_for(action: CaseAction, data: Any = None, initial: Any = None) -> forms.VersionedForm:
    if action.needs_partners:
        return action.form(data, initial=initial, partners=partners())  # type: ignore[call-arg]
    return action.form(data, initial=initial)
