from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ura.web.navigation import NavEntry


class SourcesConfig(AppConfig):
    name = "ura.apps.sources"
    label = "sources"
    verbose_name = _("Sources")

    navigation = (NavEntry(_("Sources"), "sources:list", "sources.view_source"),)
