"""Take the README's screenshots: a caseworker's home page and person list, at 1366x768.

The person list is also taken in Arabic (``person-list-ar.png``), right to left.

Run from the repository root, with the virtualenv active and Debian's Chromium installed:

    python docs/screenshots/take.py

It builds a throw-away database in a temporary directory, loads the demo scenario
(``ura demo``'s data, or a small built-in set of fictitious records while the demo is empty),
serves Ura on a free local port, signs in through the login form and saves the PNGs next to
this file. Every name and number in the pictures is invented.
"""

# ruff: noqa: RUF001 -- Turkish names are spelt with the dotless i on purpose

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("URA_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "screenshot passphrase 2026"  # noqa: S105 -- a throw-away database's user
RECORDS = [
    # family, given, father, sex, date of birth, nationality, document
    ("Haddad", "Amina", "Yusuf", "F", "1994-03-12", "SYR", "N0123456"),
    ("Rahimi", "Farid", "Ahmad", "M", "1988-11-02", "AFG", "P4410923"),
    ("Krasniqi", "Drita", "Ilir", "F", "2001-06-25", "XKX", "K7781204"),
    ("Al-Hashimi", "Omar", "Khalid", "M", "1979-01-01", "IRQ", "A9912388"),
    ("Demir", "Zeynep", "Mehmet", "F", "1996-09-30", "TUR", "99123456780"),
    ("Tesfaye", "Meron", "Girma", "F", "1999-04-17", "ERI", "E0021875"),
    ("Nazari", "Reza", "Hossein", "M", "1991-12-08", "IRN", "H5523107"),
    ("Berisha", "Arben", "Fatmir", "M", "1985-07-21", "ALB", "BA112093"),
    ("Okafor", "Chinedu", "Emeka", "M", "1993-02-14", "NGA", "A05518823"),
    ("Hussein", "Layla", "Ali", "F", "2004-10-05", "SYR", "N0981122"),
    ("Mansour", "Samir", "Tarek", "M", "1982-05-19", "LBY", "L3302217"),
    ("Karimi", "Sima", "Javad", "F", "1997-08-11", "AFG", "P1197734"),
]


def _setup_django(var_dir: Path) -> None:
    os.environ["URA_VAR_DIR"] = str(var_dir)
    os.environ["URA_ENV"] = "development"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ura.web.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", "-v", "0")


def _caseworker() -> tuple[str, str]:
    """A caseworker's user name and password: from the demo if it has one, else built here."""
    from ura.web import demo

    for user, role, _agency in demo.demo_load():
        if "caseworker" in str(role).lower():
            return str(getattr(user, "username", user)), demo.DEMO_PASSWORD

    from datetime import date

    from ura.apps.accounts.models import Agency, AgencyKind, RoleCode, Unit
    from ura.apps.accounts.services import role_assign, user_create
    from ura.apps.people.services import person_record_create

    agency = Agency.objects.create(
        code="dgmm-istanbul",
        name="Göç İdaresi — İstanbul İl Müdürlüğü",
        kind=AgencyKind.MIGRATION_PROVINCIAL,
        country="TR",
    )
    unit = Unit.objects.create(agency=agency, code="ip-unit", name="Uluslararası Koruma Birimi")
    user = user_create(actor=None, username="e.yildiz", password=PASSWORD, unit=unit)
    user.first_name, user.last_name = "Elif", "Yıldız"
    user.save(update_fields=["first_name", "last_name"])
    role_assign(actor=None, user=user, role_code=RoleCode.CASEWORKER)
    for family, given, father, sex, born, nationality, document in RECORDS:
        person_record_create(
            actor=user,
            family_name=family,
            given_names=given,
            father_name=father,
            sex=sex,
            date_of_birth=date.fromisoformat(born),
            nationality=nationality,
            document_type="passport",
            document_number=document,
            health_notes="(fictitious) regular check-ups",
        )
    return user.username, PASSWORD


def _serve() -> tuple[str, object]:
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return  # keep the console free of request lines

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(StaticFilesHandler(get_wsgi_application()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="ura-screenshots-") as tmp:
        _setup_django(Path(tmp))
        username, password = _caseworker()
        base, server = _serve()
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(f"{base}/accounts/login/")
            page.get_by_label("User name").fill(username)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{base}/")
            page.screenshot(path=str(HERE / "home.png"))
            page.goto(f"{base}/people/")
            page.screenshot(path=str(HERE / "person-list.png"))
            # The same list in Arabic, to show the right-to-left layout.
            page.select_option("#language-select", "ar")
            with page.expect_navigation():
                page.locator(".language-form button").click()
            page.screenshot(path=str(HERE / "person-list-ar.png"))
            browser.close()
        server.shutdown()  # type: ignore[attr-defined]
    for name in ("home.png", "person-list.png", "person-list-ar.png"):
        size = (HERE / name).stat().st_size
        sys.stdout.write(f"{HERE / name}: {size // 1024} KB\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
