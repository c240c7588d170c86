"""Readmission agreements as versioned data, and the deadlines they give a request.

A readmission request is made under an agreement between the requesting and the requested
state (the EU-Türkiye agreement, OJ L 134, 7.5.2014; bilateral ones). The agreements differ
in their figures — reply within 25 calendar days or 30, whether silence counts as consent,
whether an accelerated procedure exists for persons apprehended in the border region — so
each agreement is one YAML file in ``readmission/agreements/`` beside this module, with a
``version`` and ``effective_from`` like a procedure (docs/readmission.md describes the
format). A request keeps the agreement version it was drafted under.

The readmission procedure (``procedures/readmission.yaml``) declares the states, transitions
and deadline rules; its rules carry the EU-Türkiye figures as defaults.
:func:`apply_agreement` gives the procedure with a given agreement's figures and legal
references in place of those defaults, so that the case engine computes every deadline of a
request from the agreement it was made under.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final, cast, get_args

import yaml

from ura.casework.calendar import WorkingCalendar
from ura.casework.procedures import DeadlineRule, Procedure, Unit

__all__ = [
    "AGREEMENT_RULES",
    "Agreement",
    "AgreementError",
    "AgreementForm",
    "AgreementRegistry",
    "DeemedConsent",
    "Period",
    "UnknownAgreementError",
    "accelerated_request_last_day",
    "apply_agreement",
    "builtin_agreement_registry",
    "builtin_agreements",
    "deemed_consent_due",
    "load_agreement",
    "parse_agreement",
    "period_end",
    "request_form_text",
    "return_back_last_day",
]

#: The procedure's deadline rules and the agreement period that sets each one's figures.
AGREEMENT_RULES: Final[Mapping[str, str]] = {
    "accelerated_request": "accelerated.request_within",
    "reply_accelerated": "accelerated.reply_within",
    "reply_regular": "reply",
    "travel_document": "travel_document",
    "transfer": "transfer",
}

_BUILTIN_DIR: Final = "readmission/agreements"
_CODE_RE: Final = re.compile(r"^[a-z][a-z0-9-]*$")
_COUNTRY_RE: Final = re.compile(r"^[A-Z]{2}$")
_UNITS: Final = frozenset(get_args(Unit))


class AgreementError(ValueError):
    """An agreement file is invalid; the message names the file and the element at fault."""


class UnknownAgreementError(AgreementError, LookupError):
    """No agreement with that code (and version, or in force on that day)."""


@dataclass(frozen=True)
class Period:
    """One period an agreement sets.

    Attributes:
        duration: Whole number of ``unit``.
        unit: ``calendar_days``, ``working_days`` or ``months``.
        legal_reference: The article, shown beside the deadline.
        check: The figure comes from secondary sources.
        extendable: The period may be extended (paused while an obstacle lasts).
        notes: Why the period is as it is.
    """

    duration: int
    unit: Unit
    legal_reference: str
    check: bool = False
    extendable: bool = False
    notes: str = ""


@dataclass(frozen=True)
class DeemedConsent:
    """Whether silence until the reply deadline counts as consent to the transfer.

    Attributes:
        applies: True when it does.
        legal_reference: The article.
        check: From secondary sources.
    """

    applies: bool
    legal_reference: str
    check: bool = False


@dataclass(frozen=True)
class AgreementForm:
    """The agreement's common form for a readmission request.

    Attributes:
        title: Printed at the top of the form.
        reference: Where the agreement sets it out (``Annex 5``).
        check: From secondary sources.
    """

    title: str
    reference: str
    check: bool = False


@dataclass(frozen=True)
class Agreement:
    """One version of a readmission agreement.

    Attributes:
        code: The agreement (``eu-tr-2014``), shared by its versions.
        version: Increases with every change.
        effective_from: Applies to requests drafted on or after this day.
        title: The agreement's full title.
        short_title: Its name in lists.
        publication: Where it was published (``OJ L 134, 7.5.2014, p. 3``).
        home: ISO 3166-1 alpha-2 code of the state Ura's administration acts for.
        parties: The contracting parties, as named in the agreement.
        counterparts: ISO 3166-1 alpha-2 codes of the states a request may be sent to.
        form: The common form.
        accelerated_request: Time to send a request under the accelerated procedure, from
            apprehension; ``None`` when the agreement has no accelerated procedure.
        accelerated_reply: Reply time under the accelerated procedure.
        reply: Reply time under the regular procedure.
        deemed_consent: Whether silence counts as consent.
        travel_document: Time for the requested state to issue the travel document, from
            consent.
        transfer: Time to transfer the person, from consent.
        return_back: Time after the transfer within which the requested state may ask to
            return a person readmitted in error.
        notes: Free text.
    """

    code: str
    version: int
    effective_from: dt.date
    title: str
    short_title: str
    publication: str
    home: str
    parties: tuple[str, ...]
    counterparts: tuple[str, ...]
    form: AgreementForm
    accelerated_request: Period | None
    accelerated_reply: Period | None
    reply: Period
    deemed_consent: DeemedConsent
    travel_document: Period
    transfer: Period
    return_back: Period
    notes: str = ""

    @property
    def has_accelerated_procedure(self) -> bool:
        """Whether requests may be made under the accelerated procedure."""
        return self.accelerated_request is not None

    def period(self, name: str) -> Period | None:
        """The period named as in :data:`AGREEMENT_RULES` (``accelerated.reply_within``).

        Args:
            name: The period's name.

        Returns:
            The period, or None when the agreement has no accelerated procedure.

        Raises:
            KeyError: An unknown name.
        """
        periods: dict[str, Period | None] = {
            "accelerated.request_within": self.accelerated_request,
            "accelerated.reply_within": self.accelerated_reply,
            "reply": self.reply,
            "travel_document": self.travel_document,
            "transfer": self.transfer,
            "return_back": self.return_back,
        }
        return periods[name]


class AgreementRegistry:
    """The agreements known to the system, by code and version."""

    def __init__(self, agreements: Iterable[Agreement]) -> None:
        self._by_key: dict[tuple[str, int], Agreement] = {}
        for agreement in agreements:
            key = (agreement.code, agreement.version)
            if key in self._by_key:
                raise AgreementError(f"two agreements share code and version {key!r}")
            self._by_key[key] = agreement

    @property
    def codes(self) -> tuple[str, ...]:
        """Every agreement code, sorted."""
        return tuple(sorted({code for code, _ in self._by_key}))

    def get(self, code: str, version: int) -> Agreement:
        """Version ``version`` of agreement ``code``.

        Raises:
            UnknownAgreementError: No such agreement version.
        """
        try:
            return self._by_key[(code, version)]
        except KeyError:
            raise UnknownAgreementError(f"no agreement {code!r} version {version}") from None

    def current(self, code: str, on: dt.date) -> Agreement:
        """The version of ``code`` in force on ``on`` (the highest that took effect by then).

        Raises:
            UnknownAgreementError: No such agreement, or none in force on that day.
        """
        found = [a for (c, _), a in self._by_key.items() if c == code and a.effective_from <= on]
        if not found:
            raise UnknownAgreementError(f"no agreement {code!r} in force on {on.isoformat()}")
        return max(found, key=lambda a: a.version)

    def in_force(self, on: dt.date) -> tuple[Agreement, ...]:
        """The current version of every agreement in force on ``on``, by short title."""
        found = []
        for code in self.codes:
            try:
                found.append(self.current(code, on))
            except UnknownAgreementError:
                continue
        return tuple(sorted(found, key=lambda a: a.short_title))


# --- Deadlines -----------------------------------------------------------------------------


def apply_agreement(procedure: Procedure, agreement: Agreement) -> Procedure:
    """The readmission procedure with the agreement's figures in its deadline rules.

    Each rule named in :data:`AGREEMENT_RULES` takes the agreement period's duration, unit,
    legal reference (prefixed with the agreement's short title) and check mark. The
    accelerated rules of an agreement without an accelerated procedure are dropped.

    Args:
        procedure: A version of the readmission procedure.
        agreement: The agreement the request is made under.

    Returns:
        A procedure equal to ``procedure`` except for those deadline rules.
    """
    rules: list[DeadlineRule] = []
    for rule in procedure.deadlines:
        name = AGREEMENT_RULES.get(rule.code)
        if name is None:
            rules.append(rule)
            continue
        period = agreement.period(name)
        if period is None:
            continue
        rules.append(
            dataclasses.replace(
                rule,
                duration=period.duration,
                unit=period.unit,
                legal_reference=f"{agreement.short_title}, {period.legal_reference}",
                check=period.check,
            )
        )
    return dataclasses.replace(procedure, deadlines=tuple(rules))


def period_end(period: Period, start: dt.date, calendar: WorkingCalendar) -> dt.date:
    """The last day of ``period`` counted from ``start`` (the start day not counted).

    Calendar-day and month periods that end on a non-working day end on the next working
    day, as the deadline engine counts reply and transfer deadlines.

    Args:
        period: The period.
        start: The day of the event that starts it.
        calendar: The requesting state's working days.

    Returns:
        The last day of the period.
    """
    if period.unit == "working_days":
        return calendar.add_working_days(start, period.duration)
    if period.unit == "calendar_days":
        return calendar.add_calendar_days(start, period.duration)
    return calendar.add_months(start, period.duration)


def accelerated_request_last_day(
    agreement: Agreement, apprehended_on: dt.date, calendar: WorkingCalendar
) -> dt.date | None:
    """The last day a request under the accelerated procedure may be sent.

    Args:
        agreement: The agreement.
        apprehended_on: The day the person was apprehended in the border region.
        calendar: The requesting state's working days.

    Returns:
        The day, or None when the agreement has no accelerated procedure.
    """
    if agreement.accelerated_request is None:
        return None
    return period_end(agreement.accelerated_request, apprehended_on, calendar)


def return_back_last_day(
    agreement: Agreement, transferred_on: dt.date, calendar: WorkingCalendar
) -> dt.date:
    """The last day on which the requested state may ask to return a person readmitted in
    error (the window does not roll forward: it is a limit on the other side's claim).

    Args:
        agreement: The agreement.
        transferred_on: The day of the transfer.
        calendar: The requesting state's working days.

    Returns:
        The last day of the window.
    """
    period = agreement.return_back
    if period.unit == "months":
        return calendar.add_months(transferred_on, period.duration, roll_forward=False)
    if period.unit == "calendar_days":
        return calendar.add_calendar_days(transferred_on, period.duration, roll_forward=False)
    return calendar.add_working_days(transferred_on, period.duration)


def deemed_consent_due(agreement: Agreement, reply_due_on: dt.date, today: dt.date) -> bool:
    """Whether a request without a reply now counts as accepted.

    Args:
        agreement: The agreement the request was made under.
        reply_due_on: The last day of the reply period.
        today: The day asked about.

    Returns:
        True when the agreement makes silence consent and the reply period is over.
    """
    return agreement.deemed_consent.applies and today > reply_due_on


# --- The common form -----------------------------------------------------------------------


def _literal(value: object) -> str:
    """One line of form text that the block markup never reads as a marker."""
    text = " ".join(str(value if value is not None else "").split())
    return "\\" + text if text else "\\—"


def request_form_text(
    agreement: Agreement,
    *,
    reference: str,
    fields: Iterable[tuple[str, object]],
    sections: Iterable[tuple[str, Iterable[tuple[str, object]]]],
    signatory: tuple[str, str],
) -> str:
    """A readmission request on the agreement's common form, in the block markup that
    :func:`ura.casework.documents.render_pdf` typesets.

    Values are written literally (a value beginning with ``#`` or ``-`` is not markup).

    Args:
        agreement: The agreement whose form it is.
        reference: The request's reference.
        fields: Heading fields (label, value): requesting and requested state, procedure.
        sections: Titled sections of (label, value) pairs: the person, the evidence.
        signatory: Name and authority of the official who sends it.

    Returns:
        The form text.
    """
    lines = [
        f"# {_literal(agreement.form.title)[1:]}",
        _literal(f"{agreement.title} ({agreement.publication}), {agreement.form.reference}"),
        "",
        _literal(f"Reference: {reference}"),
        "",
    ]
    for label, value in fields:
        lines += [_literal(f"{label}: {value if value not in (None, '') else '—'}"), ""]
    for title, rows in sections:
        lines += [f"## {_literal(title)[1:]}", ""]
        for label, value in rows:
            lines += [_literal(f"{label}: {value if value not in (None, '') else '—'}"), ""]
    lines += ["---", _literal(signatory[0]), _literal(signatory[1])]
    return "\n".join(lines) + "\n"


# --- Loading -------------------------------------------------------------------------------


def load_agreement(path: Path | str) -> Agreement:
    """Read one agreement file.

    Raises:
        AgreementError: The file is invalid (the message names the element).
    """
    path = Path(path)
    return parse_agreement(path.read_text(encoding="utf-8"), path.name)


def parse_agreement(text: str, origin: str = "<string>") -> Agreement:
    """Parse an agreement from YAML text.

    Args:
        text: The YAML document.
        origin: Named in error messages.

    Returns:
        The agreement.

    Raises:
        AgreementError: Invalid YAML, an unknown or missing key, or a bad value.
    """
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AgreementError(f"{origin}: not valid YAML: {exc}") from exc
    return _Builder(origin).agreement(raw)


@functools.cache
def builtin_agreements() -> tuple[Agreement, ...]:
    """Every agreement shipped in ``ura/casework/readmission/agreements/``, by code and
    version.

    Raises:
        AgreementError: A shipped file is invalid.
    """
    folder = resources.files("ura.casework").joinpath(_BUILTIN_DIR)
    found = [
        parse_agreement(entry.read_text(encoding="utf-8"), f"agreements/{entry.name}")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    ]
    return tuple(sorted(found, key=lambda a: (a.code, a.version)))


@functools.cache
def builtin_agreement_registry() -> AgreementRegistry:
    """A registry of :func:`builtin_agreements`."""
    return AgreementRegistry(builtin_agreements())


_TOP_REQUIRED: Final = frozenset(
    {
        "code",
        "version",
        "effective_from",
        "title",
        "short_title",
        "publication",
        "home",
        "parties",
        "counterparts",
        "form",
        "reply",
        "deemed_consent",
        "travel_document",
        "transfer",
        "return_back",
    }
)
_TOP_OPTIONAL: Final = frozenset({"accelerated", "notes"})
_PERIOD_KEYS: Final = (
    frozenset({"duration", "unit", "legal_reference"}),
    frozenset({"check", "extendable", "notes"}),
)


class _Builder:
    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, message: str) -> AgreementError:
        return AgreementError(f"{self.origin}: {where}: {message}")

    def mapping(
        self, raw: object, where: str, required: frozenset[str], optional: frozenset[str]
    ) -> Mapping[str, Any]:
        if not isinstance(raw, Mapping):
            raise self.fail(where, "must be a mapping")
        keys = set(raw)
        missing = sorted(required - keys)
        if missing:
            raise self.fail(where, f"missing {', '.join(missing)}")
        unknown = sorted(str(k) for k in keys - required - optional)
        if unknown:
            raise self.fail(where, f"unknown key(s) {', '.join(unknown)}")
        return cast("Mapping[str, Any]", raw)

    def text(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "must be non-empty text")
        return " ".join(value.split())

    def flag(self, value: object, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"{value!r} is not true or false")
        return value

    def country(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not _COUNTRY_RE.match(value):
            raise self.fail(where, f"{value!r} is not an ISO 3166-1 alpha-2 code")
        return value

    def period(self, raw: object, where: str) -> Period:
        data = self.mapping(raw, where, *_PERIOD_KEYS)
        duration = data["duration"]
        if not isinstance(duration, int) or isinstance(duration, bool) or duration < 1:
            raise self.fail(f"{where}.duration", f"{duration!r} is not a whole number >= 1")
        unit = data["unit"]
        if unit not in _UNITS:
            raise self.fail(f"{where}.unit", f"{unit!r} is not one of {sorted(_UNITS)}")
        return Period(
            duration=duration,
            unit=cast("Unit", unit),
            legal_reference=self.text(data["legal_reference"], f"{where}.legal_reference"),
            check=self.flag(data.get("check", False), f"{where}.check"),
            extendable=self.flag(data.get("extendable", False), f"{where}.extendable"),
            notes=" ".join(str(data.get("notes", "")).split()),
        )

    def agreement(self, raw: object) -> Agreement:
        data = self.mapping(raw, "agreement", _TOP_REQUIRED, _TOP_OPTIONAL)
        code = data["code"]
        if not isinstance(code, str) or not _CODE_RE.match(code):
            raise self.fail("code", f"{code!r} is not a lower-case code (letters, digits, -)")
        version = data["version"]
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self.fail("version", f"{version!r} is not a whole number >= 1")
        effective = data["effective_from"]
        if not isinstance(effective, dt.date) or isinstance(effective, dt.datetime):
            raise self.fail("effective_from", f"{effective!r} is not a date (YYYY-MM-DD)")
        parties = data["parties"]
        if not isinstance(parties, list) or len(parties) < 2:
            raise self.fail("parties", "must list at least two parties")
        counterparts = data["counterparts"]
        if not isinstance(counterparts, list) or not counterparts:
            raise self.fail("counterparts", "must list at least one country")
        home = self.country(data["home"], "home")
        codes = tuple(self.country(c, f"counterparts[{i}]") for i, c in enumerate(counterparts))
        if len(set(codes)) != len(codes):
            raise self.fail("counterparts", "a country is listed twice")
        if home in codes:
            raise self.fail("counterparts", f"{home} is the home state, not a counterpart")
        form = self.mapping(
            data["form"], "form", frozenset({"title", "reference"}), frozenset({"check"})
        )
        deemed = self.mapping(
            data["deemed_consent"],
            "deemed_consent",
            frozenset({"applies", "legal_reference"}),
            frozenset({"check"}),
        )
        accelerated_request = accelerated_reply = None
        if "accelerated" in data:
            both = frozenset({"request_within", "reply_within"})
            accelerated = self.mapping(data["accelerated"], "accelerated", both, frozenset())
            accelerated_request = self.period(
                accelerated["request_within"], "accelerated.request_within"
            )
            accelerated_reply = self.period(accelerated["reply_within"], "accelerated.reply_within")
        return Agreement(
            code=code,
            version=version,
            effective_from=effective,
            title=self.text(data["title"], "title"),
            short_title=self.text(data["short_title"], "short_title"),
            publication=self.text(data["publication"], "publication"),
            home=home,
            parties=tuple(self.text(p, f"parties[{i}]") for i, p in enumerate(parties)),
            counterparts=codes,
            form=AgreementForm(
                title=self.text(form["title"], "form.title"),
                reference=self.text(form["reference"], "form.reference"),
                check=self.flag(form.get("check", False), "form.check"),
            ),
            accelerated_request=accelerated_request,
            accelerated_reply=accelerated_reply,
            reply=self.period(data["reply"], "reply"),
            deemed_consent=DeemedConsent(
                applies=self.flag(deemed["applies"], "deemed_consent.applies"),
                legal_reference=self.text(
                    deemed["legal_reference"], "deemed_consent.legal_reference"
                ),
                check=self.flag(deemed.get("check", False), "deemed_consent.check"),
            ),
            travel_document=self.period(data["travel_document"], "travel_document"),
            transfer=self.period(data["transfer"], "transfer"),
            return_back=self.period(data["return_back"], "return_back"),
            notes=" ".join(str(data.get("notes", "")).split()),
        )
