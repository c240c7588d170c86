"""Optimistic locking: two people writing the same case never silently overwrite each other."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from tests.apps.cases.factories import make_case
from tests.conftest import login
from tests.factories import make_unit, make_user
from ura.apps.accounts.models import RoleCode
from ura.apps.cases.models import Case, CaseEvent, CaseNote
from ura.apps.cases.services import CaseConflictError, case_note_add
from ura.apps.core.models import AuditAction, AuditEvent

API = "/api/v1/cases"


@pytest.mark.django_db
def test_a_second_write_with_the_same_version_gets_409_with_the_current_version() -> None:
    unit = make_unit()
    owner = make_user(role=RoleCode.CASEWORKER, unit=unit)
    case = make_case(owner=owner)
    first = login(Client(), make_user(role=RoleCode.CASEWORKER, unit=unit))
    second = login(Client(), make_user(role=RoleCode.CASEWORKER, unit=unit))
    url = f"{API}/{case.pk}"
    ok = first.patch(url, json.dumps({"version": 1, "priority": "high"}), "application/json")
    assert ok.status_code == 200
    late = second.patch(url, json.dumps({"version": 1, "priority": "urgent"}), "application/json")
    assert late.status_code == 409
    assert late.json()["current_version"] == 2
    assert "changed by someone else" in late.json()["detail"]
    note = second.post(f"{url}/notes", json.dumps({"version": 1, "text": "x"}), "application/json")
    assert note.status_code == 409
    case.refresh_from_db()
    assert (case.priority, case.version) == ("high", 2)
    assert not CaseNote.objects.exists()
    updates = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(case.pk))
    assert updates.count() == 1


@pytest.mark.django_db
def test_of_two_writers_who_read_the_same_version_exactly_one_wins() -> None:
    """Both writers read version 1 before either writes (the race optimistic locking is
    for): the first write wins, the second is refused and changes nothing. This is the
    interleaving every database produces; SQLite serialises the writes themselves."""
    unit = make_unit()
    writers = [make_user(role=RoleCode.CASEWORKER, unit=unit) for _ in range(2)]
    case = make_case(owner=writers[0])
    read = [Case.objects.get(pk=case.pk).version for _ in writers]
    assert read == [1, 1]
    case_note_add(actor=writers[0], case_id=case.pk, expected_version=read[0], text="first")
    with pytest.raises(CaseConflictError) as conflict:
        case_note_add(actor=writers[1], case_id=case.pk, expected_version=read[1], text="second")
    assert conflict.value.current_version == 2
    assert list(CaseNote.objects.values_list("text", flat=True)) == ["first"]
    assert Case.objects.get(pk=case.pk).version == 2


@pytest.fixture
def thread_connections() -> Iterator[None]:
    yield
    connections.close_all()


@pytest.mark.skipif(
    not connection.features.test_db_allows_multiple_connections,
    reason="the test database cannot be written from two connections at once (in-memory SQLite)",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("thread_connections")
def test_two_concurrent_writers_with_the_same_version_exactly_one_wins() -> None:
    """Two writers read version 1 and write at the same moment, each in its own
    transaction on its own connection: one note is added, the other writer gets a conflict,
    and the case is at version 2 with one history event for the note."""
    unit = make_unit()
    writers = [make_user(role=RoleCode.CASEWORKER, unit=unit) for _ in range(2)]
    case = make_case(owner=writers[0])
    start = threading.Barrier(2)
    outcomes: list[str] = []
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            with transaction.atomic():
                case_note_add(
                    actor=writers[n], case_id=case.pk, expected_version=1, text=f"note {n}"
                )
            outcomes.append("won")
        except CaseConflictError:
            outcomes.append("conflict")
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert sorted(outcomes) == ["conflict", "won"]
    assert Case.objects.get(pk=case.pk).version == 2
    assert CaseNote.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, kind="note_added").count() == 1
