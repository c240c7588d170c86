"""The ecoi.net query syntax, parsed into a small tree that a search backend compiles.

======================  =============================================================
``asylum Syria``        both words (implicit AND)
``asylum AND Syria``    the same, written out
``Kabul OR Herat``      either word
``Taliban NOT women``   the first without the second; ``-women`` is the same as NOT women
``"forced return"``     the words next to each other, in this order
``"forced return"~5``   both words at most 5 positions apart, in either order
``(Kabul OR Herat) women``  grouping
``wom*``, ``wom?n``     wildcards: ``*`` any letters, ``?`` one letter (two letters first)
``title:Syria``         the title only; also ``title:"country report"``, ``title:(a OR b)``
======================  =============================================================

Operators are written in capitals (``or`` is an ordinary word). A word with punctuation
inside (``non-refoulement``, ``Türkiye'nin``) is searched as a phrase of its parts. The
empty query matches every document (filters only). Malformed queries raise
:class:`QuerySyntaxError` with the character position of the problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ura.coi.analysis import words

__all__ = [
    "FIELDS",
    "MAX_SLOP",
    "And",
    "MatchAll",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "QuerySyntaxError",
    "Term",
    "Wildcard",
    "parse_query",
]

FIELDS = ("title", "text")  # what a query without a field prefix searches
MAX_SLOP = 100  # passages are 1,000 positions apart in the index, so proximity stays inside one


class QuerySyntaxError(ValueError):
    """A malformed query; ``position`` is the 0-based character offset of the problem."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.reason = message
        self.position = position


@dataclass(frozen=True, slots=True)
class Term:
    """One word, as written (the backend analyses it per language)."""

    word: str
    fields: tuple[str, ...] = FIELDS


@dataclass(frozen=True, slots=True)
class Wildcard:
    """A word with ``*`` (any letters) or ``?`` (one letter)."""

    pattern: str
    fields: tuple[str, ...] = FIELDS


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words in order (``slop`` 0) or within ``slop`` positions of each other."""

    words: tuple[str, ...]
    slop: int = 0
    fields: tuple[str, ...] = FIELDS


@dataclass(frozen=True, slots=True)
class And:
    """Every item must match."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """At least one item must match."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """The item must not match."""

    item: Node


@dataclass(frozen=True, slots=True)
class MatchAll:
    """Every document (the empty query)."""


Node = Term | Wildcard | Phrase | And | Or | Not | MatchAll

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<phrase>"[^"]*"(?:~(?P<slop>\S*))?)
  | (?P<quote>")
  | (?P<field>[A-Za-z_]+:)
  | (?P<minus>-(?=[^\s-]))
  | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)
_OPERATORS = frozenset({"AND", "OR", "NOT"})


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    position: int
    slop: str | None = None


def _tokens(query: str) -> list[_Token]:
    out: list[_Token] = []
    for m in _TOKEN.finditer(query):
        kind = m.lastgroup or ""
        if kind == "slop":  # lastgroup names the innermost group that matched last
            kind = "phrase"
        if kind == "space":
            continue
        if kind == "quote":
            raise QuerySyntaxError('unterminated phrase: a closing " is missing', m.start())
        if kind == "word" and m.group() in _OPERATORS:
            kind = m.group()
        out.append(_Token(kind, m.group(), m.start(), m.group("slop")))
    return out


def parse_query(query: str) -> Node:
    """Parse a query in the ecoi.net syntax (see the module docstring).

    Args:
        query: what the caseworker typed.

    Returns:
        The query tree; :class:`MatchAll` for an empty query.

    Raises:
        QuerySyntaxError: unbalanced parentheses or quotes, an operator without an operand,
            an unknown field, a bad proximity or a wildcard with fewer than two letters first.
    """
    parser = _Parser(_tokens(query), len(query))
    if not parser.tokens:
        return MatchAll()
    node = parser.or_expr(FIELDS)
    if parser.pos < len(parser.tokens):
        token = parser.tokens[parser.pos]
        raise QuerySyntaxError("unbalanced parenthesis: no '(' for this ')'", token.position)
    return node


class _Parser:
    def __init__(self, tokens: list[_Token], length: int) -> None:
        self.tokens = tokens
        self.pos = 0
        self.length = length

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def or_expr(self, fields: tuple[str, ...]) -> Node:
        items = [self.and_expr(fields)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            items.append(self.and_expr(fields))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self, fields: tuple[str, ...]) -> Node:
        items = [self.unary(fields)]
        while (token := self.peek()) is not None and token.kind not in ("OR", "rparen"):
            if token.kind == "AND":
                self.take()
            items.append(self.unary(fields))
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self, fields: tuple[str, ...]) -> Node:
        token = self.peek()
        if token is not None and token.kind in ("NOT", "minus"):
            self.take()
            return Not(self.unary(fields))
        return self.primary(fields)

    def primary(self, fields: tuple[str, ...]) -> Node:
        token = self.peek()
        if token is None:
            raise QuerySyntaxError("the query ends where a word was expected", self.length)
        if token.kind in ("AND", "OR", "rparen"):
            raise QuerySyntaxError(f"{token.text!r} needs a word before it", token.position)
        self.take()
        if token.kind == "lparen":
            if (inner := self.peek()) is not None and inner.kind == "rparen":
                raise QuerySyntaxError("empty parentheses", token.position)
            node = self.or_expr(fields)
            closing = self.peek()
            if closing is None or closing.kind != "rparen":
                raise QuerySyntaxError("unbalanced parenthesis: a ')' is missing", token.position)
            self.take()
            return node
        if token.kind == "field":
            name = token.text[:-1].lower()
            if name != "title":
                raise QuerySyntaxError(
                    f"unknown field {name!r} (only title: exists)", token.position
                )
            return self.primary(("title",))
        if token.kind == "phrase":
            return _phrase(token, fields)
        return _word(token, fields)


def _phrase(token: _Token, fields: tuple[str, ...]) -> Node:
    body = token.text[1 : token.text.rindex('"')]
    parts = tuple(w for _, _, w in words(body))
    if not parts:
        raise QuerySyntaxError("empty phrase", token.position)
    slop = 0
    if token.slop is not None:
        if not token.slop.isdigit():
            raise QuerySyntaxError('proximity needs a number, as in "a b"~5', token.position)
        slop = int(token.slop)
        if slop > MAX_SLOP:
            raise QuerySyntaxError(f"proximity is at most ~{MAX_SLOP}", token.position)
    if len(parts) == 1:
        return Term(parts[0], fields)
    return Phrase(parts, slop, fields)


def _word(token: _Token, fields: tuple[str, ...]) -> Node:
    text = token.text
    if "*" in text or "?" in text:
        first = min(i for i in (text.find("*"), text.find("?")) if i >= 0)
        head = words(text[:first])
        if len(head) != 1 or head[0][1] != first or len(head[0][2]) < 2:
            raise QuerySyntaxError(
                "a wildcard needs at least two letters before it", token.position + first
            )
        return Wildcard(text, fields)
    parts = tuple(w for _, _, w in words(text))
    if not parts:
        raise QuerySyntaxError(f"{text!r} has no letters or digits to search", token.position)
    if len(parts) == 1:
        return Term(parts[0], fields)
    return Phrase(parts, 0, fields)
