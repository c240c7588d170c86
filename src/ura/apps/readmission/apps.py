from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ura.web.navigation import NavEntry


class ReadmissionConfig(AppConfig):
    name = "ura.apps.readmission"
    label = "readmission"
    verbose_name = _("Readmission")

    navigation = (
        NavEntry(_("Readmission"), "readmission:home", "readmission.manage_request"),
        NavEntry(_("Readmission figures"), "readmission:dashboard", "readmission.view_dashboard"),
    )

    def ready(self) -> None:
        from ura.apps.cases.workflow import register_app_steps, register_procedure_adapter
        from ura.apps.readmission import panels, selectors, services

        register_procedure_adapter(selectors.PROCEDURE, selectors.procedure_for_case)
        panels.register()
        # Every step: sending makes the request's PDF, deemed consent checks the agreement,
        # the others check their values against the agreement's rules (services.STEP_FIELDS).
        register_app_steps(
            services.OWNER,
            transitions=(*services.STEP_FIELDS, "send_request", "apply_deemed_consent"),
            data_prefixes=services.OWNED_DATA,
        )
