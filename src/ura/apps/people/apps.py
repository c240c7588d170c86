from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ura.web.navigation import NavEntry


class PeopleConfig(AppConfig):
    name = "ura.apps.people"
    label = "people"
    verbose_name = _("People")

    navigation = (NavEntry(_("Person records"), "people:list", "people.view_personrecord"),)
