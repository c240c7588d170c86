"""Near-duplicate documents on import: bottom-k MinHash over word shingles, in plain Python.

The same report reaches a COI unit many times: the source's PDF and its HTML page, a
re-issue with a corrected paragraph, a translation agency's copy. Each document gets a
:class:`Signature`: the :data:`SKETCH_SIZE` smallest 64-bit hashes of its word 3-shingles
(words normalised language-independently, so casing, diacritics, Arabic letter variants and
ZWNJ do not matter). Two signatures estimate the Jaccard similarity of the documents'
shingle sets (Broder's bottom-k estimator, standard error about 1/sqrt(k) ≈ 0.06).

:data:`DEFAULT_THRESHOLD` 0.5: a copy with one paragraph in ten rewritten keeps about
0.8 of its shingles, a re-issue with an added section 0.6-0.9, while two different reports on
one country share well under 0.1 (common phrases are few among 3-shingles). A candidate is
advice for the importing caseworker ("this looks like X"), never merged automatically.

One hash function and a sorted sketch need no permutation tables and no numpy; candidates are
looked up through an inverted index from hash value to documents.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ura.coi.analysis import analyse_word, words

__all__ = [
    "DEFAULT_THRESHOLD",
    "SKETCH_SIZE",
    "DuplicateCandidate",
    "DuplicateIndex",
    "Signature",
    "signature",
    "similarity",
]

SKETCH_SIZE = 256
SHINGLE_WORDS = 3
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Signature:
    """The smallest shingle hashes of a document, ascending (at most :data:`SKETCH_SIZE`)."""

    hashes: tuple[int, ...]

    def to_bytes(self) -> bytes:
        """8 bytes per hash, big-endian: for a database column."""
        return b"".join(h.to_bytes(8, "big") for h in self.hashes)

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        """The inverse of :meth:`to_bytes`."""
        return cls(tuple(int.from_bytes(data[i : i + 8], "big") for i in range(0, len(data), 8)))


def _hash(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")


def signature(texts: str | Iterable[str]) -> Signature:
    """The signature of a document.

    Args:
        texts: the document text, or its passages' texts in order.

    Returns:
        The bottom-k sketch of its word 3-shingles (a document of fewer than three words
        has one shingle of all its words).
    """
    if isinstance(texts, str):
        texts = [texts]
    terms = [
        t
        for text in texts
        for _, _, w in words(text)
        if (t := analyse_word(w, "xx", stemmed=False))
    ]
    if len(terms) < SHINGLE_WORDS:
        shingles = {" ".join(terms)} if terms else set()
    else:
        shingles = {
            " ".join(terms[i : i + SHINGLE_WORDS]) for i in range(len(terms) - SHINGLE_WORDS + 1)
        }
    return Signature(tuple(heapq.nsmallest(SKETCH_SIZE, {_hash(s) for s in shingles})))


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of two documents' shingle sets, 0.0 to 1.0."""
    if not a.hashes or not b.hashes:
        return 0.0
    k = min(SKETCH_SIZE, len(set(a.hashes) | set(b.hashes)))
    union_sketch = heapq.nsmallest(k, set(a.hashes) | set(b.hashes))
    in_a, in_b = set(a.hashes), set(b.hashes)
    both = sum(1 for h in union_sketch if h in in_a and h in in_b)
    return both / len(union_sketch)


@dataclass(frozen=True, slots=True)
class DuplicateCandidate:
    """An existing document that looks like the new one."""

    doc_id: str
    similarity: float


class DuplicateIndex:
    """Signatures of the documents already imported, searchable for near-duplicates.

    Args:
        threshold: the least estimated similarity reported (see the module docstring).
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self._signatures: dict[str, Signature] = {}
        self._postings: dict[int, set[str]] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def add(self, doc_id: str, sig: Signature) -> None:
        """Remember a document's signature (replacing an earlier one)."""
        self.remove(doc_id)
        self._signatures[doc_id] = sig
        for h in sig.hashes:
            self._postings.setdefault(h, set()).add(doc_id)

    def remove(self, doc_id: str) -> None:
        """Forget a document (unknown ids are ignored)."""
        old = self._signatures.pop(doc_id, None)
        if old is not None:
            for h in old.hashes:
                self._postings.get(h, set()).discard(doc_id)

    def candidates(self, sig: Signature, *, exclude: str | None = None) -> list[DuplicateCandidate]:
        """Existing documents at or above the threshold, most similar first.

        Args:
            sig: the new document's signature.
            exclude: a doc id to leave out (the document itself, on re-import).

        Returns:
            The candidates with their estimated similarity.
        """
        shared: Counter[str] = Counter()
        for h in sig.hashes:
            shared.update(self._postings.get(h, ()))
        # A document sharing fewer than threshold * k / 2 sketch values cannot reach the
        # threshold within the estimator's error; skip computing those.
        floor = max(1, int(self.threshold * len(sig.hashes) / 2))
        found = []
        for doc_id, count in shared.items():
            if doc_id == exclude or count < floor:
                continue
            score = similarity(sig, self._signatures[doc_id])
            if score >= self.threshold:
                found.append(DuplicateCandidate(doc_id, round(score, 3)))
        return sorted(found, key=lambda c: (-c.similarity, c.doc_id))
