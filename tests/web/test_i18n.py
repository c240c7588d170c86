"""The interface's languages: complete catalogues, compiled and committed, a working language
switcher, and right-to-left pages for Arabic."""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from tests.conftest import login
from tests.factories import make_record, make_user
from ura.apps.accounts.models import RoleCode, User

LOCALE = Path(settings.LOCALE_PATHS[0])
CATALOGUED = ("tr", "sq", "ar")
COMPLETE = ("tr", "sq")  # the interface languages: every string must be translated
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")

#: The files makemessages reads for the ``django`` domain (its default extensions).
EXTRACTED = (".py", ".html", ".txt")

Messages = dict[tuple[str | None, str], tuple[str, ...]]
Key = tuple[str | None, str]


def _messages(catalogue: polib.POFile | polib.MOFile) -> Messages:
    """The translated messages a running Ura would use: key -> translation(s)."""
    found: Messages = {}
    for entry in catalogue:
        if entry.obsolete or "fuzzy" in entry.flags or not entry.msgid:
            continue
        if entry.msgid_plural:
            forms = tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
            if all(forms):
                found[(entry.msgctxt, entry.msgid)] = forms
        elif entry.msgstr:
            found[(entry.msgctxt, entry.msgid)] = (entry.msgstr,)
    return found


def _po(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", CATALOGUED)
def test_committed_mo_matches_its_po(language: str) -> None:
    """Each compiled .mo (committed, since a fresh machine may have no gettext) holds exactly
    the translations of its .po: a .po edited without recompiling fails here."""
    mo_path = LOCALE / language / "LC_MESSAGES" / "django.mo"
    assert mo_path.is_file(), f"{mo_path} is missing: run `ura manage compilemessages`"
    po = _po(language)
    in_memory = polib.mofile(po.to_binary())
    committed = polib.mofile(str(mo_path))
    assert _messages(committed) == _messages(in_memory), (
        f"{mo_path} is out of date with its .po: run `ura manage compilemessages` in src/ura"
    )


@pytest.mark.parametrize("language", COMPLETE)
def test_every_entry_is_translated_and_not_fuzzy(language: str) -> None:
    """No string of the interface falls back to English in Turkish or Albanian."""
    po = _po(language)
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{language}: untranslated {untranslated}"
    assert not fuzzy, f"{language}: fuzzy {fuzzy}"


def _copy_sources(target: Path) -> None:
    """The files under src/ura that makemessages reads, without the catalogues."""
    source = LOCALE.parent
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if relative.parts[0] == "locale" or "__pycache__" in relative.parts:
            continue
        if path.is_file() and path.suffix in EXTRACTED:
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / relative)


def _keys(catalogue: polib.POFile) -> set[Key]:
    return {(e.msgctxt, e.msgid) for e in catalogue if e.msgid and not e.obsolete}


@pytest.mark.slow
def test_catalogues_hold_every_marked_string_and_no_other(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The committed catalogues are what `make messages` gives: every string the code and the
    templates mark for translation is in them (or its page shows English whatever the
    language), and none the code no longer has. The other tests only see entries that exist.

    Django's makemessages runs on a copy of the sources, into a throwaway locale directory, so
    the extraction is the one `make messages` does and the real catalogues are not touched.
    """
    if shutil.which("xgettext") is None:
        reason = "GNU gettext (xgettext) is not installed: apt-get install gettext"
        if os.environ.get("URA_REQUIRE_GETTEXT") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    copy = tmp_path / "ura"
    _copy_sources(copy)
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = [str(copy / "locale")]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["tr"], no_obsolete=True, verbosity=0, stderr=io.StringIO())
    extracted = _keys(polib.pofile(str(copy / "locale" / "tr" / "LC_MESSAGES" / "django.po")))
    assert len(extracted) > 1000  # the extraction worked
    for language in CATALOGUED:
        catalogued = _keys(_po(language))
        missing = sorted(extracted - catalogued, key=str)
        stale = sorted(catalogued - extracted, key=str)
        assert not missing, (
            f"{language}: {len(missing)} marked strings are not in the catalogue, run `make "
            f"messages` and translate them (docs/translations.md): {missing[:20]}"
        )
        assert not stale, f"{language}: entries no longer in the code: {stale[:20]}"


@pytest.mark.parametrize("language", CATALOGUED)
def test_translations_keep_their_placeholders(language: str) -> None:
    """A translation names the same placeholders as the English, or the page would raise or
    show the wrong value."""
    wrong = []
    for entry in _po(language).translated_entries():
        expected = set(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural:
            forms = list(entry.msgstr_plural.values())
            expected |= set(PLACEHOLDER.findall(entry.msgid_plural))
        else:
            forms = [entry.msgstr]
        wrong += [
            (entry.msgid, form) for form in forms if set(PLACEHOLDER.findall(form)) != expected
        ]
    assert not wrong, wrong


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("tr", "Ura'ya oturum açın"),
        ("sq", "Hyni në Ura"),
        ("en", "Sign in to Ura"),
    ],
)
def test_language_switcher_translates_the_login_page(
    client: Client, language: str, expected: str
) -> None:
    """Choosing a language in the switcher (POST /i18n/setlang/) shows the sign-in page in it."""
    response = client.post(
        "/i18n/setlang/", {"language": language, "next": "/accounts/login/"}, follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert expected in html
    assert f'<html lang="{language}" dir="ltr">' in html


@pytest.mark.parametrize(
    ("language", "heading", "nav"),
    [
        ("tr", "Hoş geldiniz", "Kişi kayıtları"),
        ("sq", "Mirë se vini", "Regjistri i personave"),
    ],
)
def test_home_page_in_the_chosen_language(
    client: Client, caseworker: User, language: str, heading: str, nav: str
) -> None:
    """A signed-in caseworker who switches language sees the home page and menu in it."""
    login(client, caseworker)
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"}, follow=True)
    html = response.content.decode()
    assert heading in html
    assert nav in html


@pytest.mark.django_db
def test_arabic_pages_are_right_to_left(client: Client) -> None:
    """With Arabic active the page declares its language and right-to-left direction."""
    response = client.post(
        "/i18n/setlang/", {"language": "ar", "next": "/accounts/login/"}, follow=True
    )
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "تسجيل الدخول" in html


@pytest.mark.django_db
def test_not_found_page_is_translated_and_in_the_base_layout(client: Client) -> None:
    """The 404 page speaks the user's language and keeps the site's header and skip link."""
    client.post("/i18n/setlang/", {"language": "sq", "next": "/"})
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Faqja nuk u gjet" in html
    assert 'class="skip-link"' in html


@pytest.mark.django_db
def test_forbidden_page_is_translated_and_in_the_base_layout(client: Client) -> None:
    """A user whose roles do not cover a page gets the 403 page, in their language, with the
    site's layout, and nothing about the records behind it."""
    make_record(owner=make_user(role=RoleCode.CASEWORKER), family_name="Quarashi")
    login(client, make_user())  # signed in, but holds no role
    client.post("/i18n/setlang/", {"language": "tr", "next": "/"})
    response = client.get("/people/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "İzin verilmiyor" in html
    assert 'class="skip-link"' in html
    assert "Quarashi" not in html
