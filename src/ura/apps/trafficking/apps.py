from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraffickingConfig(AppConfig):
    name = "ura.apps.trafficking"
    label = "trafficking"
    verbose_name = _("Trafficking in persons")

    navigation = ()
