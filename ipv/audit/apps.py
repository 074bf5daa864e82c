import django.contrib.admin.apps as admin_apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "ipv.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from ipv.audit import receivers  # noqa: F401 (connects the receivers)


class AuditedAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on a site that records what administrators read and change there."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "ipv.audit.admin_site.AuditedAdminSite"
