# ruff: noqa: RUF001  -- letter tables of Arabic, Cyrillic and Latin scripts
"""Romanisation of one normalised token to lowercase ASCII, language-aware where the
standard tables differ (Serbian, Ukrainian and Russian Cyrillic; Arabic and Persian-family
Arabic script). Scripts without a table of our own go through anyascii."""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

from ura.linkage.names._text import ARABIC, CYRILLIC, LATIN, char_script

# Serbian Cyrillic to Gaj's Latin alphabet, then to the ASCII a Serbian clerk types without
# diacritics (š→s, č/ć→c, ž→z, đ→dj), so that Ђорђе, Đorđe and Djordje meet.
_SERBIAN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "dj", "е": "e", "ж": "z",
        "з": "z", "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n",
        "њ": "nj", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "c", "у": "u",
        "ф": "f", "х": "h", "ц": "c", "ч": "c", "џ": "dz", "ш": "s",
    }
)  # fmt: skip

# Ukrainian national transliteration (2010) where it differs from Russian practice.
_UKRAINIAN = str.maketrans(
    {
        "г": "h", "ґ": "g", "е": "e", "є": "ye", "и": "y", "і": "i", "ї": "yi", "й": "y",
        "х": "kh", "ц": "ts", "щ": "shch", "ю": "yu", "я": "ya", "ь": "",
    }
)  # fmt: skip

# Russian: anyascii's table is BGN/PCGN-like (Юрий→Yuriy, Щукин→Shchukin); soft and hard
# signs are dropped and ё is e, as in passports.
_RUSSIAN = str.maketrans({"ё": "e", "ь": "", "ъ": ""})

# Latin letters anyascii flattens too far for names: đ is dj in Serbian/Croatian/Bosnian.
_LATIN = str.maketrans({"đ": "dj", "ı": "i", "ə": "e", "ß": "ss", "þ": "th", "ð": "d"})

# Arabic script. Consonants are shared; the Persian family (fa, ps, ku) reads ض ذ ظ as z,
# ث as s, ق as gh and و as v where Arabic has d, dh, z, th, q and w.
_ARABIC_CONSONANTS = {
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh",
    "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z",
    "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h",
    "پ": "p", "چ": "ch", "ژ": "zh", "گ": "g", "ڤ": "v", "ڕ": "r", "ڵ": "l", "ټ": "t",
    "ډ": "d", "ړ": "r", "ږ": "zh", "ښ": "sh", "ځ": "dz", "څ": "ts", "ڼ": "n", "ء": "",
    "ە": "e", "ۆ": "o", "ێ": "e", "ې": "e", "ۍ": "ay",
}  # fmt: skip
_PERSIAN_CONSONANTS = {
    **_ARABIC_CONSONANTS,
    "ض": "z", "ذ": "z", "ظ": "z", "ث": "s", "ق": "gh",
}  # fmt: skip
_PERSIAN_FAMILY = frozenset({"fa", "ps", "ku", "ur"})


def _romanise_arabic(word: str, language: str | None) -> str:
    """Consonantal romanisation of an Arabic-script word. Short vowels are not written, so
    none are invented; long vowels and the weak letters alef, waw, yeh become a, w/u, y/i."""
    if word == "الله":
        return "allah"
    if word.startswith("ال") and len(word) > 3:
        word = word[2:]  # the article al- written joined; Latin spellings drop it too
    persian = language in _PERSIAN_FAMILY
    table = _PERSIAN_CONSONANTS if persian else _ARABIC_CONSONANTS
    out: list[str] = []
    last = len(word) - 1
    for i, ch in enumerate(word):
        prev = word[i - 1] if i else ""
        nxt = word[i + 1] if i < last else ""
        if ch == "ا":
            out.append("a")
        elif ch == "ع":
            out.append("a" if i == 0 else "")  # ʿayn: written as a vowel in Latin, if at all
        elif ch == "و":
            consonant = i == 0 or prev == "ا" or nxt in ("ا", "ي")
            out.append(("v" if persian else "w") if consonant else ("o" if persian else "u"))
        elif ch == "ي":
            out.append("y" if i == 0 or prev == "ا" or nxt in ("ا", "و") else "i")
        elif ch == "ه" and i == last and i >= 2 and language != "ku":
            out.append("e" if persian else "a")  # final heh: ta marbuta, or Persian silent h
        elif ch in table:
            out.append(table[ch])
        elif ch.isascii():
            out.append(ch)
        else:
            out.append(anyascii(ch).lower())
    return "".join(out)


def _romanise_cyrillic(token: str, language: str | None) -> str:
    if language == "sr" or language == "mk":
        return anyascii(token.translate(_SERBIAN))
    if language == "uk":
        return anyascii(token.translate(_UKRAINIAN))
    return anyascii(token.translate(_RUSSIAN))


_NON_ASCII_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1 << 18)
def romanise_token(token: str, language: str | None) -> str:
    """One normalised token (a run of letters and digits) to lowercase ASCII letters and
    digits. Mixed-script tokens are romanised run by run."""
    pieces: list[str] = []
    run: list[str] = []
    run_script = ""
    for ch in token:
        script = char_script(ch) or run_script  # digits and marks travel with their run
        if run and script != run_script:
            pieces.append(_romanise_run("".join(run), run_script, language))
            run = []
        run.append(ch)
        run_script = script
    if run:
        pieces.append(_romanise_run("".join(run), run_script, language))
    return _NON_ASCII_ALNUM.sub("", "".join(pieces).lower())


def _romanise_run(run: str, script: str, language: str | None) -> str:
    if script == ARABIC:
        return _romanise_arabic(run, language)
    if script == CYRILLIC:
        return _romanise_cyrillic(run, language)
    if script == LATIN:
        return anyascii(run.translate(_LATIN))
    return anyascii(run)
