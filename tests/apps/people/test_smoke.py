"""A user of another agency cannot open a record; the owner's caseworker can."""

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
