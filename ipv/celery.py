import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipv.settings")

app = Celery("ipv")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from ipv.core.beat import WorkerHeartbeat  # noqa: E402  (after the app: it reads Django late)

app.steps["worker"].add(WorkerHeartbeat)
