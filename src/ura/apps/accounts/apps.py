from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles_after_last_app(sender: AppConfig, **kwargs: Any) -> None:
    """After ``migrate``, make the roles match the catalogue in code.

    Django creates each app's permissions in its own post_migrate step; the roles can only
    be synced once the last app's permissions exist.
    """
    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if sender is not with_models[-1]:
        return
    from ura.apps.accounts.services import roles_sync

    roles_sync()


class AccountsConfig(AppConfig):
    name = "ura.apps.accounts"
    label = "accounts"
    verbose_name = _("Organisations and people")

    def ready(self) -> None:
        # Login, logout and lockout events come from Django's and django-axes' own signals:
        # those are the only hooks these frameworks offer.
        from ura.apps.accounts import signals  # noqa: F401

        post_migrate.connect(_sync_roles_after_last_app, dispatch_uid="ura_roles_sync")
