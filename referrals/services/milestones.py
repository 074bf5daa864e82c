"""The milestones stream: writing a milestone in the transaction of the change, and reading
the stream for a consumer, each milestone once.

A consumer (victims.consumers, sessions_app.consumers…) names the kinds it wants and what to do
with one milestone. `consume()` hands it the milestones after its cursor, a batch per
transaction: its effects and the cursor's move commit together, so a consumer run twice, or
again after a crash in the middle of a batch, does each thing once.

Ids are handed out when a row is inserted, not when its transaction commits: a reader that saw
id 11 committed could later miss id 10, still in flight. So writers hold a shared advisory lock
for their transaction, and a reader takes the last id handed out, then waits for that lock
once (every writer that had an id by then has committed or rolled back) before reading up to
that id; later ids wait for the next run.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from celery import current_app
from django.db import connection, transaction

from referrals.models import Milestone, MilestoneCursor

logger = logging.getLogger(__name__)

# pg_advisory locks share one key space per database; this one is the milestones writers'.
WRITERS_LOCK = 4_801_998
# The Celery task that runs every consumer (the top layer, ipv.pages.tasks, defines it: this
# app does not know its consumers). Woken by name after each commit, like the beat schedule.
CONSUME_TASK = "milestones.consume"
BATCH = 100


def milestone_record(*, referral, kind: str, by=None, **params) -> Milestone:
    """Write a milestone of `referral` (the caller holds the transaction of the change); the
    consumers run once it commits."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [WRITERS_LOCK])
    milestone = Milestone.objects.create(
        agency_id=referral.agency_id, referral=referral, kind=kind, by=by, params=params
    )
    transaction.on_commit(_wake_consumers)
    return milestone


def _wake_consumers() -> None:
    task = current_app.tasks.get(CONSUME_TASK)
    if task is None:
        logger.warning("milestones: no %s task registered; the beat sweep runs it", CONSUME_TASK)
        return
    try:
        task.delay()
    except Exception:  # the broker is unreachable: the beat sweep catches up
        logger.warning("milestones: could not reach the broker; the beat sweep catches up")


@dataclass(frozen=True)
class Consumer:
    """A reader of the stream: its cursor's name, the kinds it handles, and what it does with
    one milestone (inside the transaction that moves its cursor) — or, when it can do a batch
    at once, with the batch's milestones of its kinds."""

    name: str
    kinds: frozenset
    handle: Callable[[Milestone], None]
    handle_batch: Callable[[list[Milestone]], None] | None = None
    # Milestones read per transaction: larger for a consumer that handles a batch at once.
    batch: int = BATCH


def _settled_high_water() -> int:
    """The last id handed out whose transaction is over: committed, or rolled back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence(%s, 'id')), 0)",
            [Milestone._meta.db_table],
        )
        (high,) = cursor.fetchone()
        # Wait for the writers in flight (each holds the lock shared until it ends). Nothing of
        # the lock may outlive the statement: behind a pooler in transaction mode, the next
        # statement may run on another server connection. Alone, the statement is its own
        # transaction and the transaction-level lock ends with it; inside a transaction, the
        # lock is taken and given back by the one statement.
        if connection.in_atomic_block:
            cursor.execute(
                "SELECT pg_advisory_unlock(%s) FROM (SELECT pg_advisory_lock(%s) OFFSET 0) AS w",
                [WRITERS_LOCK, WRITERS_LOCK],
            )
        else:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITERS_LOCK])
    return high


def consume(consumer: Consumer, *, batch: int | None = None) -> int:
    """Hand `consumer` each milestone of its kinds after its cursor, once; return how many it
    handled."""
    batch = batch or consumer.batch
    high = _settled_high_water()
    MilestoneCursor.objects.bulk_create(
        [MilestoneCursor(consumer=consumer.name)], ignore_conflicts=True
    )
    handled = 0
    while True:
        with transaction.atomic():
            cursor = MilestoneCursor.objects.select_for_update().get(consumer=consumer.name)
            rows = list(
                Milestone.objects.filter(pk__gt=cursor.last_id, pk__lte=high)
                .select_related("referral", "agency")
                .order_by("pk")[:batch]
            )
            if not rows:
                return handled
            mine = [milestone for milestone in rows if milestone.kind in consumer.kinds]
            if consumer.handle_batch is not None:
                if mine:
                    consumer.handle_batch(mine)
            else:
                for milestone in mine:
                    consumer.handle(milestone)
            handled += len(mine)
            cursor.last_id = rows[-1].pk
            cursor.save(update_fields=["last_id", "updated_at"])
