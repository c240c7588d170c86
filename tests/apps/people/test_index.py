"""The person index: cross-script search, the 360° view, clerical review, publication."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client

from tests.conftest import login
from tests.factories import make_record, make_unit, make_user
from ura.apps.accounts.models import RoleCode, Scope, User
from ura.apps.core.models import AuditAction, AuditEvent
from ura.apps.people import index
from ura.apps.people.linking import (
    LineageChange,
    RunOutcome,
    ScoredPair,
    current_assignment,
    run_start,
    run_store_and_publish,
)
from ura.apps.people.models import (
    LinkageRunStatus,
    PersonRecord,
    ReviewDecisionKind,
    ReviewPair,
)
from ura.apps.people.services import person_name_keys_refresh

pytestmark = pytest.mark.django_db

EVIDENCE = [
    {"comparison": "Prior", "description": "two records picked at random", "weight": -9.5},
    {"comparison": "Full name", "description": "same after transliteration", "weight": 11.2},
    {"comparison": "Date of birth", "description": "same year of birth only", "weight": 2.1},
]


def _record(owner: User, **values: str) -> PersonRecord:
    record = make_record(owner=owner, **values)
    person_name_keys_refresh([record])
    return record


@pytest.fixture
def steward() -> User:
    return make_user(role=RoleCode.DATA_STEWARD, scope=Scope.ALL)


def _publish(steward: User, records: list[PersonRecord], review: list[ScoredPair] = ()) -> str:  # type: ignore[assignment]
    run = run_start(
        actor=steward, mode="full", engine="duckdb", threshold=0.9, review_band=(0.5, 0.9)
    )
    person_of = {r.pk: "PTESTPERSON1" for r in records}
    pairs = [ScoredPair(records[0].pk, r.pk, 0.99, 12.0, EVIDENCE) for r in records[1:]]
    run_store_and_publish(
        actor=steward,
        run=run,
        outcome=RunOutcome(
            model_json="{}",
            person_of=person_of,
            weakest={r.pk: (0.99 if len(records) > 1 else None) for r in records},
            pairs=pairs,
            review=list(review),
            lineage=[LineageChange("new", "PTESTPERSON1", [], len(records))],
        ),
    )
    return "PTESTPERSON1"


def test_search_matches_across_scripts_and_spellings(steward: User) -> None:
    latin = _record(steward, given_names="Ahmad", family_name="Al-Hassan")
    arabic = _record(steward, given_names="أحمد", family_name="الحسن")
    _record(steward, given_names="Olena", family_name="Kovalenko")
    found = index.person_search(actor=steward, query=index.SearchQuery(name="Ahmed Hasan"))
    shown = {r.pk for c in found for r in c.records}
    assert {latin.pk, arabic.pk} <= shown
    assert all("Kovalenko" not in r.family_name for c in found for r in c.records)
    audited = AuditEvent.objects.filter(action=AuditAction.SEARCH, actor_id=steward.pk)
    assert {e.object_id for e in audited} >= {str(latin.pk), str(arabic.pk)}


def test_search_groups_records_by_person_and_ranks_documents_first(steward: User) -> None:
    a = _record(steward, given_names="Mohammad", family_name="Rahimi", document_number="P1234567")
    b = _record(steward, given_names="Mohammed", family_name="Rahimi", document_number="")
    _record(steward, given_names="Mohammad", family_name="Rahimi", document_number="X99")
    _publish(steward, [a, b])
    found = index.person_search(
        actor=steward, query=index.SearchQuery(name="Mohammad Rahimi", document_number="p 1234567")
    )
    assert found[0].person_id == "PTESTPERSON1"
    assert {r.pk for r in found[0].records} == {a.pk, b.pk}
    assert "document number" in found[0].reasons


def test_search_never_shows_records_outside_the_users_view(steward: User) -> None:
    other_unit = make_unit()
    caseworker = make_user(role=RoleCode.CASEWORKER, unit=other_unit)
    _record(steward, given_names="Yusuf", family_name="Demir")
    assert index.person_search(actor=caseworker, query=index.SearchQuery(name="Yusuf Demir")) == []
    # The empty search is audited too, without what was searched for.
    event = AuditEvent.objects.get(action=AuditAction.SEARCH, actor_id=caseworker.pk)
    assert event.detail["results"] == 0
    assert "Yusuf" not in str(event.detail)


def test_search_requires_the_right_to_view_records() -> None:
    analyst = make_user(role=RoleCode.ANALYST)
    with pytest.raises(PermissionDenied):
        index.person_search(actor=analyst, query=index.SearchQuery(name="Ali"))


def test_person_view_shows_only_visible_records_with_evidence(steward: User) -> None:
    unit = make_unit()
    caseworker = make_user(role=RoleCode.CASEWORKER, unit=unit)
    mine = make_record(owner=caseworker, given_names="Sara", family_name="Karimi")
    theirs = _record(steward, given_names="Sara", family_name="Karimi")
    person_id = _publish(steward, [mine, theirs])

    view = index.access_person_view(caseworker, person_id)
    assert [r.pk for r in view.records] == [mine.pk]
    assert view.evidence == []  # the pair involves a record the caseworker may not see

    full = index.access_person_view(steward, person_id)
    assert {r.pk for r in full.records} == {mine.pk, theirs.pk}
    assert full.evidence[0].items[1].description == "same after transliteration"
    steps = full.evidence[0].items
    assert [round(i.total, 1) for i in steps] == [-9.5, 1.7, 3.8]  # the waterfall adds up
    assert steps[0].probability < 0.01 < 0.9 < steps[-1].probability
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, actor_id=steward.pk, object_id=str(theirs.pk)
    ).exists()


def test_person_view_of_an_invisible_person_is_not_found_and_audited(steward: User) -> None:
    record = _record(steward, given_names="Leyla", family_name="Aliyeva")
    person_id = _publish(steward, [record])
    stranger = make_user(role=RoleCode.CASEWORKER, unit=make_unit())
    with pytest.raises(Http404):
        index.access_person_view(stranger, person_id)
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, actor_id=stranger.pk, object_id=person_id
    ).exists()


def test_publication_moves_the_head_and_supersedes_the_previous_run(steward: User) -> None:
    record = _record(steward, given_names="Ilir", family_name="Krasniqi")
    _publish(steward, [record])
    first = index.current_run()
    assert first is not None
    assert first.status == LinkageRunStatus.PUBLISHED
    _publish(steward, [record])
    second = index.current_run()
    assert second is not None
    assert second.pk != first.pk
    first.refresh_from_db()
    assert first.status == LinkageRunStatus.SUPERSEDED
    assert current_assignment() == {record.pk: "PTESTPERSON1"}


def test_review_decisions_are_audited_and_become_constraints(steward: User) -> None:
    a = _record(steward, given_names="Ali", family_name="Hosseini")
    b = _record(steward, given_names="Aly", family_name="Hosseiny")
    c = _record(steward, given_names="Ali", family_name="Husseini")
    _publish(
        steward,
        [a],
        review=[ScoredPair(a.pk, b.pk, 0.7, 1.5, EVIDENCE), ScoredPair(c.pk, a.pk, 0.6, 0.8, [])],
    )
    queue = list(index.review_queue(actor=steward))
    assert len(queue) == 2
    first, second = sorted(queue, key=lambda p: p.pk)
    index.review_decide(actor=steward, pair_id=first.pk, decision=ReviewDecisionKind.SAME)
    index.review_decide(
        actor=steward, pair_id=second.pk, decision=ReviewDecisionKind.DIFFERENT, note="twins"
    )
    must, cannot = index.review_constraints()
    assert must == [(a.pk, b.pk)]
    assert cannot == [(a.pk, c.pk)]
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.UPDATE, object_type="people.reviewpair", actor_id=steward.pk
        ).count()
        == 2
    )
    # A later run that finds the pair again keeps the decision.
    _publish(steward, [a], review=[ScoredPair(a.pk, b.pk, 0.8, 2.0, [])])
    assert ReviewPair.objects.get(pk=first.pk).decision == ReviewDecisionKind.SAME


def test_review_queue_hides_pairs_with_a_record_the_reviewer_may_not_see(steward: User) -> None:
    unit = make_unit()
    supervisor = make_user(role=RoleCode.SUPERVISOR, unit=unit)
    mine = make_record(owner=supervisor)
    theirs = _record(steward)
    _publish(steward, [mine], review=[ScoredPair(mine.pk, theirs.pk, 0.7, 1.0, [])])
    assert list(index.review_queue(actor=supervisor)) == []
    pair = ReviewPair.objects.get()
    with pytest.raises(Http404):
        index.review_decide(actor=supervisor, pair_id=pair.pk, decision=ReviewDecisionKind.SAME)


def test_index_pages_render_for_a_steward(client: Client, steward: User) -> None:
    a = _record(steward, given_names="Ahmad", family_name="Al-Hassan")
    b = _record(steward, given_names="أحمد", family_name="الحسن")
    person_id = _publish(steward, [a, b], review=[ScoredPair(a.pk, b.pk, 0.7, 1.0, EVIDENCE)])
    login(client, steward)
    page = client.get("/people/index/", {"name": "Ahmed Hassan"})
    assert page.status_code == 200
    assert person_id in page.content.decode()
    person = client.get(f"/people/index/{person_id}/")
    assert person.status_code == 200
    assert "same after transliteration" in person.content.decode()
    assert client.get("/people/review/").status_code == 200
    pair = ReviewPair.objects.get()
    assert client.get(f"/people/review/{pair.pk}/").status_code == 200
    decided = client.post(f"/people/review/{pair.pk}/", {"decision": "different", "note": ""})
    assert decided.status_code == 302
    assert client.get("/people/runs/").status_code == 200


def test_index_api_searches_shows_and_decides(client: Client, steward: User) -> None:
    a = _record(steward, given_names="Юрий", family_name="Петров")
    b = _record(steward, given_names="Yuriy", family_name="Petrov")
    person_id = _publish(steward, [a, b], review=[ScoredPair(a.pk, b.pk, 0.7, 1.0, EVIDENCE)])
    login(client, steward)
    found = client.get("/api/v1/people/index/search", {"name": "Iurii Petrov"}).json()
    assert found["results"][0]["person_id"] == person_id
    person = client.get(f"/api/v1/people/index/persons/{person_id}").json()
    assert {r["id"] for r in person["records"]} == {a.pk, b.pk}
    assert person["links"][0]["evidence"][1]["finding"] == "same after transliteration"
    pair = ReviewPair.objects.get()
    bad = client.post(
        f"/api/v1/people/index/review/{pair.pk}",
        {"decision": "maybe"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    ok = client.post(
        f"/api/v1/people/index/review/{pair.pk}",
        {"decision": "same"},
        content_type="application/json",
    )
    assert ok.json()["decision"] == "same"
    assert client.get("/api/v1/people/index/persons/PNOSUCHPERSN").status_code == 404


@pytest.mark.parametrize("role", list(RoleCode))
def test_the_index_never_shows_a_role_more_than_its_record_list(role: RoleCode) -> None:
    """For every role, search results and the person view hold only records the same user's
    record list would show (one need-to-know rule, whatever the page)."""
    from ura.apps.people.selectors import person_record_queryset

    steward = make_user(role=RoleCode.DATA_STEWARD, scope=Scope.ALL)
    user = make_user(role=role)
    records = [
        _record(steward, given_names="Omar", family_name="Farouk"),
        _record(user, given_names="Omar", family_name="Farouk")
        if user.unit is not None and role != RoleCode.ADMINISTRATOR
        else _record(steward, given_names="Omar", family_name="Faruk"),
        _record(make_user(role=RoleCode.CASEWORKER), given_names="Omer", family_name="Faruq"),
    ]
    person_id = _publish(steward, records)
    allowed = set(person_record_queryset(actor=user).values_list("pk", flat=True))
    if not user.has_perm("people.view_personrecord"):
        with pytest.raises(PermissionDenied):
            index.person_search(actor=user, query=index.SearchQuery(name="Omar Farouk"))
        return
    found = index.person_search(actor=user, query=index.SearchQuery(name="Omar Farouk"))
    assert {r.pk for c in found for r in c.records} <= allowed
    if allowed & {r.pk for r in records}:
        view = index.access_person_view(user, person_id)
        assert {r.pk for r in view.records} == allowed & {r.pk for r in records}
    else:
        with pytest.raises(Http404):
            index.access_person_view(user, person_id)
