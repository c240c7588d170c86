from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ura.web.navigation import NavEntry


class PeopleConfig(AppConfig):
    name = "ura.apps.people"
    label = "people"
    verbose_name = _("People")

    navigation = (
        NavEntry(_("Person index"), "people:search", "people.view_personrecord"),
        NavEntry(_("Person records"), "people:list", "people.view_personrecord"),
        NavEntry(_("Review queue"), "people:review", "people.review_personlink"),
        NavEntry(_("Linkage runs"), "people:runs", "people.view_linkagerun"),
    )
