"""Periodic work, safe with more than one beat.

The schedule lives in settings (CELERY_BEAT_SCHEDULE) and in memory: no schedule file that two
machines would not share. Every periodic task is idempotent, and the sweeps also take a
PostgreSQL advisory lock (`single_run`), so two beats started by mistake do the work once.
Beat and each worker write a heartbeat row that /healthz reads.
"""

import logging
import time
import zlib
from contextlib import contextmanager

from celery import beat, bootsteps
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30


def heartbeat(name: str) -> None:
    """Record that `name` ("beat", "worker") is alive now."""
    from ipv.core.models import Heartbeat

    close_old_connections()
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


class Scheduler(beat.Scheduler):
    """Celery's in-memory scheduler, which also writes beat's heartbeat."""

    _last_heartbeat = 0.0

    def tick(self, *args, **kwargs):
        now = time.monotonic()
        if now - self._last_heartbeat >= HEARTBEAT_SECONDS:
            try:
                heartbeat("beat")
                self._last_heartbeat = now
            except Exception:  # the database is down: /healthz will show beat late
                logger.warning("beat: could not write its heartbeat", exc_info=True)
        return min(super().tick(*args, **kwargs), HEARTBEAT_SECONDS)


class WorkerHeartbeat(bootsteps.StartStopStep):
    """A worker's heartbeat, from its timer thread, whether or not beat runs."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.timer_ref = None

    def start(self, worker):
        self._beat()
        self.timer_ref = worker.timer.call_repeatedly(HEARTBEAT_SECONDS, self._beat)

    def stop(self, worker):
        if self.timer_ref is not None:
            self.timer_ref.cancel()

    def _beat(self):
        try:
            heartbeat("worker")
        except Exception:
            logger.warning("worker: could not write its heartbeat", exc_info=True)


def _lock_key(name: str) -> int:
    """A 32-bit signed key for `name`: PostgreSQL's two-key advisory locks take int4, and
    half of crc32's values are past its range."""
    return int.from_bytes(zlib.crc32(name.encode()).to_bytes(4, "big"), "big", signed=True)


@contextmanager
def single_run(name: str):
    """Run the block only if no other process runs a block of that name now: yields True to
    the one that holds the lock, False to the others (who should skip). The lock is
    transaction-scoped, so it cannot outlive a worker that dies."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [7341, _lock_key(name)])
            (held,) = cursor.fetchone()
        yield held
