"""The worker's side of exports: building a long list, taking again one a dead worker left,
and deleting what has expired.

A claim is a lease (as for the outbox, ipv.notifications.sending): the worker that holds an
export renews it with each progress write; one that dies leaves it to be taken again when the
lease ends. Every write is its own short transaction: the page that shows progress reads them
as they come.
"""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from ipv.core import files
from ipv.core.replica import replica_reads
from ipv.figures import exports, snapshots
from ipv.figures.models import Export, WatchedScope
from ipv.figures.periods import Period
from ipv.figures.scope import Scope

logger = logging.getLogger(__name__)

# An export that made its worker fail (or die) this many times is marked failed.
MAX_ATTEMPTS = 3
# Queued this long ago and not started: its task was lost (Redis down when it was sent).
STARTED_WITHIN = datetime.timedelta(minutes=2)


def _lease(now) -> datetime.datetime:
    return now + datetime.timedelta(seconds=settings.FIGURES_EXPORT_LEASE_SECONDS)


def claim(pk: int) -> Export | None:
    """Take export `pk` for this worker: queued, or running under a lease that ended. None when
    another worker holds it or it is done (a task delivered twice does the work once)."""
    now = timezone.now()
    with transaction.atomic():
        export = (
            Export.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, expires_at__gt=now)
            .filter(
                Q(state=Export.State.QUEUED) | Q(state=Export.State.RUNNING, lease_until__lte=now)
            )
            .first()
        )
        if export is None:
            return None
        Export.objects.filter(pk=pk).update(
            state=Export.State.RUNNING,
            lease_until=_lease(now),
            attempts=F("attempts") + 1,
            rows_done=0,
        )
    export.refresh_from_db()
    return export


def build(pk: int) -> bool:
    """Build export `pk` if it can be claimed; True when this call finished it."""
    export = claim(pk)
    if export is None:
        return False
    if export.attempts > MAX_ATTEMPTS:
        Export.objects.filter(pk=pk).update(state=Export.State.FAILED, lease_until=None)
        return False

    # The progress marks name the primary themselves: they are not what the export reads, so
    # they leave its reads on the replica (a write through the router would bring them back).
    marks = Export.objects.using(DEFAULT_DB_ALIAS).filter(pk=pk)

    def progress(done: int) -> None:
        marks.filter(state=Export.State.RUNNING).update(
            rows_done=done, lease_until=_lease(timezone.now())
        )

    try:
        with translation.override(export.language), replica_reads():
            queryset = exports.cases_queryset(
                scope=Scope(agencies=frozenset({export.agency_id})), params=export.params
            )
            total = queryset.count()
            marks.update(rows_total=total)
            content = exports.cases_file(
                queryset,
                title=str(exports.FIGURES[export.params["figure"]].label),
                file_format=export.format,
                progress=progress,
            )
    except Exception:
        logger.exception("figures: export %s failed", pk)
        Export.objects.filter(pk=pk).update(state=Export.State.FAILED, lease_until=None)
        return False
    stored = (
        {"content": content}
        if files.in_database()
        else {"content_file": files.file_save("exports", content)}
    )
    done = Export.objects.filter(pk=pk, state=Export.State.RUNNING).update(
        state=Export.State.DONE,
        rows_done=total,
        rows_total=total,
        finished_at=timezone.now(),
        lease_until=None,
        **stored,
    )
    if not done and "content_file" in stored:  # another worker finished it first
        files.file_delete(stored["content_file"])
    return bool(done)


@shared_task
def build_export(pk: int):
    """Build one export (queued after the request's commit). Idempotent."""
    return build(pk)


@shared_task
def resume_stalled_exports():
    """Take again the exports a dead worker left (lease ended) or whose task was lost."""
    now = timezone.now()
    stalled = Export.objects.filter(expires_at__gt=now).filter(
        Q(state=Export.State.RUNNING, lease_until__lte=now)
        | Q(state=Export.State.QUEUED, created_at__lte=now - STARTED_WITHIN)
    )
    resumed = 0
    for pk in stalled.values_list("pk", flat=True)[:20]:
        resumed += build(pk)
    return resumed


@shared_task
def remove_expired_exports():
    """Delete the exports kept past their day (their page already answers 404), their stored
    files first: a file whose deletion fails keeps its row, and is tried again. Idempotent."""
    expired = list(
        Export.objects.filter(expires_at__lte=timezone.now()).values_list("pk", "content_file")
    )
    for _pk, name in expired:
        if name:
            files.file_delete(name)
    deleted, _by_model = Export.objects.filter(pk__in=[pk for pk, _name in expired]).delete()
    return deleted


@shared_task
def refresh_scope(key: str) -> int:
    """Summarise the figures of scope `key` (Scope.key), unless another worker is at it."""
    if not snapshots.claim(key):
        return 0
    try:
        return snapshots.refresh(Scope.from_key(key))
    except Exception:
        # Let another worker try again at once rather than when the lease ends.
        WatchedScope.objects.filter(scope=key).update(lease_until=None)
        raise


@shared_task
def count_period(key: str, start: str, end: str) -> int:
    """Count the figures of scope `key` (Scope.key) for the period from `start` to `end` (ISO
    dates) that a person asked for, for their page to show."""
    period = Period(datetime.date.fromisoformat(start), datetime.date.fromisoformat(end))
    return snapshots.count_period(Scope.from_key(key), period)


@shared_task
def refresh_due_scopes() -> int:
    """Periodic: ask for each watched scope whose summaries are due to be refreshed, one task
    per scope (workers share them); without a broker, refresh them here."""
    keys = snapshots.due()
    for key in keys:
        try:
            refresh_scope.delay(key)
        except Exception:
            logger.warning("Broker down: summarising the figures of %s here", key)
            try:
                refresh_scope(key)
            except Exception:  # one scope failing leaves the others to be refreshed
                logger.exception("The figures of %s could not be summarised", key)
    return len(keys)


@shared_task
def remove_unwatched_snapshots() -> int:
    return snapshots.remove_unwatched()
