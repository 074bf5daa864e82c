from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ipv.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from ipv.core import roles
        from ipv.core.i18n import install_formats

        install_formats()
        # Sent once per app after every migration has run: once is enough for all tables.
        post_migrate.connect(roles.after_migrate, sender=self)
