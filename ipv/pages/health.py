"""/healthz: what each part of the site is doing, for compose, load balancers and people.

It answers 503 only when the web cannot serve (the database is down). Redis, the workers, beat
and the outbox can be down or late while pages keep working: the body says so, with a 200.
Says only states and ages: no versions, hosts or error text.
"""

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ipv.core.models import Heartbeat
from ipv.core.permissions import public
from ipv.notifications.selectors import outbox_backlog

logger = logging.getLogger(__name__)

# Beat and each worker write a heartbeat every 30 seconds (ipv.core.beat): three missed is late.
HEARTBEAT_LATE_SECONDS = 90
# The outbox is sent every minute; a message still waiting after this is stuck.
OUTBOX_LATE_SECONDS = 15 * 60


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger.warning("healthz: database unavailable", exc_info=True)
        return False


def _redis_ok() -> bool:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        return bool(client.ping())
    except redis.RedisError:
        logger.warning("healthz: redis unavailable", exc_info=True)
        return False


def _age(moment) -> int | None:
    return None if moment is None else max(0, int((timezone.now() - moment).total_seconds()))


@public
@never_cache
@require_GET
def healthz(request):
    checks, ages = {}, {}
    database = _database_ok()
    checks["database"] = "ok" if database else "down"
    redis_up = _redis_ok()
    checks["redis"] = "ok" if redis_up else "down"
    if database:
        beats = dict(Heartbeat.objects.values_list("name", "at"))
        for part in ("worker", "beat"):
            age = ages[f"{part}_heartbeat_seconds"] = _age(beats.get(part))
            checks[part] = (
                "unknown" if age is None else "ok" if age <= HEARTBEAT_LATE_SECONDS else "late"
            )
        backlog = outbox_backlog()
        ages["oldest_unsent_message_seconds"] = _age(backlog["oldest"])
        checks["outbox"] = (
            "late"
            if backlog["oldest"] is not None
            and ages["oldest_unsent_message_seconds"] > OUTBOX_LATE_SECONDS
            else "ok"
        )
    else:
        checks["worker"] = checks["beat"] = checks["outbox"] = "unknown"
    status = "unavailable" if not database else "ok"
    if database and any(state != "ok" for state in checks.values()):
        status = "degraded"
    return JsonResponse(
        {"status": status, "checks": checks, "ages": ages}, status=200 if database else 503
    )
