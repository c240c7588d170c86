"""The shared case engine's tables: a case, its persons, people working on it, hand-offs,
consent, notes, documents, tasks, deadlines, notifications and its history.

A case is a protected record (``core.protected.ProtectedModel``): it belongs to an agency and
a unit and is seen on need-to-know (``cases.access``). Which states a case passes through is
not decided here: the procedure (``ura.casework.procedures``, versioned data) says so, and
the case keeps the procedure version in force on the day it was opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value, When
from django.utils.translation import gettext_lazy as _

from ura.apps.core.protected import ProtectedModel, Sensitivity, sensitive

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


#: Urgent first, then high, then normal: the work queue's first sort key. An expression the
#: queue's index (``case_open_queue``) holds, so that the queue reads its cases in order.
PRIORITY_RANK = models.Case(
    When(priority=Priority.URGENT, then=Value(0)),
    When(priority=Priority.HIGH, then=Value(1)),
    default=Value(2),
    output_field=models.IntegerField(),
)


class Vulnerability(models.TextChoices):
    """The fixed vocabulary of vulnerability flags (UNHCR's specific-needs categories,
    narrowed to what triage and prioritisation use)."""

    UNACCOMPANIED_CHILD = "unaccompanied_child", _("Unaccompanied or separated child")
    DISABILITY = "disability", _("Disability")
    SERIOUS_ILLNESS = "serious_illness", _("Serious medical condition")
    TRAFFICKING_VICTIM = "trafficking_victim", _("Victim of trafficking")
    TORTURE_SURVIVOR = "torture_survivor", _("Survivor of torture or violence")
    PREGNANT = "pregnant", _("Pregnant or lactating")
    ELDERLY = "elderly", _("Older person at risk")
    SINGLE_PARENT = "single_parent", _("Single parent")
    LGBTIQ = "lgbtiq", _("LGBTIQ+ person at risk")


class Case(ProtectedModel):
    """One case of one procedure (asylum, trafficking, …) about one or more persons.

    ``restricted`` cases (every trafficking case) are seen only by their assigned users and
    explicit grantees, whatever scope other users hold.
    """

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    procedure_code = models.CharField(_("procedure"), max_length=64)
    procedure_version = models.PositiveIntegerField(
        _("procedure version"),
        help_text=_(
            "The version in force when the case was opened; a later change of the rules "
            "applies to new cases only"
        ),
    )
    state = models.CharField(_("state"), max_length=64)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    # Health conditions, disability, trafficking and sexual orientation are special categories
    # of personal data: the flags are masked as health data (and the trafficking flag as
    # trafficking data, see cases.selectors.visible_vulnerabilities).
    vulnerabilities = sensitive(
        models.JSONField(_("vulnerabilities"), default=list, blank=True), Sensitivity.HEALTH
    )
    data = models.JSONField(_("case data"), default=dict, blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_("Only assigned users and explicit grantees see a restricted case"),
    )
    # The work queue's second sort key, kept here rather than looked up per case: at a million
    # cases the lookup read every candidate case's deadlines to rank them (a unit's 10,000
    # open cases for 25 shown) and kept the queue from reading its index in order.
    nearest_due_on = models.DateField(
        _("nearest due date"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "The earliest due date of the case's running deadlines; kept by "
            "cases.workflow.deadlines_refresh"
        ),
    )

    class Meta(ProtectedModel.Meta):
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("case")
        permissions = [
            ("assign_case", "Assign cases to users of the agency"),
            ("approve_case", "Approve case steps that need a second person"),
            ("override_consent", "Refer or transfer a case without recorded consent (audited)"),
        ]
        indexes = [
            models.Index(fields=["owning_unit", "state"]),
            models.Index(fields=["owning_agency", "state"]),
            models.Index(fields=["procedure_code", "state"]),
            # The unit-wide work queue reads a unit's open cases in its order (priority,
            # nearest due date, age) and stops at the first 25 the user may see; a unit's
            # closed cases are not in it. It serves whatever else reads a unit's open cases.
            models.Index(
                F("owning_unit"),
                PRIORITY_RANK,
                F("nearest_due_on"),
                F("opened_on"),
                F("id"),
                condition=Q(closed_at__isnull=True),
                name="case_open_queue",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @staticmethod
    def own_filter(user: AbstractUser) -> Q:
        """A user's "own" cases: the ones they opened or are assigned to now.

        The assignments as a set of case ids, not a join: a join repeats a case once per
        assignment and makes every query over it join the assignments table.
        """
        return Q(created_by_id=user.pk) | Q(
            pk__in=CaseAssignment.objects.filter(user_id=user.pk, ended_at__isnull=True).values(
                "case_id"
            )
        )


class ReferenceCounter(models.Model):
    """The last number given out per reference prefix and year ("AS-2026-000123")."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="case_reference_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class PersonRole(models.TextChoices):
    PRINCIPAL_APPLICANT = "principal_applicant", _("Principal applicant")
    SPOUSE = "spouse", _("Spouse or partner")
    DEPENDANT_CHILD = "dependant_child", _("Dependant child")
    FAMILY_MEMBER = "family_member", _("Other family member")
    OTHER = "other", _("Other")


