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
        from ura.apps.cases.workflow import register_procedure_adapter
        from ura.apps.readmission import panels, selectors

        register_procedure_adapter(selectors.PROCEDURE, selectors.procedure_for_case)
        panels.register()
