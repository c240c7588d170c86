from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AsylumConfig(AppConfig):
    name = "ura.apps.asylum"
    label = "asylum"
    verbose_name = _("International protection")

    navigation = ()

    def ready(self) -> None:
        # The case engine never imports procedure apps: the asylum app registers its decision
        # flow with the engine.
        from ura.apps.asylum import decisions
        from ura.apps.cases.decisions import register_decision_flow

        register_decision_flow(decisions.FLOW)
