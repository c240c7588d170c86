"""The role catalogue: what each role may do, gathered from every installed app.

Each app may have a ``roles`` module with ``GRANTS``: a mapping from role code to the
permissions (``app_label.codename``) that role holds in that app. ``roles_sync`` (run after
every migration) makes the database match this catalogue.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Mapping, Sequence

from django.apps import apps
from django.utils.translation import gettext_noop

from ura.apps.accounts.models import RoleCode, Scope

#: role code -> (description, default scope, requires two-factor)
ROLE_DEFINITIONS: dict[RoleCode, tuple[str, Scope, bool]] = {
    RoleCode.CASEWORKER: (
        gettext_noop("Registers and handles cases and person records of their unit."),
        Scope.UNIT,
        False,
    ),
    RoleCode.SUPERVISOR: (
        gettext_noop("Assigns and balances work, approves decisions, sees the agency's records."),
        Scope.AGENCY,
        False,
    ),
    RoleCode.DATA_STEWARD: (
        gettext_noop("Imports agency extracts, links records, fixes data quality."),
        Scope.ALL,
        False,
    ),
    RoleCode.ANALYST: (
        gettext_noop("Works with aggregated statistics only; sees no individual records."),
        Scope.AGENCY,
        False,
    ),
    RoleCode.FIRST_RESPONDER: (
        gettext_noop("Screens and registers people met in the field; sees what they registered."),
        Scope.OWN,
        False,
    ),
    RoleCode.PARTNER_NGO: (
        gettext_noop("Partner organisation staff: sees records referred to them."),
        Scope.OWN,
        False,
    ),
    RoleCode.AUDITOR: (
        gettext_noop("Reviews the audit trail and access rights; sees no personal data."),
        Scope.ALL,
        True,
    ),
    RoleCode.ADMINISTRATOR: (
        gettext_noop("Manages agencies, units, users and roles; sees no personal data."),
        Scope.ALL,
        True,
    ),
}


def collected_grants() -> dict[RoleCode, list[str]]:
    """Every installed app's ``roles.GRANTS``, merged per role."""
    merged: dict[RoleCode, list[str]] = {code: [] for code in RoleCode}
    for config in apps.get_app_configs():
        module_name = f"{config.name}.roles"
        if importlib.util.find_spec(module_name) is None:
            continue
        grants: Mapping[RoleCode, Sequence[str]] = getattr(
            importlib.import_module(module_name), "GRANTS", {}
        )
        for code, perms in grants.items():
            merged[RoleCode(code)].extend(perms)
    return merged


GRANTS: dict[RoleCode, list[str]] = {
    RoleCode.ADMINISTRATOR: [
        f"accounts.{action}_{model}"
        for model in ("agency", "unit", "user", "roleassignment")
        for action in ("view", "add", "change")
    ]
    + ["accounts.view_role", "accounts.view_accessgrant", "accounts.view_apitoken"],
    RoleCode.AUDITOR: [
        "accounts.view_roleassignment",
        "accounts.view_role",
        "accounts.view_accessgrant",
        "accounts.view_user",
    ],
}
