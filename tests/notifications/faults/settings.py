"""Settings of the worker and beat processes the fault tests start: the test suite's, with
tasks sent through Redis (not run inline) and beat's sweeps every second instead of every few
minutes. Database, Redis, providers and the lease come from the environment, as in production
(DATABASE_URL, REDIS_URL, EMAIL_BACKEND, SMS_BACKEND, OUTBOX_LEASE_SECONDS)."""

from tests.settings import *  # noqa: F403
from tests.settings import CELERY_BEAT_SCHEDULE

CELERY_TASK_ALWAYS_EAGER = False
# The entries the tests exercise, as settings name them, only sooner.
CELERY_BEAT_SCHEDULE = {
    name: {**entry, "schedule": 1.0}
    for name, entry in CELERY_BEAT_SCHEDULE.items()
    if name in ("send-due-messages", "prepare-session-reminders")
}
