"""Name pools and the spelling conventions of each agency.

The pools (``data/name_pools.json``, built by :mod:`ura.synth.build_pools`) hold a few hundred
distinct names. Every spelling an agency could write is computed once per name here, so that
rendering a million records is array indexing, not string work.
"""

# ruff: noqa: RUF001 -- Cyrillic letters are data here (transliteration tables), not look-alikes

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt
from anyascii import anyascii

#: Nationalities of the seed context (ISO 3166-1 alpha-3; XKX is Kosovo, users' code).
NATIONALITIES = (
    "SYR", "AFG", "IRQ", "IRN", "PAK", "TKM", "UZB", "GEO", "AZE", "RUS", "UKR", "XKX",
)  # fmt: skip
#: Share of each nationality in the synthetic population (same order).
NATIONALITY_SHARES = (0.30, 0.17, 0.08, 0.07, 0.06, 0.05, 0.05, 0.03, 0.04, 0.03, 0.04, 0.08)
#: Nationalities whose names an Arabic-script registry writes in Arabic script.
ARABIC_SCRIPT = frozenset({"SYR", "AFG", "IRQ", "IRN", "PAK"})
#: Nationalities whose family names take a feminine ending (-ov -> -ova).
FEMININE_ENDINGS = frozenset({"RUS", "UZB", "TKM", "AZE", "GEO"})

ObjectArray = npt.NDArray[np.object_]
IntArray = npt.NDArray[np.int64]


class Style(StrEnum):
    """How an agency writes a name."""

    TURKISH_UPPER = "turkish_upper"  # DGMM: MUHAMMED, AHMET, HÜSEYİN
    TURKISH_TITLE = "turkish_title"  # gendarmerie: Muhammed, Ahmet
    ICAO = "icao"  # passport visual zone: MOHAMMAD, AL HASSAN, SHKELZEN
    LATIN_VARIANT = "latin_variant"  # ad hoc English spelling: Mohammed / Muhammad / Mohamed
    ARABIC = "arabic"  # Arabic script for Arabic-script nationalities, else Latin variant
    ALBANIAN = "albanian"  # Albanian orthography: Shkëlzen, Xhevdet, Muhamet
    SERBIAN_CYRILLIC = "serbian_cyrillic"  # Kosovo's Serbian-language registry


def _rules(text: str, table: tuple[tuple[str, str], ...]) -> str:
    """Greedy longest-first rewriting of lower-case text by an ordered rule table."""
    out: list[str] = []
    i = 0
    while i < len(text):
        for source, target in table:
            if text.startswith(source, i):
                out.append(target)
                i += len(source)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


_ALBANIAN_TO_SERBIAN = (
    ("xh", "џ"), ("dh", "д"), ("gj", "ђ"), ("ll", "л"), ("nj", "њ"), ("rr", "р"), ("sh", "ш"),
    ("th", "т"), ("zh", "ж"), ("ch", "ч"), ("kh", "х"), ("ç", "ч"), ("ë", "е"), ("q", "ћ"),
    ("x", "дз"), ("y", "и"), ("j", "ј"), ("c", "ц"), ("w", "в"), ("a", "а"), ("b", "б"),
    ("d", "д"), ("e", "е"), ("f", "ф"), ("g", "г"), ("h", "х"), ("i", "и"), ("k", "к"),
    ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"),
    ("t", "т"), ("u", "у"), ("v", "в"), ("z", "з"), ("-", " "),
)  # fmt: skip

_ENGLISH_TO_ALBANIAN = (
    ("kh", "h"), ("ch", "ç"), ("sh", "sh"), ("ou", "u"), ("ee", "i"), ("oo", "u"), ("j", "xh"),
    ("w", "v"), ("ya", "ja"), ("ye", "je"), ("yo", "jo"), ("yu", "ju"), ("y", "i"),
    ("-", " "),
)  # fmt: skip


def turkish_upper(text: str) -> str:
    """Upper case with Turkish dotted and dotless i (i -> İ, ı -> I)."""
    return text.replace("i", "İ").replace("ı", "I").upper()


