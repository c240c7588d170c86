from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ura.web.navigation import NavEntry


class ReturnsConfig(AppConfig):
    name = "ura.apps.returns"
    label = "returns"
    verbose_name = _("Assisted voluntary return and reintegration")

    navigation = (
        NavEntry(_("Voluntary return"), "returns:home", "returns.counsel"),
        NavEntry(_("Returnees referred to us"), "returns:referrals", "returns.reintegrate"),
    )

    def ready(self) -> None:
        from ura.apps.returns import panels

        panels.register()
