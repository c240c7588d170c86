from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ura.apps.core"
    label = "core"
    verbose_name = "Ura core"
