from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles_after_last_app(sender, verbosity=1, **kwargs):
    """post_migrate fires once per app that has models; every app's permissions exist
    after the last one."""
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is with_models[-1]:
        from .roles import sync_roles

        sync_roles(verbosity=verbosity)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        # Keep the role Groups in step with ROLE_PERMISSIONS after every migrate.
        post_migrate.connect(_sync_roles_after_last_app, dispatch_uid="accounts.sync_roles")
        # The second factor's sign-in receiver.
        from . import two_factor  # noqa: F401
