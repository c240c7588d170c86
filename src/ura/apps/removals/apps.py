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
        from ura.apps.removals import panels, rules

        panels.register()
        rules.register()
