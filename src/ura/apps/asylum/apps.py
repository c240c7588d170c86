from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ura.web.navigation import NavEntry


class AsylumConfig(AppConfig):
    name = "ura.apps.asylum"
    label = "asylum"
    verbose_name = _("International protection")

    navigation = (
        NavEntry(_("Asylum backlog"), "asylum:backlog", "asylum.view_backlog"),
        NavEntry(_("Asylum queues"), "asylum:queue", "cases.view_case"),
    )

    def ready(self) -> None:
        # The case engine never imports procedure apps: the asylum app registers its decision
        # flow, its panel and its transition pages with the engine.
        from ura.apps.asylum import decisions, panels, services
        from ura.apps.cases.decisions import register_decision_flow
        from ura.apps.cases.workflow import register_app_steps

        register_decision_flow(decisions.FLOW)  # which owns its submit, return and approve
        panels.register()
        # The steps with a page of their own (structured data: the interview record, the
        # notification, the appeal...).
        register_app_steps(
            services.OWNER, transitions=panels.TRANSITION_PAGES, data_prefixes=services.OWNED_DATA
        )
