"""The write forms the case page folds away (priority and vulnerabilities, adding a person,
referral, transfer) are built only when asked for: the page links to each, its GET shows the
form — alone for the page's htmx request, as a page of its own without JavaScript — with the
case version the user read, under the same access rules and audit as the case page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.apps.cases.factories import make_case, make_consent
from tests.apps.cases.test_pages import procedures  # noqa: F401 -- the test procedure fixture
from tests.conftest import login
from tests.factories import make_agency, make_unit, make_user
from ura.apps.accounts.models import RoleCode, Unit, User
from ura.apps.cases.models import Case, Referral
from ura.apps.core.models import AuditAction, AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("procedures")]

#: Each folded form: the address it posts to (and whose GET shows it), and a field of it.
FOLDED = {
    "update": "vulnerabilities",
    "persons": "household_group",
    "referrals": "recipient",
    "transfers": "to_unit",
}


@pytest.fixture
def worker(unit: Unit) -> User:
    return make_user(role=RoleCode.CASEWORKER, unit=unit)


@pytest.fixture
def case(worker: User) -> Case:
    return make_case(owner=worker, procedure="pagetest", assigned=(worker,))


@pytest.fixture
def ngo_unit(db: None) -> Unit:
    unit = make_unit(agency=make_agency(code="shelter-ngo"))
    make_user(role=RoleCode.CASEWORKER, unit=unit)  # a unit with people: a hand-off recipient
    return unit


def _views(user: User, case: Case) -> int:
    return AuditEvent.objects.filter(
        actor_id=user.pk, action=AuditAction.VIEW, object_type="cases.case", object_id=str(case.pk)
    ).count()


def test_the_case_page_links_to_each_folded_form_without_building_it(
    worker: User, case: Case, ngo_unit: Unit
) -> None:
    page = login(Client(), worker).get(f"/cases/{case.pk}/").content.decode()
    for path, field in FOLDED.items():
        url = f"/cases/{case.pk}/{path}?version={case.version}"
        assert f'hx-get="{url}"' in page  # loaded in place when the <details> opens
        assert f'href="{url}"' in page  # and reachable without JavaScript
        assert f'name="{field}"' not in page
    assert f"unit:{ngo_unit.pk}" not in page  # the hand-off recipients are not listed


@pytest.mark.parametrize("path", list(FOLDED))
def test_a_folded_form_is_a_page_or_a_fragment_with_the_version_read(
    worker: User, case: Case, ngo_unit: Unit, path: str
) -> None:
    """Without JavaScript the form comes as a page naming the case; for the page's htmx
    request as the form alone. Either way it carries the version the user read on the case
    page, not the current one, and is audited as a view of the case."""
    client = login(Client(), worker)
    url = f"/cases/{case.pk}/{path}"
    views = _views(worker, case)
    page = client.get(url, {"version": 7})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>" in html
    assert case.reference in html
    assert f'<form method="post" action="{url}"' in html or (
        f'enctype="multipart/form-data" action="{url}"' in html
    )
    assert f'name="{FOLDED[path]}"' in html
    assert re.search(r'name="version" value="7"', html)
    fragment = client.get(url, {"version": case.version}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    part = fragment.content.decode()
    assert part.lstrip().startswith("<form")
    assert "<html" not in part
    assert f'name="version" value="{case.version}"' in part
    assert "HX-Request" in fragment["Vary"]
    assert _views(worker, case) == views + 2


def test_the_referral_form_lists_the_recipients(worker: User, case: Case, ngo_unit: Unit) -> None:
    html = login(Client(), worker).get(f"/cases/{case.pk}/referrals").content.decode()
    assert f'value="unit:{ngo_unit.pk}"' in html
    assert f'value="agency:{ngo_unit.agency_id}"' in html


@pytest.mark.parametrize("path", list(FOLDED))
def test_a_folded_form_is_not_found_outside_the_users_view(case: Case, path: str) -> None:
    """Another unit's caseworker: "not found", as for the case page, and audited."""
    stranger = make_user(role=RoleCode.CASEWORKER)
    response = login(Client(), stranger).get(f"/cases/{case.pk}/{path}")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        actor_id=stranger.pk, action=AuditAction.ACCESS_DENIED, object_id=str(case.pk)
    ).exists()


def test_only_the_owning_agency_is_offered_the_transfer(
    worker: User, case: Case, ngo_unit: Unit
) -> None:
    """A recipient who may change the referred case refers it on, but does not transfer it
    (the case page does not offer it either)."""
    recipient = make_user(role=RoleCode.CASEWORKER, unit=ngo_unit)
    make_consent(case=case, kind="referral")
    login(Client(), worker).post(
        f"/cases/{case.pk}/referrals",
        {
            "version": case.version,
            "recipient": f"unit:{ngo_unit.pk}",
            "service": "legal aid",
            "can_change": "on",
        },
    )
    assert Referral.objects.filter(case=case, can_change=True).exists()
    client = login(Client(), recipient)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/referrals?version=" in page
    assert f"/cases/{case.pk}/transfers?version=" not in page
    assert client.get(f"/cases/{case.pk}/referrals").status_code == 200
    assert client.get(f"/cases/{case.pk}/transfers").status_code == 403
