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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("precision", "shown"),
    [("day", "1987-04-25"), ("month", "1987-04"), ("year", "1987"), ("unknown", "")],
)
def test_date_of_birth_is_shown_only_as_precisely_as_it_is_known(
    client: Client, precision: str, shown: str
) -> None:
    """A year-only date (stored as 1 January or any day) shows as the year, never as a day."""
    import datetime as dt

    owner = make_user(role=RoleCode.CASEWORKER)
    record = make_record(
        owner=owner, date_of_birth=dt.date(1987, 4, 25), date_of_birth_precision=precision
    )
    assert record.date_of_birth_text() == shown
    page = login(client, owner).get("/people/").content.decode()
    if shown:
        assert f"<td>{shown}</td>" in page
    assert "April 25, 1987" not in page
