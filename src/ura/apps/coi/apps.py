from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ura.web.navigation import NavEntry


class CoiConfig(AppConfig):
    name = "ura.apps.coi"
    label = "coi"
    verbose_name = _("Country of origin information")

    navigation = (NavEntry(_("COI library"), "coi:search", "coi.view_document"),)

    def ready(self) -> None:
        # The case engine never imports the library: the "COI research" panel of asylum
        # cases registers itself with the case page.
        from ura.apps.coi import panels

        panels.register()
