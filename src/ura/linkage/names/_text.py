# ruff: noqa: RUF001  -- letter tables of Arabic, Cyrillic and Latin scripts
"""Script detection, language detection and Unicode normalisation (the first stage).

Everything here keeps the original script: it only makes equal names look equal within
one script (NFKC, casing, Arabic-script letter variants, diacritics, invisible joiners).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

LATIN = "latin"
ARABIC = "arabic"
CYRILLIC = "cyrillic"
OTHER = "other"

# Arabic-script letters that identify a language before normalisation erases them.
_PASHTO_LETTERS = frozenset("ټډړږښځڅڼۍېګ")
_KURDISH_LETTERS = frozenset("ەۆێڕڵڤھ")
_PERSIAN_LETTERS = frozenset("پچژگکی")
_SERBIAN_LETTERS = frozenset("ђћџљњјЂЋЏЉЊЈ")
_UKRAINIAN_LETTERS = frozenset("єіїґЄІЇҐ")
_TURKISH_LETTERS = frozenset("ığşİĞŞ")

# Arabic-script variants folded to one letter, as Arabic search engines do: hamza-carrying
# and wasla alefs to bare alef; Persian/Farsi yeh and alef maqsura to Arabic yeh; keheh to
# kaf; ta marbuta to heh; hamza on waw/yeh to the bare letter; Persian and Arabic-Indic digits.
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ٲ": "ا",
        "ٳ": "ا",
        "ی": "ي",
        "ى": "ي",
        "ئ": "ي",
        "ک": "ك",
        "ګ": "گ",
        "ة": "ه",
        "ۀ": "ه",
        "ھ": "ه",
        "ؤ": "و",
        **{chr(0x0660 + d): str(d) for d in range(10)},
        **{chr(0x06F0 + d): str(d) for d in range(10)},
    }
)

_APOSTROPHES = frozenset("'’ʼʻ`´‘ʿʾ")
# Zero-width (non-)joiners, word joiner, soft hyphen, bidi marks and embeddings, tatweel: all
# invisible or decorative, dropped so that the letters on either side join.
_INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u2060\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069\ufeff\u0640"
)


def char_script(ch: str) -> str:
    """The script of one letter: latin, arabic, cyrillic or other ("" for non-letters)."""
    if not ch.isalpha():
        return ""
    code = ord(ch)
    if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
        return LATIN
    if 0x0400 <= code <= 0x052F:
        return CYRILLIC
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
        return ARABIC
    return OTHER


def dominant_script(text: str) -> str:
    """The script most letters of ``text`` are written in; "" when it has no letters."""
    counts: dict[str, int] = {}
    for ch in text:
        script = char_script(ch)
        if script:
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return ""
    return max(counts, key=lambda s: (counts[s], s == LATIN))


def detect_language(text: str, language: str | None) -> str | None:
    """Resolve the language used for script-specific rules: the caller's ISO 639-1 hint when
    given, otherwise guessed from letters only one language (family) uses; None when unsure.
    Run it on raw text, before normalisation folds the tell-tale letters away."""
    if language:
        return language.lower()
    letters = set(text)
    if letters & _SERBIAN_LETTERS:
        return "sr"
    if letters & _UKRAINIAN_LETTERS:
        return "uk"
    if letters & _PASHTO_LETTERS:
        return "ps"
    if letters & _KURDISH_LETTERS:
        return "ku"
    if letters & _PERSIAN_LETTERS:
        return "fa"
    if letters & _TURKISH_LETTERS:
        return "tr"
    if any(char_script(ch) == ARABIC for ch in text):
        return "ar"
    if any(char_script(ch) == CYRILLIC for ch in text):
        return "ru"
    return None


def _is_arabic_mark(ch: str) -> bool:
    code = ord(ch)
    return (
        0x064B <= code <= 0x065F
        or code == 0x0670
        or 0x06D6 <= code <= 0x06ED
        or 0x0610 <= code <= 0x061A
    )


@lru_cache(maxsize=1 << 18)
def normalise_text(text: str) -> str:
    """See :func:`ura.linkage.names.normalise`; this is the cached, hint-free core."""
    text = unicodedata.normalize("NFKC", text)
    # Turkish casing: İ and I (Turkish capitals of i and ı) and ı all meet plain i, because a
    # register typed on a non-Turkish keyboard cannot tell them apart. Done before casefold,
    # which would turn İ into i + combining dot.
    text = text.replace("İ", "i").replace("I", "i").replace("ı", "i")
    text = text.casefold().translate(_ARABIC_FOLD)
    out: list[str] = []
    for ch in text:
        if ch in _INVISIBLE or ch in _APOSTROPHES or _is_arabic_mark(ch):
            continue
        if ch.isalnum():
            out.append(ch)
        elif unicodedata.category(ch) == "Mn" and out:
            out.append(ch)  # combining marks of other scripts stay with their letter
        else:
            out.append(" ")
    return unicodedata.normalize("NFC", " ".join("".join(out).split()))
