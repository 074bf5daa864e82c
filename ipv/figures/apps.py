from django.apps import AppConfig
from django.db.models.signals import post_migrate


class FiguresConfig(AppConfig):
    """The program's figures: the dashboards of an agency, a court and the province, the
    outcomes, and the statistical exports. It reads every app below it and writes none of
    their rows; each figure's definition lives here, once (ipv.figures.definitions)."""

    name = "ipv.figures"
    label = "figures"

    def ready(self):
        from ipv.figures import security

        # After victims' own (INSTALLED_APPS order), which makes the function the policy reads.
        post_migrate.connect(security.after_migrate, sender=self)
