"""The demo scenario: reproducible, idempotent, one user per role, agencies kept apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from ura.apps.accounts.models import AccessGrant, Agency, AgencyKind, RoleAssignment, RoleCode, User
from ura.apps.cases.models import Case, CaseDeadline, CaseDecision, CaseEvent
from ura.apps.core.models import AuditEvent
from ura.apps.people.models import PersonRecord
from ura.apps.sources.models import IngestBatch, QuarantinedRow, Source
from ura.web.demo import DEMO_PASSWORD, DEMO_RECORDS, demo_extracts_load, demo_load
from ura.web.demo_cases import demo_cases_load


@pytest.mark.django_db
def test_demo_has_one_user_per_role_and_the_seed_institutions() -> None:
    """Every role has a demo user; both countries and every kind of agency are present."""
    users = demo_load()
    roles = {a.role.code for a in RoleAssignment.objects.select_related("role")}
    assert roles == {code.value for code in RoleCode}
    assert {a.country for a in Agency.objects.all()} == {"TR", "XK"}
    assert {a.kind for a in Agency.objects.all()} >= {k.value for k in AgencyKind} - {
        AgencyKind.JUDICIARY.value
    }
    assert Agency.objects.filter(kind=AgencyKind.NGO).count() >= 2
    assert len(users) == User.objects.count()
    assert PersonRecord.objects.count() == DEMO_RECORDS


@pytest.mark.django_db
def test_running_the_demo_twice_changes_nothing() -> None:
    """A second run creates no agency, user, record, grant or audit event."""
    demo_load()
    counts = [m.objects.count() for m in (Agency, User, PersonRecord, AccessGrant, AuditEvent)]
    demo_load()
    assert [
        m.objects.count() for m in (Agency, User, PersonRecord, AccessGrant, AuditEvent)
    ] == counts


@pytest.mark.django_db
def test_demo_records_are_reproducible() -> None:
    """The synthetic records come from a fixed seed: the same names every time."""
    demo_load()
    first = list(PersonRecord.objects.order_by("pk").values_list("family_name", "nationality"))
    PersonRecord.objects.all().delete()
    demo_load()
    again = list(PersonRecord.objects.order_by("pk").values_list("family_name", "nationality"))
    assert again == first


@pytest.mark.django_db
def test_demo_caseworkers_of_two_agencies_see_different_records(client: Client) -> None:
    """The two provincial caseworkers each see only their own unit's records."""
    demo_load()
    seen = {}
    for name in ("caseworker.istanbul", "caseworker.gaziantep"):
        user = User.objects.get(username=name)
        c = Client()
        assert (
            c.post("/accounts/login/", {"username": name, "password": DEMO_PASSWORD}).status_code
            == 302
        )
        body = c.get("/api/v1/people/records?page=1").json()
        seen[name] = body["count"]
        assert body["count"] == PersonRecord.objects.filter(owning_unit=user.unit).count() > 0
    assert sum(seen.values()) < PersonRecord.objects.count()


@pytest.mark.django_db
def test_partner_ngo_sees_exactly_the_records_referred_to_it() -> None:
    """The shelter NGO sees the trafficking referrals the police granted it, nothing else."""
    demo_load()
    c = Client()
    c.post("/accounts/login/", {"username": "ngo.shelter", "password": DEMO_PASSWORD})
    body = c.get("/api/v1/people/records").json()
    granted = set(AccessGrant.objects.values_list("object_id", flat=True))
    assert granted
    assert {str(r["id"]) for r in body["results"]} == granted


@pytest.mark.django_db
def test_demo_extracts_are_ingested_and_linked_into_a_published_index(tmp_path: Path) -> None:
    """The demo's agency extracts go through ingest (with a quarantine) and linkage."""
    demo_load()
    run = demo_extracts_load(tmp_path, persons=300)
    assert run is not None
    assert run.figures["persons"] < run.figures["records"]  # records were linked
    assert Source.objects.count() == 7
    assert all(b.reconciles for b in IngestBatch.objects.all())
    assert QuarantinedRow.objects.exists()
    assert PersonRecord.objects.filter(source="ngo-shelter-intake").exists()
    assert demo_extracts_load(tmp_path, persons=300) is None  # re-running changes nothing


@pytest.mark.django_db
def test_demo_casework_spans_the_procedures_and_keeps_need_to_know(tmp_path: Path) -> None:
    """Asylum cases at many stages with a backlog, decisions awaiting approval, approved
    decisions with their PDF; trafficking cases referred to the shelter, which sees exactly
    those; every case made through the services (history and audit), re-running adds none."""
    users = {u.username: u for u, _, _ in demo_load()}
    demo_extracts_load(tmp_path, persons=300)
    opened = demo_cases_load(users, asylum_cases=60, trafficking_cases=36)
    assert opened == (60, 36)
    asylum = Case.objects.filter(procedure_code="asylum")
    assert asylum.values("state").distinct().count() >= 8
    assert asylum.filter(owning_unit=users["caseworker.gaziantep"].unit).exists()
    assert CaseDeadline.objects.filter(status="overdue", code="decision_regular").exists()
    assert CaseDecision.objects.filter(status="approved", document__isnull=False).exists()
    assert not CaseEvent.objects.filter(occurred_on__gt=timezone.localdate()).exists()
    trafficking = Case.objects.filter(procedure_code="trafficking")
    assert trafficking.count() == 36
    assert all(trafficking.values_list("restricted", flat=True))
    shelter_unit = users["ngo.shelter"].unit
    assert shelter_unit is not None
    shelter = Client()
    shelter.force_login(users["ngo.shelter"])
    seen = {c["id"] for c in shelter.get("/api/v1/cases/").json()["results"]}
    referred = set(
        trafficking.filter(
            referrals__to_agency=shelter_unit.agency_id,
            referrals__status__in=["in_progress", "accepted"],
        ).values_list("pk", flat=True)
    )
    assert referred
    assert seen == referred
    assert AuditEvent.objects.filter(object_type="cases.case").exists()
    assert demo_cases_load(users) == (0, 0)
