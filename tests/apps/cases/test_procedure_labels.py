"""The procedures' labels in the reader's language: every label of every shipped version is in
the generated message list and translated into Turkish, Albanian and Arabic; pages and the API
show them translated while codes and stored data stay as they are."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from tests.apps.cases.factories import make_case
from tests.apps.cases.test_pages import signed_in
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, Unit, User
from ura.apps.asylum import services as asylum_services
from ura.apps.cases import procedure_labels, services
from ura.apps.cases.management.commands import procedure_messages as command
from ura.apps.cases.models import Case, CaseDeadline
from ura.casework.procedures import builtin_procedures, parse_procedure

pytestmark = pytest.mark.django_db

MODULE = Path(procedure_labels.__file__).with_name("procedure_messages.py")
LOCALE = Path(settings.LOCALE_PATHS[0])

# The same state label in every language, as the catalogues translate it.
REGISTERED = {
    "en": "Registered (foreigner ID, province, reporting duty)",
    "tr": "Kaydedildi (yabancı kimlik numarası, il, bildirim yükümlülüğü)",
    "sq": "Regjistruar (nr. identifikimi i të huajit, provinca, detyrimi i paraqitjes)",
    "ar": "مسجَّل (رقم هوية الأجنبي، المحافظة، واجب الإبلاغ)",
}


def _listed() -> list[tuple[str, str]]:
    """The ``(context, text)`` pairs of the generated module, as ``makemessages`` reads them."""
    tree = ast.parse(MODULE.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "pgettext_lazy":
            context, text = (arg.value for arg in node.args if isinstance(arg, ast.Constant))
            found.append((str(context), str(text)))
    return found


def _in(language: str, client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return client


# --- The generated message list ------------------------------------------------------------------


def test_the_generated_module_lists_every_label_of_every_shipped_version() -> None:
    """A label added to a procedure file without regenerating the module fails here."""
    expected = set(procedure_labels.catalogue(builtin_procedures()))
    listed = set(_listed())
    assert not expected - listed, (
        f"missing from {MODULE.name}: {sorted(expected - listed)}; "
        "run `ura manage procedure_messages`, then update the catalogues"
    )
    assert not listed - expected, f"no procedure uses {sorted(listed - expected)}"
    assert MODULE.read_text(encoding="utf-8") == procedure_labels.render_messages_module()


def test_titles_states_phases_steps_deadlines_and_notes_are_all_listed() -> None:
    contexts = {context for context, _ in _listed()}
    assert contexts == set(procedure_labels.CONTEXTS.values())
    asylum = next(p for p in builtin_procedures() if p.code == "asylum")
    listed = set(_listed())
    assert ("procedure state", asylum.state("registered").label) in listed
    assert ("procedure transition", asylum.transition("register").label) in listed
    assert ("procedure deadline", asylum.deadlines[0].label) in listed
    assert ("procedure phase", "registration") in listed
    assert ("procedure title", asylum.title) in listed


_VERSION = """
code: demo
version: {version}
effective_from: 2026-0{version}-01
title: Demo procedure
jurisdiction: TR
legal_basis: Example Law
initial_state: open
states:
  - {{code: open, label: Open, phase: intake}}
  - {{code: closed, label: {closed}, phase: after_decision, terminal: true}}
transitions:
  - {{code: close, label: Closed, from: open, to: closed}}
