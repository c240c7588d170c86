"""The keyed hash chain and numbered-log verification, without Django."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ura.integrity import (
    GENESIS,
    BreakReason,
    LogEntry,
    LogHead,
    canonical_bytes,
    chain_digest,
    verify_chain,
    verify_log,
)

KEY = b"k" * 32
OTHER_KEY = b"x" * 32


def build_log(contents: list[dict[str, Any]], key: bytes = KEY) -> list[LogEntry]:
    """A correctly chained log numbered from 1, each content carrying its own sequence."""
    entries = []
    previous = GENESIS
    for sequence, content in enumerate(contents, start=1):
        body = {**content, "sequence": sequence}
        digest = chain_digest(key, previous, body)
        entries.append(LogEntry(sequence, body, previous, digest))
        previous = digest
    return entries


def head_of(entries: list[LogEntry]) -> LogHead:
    return LogHead(entries[-1].sequence, entries[-1].digest) if entries else LogHead(0, GENESIS)


def test_canonical_bytes_ignore_key_order_and_keep_unicode() -> None:
    """Equal content gives equal bytes whatever the key order; non-ASCII stays UTF-8."""
    assert canonical_bytes({"b": 1, "a": "İğ"}) == canonical_bytes({"a": "İğ", "b": 1})
    assert canonical_bytes({"a": "İğ"}) == '{"a":"İğ"}'.encode()


def test_canonical_bytes_reject_non_json_values() -> None:
    """A value that is not a JSON type is refused, not silently stringified."""
    with pytest.raises(TypeError):
        canonical_bytes({"a": object()})
    with pytest.raises(ValueError, match="Out of range"):
        canonical_bytes({"a": float("nan")})


def test_digest_depends_on_key_previous_and_content() -> None:
    """Changing the key, the previous digest or the content changes the digest."""
    base = chain_digest(KEY, GENESIS, {"a": 1})
    assert len(base) == 64
    assert chain_digest(OTHER_KEY, GENESIS, {"a": 1}) != base
    assert chain_digest(KEY, "1" * 64, {"a": 1}) != base
    assert chain_digest(KEY, GENESIS, {"a": 2}) != base


def test_intact_log_verifies_with_its_head() -> None:
    """A correctly chained log with a matching head verifies completely."""
    log = build_log([{"n": i} for i in range(5)])
    report = verify_log(KEY, log, head=lambda: head_of(log))
    assert report.ok
    assert report.checked == 5


def test_empty_log_verifies_without_a_head() -> None:
    """An empty log with no recorded head is intact."""
    assert verify_log(KEY, [], head=lambda: None).ok


def test_altered_content_is_reported_at_that_entry() -> None:
    """Changing one entry's content breaks the chain exactly there."""
    log = build_log([{"n": i} for i in range(5)])
    log[2] = log[2]._replace(content={**log[2].content, "n": 99})
    report = verify_log(KEY, log, head=lambda: head_of(log))
    assert report.first_break is not None
    assert (report.first_break.entry_id, report.first_break.reason) == (3, BreakReason.ALTERED)
    assert report.checked == 2


def test_altered_link_is_reported_as_link() -> None:
    """Changing an entry's stored link to its predecessor is detected."""
    log = build_log([{"n": i} for i in range(3)])
    log[1] = log[1]._replace(previous="f" * 64)
    report = verify_log(KEY, log)
    assert report.first_break is not None
    assert (report.first_break.entry_id, report.first_break.reason) == (2, BreakReason.LINK)


def test_entry_forged_with_another_key_is_detected() -> None:
    """An entry appended by someone without the key does not verify."""
    log = build_log([{"n": i} for i in range(3)])
    body = {"n": "forged", "sequence": 4}
    log.append(LogEntry(4, body, log[-1].digest, chain_digest(OTHER_KEY, log[-1].digest, body)))
    report = verify_log(KEY, log, head=lambda: head_of(log))
    assert report.first_break is not None
    assert (report.first_break.entry_id, report.first_break.reason) == (4, BreakReason.ALTERED)


def test_gap_names_the_first_missing_number() -> None:
    """A removed entry is reported by its own (missing) number."""
    log = build_log([{"n": i} for i in range(5)])
    del log[1]
    report = verify_log(KEY, log, head=lambda: head_of(log))
    assert report.first_break is not None
    assert (report.first_break.entry_id, report.first_break.reason) == (2, BreakReason.MISSING)


