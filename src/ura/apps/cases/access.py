"""The only loaders of cases and their documents: need-to-know, restricted cases, audit.

Who sees a case:

* a user whose roles grant ``cases.<action>_case`` in a scope that reaches the case
  (``accounts.policy.reach_filter``) — unless the case is **restricted** (every trafficking
  case), which scope never reaches;
* a user assigned to the case now, if their roles grant the action at all;
* a user, unit or agency holding an active explicit grant on the case (referrals and
  pending transfers create them), again only if their roles grant the action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Expression, F, Q, QuerySet, Subquery
from django.http import Http404

from ura.apps.accounts.policy import (
    Action,
    grant_filter,
    grants_since,
    reach_filter,
    scopes_for,
)
from ura.apps.cases.models import Case, CaseAssignment, CaseDocument
from ura.apps.core.context import request_memo
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_record

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from django.contrib.auth.models import AbstractUser, AnonymousUser
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType


class _AmongIds(Expression):
    """``pk IN (subquery)``, written for PostgreSQL as ``pk = ANY(ARRAY(subquery))``.

    The two mean the same. But PostgreSQL cannot use an index for an ``IN (subquery)`` that
    is one branch of an OR: the need-to-know filter (scope OR assignment OR grant) then reads
    every case in the table (a second per request at a million cases). The array form is
    computed once and is an indexable condition, so the branches become a BitmapOr of index
    scans that touch only the cases the user may see.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, ids: QuerySet[Any]) -> None:
        super().__init__()
        self.column: Any = F("pk")
        # Without the model's default ordering (the array's order means nothing), which for
        # assignments would join every listed case just to sort by it.
        self.ids: Any = Subquery(ids.order_by())

    def get_source_expressions(self) -> list[Any]:
        return [self.column, self.ids]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.column, self.ids = exprs

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> _AsSqlType:
        column, column_params = compiler.compile(self.column)
        ids, ids_params = compiler.compile(self.ids)
        return f"{column} IN {ids}", (*column_params, *ids_params)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> _AsSqlType:
        column, column_params = compiler.compile(self.column)
        ids, ids_params = compiler.compile(self.ids)  # "(SELECT …)"
        return f"{column} = ANY(ARRAY{ids})", (*column_params, *ids_params)


def _indexable(condition: Q) -> Q:
    """``condition`` with each ``pk__in=<queryset>`` turned into ``_AmongIds`` (same rows)."""
    planned = Q(_connector=condition.connector, _negated=condition.negated)
    for child in condition.children:
        if isinstance(child, Q):
            planned.children.append(_indexable(child))
        elif isinstance(child, tuple) and child[0] == "pk__in" and isinstance(child[1], QuerySet):
            among: Any = _AmongIds(child[1])  # a Q holds conditional expressions too
            planned.children.append(among)
        else:
            planned.children.append(child)
    return planned


def case_filter(user: AbstractUser | AnonymousUser, action: Action) -> Q:
    """A filter matching exactly the cases the user may perform ``action`` on, each once (no
    join that could repeat a case)."""
    nothing = Q(pk__in=[])
    if not user.is_authenticated or not user.is_active:
        return nothing
    scopes = scopes_for(user, f"cases.{action}_case")
    if not scopes:
        return nothing
    # "Own" (Case.own_filter) reaches the assignments as a set of case ids, not a join: no
    # branch repeats a case, so callers need no DISTINCT. The scopes' reach without the
    # grants (reach_filter, not scope_filter): a grant opens a case restricted or not, so
    # "(scope or grant) and not restricted, or grant" is "scope and not restricted, or
    # grant" — the grants read once, not twice, and one subquery fewer to plan and run.
    by_scope = reach_filter(user, Case, action)
    assigned = Q(
        pk__in=CaseAssignment.objects.filter(user_id=user.pk, ended_at__isnull=True).values(
            "case_id"
        )
    )
    return _indexable(
        (by_scope & Q(restricted=False)) | assigned | grant_filter(user, Case, action)
    )