def albanian_spelling(latin: str) -> str:
    """How a Kosovo clerk writes a foreign Latin name in Albanian orthography."""
    return _rules(latin.lower(), _ENGLISH_TO_ALBANIAN).title()


def serbian_cyrillic(albanian_or_latin: str) -> str:
    """Serbian Cyrillic for a name written in Albanian (or plain Latin) orthography."""
    return _rules(albanian_or_latin.lower(), _ALBANIAN_TO_SERBIAN).title()


_NATIVE_DEPENDENT = (Style.ARABIC, Style.ALBANIAN, Style.SERBIAN_CYRILLIC)


def _feminine(latin: str) -> str:
    lower = latin.lower()
    return latin + "a" if lower.endswith(("ov", "ev", "in")) else latin


@dataclass(frozen=True)
class NameTable:
    """Every name with its spellings per style; pools index into it.

    ``styled`` is how a style writes the name for its own people (Arabic script for an Afghan
    in the NGO's register, Albanian orthography for a Kosovar in Kosovo's); ``foreign`` how it
    writes the same name for someone else (an Azerbaijani Ali stays Latin at the NGO).
    ``spellings`` flattens each name's Latin spellings (canonical first, then variants);
    name ``i`` owns ``spellings[offset[i] : offset[i] + count[i]]``. ``feminine[i]`` is the
    index of the feminine form of family name ``i`` (itself when it has none).
    """

    latin: ObjectArray
    styled: dict[Style, ObjectArray]
    foreign: dict[Style, ObjectArray]
    spellings: ObjectArray
    offset: IntArray
    count: IntArray
    feminine: IntArray
    pools: dict[str, dict[str, tuple[IntArray, npt.NDArray[np.float64]]]]

    def __len__(self) -> int:
        return len(self.latin)


def _zipf(n: int) -> npt.NDArray[np.float64]:
    """Skewed frequencies by rank: the first names of a list dominate, as in real registers."""
    weights = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** 1.1
    weights[0] *= 1.6  # Mohammad, Ahmad, Krasniqi... are more common still than Zipf says
    return np.asarray(weights / weights.sum(), dtype=np.float64)


@cache
def name_table() -> NameTable:
    """Load the embedded pools once and precompute every agency's spelling of every name."""
    raw = json.loads(
        resources.files("ura.synth").joinpath("data/name_pools.json").read_text(encoding="utf-8")
    )
    entries: list[dict[str, object]] = list(raw["names"])
    feminine = list(range(len(entries)))
    feminisable = {
        i for nat in FEMININE_ENDINGS for i in raw["pools"][nat]["family"] if nat != "GEO"
    }
    for i in sorted(feminisable):
        entry = entries[i]
        lat = str(entry["lat"])
        if _feminine(lat) == lat:
            continue
        feminine[i] = len(entries)
        entries.append(
            {
                "lat": _feminine(lat),
                "tr": _feminine(str(entry["tr"])),
                "var": [_feminine(str(v)) for v in entry["var"]],
                "ar": "",
                "cy": str(entry["cy"]) + "а",
            }
        )
    spellings: list[str] = []
    offset: list[int] = []
    count: list[int] = []
    styled: dict[Style, list[str]] = {style: [] for style in Style}
    foreign: dict[Style, list[str]] = {style: [] for style in _NATIVE_DEPENDENT}
    for entry in entries:
        lat = str(entry["lat"])
        variants = [lat] + [str(v) for v in entry["var"]]  # type: ignore[attr-defined]
        offset.append(len(spellings))
        count.append(len(variants))
        spellings.extend(variants)
        tr = str(entry["tr"])
        styled[Style.TURKISH_UPPER].append(turkish_upper(tr))
        styled[Style.TURKISH_TITLE].append(tr)
        styled[Style.ICAO].append(anyascii(lat).upper().replace("-", " "))
        styled[Style.LATIN_VARIANT].append(lat)
        styled[Style.ARABIC].append(str(entry["ar"]) or lat)
        foreign[Style.ARABIC].append(lat)
        styled[Style.ALBANIAN].append(lat)
        foreign[Style.ALBANIAN].append(albanian_spelling(lat))
        cyrillic = str(entry["cy"])
        styled[Style.SERBIAN_CYRILLIC].append(serbian_cyrillic(lat))
        foreign[Style.SERBIAN_CYRILLIC].append(cyrillic or serbian_cyrillic(lat))
    pools: dict[str, dict[str, tuple[IntArray, npt.NDArray[np.float64]]]] = {}
    for nat, kinds in raw["pools"].items():
        pools[nat] = {
            kind: (np.asarray(indices, dtype=np.int64), _zipf(len(indices)))
            for kind, indices in kinds.items()
        }
    return NameTable(
        latin=np.asarray([str(e["lat"]) for e in entries], dtype=object),
        styled={style: np.asarray(values, dtype=object) for style, values in styled.items()},
        foreign={style: np.asarray(values, dtype=object) for style, values in foreign.items()},
        spellings=np.asarray(spellings, dtype=object),
        offset=np.asarray(offset, dtype=np.int64),
        count=np.asarray(count, dtype=np.int64),
        feminine=np.asarray(feminine, dtype=np.int64),
        pools=pools,
    )


