# ruff: noqa: RUF001  -- letters of Arabic, Cyrillic and Turkish scripts
"""Language-aware analysis of COI text: one word in, one search term out.

Every word of a passage (and of a query) becomes exactly one term, so word positions survive
and phrases and proximity work in every language. The steps, per word:

1. language-aware lowercasing: Turkish and Azerbaijani ``I`` → ``ı`` and ``İ`` → ``i``, other
   languages casefold; invisible characters (zero-width non-joiner and joiner, bidi marks),
   tatweel and Arabic harakat are dropped, so ``می‌شود`` and ``میشود`` are one word;
2. stemming where a Snowball stemmer exists for the language (see :data:`STEMMED`): tantivy's
   built-in stemmers for English, French, Russian, Turkish and Arabic, the ``snowballstemmer``
   package for Persian and Serbian (tantivy has neither). The Serbian stemmer transliterates
   Cyrillic to Gaj's Latin itself, so both scripts meet in one stem;
3. the name layer's normalisation (:func:`ura.linkage.names.normalise`): NFKC, Turkish
   dotted/dotless i folded to ``i``, Arabic-script alef/yeh/kaf variants, ta marbuta, digits;
4. Latin letters lose their diacritics (``réfugié`` = ``refugie``, ``sığınmacı`` =
   ``siginmaci``), so a caseworker without the keyboard still finds the text.

Languages are ISO 639-1 codes (``en``, ``tr``, ``ar``, ``fa``, ``fr``, ``ru``, ``sq``, ``sr``,
``ku``, ``ps``, ``uk``); ISO 639-3 codes and a few aliases are accepted by :func:`language_code`.
Albanian, Kurdish, Pashto, Ukrainian and unknown languages get steps 1, 3 and 4 only: there is
no Snowball stemmer for them, and a home-made suffix stripper would conflate more than it finds.

Stop words are kept: phrases must match the words as written, and BM25 already gives
frequent words little weight.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache

import snowballstemmer  # type: ignore[import-untyped]  # no type information shipped
import tantivy
from anyascii import anyascii

from ura.linkage.names import normalise

__all__ = [
    "ANALYSED_LANGUAGES",
    "STEMMED",
    "analyse",
    "analyse_word",
    "field_language",
    "language_code",
    "words",
]

# Each analysed language has its own index field; everything else shares "xx".
ANALYSED_LANGUAGES: tuple[str, ...] = ("en", "tr", "ar", "fa", "fr", "ru", "sq", "sr", "xx")

_TANTIVY_STEMMERS = {
    "en": "english",
    "fr": "french",
    "ru": "russian",
    "tr": "turkish",
    "ar": "arabic",
}
_SNOWBALL_STEMMERS = {"fa": "persian", "sr": "serbian"}
STEMMED: frozenset[str] = frozenset(_TANTIVY_STEMMERS) | frozenset(_SNOWBALL_STEMMERS)

_ALIASES = {
    "eng": "en", "tur": "tr", "ara": "ar", "arb": "ar", "fas": "fa", "per": "fa", "pes": "fa",
    "prs": "fa", "fra": "fr", "fre": "fr", "rus": "ru", "sqi": "sq", "alb": "sq", "als": "sq",
    "srp": "sr", "sr-latn": "sr", "sr-cyrl": "sr", "srp_latn": "sr", "srp_cyrl": "sr",
    "kur": "ku", "kmr": "ku", "ckb": "ku", "pus": "ps", "pbu": "ps", "ukr": "uk",
    "aze": "az", "hbs": "sr", "bos": "bs", "hrv": "hr",
}  # fmt: skip

# A word: a letter or digit, then letters, digits, combining marks, tatweel and the
# zero-width (non-)joiners that Persian writes inside words. Apostrophes split words, so
# Türkiye'nin is Türkiye + nin and l'homme is l + homme.
_WORD = re.compile(
    r"[^\W_](?:[^\W_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
    r"\u0640\u200c\u200d])*"
)
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def language_code(language: str | None) -> str:
    """The ISO 639-1 code for an ISO 639-1 or 639-3 code (or a script-tagged variant such as
    ``sr-Latn``); "" for None or empty.

    Args:
        language: a code such as ``"tr"``, ``"tur"``, ``"srp_cyrl"`` or ``"sr-Latn"``.

    Returns:
        The lowercase two-letter code where one is known, else the input lowercased.
    """
    if not language:
        return ""
    code = language.strip().lower().replace("_", "-")
    code = _ALIASES.get(code, _ALIASES.get(code.replace("-", "_"), code))
    if "-" in code:  # sr-latn, fa-ir, en-gb: the language part
        code = _ALIASES.get(code.split("-", 1)[0], code.split("-", 1)[0])
    return code


def field_language(language: str | None) -> str:
    """The analysis profile (index field suffix) used for a document language: the language
    itself when it is in :data:`ANALYSED_LANGUAGES`, else ``"xx"`` (normalisation only)."""
    code = language_code(language)
    return code if code in ANALYSED_LANGUAGES else "xx"


def words(text: str) -> list[tuple[int, int, str]]:
    """Split text into words with their character offsets.

    Args:
        text: any text.

    Returns:
        ``(start, end, word)`` for each word, in order; ``text[start:end] == word``.
    """
    return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]


def analyse(text: str, language: str | None) -> list[str]:
    """The search terms of a text, one per word (empty words dropped).

    Args:
        text: passage, title or query text.
        language: the text's language code (any form :func:`language_code` accepts).

    Returns:
        The analysed terms in word order.
    """
    profile = field_language(language)
    terms = (analyse_word(w, profile) for _, _, w in words(text))
    return [t for t in terms if t]


@lru_cache(maxsize=1 << 18)
def analyse_word(word: str, language: str, *, stemmed: bool = True) -> str:
    """The search term for one word (see the module docstring for the steps).

    Args:
        word: one word as :func:`words` yields it (or a fragment of a wildcard pattern).
        language: an analysis profile from :func:`field_language`.
        stemmed: False skips stemming (wildcard fragments are matched against terms as
            prefixes, and a stemmer would cut them short).

    Returns:
        The term; "" when nothing searchable is left (a lone mark, say).
    """
    word = unicodedata.normalize("NFKC", word)
    if language in ("tr", "az"):
        word = word.replace("I", "ı")
    word = word.replace("İ", "i")  # casefold would leave a combining dot above
    word = "".join(ch for ch in word if unicodedata.category(ch) != "Cf")
    word = _ARABIC_MARKS.sub("", word).casefold()
    if language in ("ru", "uk"):
        word = word.replace("ё", "е")
    if language == "ar" and word.startswith("وال") and len(word) > 4:
        word = word[1:]  # the conjunction wa- before the article, which the stemmer keeps
    stem = _stemmer(language) if stemmed else None
    if stem is not None:
        word = stem(word)
    term = normalise(word).replace(" ", "")
    if term.isascii():
        return term
    return "".join(anyascii(ch).lower() if _is_latin(ch) else ch for ch in term)


def _is_latin(ch: str) -> bool:
    code = ord(ch)
    return 0x00C0 <= code < 0x0250 or 0x1E00 <= code <= 0x1EFF


@cache
def _stemmer(language: str) -> Callable[[str], str] | None:
    if language in _TANTIVY_STEMMERS:
        analyser = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
            .filter(tantivy.Filter.stemmer(_TANTIVY_STEMMERS[language]))
            .build()
        )

        def tantivy_stem(word: str) -> str:
            stems = analyser.analyze(word)
            return stems[0] if stems else word

        return tantivy_stem
    if language in _SNOWBALL_STEMMERS:
        stemmer = snowballstemmer.stemmer(_SNOWBALL_STEMMERS[language])
        snowball_stem: Callable[[str], str] = stemmer.stemWord
        return snowball_stem
    return None