def test_repeated_number_is_out_of_order() -> None:
    """An entry numbered behind the chain (a re-inserted copy) is reported."""
    log = build_log([{"n": i} for i in range(3)])
    log.insert(2, log[0])
    report = verify_log(KEY, log)
    assert report.first_break is not None
    assert (report.first_break.entry_id, report.first_break.reason) == (
        1,
        BreakReason.OUT_OF_ORDER,
    )


def test_swapped_entries_are_detected() -> None:
    """Two entries that swap sequence numbers no longer verify."""
    log = build_log([{"n": i} for i in range(4)])
    a, b = log[1], log[2]
    log[1] = b._replace(sequence=2)
    log[2] = a._replace(sequence=3)
    report = verify_log(KEY, log)
    assert report.first_break is not None
    assert report.first_break.entry_id == 2


def test_truncated_tail_is_caught_by_the_head() -> None:
    """Entries cut off the end change no digest; the head still names them."""
    log = build_log([{"n": i} for i in range(5)])
    head = head_of(log)
    report = verify_log(KEY, log[:3], head=lambda: head)
    assert report.first_break is not None
    assert (report.first_break.entry_id, report.first_break.reason) == (4, BreakReason.MISSING)


def test_entries_beyond_the_head_are_reported() -> None:
    """A correctly keyed entry the head does not know about is reported at the head."""
    log = build_log([{"n": i} for i in range(3)])
    head = head_of(log[:2])
    report = verify_log(KEY, log, head=lambda: head)
    assert report.first_break is not None
    assert report.first_break.reason == BreakReason.HEAD


def test_progress_is_reported_in_thousands_and_at_the_end() -> None:
    """Progress callbacks come every 1,000 entries and once at the end."""
    log = build_log([{} for _ in range(2500)])
    seen: list[int] = []
    verify_log(KEY, log, progress=seen.append)
    assert seen == [1000, 2000, 2500]


def test_verify_chain_reports_the_callers_entry_id() -> None:
    """The generic chain check names a broken entry by the caller's id."""
    first = chain_digest(KEY, GENESIS, {"a": 1})
    second = chain_digest(KEY, first, {"a": 2})
    assert verify_chain(KEY, [("x", {"a": 1}, first), ("y", {"a": 2}, second)]).ok
    report = verify_chain(KEY, [("x", {"a": 1}, first), ("y", {"a": 3}, second)])
    assert report.first_break is not None
    assert report.first_break.entry_id == "y"


json_values = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.text(max_size=12)
)
contents = st.lists(
    st.dictionaries(st.sampled_from(["actor", "action", "object", "detail"]), json_values),
    min_size=1,
    max_size=25,
)


@given(contents=contents, data=st.data())
def test_any_single_field_change_is_detected_at_its_entry(
    contents: list[dict[str, Any]], data: st.DataObject
) -> None:
    """Whatever field of whichever entry changes, verification stops at that entry."""
    log = build_log(contents)
    index = data.draw(st.integers(0, len(log) - 1), label="index")
    entry = log[index]
    name = data.draw(st.sampled_from(["actor", "action", "object", "detail", "extra"]))
    new_value = data.draw(json_values.filter(lambda v: v != entry.content.get(name, object())))
    log[index] = entry._replace(content={**entry.content, name: new_value})
    report = verify_log(KEY, log, head=lambda: head_of(build_log(contents)))
    assert report.first_break is not None
    assert report.first_break.entry_id == index + 1
    assert report.first_break.reason == BreakReason.ALTERED
    assert report.checked == index


@given(contents=contents, data=st.data())
def test_any_single_deletion_is_detected_at_its_number(
    contents: list[dict[str, Any]], data: st.DataObject
) -> None:
    """Removing any one entry (the last one too) is reported at its sequence number."""
    log = build_log(contents)
    head = head_of(log)
    index = data.draw(st.integers(0, len(log) - 1), label="index")
    del log[index]
    report = verify_log(KEY, log, head=lambda: head)
    assert report.first_break is not None
    assert report.first_break.entry_id == index + 1
    assert report.first_break.reason == BreakReason.MISSING


def test_the_documented_examples_hold() -> None:
    """The examples in the package's docstrings run and give the results they show."""
    import doctest

    import ura.integrity
    import ura.integrity.chain

    for module in (ura.integrity, ura.integrity.chain):
        failures, tried = doctest.testmod(module)
        assert tried > 0
        assert failures == 0
