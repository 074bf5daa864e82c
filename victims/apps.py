from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class VictimsConfig(AppConfig):
    name = "victims"
    label = "victims"
    verbose_name = _("Victims and partners")

    def ready(self):
        from victims import rls

        post_migrate.connect(rls.after_migrate, sender=self)
