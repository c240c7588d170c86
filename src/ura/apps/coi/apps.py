from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoiConfig(AppConfig):
    name = "ura.apps.coi"
    label = "coi"
    verbose_name = _("Country of origin information")
