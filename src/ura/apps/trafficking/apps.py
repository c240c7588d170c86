from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ura.web.navigation import NavEntry


class TraffickingConfig(AppConfig):
    name = "ura.apps.trafficking"
    label = "trafficking"
    verbose_name = _("Trafficking in persons")

    # The page lists only the user's own trafficking cases; the referrals page only those
    # waiting for the user's organisation.
    navigation = (
        NavEntry(_("Trafficking"), "trafficking:home", "trafficking.identify_victim"),
        NavEntry(_("Referrals to us"), "trafficking:referrals", "trafficking.manage_case"),
    )

    def ready(self) -> None:
        from ura.apps.cases.decisions import register_decision_flow
        from ura.apps.cases.workflow import register_app_steps
        from ura.apps.trafficking import decisions, panels, services

        panels.register()
        register_decision_flow(decisions.FLOW)
        # Screening (identification or screening out) and the referral and its answer are
        # recorded with their structured records; the other steps are generic.
        register_app_steps(
            services.OWNER,
            transitions=services.OWN_SERVICES,
            data_prefixes=services.OWNED_DATA,
        )
