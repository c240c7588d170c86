"""The demo's removal cases: several states, the deadlines the guide talks about, made through
the services (history and audit), and re-running adds none."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from ura.apps.cases.models import Case, CaseDeadline, CaseEvent
from ura.apps.core.models import AuditEvent
from ura.apps.removals.models import DetentionReview
from ura.web.demo import demo_extracts_load, demo_load
from ura.web.demo_cases import demo_cases_load
from ura.web.demo_removals import DEMO_REMOVAL_CASES, demo_removals_load


@pytest.mark.django_db
def test_demo_removal_cases_in_different_states(tmp_path: Path) -> None:
    users = {u.username: u for u, _, _ in demo_load()}
    demo_extracts_load(tmp_path, persons=300)
    demo_cases_load(users, asylum_cases=40, trafficking_cases=10)
    assert demo_removals_load(users) == DEMO_REMOVAL_CASES
    removal = Case.objects.filter(procedure_code="removal")
    assert set(removal.values_list("state", flat=True)) == {
        "apprehended",
        "voluntary_departure",
        "removal_pending",
        "appeal_pending",
        "closed",
    }
    review_due = CaseDeadline.objects.filter(
        case__in=removal, code="detention_review", status="due_soon"
    )
    assert review_due.exists()
    extended = [c for c in removal if c.data.get("detention", {}).get("extended")]
    assert len(extended) == 1
    assert extended[0].data["detention"]["maximum_months"] == 10
    assert DetentionReview.objects.filter(case=extended[0]).count() >= 6
    assert CaseDeadline.objects.filter(case__in=removal, code="detention_maximum_extended").exists()
    assert not CaseDeadline.objects.filter(
        case__in=removal, code="detention_maximum", status="overdue"
    ).exists()
    assert not CaseEvent.objects.filter(occurred_on__gt=timezone.localdate()).exists()
    assert AuditEvent.objects.filter(
        object_type="cases.case",
        object_id__in=[str(pk) for pk in removal.values_list("pk", flat=True)],
    ).exists()
    assert demo_removals_load(users) == 0
