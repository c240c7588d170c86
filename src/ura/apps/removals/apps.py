from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ura.web.navigation import NavEntry


class RemovalsConfig(AppConfig):
    name = "ura.apps.removals"
    label = "removals"
    verbose_name = _("Removals (forced return)")

    # The list shows the removal cases the user may see, the most urgent deadlines first.
    navigation = (NavEntry(_("Removals"), "removals:home", "removals.manage_removal"),)

    def ready(self) -> None:
        from ura.apps.cases.workflow import register_app_steps, registry
        from ura.apps.removals import panels, rules, services

        panels.register()
        rules.register()
        # Every step: the removals services add the data a step implies, keep the detention
        # review records and write the audit event of a justified detention override.
        register_app_steps(
            services.OWNER,
            transitions={
                t.code for v in registry().versions(rules.PROCEDURE) for t in v.transitions
            },
            data_prefixes=services.OWNED_DATA,
        )