"""


def test_each_version_keeps_its_labels_and_each_kind_has_its_context() -> None:
    """Cases opened under version 1 still show version 1's words; the same English word is a
    separate message as a state and as a step, so each language may translate it its way."""
    v1 = parse_procedure(_VERSION.format(version=1, closed="Closed"))
    v2 = parse_procedure(_VERSION.format(version=2, closed="Case closed"))
    found = procedure_labels.catalogue([v1, v2])
    assert found[("procedure state", "Closed")] == "demo v1"
    assert found[("procedure state", "Case closed")] == "demo v2"
    assert found[("procedure transition", "Closed")] == "demo v1"
    assert found[("procedure phase", "after decision")] == "demo v1"
    assert list(found).count(("procedure state", "Open")) == 1


def test_the_command_writes_the_module_and_its_check_fails_when_out_of_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "procedure_messages.py"
    monkeypatch.setattr(command, "MODULE", target)
    with pytest.raises(CommandError, match="out of date"):
        call_command("procedure_messages", "--check", stdout=io.StringIO())
    assert not target.exists(), "--check writes nothing"
    out = io.StringIO()
    call_command("procedure_messages", stdout=out)
    assert "texts" in out.getvalue()
    assert target.read_text(encoding="utf-8") == procedure_labels.render_messages_module()
    call_command("procedure_messages", "--check", stdout=io.StringIO())
    # Someone edits a procedure file and forgets to regenerate: one label is missing.
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace('        "Interview scheduled",\n', ""), encoding="utf-8")
    with pytest.raises(CommandError, match="procedure_messages"):
        call_command("procedure_messages", "--check", stdout=io.StringIO())


# --- The catalogues ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["tr", "sq", "ar"])
def test_every_procedure_label_is_translated(language: str) -> None:
    """Arabic too: a procedure's words untranslated would show in English inside a
    right-to-left page."""
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    translated = {(e.msgctxt, e.msgid) for e in po.translated_entries() if "fuzzy" not in e.flags}
    missing = [
        key for key in procedure_labels.catalogue(builtin_procedures()) if key not in translated
    ]
    assert not missing, f"{language}: untranslated {missing}"


@pytest.mark.parametrize("language", ["tr", "sq", "ar"])
def test_translate_uses_the_context_and_leaves_unknown_texts_alone(language: str) -> None:
    with translation.override(language):
        assert procedure_labels.translate("state", REGISTERED["en"]) == REGISTERED[language]
        assert procedure_labels.translate("transition", REGISTERED["en"]) == REGISTERED["en"]
        assert procedure_labels.translate("state", "A label no file has") == "A label no file has"
        assert procedure_labels.phase_label("registration") != "registration"
    with translation.override("en"):
        assert procedure_labels.phase_label("after_departure") == "after departure"


# --- Pages and API ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["tr", "sq", "ar"])
def test_the_rules_page_shows_the_labels_in_the_readers_language(unit: Unit, language: str) -> None:
    client = _in(language, signed_in(make_user(role=RoleCode.ADMINISTRATOR, unit=unit)))
    page = client.get("/cases/procedures/asylum/1/").content.decode()
    assert REGISTERED[language] in page
    assert REGISTERED["en"] not in page
    assert "<code>registered</code>" in page  # codes are never translated
    assert "<code>register</code>" in page


def test_the_rules_page_in_turkish_translates_every_kind_of_text(unit: Unit) -> None:
    client = _in("tr", signed_in(make_user(role=RoleCode.ADMINISTRATOR, unit=unit)))
    page = client.get("/cases/procedures/removal/1/").content.decode()
    assert "Sınır dışı etme (zorla geri gönderme, YUKK)" in page  # title
    assert "6458 sayılı Yabancılar ve Uluslararası Koruma Kanunu (YUKK), 9." in page  # basis
    assert "Tebliğ edildi: sınır dışı etme uygulanacak" in page  # state
    assert "ayrılış sonrası" in page  # phase
    assert "Sınır dışı etmek amacıyla idari gözetim kararı ver (md. 57)" in page  # step
    assert "Azami idari gözetim süresi (6 ay)" in page  # deadline
    assert "Bu süreden sonra idari gözetim ancak" in page  # deadline notes
    listing = client.get("/cases/procedures/").content.decode()
    assert "Geri kabul talebi" in listing


@pytest.fixture
def registered(unit: Unit) -> tuple[User, Case]:
    """An asylum case registered through the service: its state and deadlines are stored."""
    worker = make_user(role=RoleCode.CASEWORKER, unit=unit)
    case = make_case(
        owner=worker,
        state="request_made",
        assigned=(worker,),
        data={
            "foreigner_id": "99123456789",
            "assigned_province": "06",
            "reporting": {"frequency": "weekly"},
        },
    )
    case = services.case_transition(
        actor=worker,
        case_id=case.pk,
        transition="register",
        expected_version=case.version,
        recorded_by=asylum_services.OWNER,
    )
    return worker, case


def test_the_case_page_in_turkish_shows_state_and_deadlines_in_turkish(
    registered: tuple[User, Case],
) -> None:
    worker, case = registered
    page = _in("tr", signed_in(worker)).get(f"/cases/{case.pk}/").content.decode()
    assert REGISTERED["tr"] in page
    assert "Uluslararası koruma (YUKK)" in page
    assert "evre: kayıt" in page
    stored = list(CaseDeadline.objects.filter(case=case))
    assert stored, "registering starts the interview and decision deadlines"
    with translation.override("tr"):
        for deadline in stored:
            assert procedure_labels.translate("deadline", deadline.label) in page
    assert "Kişisel mülakat (olağan usul)" in page
    # Nothing stored changed: the state is a code, deadlines keep the procedure's English.
    case.refresh_from_db()
    assert case.state == "registered"
    assert {d.label for d in stored} <= {
        rule.label for p in builtin_procedures() if p.code == "asylum" for rule in p.deadlines
    }


def test_the_case_api_answers_labels_in_the_readers_language_codes_unchanged(
    registered: tuple[User, Case],
) -> None:
    worker, case = registered
    body = _in("sq", signed_in(worker)).get(f"/api/v1/cases/{case.pk}").json()
    assert body["state"] == "registered"
    labels = {d["code"]: d["label"] for d in body["deadlines"]}
    assert labels["interview_regular"] == "Intervista personale (procedura e rregullt)"
    steps = {t["code"]: t["label"] for t in body["transitions"]}
    assert steps["start_screening"] == "Fillo shqyrtimin paraprak"


def test_the_work_queue_and_case_list_show_states_in_the_readers_language(
    registered: tuple[User, Case],
) -> None:
    worker, _case = registered
    client = _in("ar", signed_in(worker))
    assert REGISTERED["ar"] in client.get("/cases/").content.decode()
    queue = client.get("/cases/queue/").content.decode()
    assert REGISTERED["ar"] in queue
    assert "المقابلة الشخصية (الإجراء العادي)" in queue  # the nearest deadline
