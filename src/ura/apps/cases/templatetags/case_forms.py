"""Forms of the case page's smaller write sections, built from the case itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django import template

from ura.apps.cases.forms import CaseUpdateForm, PersonAddForm

if TYPE_CHECKING:
    from ura.apps.cases.models import Case

register = template.Library()


@register.simple_tag
def person_add_form(case: Case) -> PersonAddForm:
    """Adding a family or household member to ``case``."""
    return PersonAddForm(
        initial={"version": case.version, "household_group": "1"}, auto_id="person-%s"
    )


@register.simple_tag
def case_update_form(case: Case, flags: Sequence[str]) -> CaseUpdateForm:
    """Changing the priority and vulnerability flags; ``flags`` only for users who may see
    them (the page offers the form to no one else)."""
    return CaseUpdateForm(
        initial={"version": case.version, "priority": case.priority, "vulnerabilities": flags},
        auto_id="update-%s",
    )
