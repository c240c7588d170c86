from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ura.web.navigation import NavEntry


class CasesConfig(AppConfig):
    name = "ura.apps.cases"
    label = "cases"
    verbose_name = _("Cases")

    navigation = (
        NavEntry(_("Work queue"), "cases:queue", "cases.view_case"),
        NavEntry(_("Cases"), "cases:list", "cases.view_case"),
        NavEntry(_("Supervision dashboard"), "cases:dashboard", "cases.assign_case"),
        # Administrators (who see no cases) read the procedures' rules; supervisors reach the
        # same pages from their dashboard. The page itself also admits staff.
        NavEntry(_("Procedures"), "cases:procedures", "accounts.change_roleassignment"),
    )