def cases_for(user: AbstractUser | AnonymousUser, action: Action = "view") -> QuerySet[Case]:
    """Every case the user may perform ``action`` on (not audited: callers that show cases
    audit what they show).

    Within a request the filter is built once per user and action and each call gets a copy
    (``core.context.request_memo``): a page asks several times (the queue, its tasks, its
    notifications), and building the filter — scopes, assignments, grants, each a subquery
    — cost more than copying it. The memo holds no rows: the assignments and grants are
    subqueries, read afresh by every query.
    """
    memo = request_memo()
    if memo is None:
        return Case.objects.filter(case_filter(user, action))
    key = ("cases.cases_for", id(user), action)
    found = memo.get(key)
    if found is None or found[0] is not user:
        found = (user, Case.objects.filter(case_filter(user, action)))
        memo[key] = found  # the user kept with it: its id cannot be reused while the memo lives
    return found[1].all()


def may(user: AbstractUser | AnonymousUser, action: Action, case: Case) -> bool:
    """Whether the user may perform ``action`` on ``case``."""
    return cases_for(user, action).filter(pk=case.pk).exists()


def access_case_by_id(
    user: AbstractUser | AnonymousUser,
    case_id: int,
    *,
    action: Action = "view",
    shown: bool = False,
) -> Case:
    """Load a case for ``action``.

    A load for ``view`` is audited as a ``view`` event, and so is a load for another action
    when ``shown`` says the caller shows the case to the user.

    Raises:
        Http404: the case does not exist or lies outside the user's view (the two look the
            same: a restricted case is not even admitted to exist).
        PermissionDenied: the user may see the case but not perform ``action`` on it.
    """
    case = (
        cases_for(user, "view")
        .select_related("owning_agency", "owning_unit")  # every page and the API show them
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        audit_record(
            actor=user,
            action=AuditAction.ACCESS_DENIED,
            object_type="cases.case",
            object_id=str(case_id),
            detail={"attempted": action, "outcome": "not_found"},
        )
        raise Http404("No such case.")
    if action != "view" and not may(user, action, case):
        audit_record(
            actor=user,
            action=AuditAction.ACCESS_DENIED,
            obj=case,
            detail={"attempted": action, "outcome": "forbidden"},
        )
        raise PermissionDenied(f"You may not {action} this case.")
    if action == "view" or shown:
        audit_record(actor=user, action=AuditAction.VIEW, obj=case)
    return case


def access_case_document_by_id(
    user: AbstractUser | AnonymousUser, document_id: int
) -> CaseDocument:
    """Load a document of a case the user may see, for download; audited as a view of the
    document.

    Raises:
        Http404: no such document, or its case is outside the user's view.
    """
    document = (
        CaseDocument.objects.filter(pk=document_id, case__in=cases_for(user, "view"))
        .select_related("case")
        .first()
    )
    if document is None:
        audit_record(
            actor=user,
            action=AuditAction.ACCESS_DENIED,
            object_type="cases.casedocument",
            object_id=str(document_id),
            detail={"attempted": "view", "outcome": "not_found"},
        )
        raise Http404("No such document.")
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=document,
        detail={"case": document.case_id, "download": True},
    )
    return document


def history_filter(user: AbstractUser | AnonymousUser, case: Case) -> Q:
    """Which of the case's history events ``user`` may see (a filter on ``CaseEvent``).

    A user who sees the case through their roles' scope or an assignment sees all of it. One
    who sees it only through a referral grant (a partner organisation, an agency abroad) sees
    the events from the earliest of their active grants on, and those their own agency
    recorded: not what happened before the referral (a best-interests determination, a link
    to a trafficking case) that the referral did not share. One filter, no query of its own:
    the history's read applies it.
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    account: Any = user
    scoped = Case.objects.filter(
        Q(pk=case.pk),
        (reach_filter(user, Case, "view") & Q(restricted=False))
        | Q(
            pk__in=CaseAssignment.objects.filter(user_id=account.pk, ended_at__isnull=True).values(
                "case_id"
            )
        ),
    )
    since = grants_since(user, Case, case.pk)
    shown = Q(case_id__in=scoped.values("pk")) | Q(
        occurred_at__gte=Subquery(since.values("granted_at")[:1])
    )
    if account.agency_id is not None:
        shown |= Q(actor__agency_id=account.agency_id)
    return shown
