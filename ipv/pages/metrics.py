"""/metrics: Prometheus's scrape, with a token (IPV_METRICS_TOKEN, sent as a Bearer token).

Requests and latencies come from django-prometheus's middleware (by view, method and status:
never a path, which can carry names). What the site is doing is read at scrape time: messages
waiting in the outbox and the age of the oldest, the length of each Celery queue in Redis, and
the tasks that failed (counted in Redis by the workers, ipv.core.metrics). With Redis or the
database down, their figures are left out and the scrape still answers.

Under gunicorn with several workers, set PROMETHEUS_MULTIPROC_DIR (an empty directory, the same
for every worker) so that the request counts of all the workers are added up.
"""

import hmac
import logging
import os

import redis
from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from ipv.core.metrics import FAILED_TASKS_KEY, redis_client
from ipv.core.permissions import public
from ipv.notifications.selectors import outbox_backlog

logger = logging.getLogger(__name__)

# kombu's Redis transport keeps a queue's prioritised messages in lists of their own.
PRIORITY_SUFFIXES = ["", "\x06\x163", "\x06\x166", "\x06\x169"]


class SiteCollector:
    """The outbox, the queues and the failed tasks, read when Prometheus asks."""

    def collect(self):
        yield from self._outbox()
        yield from self._redis()

    def _outbox(self):
        try:
            backlog = outbox_backlog()
        except Exception:
            logger.warning("metrics: database unavailable", exc_info=True)
            return
        yield GaugeMetricFamily(
            "ipv_outbox_messages_waiting",
            "Messages due and not sent yet.",
            value=backlog["unsent"],
        )
        oldest = backlog["oldest"]
        age = 0.0 if oldest is None else max(0.0, (timezone.now() - oldest).total_seconds())
        yield GaugeMetricFamily(
            "ipv_outbox_oldest_waiting_seconds",
            "How long the oldest message due has waited (0: none waiting).",
            value=age,
        )

    def _redis(self):
        client = redis_client()
        queues = [getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")]
        try:
            lengths = {q: sum(client.llen(q + s) for s in PRIORITY_SUFFIXES) for q in queues}
            failed = client.hgetall(FAILED_TASKS_KEY)
        except redis.RedisError:
            logger.warning("metrics: redis unavailable", exc_info=True)
            return
        gauge = GaugeMetricFamily(
            "ipv_celery_queue_length", "Tasks waiting in a Celery queue.", labels=["queue"]
        )
        for queue, length in lengths.items():
            gauge.add_metric([queue], length)
        yield gauge
        counter = CounterMetricFamily(
            "ipv_celery_tasks_failed", "Tasks that failed for good, by task.", labels=["task"]
        )
        for task, count in sorted(failed.items()):
            counter.add_metric([task.decode()], int(count))
        yield counter


SITE = SiteCollector()


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry(auto_describe=True)
        registry.register(_Default())
    registry.register(SITE)
    return registry


class _Default:
    """This process's own metrics (django-prometheus's, the process and Python collectors)."""

    def collect(self):
        yield from REGISTRY.collect()


def _token_given(request) -> str:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@public
@never_cache
@require_GET
def metrics(request):
    expected = settings.IPV_METRICS_TOKEN
    # Not configured: there is nothing here.
    if not expected:
        raise Http404
    if not hmac.compare_digest(_token_given(request).encode(), expected.encode()):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
