"""Particles and compounds, on romanised tokens: the Arabic article, abd- compounds,
bin/ibn/bint, the Turkic -oğlu and Persian -zade suffixes, and Persian compound given
names such as Mohammad Reza. Each rule maps every common spelling to one standard form."""

from __future__ import annotations

import re

from ura.linkage.names._phonetic import skeleton

_ARTICLES = frozenset({"al", "el", "ul", "ol", "il"})
_SUN_ARTICLES = frozenset("a" + c for c in ("t", "th", "d", "dh", "r", "z", "s", "sh", "n"))
_ABD_BARE = frozenset({"abd", "abdul", "abdel", "abdal", "abdol", "abdil", "abdool", "abdoul"})
_ABD_JOINED = re.compile(r"abd([aeiou]?)([a-z]{2,})")
_SON = frozenset({"bin", "ibn", "bn", "ebn", "ibni", "abn"})
_DAUGHTER = frozenset({"bint", "binti", "bent", "bnt"})
_OGLU = re.compile(r"o(?:g|gh)l(?:u|y|i|ou)$")
_OGLU_TOKENS = frozenset({"oglu", "ogly", "ogli", "oghlu", "ugli", "oglou"})
_ZADE = re.compile(r"zad(?:eh|e|a|ah)$")
_ZADE_TOKENS = frozenset({"zade", "zadeh", "zada", "zadah"})
# Persian compound given names: a first element (by spelling) and a second (by consonant
# skeleton, so that Arabic-script romanisations qualify): Mohammad Reza, Ali Akbar, Amir Hossein.
# Mohammad + Hossein is left out on purpose: its skeleton is Hassan's, a common father's name.
_MOHAMMAD = frozenset(
    {
        "mohammad", "muhammad", "mohammed", "muhammed", "mohamad", "mohamed", "muhamad",
        "mahammad", "mhmd", "mohd",
    }
)  # fmt: skip
_MOHAMMAD_SECOND = frozenset(
    {"rz", "rd", "tq", "tgh", "tk", "jvd", "jd", "mhd", "sdq", "sdgh", "bqr", "bghr",
     "kzm", "hd", "mn", "krm", "nq", "ngh", "sdk"}
)  # fmt: skip
_COMPOUND_SECOND: dict[str, frozenset[str]] = {
    **dict.fromkeys(_MOHAMMAD, _MOHAMMAD_SECOND),
    "ali": frozenset({"rz", "rd", "kbr", "sghr", "sgr"}),
    "amir": frozenset({"hsn", "mhd", "rz", "rd"}),
}


def _strip_article(token: str) -> str:
    """abd compounds carry the article inside: al-rahman, ar-rahman, lrhmn."""
    for art in ("al", "el", "ul", "ol", "il", "l"):
        if token.startswith(art) and len(token) - len(art) >= 2:
            return token[len(art) :]
    return token


def _abd(stem: str) -> str:
    return "abdul" + _strip_article(stem)


def _joined_abd(token: str) -> str | None:
    """abdulrahman, abdurrahman, abdelaziz, abdallah, abdirahman → abdul + stem; None when
    the token is not an abd- compound."""
    match = _ABD_JOINED.fullmatch(token)
    if match is None:
        return None
    rest = match.group(2)
    if rest.startswith("l"):
        rest = rest[1:]
    elif len(rest) >= 2 and rest[0] == rest[1]:
        rest = rest[1:]  # sun-letter assimilation: abdur-rahman
    elif len(rest) < 3:
        return None
    return "abdul" + rest if len(rest) >= 2 else None


def standardise(tokens: list[str]) -> list[str]:
    """Apply the particle and compound rules to a list of romanised tokens."""
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < n else ""
        if tok in _ABD_BARE and nxt:
            j = i + 1
            if tokens[j] in _ARTICLES and j + 1 < n:
                j += 1
            out.append(_abd(tokens[j]))
            i = j + 1
            continue
        if nxt and (tok in _ARTICLES or (tok in _SUN_ARTICLES and nxt.startswith(tok[1:]))):
            i += 1  # a separate article: al Hassan, el-Sayed, ar-Rashid
            continue
        if tok in _SON:
            out.append("bin")
        elif tok in _DAUGHTER:
            out.append("bint")
        elif tok == "ben" and out:
            out.append("bin")
        elif tok in _OGLU_TOKENS and out:
            out[-1] += "oglu"
        elif tok in _ZADE_TOKENS and out:
            out[-1] += "zade"
        elif nxt and skeleton(nxt) in _COMPOUND_SECOND.get(tok, ()):
            out.append(tok + nxt)
            i += 1
        else:
            out.append(_joined_abd(tok) or tok)
        i += 1
    return [_suffixes(t) for t in out]


def _suffixes(token: str) -> str:
    if len(token) > 6:
        token = _OGLU.sub("oglu", token)
        token = _ZADE.sub("zade", token)
    return token
