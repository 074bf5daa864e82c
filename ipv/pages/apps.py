from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The top layer: pages that compose several apps (the agency's home, a referral's page,
    the court portal, transfers) and the commands that span them all (serve, load_demo,
    bench). Nothing below imports it."""

    name = "ipv.pages"
    label = "pages"

    def ready(self):
        # The milestones' consuming task is woken by name after each commit (web processes
        # too, where Celery does not import the tasks modules by itself).
        from ipv.pages import tasks  # noqa: F401