class CasePerson(models.Model):
    """A person of the index (by stable person id) in a case, with a role and a household."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="persons")
    person_id = models.CharField(_("person id"), max_length=16, db_index=True)
    role = models.CharField(_("role in the case"), max_length=32, choices=PersonRole.choices)
    household_group = models.CharField(_("household group"), max_length=32, default="1")
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "household_group", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person_id"], name="case_person_once")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.person_id}"


class CaseAssignment(models.Model):
    """A user works on a case from ``assigned_at`` until ``ended_at``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"],
                condition=Q(ended_at__isnull=True),
                name="case_assignment_active_once",
            )
        ]
        # Every need-to-know filter reads a user's current assignments as a set of case ids
        # (cases.access.case_filter), and the work queue twice: with the case ids in the
        # index (in place of one on user and ended_at) they are read from it alone, not from
        # a table row per assignment (a caseworker's 1,100 rows lay in as many pages).
        indexes = [
            models.Index(
                fields=["user", "case"],
                condition=Q(ended_at__isnull=True),
                name="assignment_current_by_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} -> user {self.user_id}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "created_at", "pk"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.case_id}"


class CaseDocument(models.Model):
    """An uploaded file. Stored under a random name (``storage_name``); the name the user
    gave it is kept only here and given back on download."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document type"), max_length=64)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storage_name = models.CharField(max_length=255, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"document {self.pk} on {self.case_id}"


class CaseTask(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_tasks",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "done_at", "due_on", "pk"]
        indexes = [models.Index(fields=["assignee", "done_at", "due_on"])]

    def __str__(self) -> str:
        return f"task {self.pk} on {self.case_id}"


class Notification(models.Model):
    """An in-app message to one user about one case. Carries no personal data: the message
    says what happened ("You were assigned to case AS-2026-000123")."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_notifications"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"notification {self.pk} for {self.user_id}"


class CaseEventKind(models.TextChoices):
    CREATED = "created", _("Case opened")
    UPDATED = "updated", _("Case data changed")
    TRANSITION = "transition", _("State changed")
    PERSON_ADDED = "person_added", _("Person added")
    PERSON_REMOVED = "person_removed", _("Person removed")
    ASSIGNED = "assigned", _("User assigned")
    UNASSIGNED = "unassigned", _("User unassigned")
    NOTE_ADDED = "note_added", _("Note added")
    DOCUMENT_ADDED = "document_added", _("Document added")
    TASK_ADDED = "task_added", _("Task added")
    TASK_DONE = "task_done", _("Task done")
    CONSENT_RECORDED = "consent_recorded", _("Consent recorded")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    REFERRAL = "referral", _("Referral")
    TRANSFER = "transfer", _("Transfer")
    DECISION_DRAFTED = "decision_drafted", _("Decision drafted")
    DECISION_EDITED = "decision_edited", _("Decision draft edited")
    DECISION_SUBMITTED = "decision_submitted", _("Decision submitted for approval")
    DECISION_RETURNED = "decision_returned", _("Decision returned for revision")
    DECISION_APPROVED = "decision_approved", _("Decision approved and locked")


class CaseEvent(models.Model):
    """The case's history: every change, who made it, when, and (for transitions) the state
    before and after. Never changed after it is written; also what four-eyes guards read."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    version = models.PositiveIntegerField(_("case version after the change"))
    kind = models.CharField(max_length=32, choices=CaseEventKind.choices)
    transition = models.CharField(max_length=64, blank=True)
    from_state = models.CharField(max_length=64, blank=True)
    to_state = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    occurred_at = models.DateTimeField(auto_now_add=True)
    occurred_on = models.DateField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["case", "pk"]
        indexes = [models.Index(fields=["case", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} on {self.case_id} (v{self.version})"


class ConsentKind(models.TextChoices):
    REFERRAL = "referral", _("Referral to another organisation")
    TRANSFER = "transfer", _("Transfer of the case")
    DATA_SHARING = "data_sharing", _("Sharing of data")
    # A transnational referral shares data with the country of origin's counterpart (the
    # return phase of the trafficking NRM); never asked of an asylum-seeker.
    TRANSNATIONAL_REFERRAL = "transnational_referral", _("Transnational referral (return)")


class Consent(models.Model):
    """A person's informed consent for one purpose, possibly limited to a recipient."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    person_id = models.CharField(_("person id"), max_length=16)
    kind = models.CharField(_("kind"), max_length=32, choices=ConsentKind.choices)
    scope = models.CharField(
        _("scope"), max_length=200, blank=True, help_text=_("What the consent covers")
    )
    recipient_agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: any recipient"),
    )
    given_on = models.DateField(_("given on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["case", "given_on", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} consent on {self.case_id}"


class ReferralStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DONE = "done", _("Done")
    REVOKED = "revoked", _("Revoked")


class Referral(models.Model):
    """A case referred to another agency (or one unit of it) for a service. The recipient
    sees the case through ``grant`` while the referral is open."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    from_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    from_unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service = models.CharField(_("service requested"), max_length=200)
    status = models.CharField(
        max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.IN_PROGRESS
    )
    can_change = models.BooleanField(default=False)
    grant = models.ForeignKey(
        "accounts.AccessGrant", on_delete=models.PROTECT, null=True, related_name="+"
    )
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, null=True, related_name="+")
    consent_overridden = models.BooleanField(default=False)
    override_reason = models.CharField(max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    response_note = models.CharField(max_length=500, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "submitted_at", "pk"]
        indexes = [models.Index(fields=["to_agency", "status"])]

    def __str__(self) -> str:
        return f"referral {self.pk} of {self.case_id}"


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled (consent withdrawn)")


class Transfer(models.Model):
    """A request to hand ownership of a case to another agency's unit. While it waits, the
    receiving unit sees the case through ``grant`` so that it can decide."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    from_unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    status = models.CharField(
        max_length=16, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    grant = models.ForeignKey(
        "accounts.AccessGrant", on_delete=models.PROTECT, null=True, related_name="+"
    )
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, null=True, related_name="+")
    consent_overridden = models.BooleanField(default=False)
    override_reason = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    response_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["case", "requested_at", "pk"]
        indexes = [models.Index(fields=["to_unit", "status"])]

    def __str__(self) -> str:
        return f"transfer {self.pk} of {self.case_id}"


class DeadlineStatus(models.TextChoices):
    """As ``ura.casework.deadlines`` reports them."""

    OPEN = "open", _("Open")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    MET = "met", _("Met")
    MET_LATE = "met_late", _("Met late")
    PAUSED = "paused", _("Paused")


#: Deadlines still running: what work queues sort and filter by.
RUNNING_DEADLINES = (DeadlineStatus.OPEN, DeadlineStatus.DUE_SOON, DeadlineStatus.OVERDUE)


class CaseDeadline(models.Model):
    """A deadline the procedure's rules derive from the case's events, stored so that work
    queues can sort and filter by due date. Recomputed after every change of the case's
    events or data; the engine's computation is the truth, this table is its cache."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    code = models.CharField(max_length=64)
    instance = models.PositiveSmallIntegerField(
        default=1, help_text=_("1 for the rule's first start, 2 for the second (a renewal)…")
    )
    label = models.CharField(max_length=200)
    started_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True, help_text=_("Empty while paused"))
    met_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=DeadlineStatus.choices)
    legal_reference = models.CharField(max_length=200, blank=True)
    binding = models.BooleanField(default=True)
    needs_check = models.BooleanField(
        _("check"),
        default=False,
        help_text=_("The rule was found only in secondary sources (PROCEDURES.md: check)"),
    )
    computed_on = models.DateField()

    class Meta:
        ordering = ["case", "due_on", "code", "instance"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "code", "instance"], name="case_deadline_instance_once"
            )
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.code}#{self.instance} of {self.case_id}"


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting approval")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved (final)")
    SUPERSEDED = "superseded", _("Replaced by a new draft")


#: Decisions still being worked on: at most one per case.
OPEN_DECISIONS = (DecisionStatus.DRAFT, DecisionStatus.SUBMITTED, DecisionStatus.RETURNED)


class CaseDecision(models.Model):
    """A decision on a case: drafted from the procedure's template in the language of the
    decision, edited by the drafter, approved by a second person, then locked.

    The text (block markup, ``ura.casework.documents``) holds personal data and is read only
    through ``cases.decisions.access_decision_by_id``. Once approved, ``text`` never changes
    and ``document`` is the rendered PDF, stored with its SHA-256.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(_("outcome"), max_length=64)
    language = models.CharField(_("language of the decision"), max_length=8)
    reasons = models.TextField(_("reasons in brief"))
    text = models.TextField(_("text"))
    edited = models.BooleanField(
        default=False, help_text=_("The drafter changed the text the template gave")
    )
    revision = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=16, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comments = models.TextField(_("reviewer's comments"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    document = models.OneToOneField(
        CaseDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="decision"
    )

    class Meta:
        ordering = ["case", "-drafted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="case_decision_one_open",
            ),
            models.CheckConstraint(
                condition=Q(status="approved", document__isnull=False, decided_on__isnull=False)
                | ~Q(status="approved"),
                name="case_decision_final_has_document",
            ),
        ]

    def __str__(self) -> str:
        return f"decision {self.pk} on {self.case_id}"
