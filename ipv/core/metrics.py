"""What the worker counts for /metrics (ipv.pages.metrics): the tasks that failed for good.

Counted in Redis rather than in the worker's memory: the web process that answers the scrape
is another process, often on another machine, and a worker's restart would lose its count."""

import logging

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

FAILED_TASKS_KEY = "ipv:metrics:tasks_failed"


def redis_client():
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def count_failed_task(sender=None, **kwargs):
    """Celery's task_failure (after the last retry): one more failure of this task."""
    try:
        redis_client().hincrby(FAILED_TASKS_KEY, sender.name, 1)
    except redis.RedisError:
        logger.warning("metrics: could not count a failed task", exc_info=True)
