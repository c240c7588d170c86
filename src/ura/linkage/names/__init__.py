# ruff: noqa: RUF002  -- letter tables of Arabic, Cyrillic and Latin scripts
"""Ura's multilingual name layer: plain Python that every linkage engine (DuckDB, Spark)
runs on names before comparing them.

Names reach Ura in Arabic, Persian, Pashto, Kurdish, Turkish, Albanian, Serbian and Russian,
each agency transliterating its own way. Three stages make spellings of one name meet:

* :func:`normalise` keeps the script and folds what only looks different (NFKC, Turkish
  dotted/dotless i, Arabic alef/yeh/kaf variants, ta marbuta, tatweel, harakat, ZWNJ, digits);
* :func:`romanise` writes every script as lowercase ASCII, language-aware for Cyrillic and
  Arabic script, and standardises particles and compounds (al-, abd al-, bin, -oğlu, -zade,
  Mohammad Reza);
* :func:`name_keys` derives blocking/comparison keys: the tokens sorted (name order swaps),
  consonant skeletons and a phonetic key tuned on transliterated names.

Every function is pure and cached per distinct string; none raises on any text, and none
logs its input (names are personal data).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ura.linkage.names import _phonetic, _romanise, _text
from ura.linkage.names._particles import standardise
from ura.linkage.names._phonetic import phonetic, skeleton
from ura.linkage.names._romanise import romanise_token
from ura.linkage.names._text import detect_language, dominant_script, normalise_text

__all__ = ["NameKeys", "clear_caches", "name_keys", "normalise", "romanise"]


@dataclass(frozen=True, slots=True)
class NameKeys:
    """Comparison keys for one name string. All fields are "" for an empty name."""

    romanised: str  # as romanise(); original token order
    tokens: tuple[str, ...]  # romanised tokens, original order
    sorted: str  # tokens sorted and space-joined (order-insensitive)
    skeleton: str  # consonant skeleton of each token, sorted, space-joined
    phonetic: str  # phonetic key of each token, sorted, space-joined
    script: str  # dominant script of the input: latin | arabic | cyrillic | other | ""


_EMPTY = NameKeys("", (), "", "", "", "")


def normalise(text: str, language: str | None = None) -> str:
    """NFKC, Turkish-aware casing (İ, I, ı and i all become i), Arabic-script folding
    (alef forms, yeh/kaf variants, ta marbuta, tatweel, harakat, ZWNJ, Eastern digits),
    casefolded, punctuation to single spaces, apostrophes dropped. The script is kept.
    ``language`` is accepted for symmetry with :func:`romanise`; no rule needs it yet."""
    del language  # every rule here is safe for all languages
    return normalise_text(text)


def romanise(text: str, language: str | None = None) -> str:
    """Lowercase ASCII tokens separated by single spaces, particles and compounds
    standardised. ``language`` is an ISO 639-1 hint (tr, ar, fa, ps, ku, sq, sr, ru, uk);
    None detects it from the letters (Serbian from ђ ћ џ љ њ ј, Ukrainian from є і ї ґ,
    Persian/Pashto/Kurdish from their extra Arabic-script letters)."""
    return name_keys(text, language).romanised


def name_keys(text: str, language: str | None = None) -> NameKeys:
    """All keys for one name string (see :class:`NameKeys`)."""
    return _name_keys(text, language)


@lru_cache(maxsize=1 << 18)
def _name_keys(text: str, language: str | None) -> NameKeys:
    lang = detect_language(text, language)
    normalised = normalise_text(text)
    tokens = [t for t in (romanise_token(tok, lang) for tok in normalised.split()) if t]
    tokens = [t for t in standardise(tokens) if t]
    if not tokens:
        return _EMPTY
    return NameKeys(
        romanised=" ".join(tokens),
        tokens=tuple(tokens),
        sorted=" ".join(sorted(tokens)),
        skeleton=" ".join(sorted(skeleton(t) for t in tokens)),
        phonetic=" ".join(sorted(phonetic(t, lang) for t in tokens)),
        script=dominant_script(text),
    )


def clear_caches() -> None:
    """Empty every per-string cache of the name layer (for memory, or cold-start timing)."""
    for cached in (
        _name_keys,
        _text.normalise_text,
        _romanise.romanise_token,
        _phonetic.skeleton,
        _phonetic.phonetic,
    ):
        cached.cache_clear()
