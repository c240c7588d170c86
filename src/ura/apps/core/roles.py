"""What each role may do in the core app (see accounts.roles)."""

from ura.apps.accounts.models import RoleCode

GRANTS = {
    RoleCode.AUDITOR: ["core.view_auditevent", "core.export_auditevent", "core.view_job"],
}
