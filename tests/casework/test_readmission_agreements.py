"""Readmission agreements as data: the shipped files load with their figures, a bad file is
refused with a message naming the element, and an agreement's figures replace the
procedure's defaults in the deadline rules."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from ura.casework.calendar import WorkingCalendar
from ura.casework.documents import parse_blocks
from ura.casework.procedures import builtin_registry
from ura.casework.readmission import (
    Agreement,
    AgreementError,
    AgreementRegistry,
    UnknownAgreementError,
    accelerated_request_last_day,
    apply_agreement,
    builtin_agreement_registry,
    builtin_agreements,
    deemed_consent_due,
    parse_agreement,
    request_form_text,
    return_back_last_day,
)

TR = WorkingCalendar.from_config({"country": "TR"})
MINIMAL = """
code: demo
version: 1
effective_from: 2020-01-01
title: Demo agreement
short_title: Demo
publication: Gazette 1
home: TR
parties: [A, B]
counterparts: [XK]
form: {title: Form, reference: Annex 1}
reply: {duration: 10, unit: calendar_days, legal_reference: Art. 5}
deemed_consent: {applies: false, legal_reference: Art. 5}
travel_document: {duration: 2, unit: working_days, legal_reference: Art. 6}
transfer: {duration: 1, unit: months, legal_reference: Art. 7}
return_back: {duration: 1, unit: months, legal_reference: Art. 8}
"""


def eu_tr() -> Agreement:
    return builtin_agreement_registry().get("eu-tr-2014", 1)


def test_shipped_agreements_load_with_their_figures() -> None:
    """The EU-Türkiye agreement: accelerated 3 + 5 working days, regular 25 calendar days,
    silence is consent, travel document in 3 working days, transfer in 3 months; every
    figure is marked for checking. The bilateral example has no accelerated procedure and
    no deemed consent."""
    codes = {a.code for a in builtin_agreements()}
    assert {"eu-tr-2014", "tr-pk-2010"} <= codes
    a = eu_tr()
    assert a.publication.startswith("OJ L 134, 7.5.2014")
    assert a.accelerated_request is not None
    assert a.accelerated_reply is not None
    assert (a.accelerated_request.duration, a.accelerated_request.unit) == (3, "working_days")
    assert (a.accelerated_reply.duration, a.accelerated_reply.unit) == (5, "working_days")
    assert (a.reply.duration, a.reply.unit) == (25, "calendar_days")
    assert a.deemed_consent.applies
    assert (a.travel_document.duration, a.transfer.duration, a.transfer.unit) == (3, 3, "months")
    assert a.transfer.extendable
    assert "GR" in a.counterparts
    assert "DK" not in a.counterparts
    assert "TR" not in a.counterparts
    assert all(p.check for p in (a.reply, a.travel_document, a.transfer, a.return_back))
    pk = builtin_agreement_registry().get("tr-pk-2010", 1)
    assert not pk.has_accelerated_procedure
    assert not pk.deemed_consent.applies
    assert pk.counterparts == ("PK",)


def test_registry_answers_the_version_in_force() -> None:
    """A request drafted before an agreement took effect finds none."""
    registry = builtin_agreement_registry()
    assert registry.current("eu-tr-2014", dt.date(2026, 1, 1)).version == 1
    with pytest.raises(UnknownAgreementError):
        registry.current("eu-tr-2014", dt.date(2014, 9, 30))
    with pytest.raises(UnknownAgreementError):
        registry.get("nope", 1)
    with pytest.raises(AgreementError, match="share code and version"):
        AgreementRegistry([eu_tr(), eu_tr()])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("reply: {duration: 10, unit: calendar_days", "reply: {duration: 10, unit: fortnights"),
            "reply.unit",
        ),
        (("reply: {duration: 10,", "reply: {duration: 0,"), "reply.duration"),
        (("counterparts: [XK]", "counterparts: [TR]"), "home state"),
        (("counterparts: [XK]", "counterparts: [Kosovo]"), "counterparts[0]"),
        (("counterparts: [XK]", "counterparts: [XK, XK]"), "listed twice"),
        (("publication: Gazette 1\n", ""), "missing publication"),
        (("code: demo", "code: demo\ncolour: red"), "unknown key(s) colour"),
        (("effective_from: 2020-01-01", "effective_from: soon"), "effective_from"),
        (
            ("deemed_consent: {applies: false", "deemed_consent: {applies: maybe"),
            "deemed_consent.applies",
        ),
    ],
)
def test_a_bad_agreement_file_is_refused_naming_the_element(
    change: tuple[str, str], message: str
) -> None:
    text = MINIMAL.replace(*change)
    assert text != MINIMAL
    with pytest.raises(AgreementError, match=re.escape(message)) as caught:
        parse_agreement(text, "demo.yaml")
    assert str(caught.value).startswith("demo.yaml: ")


def test_an_agreement_replaces_the_procedures_default_figures() -> None:
    """The Türkiye-Pakistan example: reply in 30 calendar days with its own article, and no
    accelerated rules at all; rules the agreement does not set are untouched."""
    procedure = builtin_registry().current("readmission", dt.date(2026, 1, 1))
    pk = builtin_agreement_registry().get("tr-pk-2010", 1)
    adapted = apply_agreement(procedure, pk)
    rules = {r.code: r for r in adapted.deadlines}
    assert set(rules) == {"reply_regular", "travel_document", "transfer"}
    assert (rules["reply_regular"].duration, rules["reply_regular"].unit) == (30, "calendar_days")
    assert rules["reply_regular"].legal_reference.startswith(
        "Türkiye-Pakistan readmission agreement"
    )
    assert rules["travel_document"].duration == 5
    assert rules["transfer"].paused_by == ("transfer_obstacle_recorded",)
    full = {r.code for r in apply_agreement(procedure, eu_tr()).deadlines}
    assert {"accelerated_request", "reply_accelerated", "reply_regular"} <= full


def test_accelerated_time_limit_skips_the_republic_day_holiday() -> None:
    """Apprehended on Tuesday 27 October 2026: Wednesday 28 (1), Thursday 29 is Republic Day,
    Friday 30 (2), Monday 2 November (3)."""
    assert accelerated_request_last_day(eu_tr(), dt.date(2026, 10, 27), TR) == dt.date(2026, 11, 2)
    pk = builtin_agreement_registry().get("tr-pk-2010", 1)
    assert accelerated_request_last_day(pk, dt.date(2026, 10, 27), TR) is None


def test_return_back_window_and_deemed_consent() -> None:
    """The return-back window is three months and never rolls forward; consent is deemed
    only after the reply's last day and only where the agreement says so."""
    assert return_back_last_day(eu_tr(), dt.date(2026, 5, 30), TR) == dt.date(2026, 8, 30)
    due = dt.date(2026, 6, 1)
    assert not deemed_consent_due(eu_tr(), due, due)
    assert deemed_consent_due(eu_tr(), due, due + dt.timedelta(days=1))
    pk = builtin_agreement_registry().get("tr-pk-2010", 1)
    assert not deemed_consent_due(pk, due, dt.date(2027, 1, 1))


def test_form_text_writes_values_literally() -> None:
    """A value that looks like markup (a heading, a list item, the signature rule) stays text."""
    text = request_form_text(
        eu_tr(),
        reference="RE-2026-000001",
        fields=[("Requested state", "Greece")],
        sections=[("Person", [("Family name", "# Heading"), ("Remarks", "---")])],
        signatory=("A. Official", "Edirne removal unit"),
    )
    blocks = parse_blocks(text)
    assert blocks[0].kind == "heading"
    assert blocks[0].lines == ("Readmission application (common form)",)
    paragraphs = [b.lines[0] for b in blocks if b.kind == "paragraph"]
    assert "Family name: # Heading" in paragraphs
    assert "Remarks: ---" in paragraphs
    assert [b.lines for b in blocks if b.kind == "signature"] == [
        ("A. Official", "Edirne removal unit")
    ]
