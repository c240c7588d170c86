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
        from ura.apps.cases.workflow import register_app_steps
        from ura.apps.returns import panels, services

        panels.register()
        # The steps with their own service (consents, best interests, the application, travel
        # and reintegration records); approval, rejection, reception, the plan, withdrawal and
        # closure need nothing more and stay generic.
        register_app_steps(
            services.OWNER, transitions=services.OWN_SERVICES, data_prefixes=services.OWNED_DATA
        )
