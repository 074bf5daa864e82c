import os

from celery import Celery, Task
from celery.signals import setup_logging, task_failure
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipv.settings")


class DatabaseRetryingTask(Task):
    """Every task: when the database is down (or a query lost a race), the task is tried again
    later rather than failing, waiting longer each time (up to 1, 2, 4 … seconds, at most 5
    minutes between tries; 16 tries, some 45 minutes at most in all). Tasks are idempotent, so
    a second run does no harm. The worker reconnects by itself: Celery's Django fixup closes
    the connections before and after each task."""

    autoretry_for = (OperationalError, InterfaceError)
    retry_backoff = True
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 16


@setup_logging.connect
def keep_the_sites_logging(**kwargs):
    """The worker and beat log as the web does: Django has set up settings.LOGGING (JSON lines
    outside debug), and Celery, seeing a receiver here, leaves it as it is."""


app = Celery("ipv", task_cls=DatabaseRetryingTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from django_structlog.celery.steps import DjangoStructLogInitStep  # noqa: E402

from ipv.core.beat import WorkerHeartbeat  # noqa: E402  (after the app: it reads Django late)
from ipv.core.metrics import count_failed_task  # noqa: E402

app.steps["worker"].add(WorkerHeartbeat)
# Failed tasks are counted for /metrics (in Redis: the scrape is answered by another process).
task_failure.connect(count_failed_task)
# A task's log lines carry its task_id and the request_id of the request that queued it.
app.steps["worker"].add(DjangoStructLogInitStep)
