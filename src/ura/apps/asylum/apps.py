from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AsylumConfig(AppConfig):
    name = "ura.apps.asylum"
    label = "asylum"
    verbose_name = _("International protection")

    navigation = ()
