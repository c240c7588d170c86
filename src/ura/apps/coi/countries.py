"""Country and language names for the COI library, in the interface's language.

Documents name their countries by ISO 3166-1 alpha-2 code (Kosovo ``XK``, as ecoi.net and
the EU use it) and their language by ISO 639 code; pages show the names. The names come from
the Unicode CLDR through Babel, so they exist in every interface language (Turkish
``Suriye``, Albanian ``Siria``, Arabic ``سوريا``) without translating a country list by hand.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from django.utils.translation import get_language

__all__ = [
    "country_choices",
    "country_name",
    "is_country",
    "language_choices",
    "language_name",
]

#: CLDR territory codes that are not countries a document can be about.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})
#: Languages offered for a document's original language: those the search analyses (see
#: docs/coi-search.md) and those COI is commonly written in.
_DOCUMENT_LANGUAGES = (
    "en", "tr", "ar", "fa", "fr", "ru", "sq", "sr", "de", "es", "it", "nl", "ku", "ckb",
    "ps", "uk", "ur", "so", "ti", "am", "prs",
)  # fmt: skip


@lru_cache(maxsize=16)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _language(language: str | None) -> str:
    return language or get_language() or "en"


@lru_cache(maxsize=16)
def _countries(language: str) -> dict[str, str]:
    territories = _locale(language).territories
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def is_country(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 country code (``XK`` included)."""
    return code.upper() in _countries("en")


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in ``language`` (default: the active interface language), or the
    code itself for a code CLDR does not know."""
    code = code.strip().upper()
    return _countries(_language(language)).get(code, code)


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Every country as ``(code, name)``, sorted by name in ``language``."""
    names = _countries(_language(language))
    return sorted(names.items(), key=lambda item: _sort_key(item[1]))


def language_name(code: str, language: str | None = None) -> str:
    """The name of the language with ISO 639 code ``code`` in ``language`` (default: the
    active interface language), or the code itself."""
    key = code.strip().replace("-", "_")
    names = _locale(_language(language)).languages
    return str(names.get(key) or names.get(key.lower()) or code)


def language_choices(language: str | None = None) -> list[tuple[str, str]]:
    """The languages offered for a document's original language as ``(code, name)``."""
    return sorted(
        ((code, language_name(code, language)) for code in _DOCUMENT_LANGUAGES),
        key=lambda item: _sort_key(item[1]),
    )


def _sort_key(name: str) -> str:
    # Accents and case must not decide the order (Çad sorts with C, Åland with A).
    return "".join(
        c for c in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(c)
    )
