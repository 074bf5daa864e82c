from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ipv.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from ipv.core.i18n import install_formats

        install_formats()
