"""A user of another agency cannot open a record; the owner's caseworker can."""

import re

import pytest
from django.test import Client

from tests.conftest import login
from tests.factories import make_record, make_user
from ura.apps.accounts.models import RoleCode


@pytest.mark.django_db
def test_record_is_invisible_to_another_agency(client: Client) -> None:
    owner = make_user(role=RoleCode.CASEWORKER)
    other = make_user(role=RoleCode.CASEWORKER)
    record = make_record(owner=owner)
    assert login(Client(), owner).get(f"/people/{record.pk}/").status_code == 200
    assert login(client, other).get(f"/people/{record.pk}/").status_code == 404
    assert client.get(f"/api/v1/people/records/{record.pk}").status_code == 404


@pytest.mark.django_db
def test_another_agencys_record_looks_exactly_like_a_missing_one(client: Client) -> None:
    """The 404 for another agency's record is the same, status and body, as the 404 for an
    id that does not exist, on the page and in the API: an id reveals nothing."""
    record = make_record(owner=make_user(role=RoleCode.SUPERVISOR))
    missing = record.pk + 1000
    login(client, make_user(role=RoleCode.SUPERVISOR))
    for url in ("/people/{}/", "/api/v1/people/records/{}"):
        foreign = client.get(url.format(record.pk))
        absent = client.get(url.format(missing))
        assert foreign.status_code == absent.status_code == 404
        assert _neutral(foreign.content, record.pk) == _neutral(absent.content, missing)


def _neutral(content: bytes, record_id: int) -> str:
    """The page without what differs on every request anyway: the CSRF token and the id
    asked for (the language form echoes the address)."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", content.decode())
    return text.replace(f"/people/{record_id}/", "/people/ID/")
