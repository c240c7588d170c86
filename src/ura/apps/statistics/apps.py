from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ura.web.navigation import NavEntry


class StatisticsConfig(AppConfig):
    name = "ura.apps.statistics"
    label = "statistics"
    verbose_name = _("Migration statistics")

    navigation = (NavEntry(_("Statistics"), "statistics:catalogue", "statistics.view_statistics"),)
