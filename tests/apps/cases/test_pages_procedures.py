"""The procedure pages with the procedures Ura ships: administrators and supervisors read
every rule — states, guarded steps, deadlines with their legal references — and how a new
version is added."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.apps.cases.test_pages import signed_in
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, Unit
from ura.casework.procedures import builtin_registry

pytestmark = pytest.mark.django_db


def test_the_list_shows_every_shipped_version_with_its_dates(unit: Unit) -> None:
    page = signed_in(make_user(role=RoleCode.SUPERVISOR, unit=unit)).get("/cases/procedures/")
    assert page.status_code == 200
    text = page.content.decode()
    for procedure in builtin_registry().codes():
        for version in builtin_registry().versions(procedure):
            assert f"/cases/procedures/{procedure}/{version.version}/" in text
            assert version.effective_from.isoformat() in text
    assert "Never edit a version that cases were opened under." in text


def test_the_asylum_page_lists_its_deadlines_with_their_legal_references(unit: Unit) -> None:
    asylum = builtin_registry().versions("asylum")[-1]
    client = signed_in(make_user(role=RoleCode.ADMINISTRATOR, unit=unit))
    page = client.get(f"/cases/procedures/asylum/{asylum.version}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert asylum.deadlines, "the shipped asylum procedure has deadline rules"
    for rule in asylum.deadlines:
        section = text[text.index(f'id="deadline-{rule.code}"') :]
        section = section[: section.index("</section>")]
        assert rule.label in section
        assert rule.legal_reference in section
        if rule.check:
            assert "check: found only in secondary sources" in section
    accelerated = text[text.index('id="deadline-interview_accelerated"') :]
    assert "LFIP Art. 79" in accelerated[: accelerated.index("</section>")]
    # Steps with their guards.
    register = asylum.transition("register")
    assert register.label in text
    for path in register.guards.required:
        assert f"<code>{path}</code>" in text
    assert "asylum.register_application" in text


def test_a_caseworker_cannot_read_the_rules_pages(caseworker: object) -> None:
    client = Client()
    client.force_login(caseworker)  # type: ignore[arg-type]
    assert client.get("/cases/procedures/asylum/1/").status_code == 403
