"""Platform core: the audit trail, protected-record machinery, background jobs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ura.web.navigation import NavEntry


class CoreConfig(AppConfig):
    name = "ura.apps.core"
    label = "core"
    verbose_name = _("Ura core")

    navigation = (
        NavEntry(_("Audit trail"), "core:events", "core.view_auditevent"),
        NavEntry(_("Jobs"), "jobs:list"),
    )