def render(
    table: NameTable,
    index: IntArray,
    style: Style,
    rng: np.random.Generator,
    *,
    native: npt.NDArray[np.bool_] | None = None,
    fixed_variant: IntArray | None = None,
) -> ObjectArray:
    """Names ``index`` (-1 = none -> "") as ``style`` writes them.

    ``native`` marks the records of people the style treats as its own (see NameTable); the
    others get the foreign spelling. Latin-variant spellings pick one of the name's spellings
    per record (canonical half the time); ``fixed_variant`` pins the choice per person
    instead (a passport spells a name the same way every time).
    """
    safe = np.where(index < 0, 0, index)
    if style is Style.LATIN_VARIANT or style is Style.ARABIC:
        draw = rng.integers(0, 1 << 30, size=len(index))
        pick = np.where(rng.random(len(index)) < 0.5, 0, draw % table.count[safe])
        out = table.spellings[table.offset[safe] + pick]
        if style is Style.ARABIC and native is not None:
            out = np.where(native, table.styled[style][safe], out)
    elif style is Style.ICAO and fixed_variant is not None:
        pick = fixed_variant % table.count[safe]
        spelled = table.spellings[table.offset[safe] + pick]
        out = np.asarray(
            [anyascii(s).upper().replace("-", " ") for s in spelled.tolist()], dtype=object
        )
    elif style in table.foreign and native is not None:
        out = np.where(native, table.styled[style][safe], table.foreign[style][safe])
    else:
        out = table.styled[style][safe]
    return np.asarray(np.where(index < 0, "", out), dtype=object)


_TYPO_OPS = ("insert", "delete", "substitute", "transpose")


def typo(text: str, op: int, where: float, pick: float) -> str:
    """One data-entry slip: insert, delete, substitute or transpose a letter.

    Inserted and substituted letters come from the same word (a doubled or neighbouring
    letter), so the typo stays in the word's script and the extract's encoding.
    """
    if len(text) < 3:
        return text
    i = 1 + int(where * (len(text) - 2))  # spare the first letter, as clerks mostly do
    letter = text[int(pick * len(text))]
    name = _TYPO_OPS[op % len(_TYPO_OPS)]
    if name == "insert":
        return text[:i] + letter + text[i:]
    if name == "delete":
        return text[:i] + text[i + 1 :]
    if name == "substitute":
        return text[:i] + letter + text[i + 1 :]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def add_typos(values: ObjectArray, rate: float, rng: np.random.Generator) -> ObjectArray:
    """Apply one typo to a ``rate`` share of the non-empty values (a new array)."""
    hit = np.flatnonzero(rng.random(len(values)) < rate)
    ops = rng.integers(0, 4, size=len(hit))
    where = rng.random(len(hit))
    pick = rng.random(len(hit))
    out = values.copy()
    for k, row in enumerate(hit.tolist()):
        value = out[row]
        if value:
            out[row] = typo(value, int(ops[k]), float(where[k]), float(pick[k]))
    return out
