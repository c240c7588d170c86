from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "ura.apps.cases"
    label = "cases"
    verbose_name = _("Cases")

    # The case pages come with the web part of case management; until then the cases are
    # reached through the JSON API only, so the app adds no menu entry yet.
    navigation = ()
