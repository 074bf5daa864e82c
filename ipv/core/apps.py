from django.apps import AppConfig
from django.core.signals import request_finished
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from ipv.core import display

# Before any model is defined: each field binds `_get_FIELD_display` as the class is made.
display.install()


class CoreConfig(AppConfig):
    name = "ipv.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from ipv.core import roles
        from ipv.core.i18n import install_formats
        from ipv.core.request_log import forget_request

        install_formats()
        # Sent once per app after every migration has run: once is enough for all tables.
        post_migrate.connect(roles.after_migrate, sender=self)
        request_finished.connect(forget_request, dispatch_uid="ipv.core.request_log.forget_request")
