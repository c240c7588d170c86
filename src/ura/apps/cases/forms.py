"""Forms of the case pages. They check the shape of what was typed; the rules (who may, in
which state, with which consent) stay in the services, which the views call.

Every form that writes to a case carries the case ``version`` the user read (a hidden
field): the service refuses the write when someone else changed the case in between.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ura.apps.cases.models import ConsentKind, PersonRole, Priority, Vulnerability

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from ura.apps.accounts.models import User
    from ura.apps.cases.overview import Recipient

_DATE = forms.DateInput(attrs={"type": "date"})


class VersionedForm(forms.Form):
    """A write on a case: ``version`` is the case version shown to the user."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class CaseSearchForm(forms.Form):
    q = forms.CharField(label=_("Reference"), required=False, max_length=64)
    procedure = forms.ChoiceField(label=_("Procedure"), required=False)
    state = forms.CharField(label=_("State (code)"), required=False, max_length=64)
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any")), *Priority.choices]
    )
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    open_only = forms.BooleanField(label=_("Open cases only"), required=False)

    def __init__(
        self,
        *args: Any,
        procedures: Sequence[tuple[str, str]] = (),
        units: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", _("Any")), *procedures]  # type: ignore[attr-defined]
        self.fields["unit"].choices = [("", _("Any")), *units]  # type: ignore[attr-defined]


class PersonSearchForm(forms.Form):
    """Step 1 of opening a case: find the person in the index (any script or spelling)."""

    name = forms.CharField(
        label=_("Name, in any script or spelling"), required=False, max_length=200
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=_DATE)
    year_of_birth = forms.IntegerField(
        label=_("or year of birth"), required=False, min_value=1900, max_value=2100
    )
    document_number = forms.CharField(label=_("Document number"), required=False, max_length=64)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(
            data.get(k) for k in ("name", "date_of_birth", "year_of_birth", "document_number")
        ):
            raise forms.ValidationError(_("Give a name, a date of birth or a document number."))
        return data


class CaseCreateForm(forms.Form):
    """Step 2: open a case of a procedure for the chosen person."""

    person_id = forms.CharField(widget=forms.HiddenInput, max_length=16)
    procedure = forms.ChoiceField(label=_("Procedure"))
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerabilities"),
        required=False,
        choices=Vulnerability.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, procedures: Sequence[tuple[str, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = list(procedures)  # type: ignore[attr-defined]


def path_label(path: str) -> str:
    """A data path in words for a form's label: ``detention.ground`` is "Detention: ground",
    ``interview.held_on`` "Interview: held on" (a caseworker does not read dotted paths)."""
    parts = [part.replace("_", " ").strip() for part in path.split(".") if part.strip()]
    if not parts:
        return path
    return ": ".join([parts[0].capitalize(), *parts[1:]])


class TransitionForm(VersionedForm):
    """The generic form of one transition: one text input per data path the transition
    requires (prefilled with what the case holds), the day it happened and, when the
    transition needs consent and the user may override it, the override's reason.

    Field names are ``data:<path>`` so that a path such as ``interview.date`` survives; each
    is labelled from its path ("Detention: ground") unless ``labels`` names it."""

    transition = forms.CharField(widget=forms.HiddenInput, max_length=64)
    occurred_on = forms.DateField(
        label=_("Happened on (if not today)"),
        required=False,
        widget=_DATE,
        help_text=_("For a step recorded late; not in the future nor before the last step."),
    )

    def __init__(
        self,
        *args: Any,
        required_paths: Sequence[str] = (),
        current: dict[str, str] | None = None,
        consent_override: bool = False,
        labels: Mapping[str, str | Promise] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        current = current or {}
        labels = labels or {}
        self.paths = list(required_paths)
        for path in self.paths:
            self.fields[f"data:{path}"] = forms.CharField(
                label=str(labels.get(path) or path_label(path)),
                required=False,
                max_length=2000,
                initial=current.get(path, ""),
            )
        if consent_override:
            self.fields["override_consent_reason"] = forms.CharField(
                label=_("Reason for proceeding without recorded consent (audited)"),
                required=False,
                max_length=300,
            )

    def data_changes(self) -> dict[str, str]:
        """The data paths the user filled in (an empty input leaves the case data as is)."""
        changes: dict[str, str] = {}
        for path in self.paths:
            value = (self.cleaned_data.get(f"data:{path}") or "").strip()
            if value:
                changes[path] = value
        return changes


class NoteForm(VersionedForm):
    text = forms.CharField(
        label=_("Note"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DocumentForm(VersionedForm):
    kind = forms.CharField(label=_("Document type"), max_length=64)
    file = forms.FileField(label=_("File"))


class TaskForm(VersionedForm):
    title = forms.CharField(label=_("Task"), max_length=200)
    assignee = forms.TypedChoiceField(label=_("For"), required=False, coerce=int, empty_value=None)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=_DATE)

    def __init__(self, *args: Any, assignees: Sequence[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("Nobody in particular")),
            *[(u.pk, u.get_username()) for u in assignees],
        ]


class ConsentForm(VersionedForm):
    person_id = forms.ChoiceField(label=_("Person"))
    kind = forms.ChoiceField(label=_("Consent to"), choices=ConsentKind.choices)
    given_on = forms.DateField(label=_("Given on"), widget=_DATE)
    scope = forms.CharField(label=_("What it covers"), required=False, max_length=200)
    recipient_agency = forms.TypedChoiceField(
        label=_("Only for"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self,
        *args: Any,
        person_ids: Sequence[str] = (),
        agencies: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person_id"].choices = [(p, p) for p in person_ids]  # type: ignore[attr-defined]
        self.fields["recipient_agency"].choices = [  # type: ignore[attr-defined]
            ("", _("Any recipient")),
            *agencies,
        ]


def _recipient_choices(recipients: Sequence[Recipient]) -> list[tuple[str, str]]:
    return [(str(r.unit_id), f"{r.agency_name} — {r.unit_name}") for r in recipients]


class ReferralForm(VersionedForm):
    """Refer the case to a unit of another agency, or to the whole agency."""

    recipient = forms.ChoiceField(label=_("Refer to"))
    service = forms.CharField(label=_("Service requested"), max_length=200)
    can_change = forms.BooleanField(
        label=_("The recipient may also change the case"), required=False
    )
    override_consent_reason = forms.CharField(
        label=_("Without recorded consent, because (override, audited)"),
        required=False,
        max_length=300,
    )

    def __init__(self, *args: Any, recipients: Sequence[Recipient] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = {r.agency_id: r.agency_name for r in recipients}
        self.fields["recipient"].choices = [  # type: ignore[attr-defined]
            *[
                (f"agency:{pk}", _("%(agency)s (any unit)") % {"agency": name})
                for pk, name in agencies.items()
            ],
            *[(f"unit:{value}", label) for value, label in _recipient_choices(recipients)],
        ]
        self._units = {r.unit_id: r.agency_id for r in recipients}

    def recipient_ids(self) -> tuple[int, int | None]:
        """(agency id, unit id or None) of the chosen recipient."""
        kind, _sep, value = self.cleaned_data["recipient"].partition(":")
        if kind == "unit":
            return self._units[int(value)], int(value)
        return int(value), None


class TransferForm(VersionedForm):
    to_unit = forms.TypedChoiceField(label=_("Transfer to"), coerce=int)
    reason = forms.CharField(label=_("Why"), max_length=500)
    override_consent_reason = forms.CharField(
        label=_("Without recorded consent, because (override, audited)"),
        required=False,
        max_length=300,
    )

    def __init__(self, *args: Any, recipients: Sequence[Recipient] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].choices = _recipient_choices(recipients)  # type: ignore[attr-defined]


class ResponseForm(VersionedForm):
    """A recipient's answer to a referral or transfer, with an optional note."""

    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)


class AssignForm(VersionedForm):
    users = forms.TypedMultipleChoiceField(
        label=_("Assign"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, users: Sequence[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["users"].choices = [(u.pk, u.get_username()) for u in users]  # type: ignore[attr-defined]


class CaseVersionsField(forms.MultipleChoiceField):
    """Cases as ``<id>:<version>``, the version the supervisor saw. Any well-formed pair is
    valid here: whether the case may be assigned, and whether it changed since, is the
    service's to say (a changed case is a conflict, not an invalid choice)."""

    def valid_value(self, value: Any) -> bool:
        return isinstance(value, str) and re.fullmatch(r"\d{1,18}:\d{1,9}", value) is not None


class BulkAssignForm(forms.Form):
    """Assign one user to several cases at once."""

    cases = CaseVersionsField(label=_("Cases"), widget=forms.CheckboxSelectMultiple)
    user = forms.TypedChoiceField(label=_("Assign to"), coerce=int)

    def __init__(self, *args: Any, users: Sequence[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [(u.pk, u.get_username()) for u in users]  # type: ignore[attr-defined]

    def case_versions(self) -> list[tuple[int, int]]:
        pairs = []
        for item in self.cleaned_data["cases"]:
            case_id, _sep, version = item.partition(":")
            pairs.append((int(case_id), int(version)))
        return pairs


class PersonAddForm(VersionedForm):
    """A family or household member, by their person id in the person index."""

    person_id = forms.CharField(
        label=_("Person id"),
        max_length=16,
        help_text=_("From the person index: search the person there and copy the id."),
    )
    role = forms.ChoiceField(label=_("Role in the case"), choices=PersonRole.choices)
    household_group = forms.CharField(label=_("Household group"), max_length=32, initial="1")


class CaseUpdateForm(VersionedForm):
    """Priority and vulnerability flags of a case."""

    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerabilities"),
        choices=Vulnerability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
