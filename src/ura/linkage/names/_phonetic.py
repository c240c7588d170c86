"""Per-token keys that survive spelling variation: the consonant skeleton and the phonetic
key. Both work on romanised (lowercase ASCII) tokens and are cached per token."""

from __future__ import annotations

import re
from functools import lru_cache

_VOWELS = frozenset("aeiouy")
_WEAK = frozenset("aeiouyw")
_FINAL_VOWEL_H = re.compile(r"(?<=[aeiou])h$")


def _squeeze(chars: list[str]) -> str:
    out: list[str] = []
    for ch in chars:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=1 << 18)
def skeleton(token: str) -> str:
    """The consonants of a romanised token: vowels, the weak letters w and y, and a silent
    final h after a vowel (Fatimah, Zadeh) dropped, doubled consonants squeezed. Arabic
    script writes no short vowels, so this is where "mohammed", "muhammad" and محمد meet.
    A token of vowels only keeps its first letter, so that it does not vanish."""
    stem = _FINAL_VOWEL_H.sub("", token)
    consonants = _squeeze([ch for ch in stem if ch not in _WEAK])
    return consonants or token[:1]


# Phonetic classes, longest spelling first. Each maps a spelling to one class letter:
#   s: s z sh th ts tz ş (Arabic س ص ز ث ش ظ and their Latin renderings)
#   j: j dj dzh zh ch tch c(Turkish/Kurdish) ç (Arabic ج, Persian چ ژ, Cyrillic ж ч џ ђ)
#   k: k q hard c ck g gh (Arabic ق ك غ, Persian گ: merging g measured +0.3-0.5 points recall)
#   h: h kh x(Kurdish/Turkic); f: f v w ph; b: b p; d: d t (Turkish final devoicing)
_COMMON = [
    ("tsch", "j"), ("sch", "s"), ("dzh", "j"), ("tch", "j"), ("shch", "s"),
    ("dj", "j"), ("dz", "j"), ("zh", "j"), ("ch", "j"), ("sh", "s"), ("th", "s"),
    ("ts", "s"), ("tz", "s"), ("kh", "h"), ("gh", "k"), ("ph", "f"), ("ck", "k"),
    ("dh", "d"), ("q", "k"), ("k", "k"), ("g", "k"), ("j", "j"), ("z", "s"), ("s", "s"),
    ("v", "f"), ("w", "f"), ("f", "f"), ("p", "b"), ("b", "b"), ("h", "h"),
    ("d", "d"), ("t", "d"), ("l", "l"), ("m", "m"), ("n", "n"), ("r", "r"),
]  # fmt: skip
# Where c and x differ by language: Turkish, Kurdish and Azerbaijani c is j and x is kh;
# Albanian c is ts, x is dz, xh is j and q/gj are palatal stops written ç/gj elsewhere.
_BY_LANGUAGE: dict[str, list[tuple[str, str]]] = {
    "tr": [("c", "j"), ("x", "h")],
    "ku": [("c", "j"), ("x", "h")],
    "az": [("c", "j"), ("x", "h")],
    "sq": [("xh", "j"), ("gj", "j"), ("c", "s"), ("x", "j"), ("q", "j")],
}
_DEFAULT_CX = [("ce", "se"), ("ci", "si"), ("cy", "sy"), ("c", "k"), ("x", "ks")]


def _compile(rules: list[tuple[str, str]]) -> tuple[re.Pattern[str], dict[str, str]]:
    table = dict(rules)
    pattern = re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))
    return pattern, table


_PATTERNS = {
    lang: _compile(extra + [r for r in _COMMON if r[0] not in dict(extra)])
    for lang, extra in {**_BY_LANGUAGE, "": _DEFAULT_CX}.items()
}


@lru_cache(maxsize=1 << 18)
def phonetic(token: str, language: str | None) -> str:
    """A phonetic key for one romanised token, tuned on transliterated names (see
    bench/RESULTS.md): consonants fall into classes that transliterations confuse
    (s/z/sh/th/ts, j/dj/zh/ch/Turkish c, k/q/hard c, h/kh, f/v/w/ph, b/p, d/t), vowels are
    dropped except that a word-initial vowel (or y/i before a vowel) leaves an "a", and
    repeats are squeezed. Arabic-script romanisations, written without short vowels, meet
    their Latin spellings: ahmed, ahmad, ahmet and أحمد all give "ahmd"."""
    pattern, table = _PATTERNS.get(language or "", _PATTERNS[""])
    stem = _FINAL_VOWEL_H.sub("", token)
    if not stem:
        return ""
    initial = ""
    if stem[0] in _VOWELS:
        initial = "a"
    out: list[str] = []
    pos = 0
    while pos < len(stem):
        match = pattern.match(stem, pos)
        if match is None:
            if stem[pos].isdigit():
                out.append(stem[pos])
            pos += 1
            continue
        out.extend(ch for ch in table[match.group()] if ch not in _VOWELS)
        pos = match.end()
    return initial + _squeeze(out) if out or initial else stem[:1]
