"""Django settings for Ura: one module, configured from the environment.

Embedded defaults (SQLite under ``./var``, a generated secret key, no extra servers) make
``make demo`` work on a bare machine; production sets ``URA_ENV=production`` and supplies
``DATABASE_URL``, ``URA_SECRET_KEY``, ``URA_AUDIT_KEY`` and ``URA_ALLOWED_HOSTS``.
See ``docs/operations.md``.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from ura.casework.calendar import WorkingCalendar
from ura.web.secrets import load_or_create_secret

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("URA_VAR_DIR", Path.cwd() / "var")).resolve()

URA_ENV = os.environ.get("URA_ENV", "development")
if URA_ENV not in {"development", "test", "production"}:
    raise RuntimeError(f"URA_ENV must be development, test or production, not {URA_ENV!r}")
PRODUCTION = URA_ENV == "production"

# DEBUG is off unless asked for, and can never be on in production.
DEBUG = os.environ.get("URA_DEBUG", "0") == "1" and not PRODUCTION

SECRET_KEY = load_or_create_secret("URA_SECRET_KEY", VAR_DIR / "secret_key", production=PRODUCTION)
# A separate key for the audit hash chain: whoever can write to the database but does not
# hold this key cannot recompute the chain after altering an event.
URA_AUDIT_KEY = load_or_create_secret("URA_AUDIT_KEY", VAR_DIR / "audit_key", production=PRODUCTION)

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("URA_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost").split(
        ","
    )
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("URA_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "ura.apps.core",
    "ura.apps.accounts",
    "ura.apps.people",
    "ura.apps.sources",
    "ura.apps.cases",
    "ura.apps.asylum",
    "ura.apps.trafficking",
    "ura.apps.readmission",
    "ura.apps.returns",
    "ura.apps.removals",
    "ura.apps.coi",
    "ura.apps.statistics",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ura.apps.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ura.web.middleware.SecurityHeadersMiddleware",
    "ura.apps.core.middleware.AuditContextMiddleware",
    # Axes must come last: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ura.web.urls"
WSGI_APPLICATION = "ura.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ura.web.context_processors.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL selects the operational database; the embedded default is SQLite under ./var.
_default_db = f"sqlite:///{VAR_DIR / 'ura.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, which serialises appends to the
    # audit hash chain; WAL lets readers go on while a writer works.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("URA_TEST_SQLITE_NAME") or None}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("URA_DB_CONN_MAX_AGE", "60"))
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "ura.apps.accounts.backends.RoleBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after repeated failures (django-axes): per user name, so that one attacker cannot
# lock out a whole office behind one NAT address by guessing at random names.
AXES_FAILURE_LIMIT = int(os.environ.get("URA_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("URA_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns that user-name lockout alone lets an attacker spray many names from one address;
# an IP lockout would instead lock out a whole office behind one NAT address, which is worse
# for a public service. Password spraying is met by the password validators and the audit
# trail's failed-login events instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False  # its log lines name the user: no personal data in logs

# Sessions end after a working day at most, and after an idle hour.
SESSION_COOKIE_AGE = int(os.environ.get("URA_SESSION_SECONDS", str(8 * 3600)))
URA_SESSION_IDLE_SECONDS = int(os.environ.get("URA_SESSION_IDLE_SECONDS", "3600"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

OTP_TOTP_ISSUER = "Ura"

# --- Security headers (production) --------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("URA_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = int(os.environ.get("URA_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_NAME = "__Host-ura-session"
    CSRF_COOKIE_NAME = "__Host-ura-csrf"

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("tr", _("Turkish")),
    ("sq", _("Albanian")),
    ("ar", _("Arabic")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("URA_TIME_ZONE", "Europe/Istanbul")
USE_TZ = True

# --- Static files and uploads --------------------------------------------------------------
STATIC_URL = "/static/"
# The web layer is not an installed app, so its stylesheet and vendored scripts are listed here.
STATICFILES_DIRS = [PACKAGE_DIR / "web" / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # collectstatic fills it; whitenoise expects it
MEDIA_ROOT = VAR_DIR / "media"
# The COI search index (tantivy), rebuilt from the database by `ura coi reindex`.
URA_COI_INDEX_DIR = Path(os.environ.get("URA_COI_INDEX_DIR", VAR_DIR / "coi-index")).resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Background tasks ----------------------------------------------------------------------
# The database backend needs no extra server: `ura worker` runs queued tasks.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("URA_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Logging: never personal data -----------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"withhold_messages": {"()": "ura.web.log_redaction.WithholdExceptionMessages"}},
    "handlers": {
        "console": {
            "class": "ura.web.log_redaction.CurrentStderrHandler",
            "formatter": "plain",
            "filters": ["withhold_messages"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("URA_LOG_LEVEL", "INFO")},
    "loggers": {
        # Request logs carry URLs and, on errors, request bodies: keep them at warning level
        # and without bodies (Django only sends bodies to the admin mail handler, not set here).
        "django.request": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

# Linkage: pairs at or above the threshold are linked; pairs from the review band's low end up
# to the threshold go to clerical review. The CLI's --threshold / --review-low override them.
URA_LINK_THRESHOLD = float(os.environ.get("URA_LINK_THRESHOLD", "0.9"))
URA_REVIEW_LOW = float(os.environ.get("URA_REVIEW_LOW", "0.5"))

# Working-day calendars for case deadlines, per country (ISO 3166 alpha-2): a JSON file mapping
# each country to its calendar configuration (docs/procedures.md: weekend, extra and removed
# holidays). Without it, a country's public holidays and a Saturday-Sunday weekend apply.
# Each configuration is checked here so that a mistake stops start-up, not a deadline.
_calendars_file = os.environ.get("URA_WORKING_CALENDARS_FILE", "")
URA_WORKING_CALENDARS: dict[str, Any] = (
    json.loads(Path(_calendars_file).read_text(encoding="utf-8")) if _calendars_file else {}
)
for _country, _calendar in URA_WORKING_CALENDARS.items():
    if WorkingCalendar.from_config(_calendar).country != _country.upper():
        raise RuntimeError(f"URA_WORKING_CALENDARS_FILE: {_country} holds another country")
URA_PAGE_SIZE = 25
