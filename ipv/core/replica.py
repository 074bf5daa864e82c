"""A read replica (DATABASE_REPLICA_URL): the dashboards, exports and the API's reads go to it,
everything else to the primary.

Reads go to the replica only inside `replica_reads()`, and even there they stay on the primary
- once the block has written anything (read your own writes: the replica may not have it yet);
- inside a transaction on the primary (what a transaction reads must be what it sees, and the
  confidential store names its agencies with `set_config` in the transaction that reads,
  victims.rls.confidential);
- when the replica cannot be reached: it is a performance feature, so its reads fall back to
  the primary for REPLICA_RETRY_SECONDS rather than fail.

Writes always go to the primary, migrations never run on the replica. With no replica
configured the router is not installed and `replica_reads()` changes nothing.
"""

import functools
import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
# After the replica failed to answer, the primary serves its reads this long before trying again.
REPLICA_RETRY_SECONDS = 30
# How long a read that must see the primary's latest writes waits for the replica to replay
# them (read_as_of), and how often it looks, before it reads the primary instead.
REPLAY_WAIT_SECONDS = 0.05
REPLAY_POLL_SECONDS = 0.005


@dataclass
class _Scope:
    # The block's reads stay on the primary: it has written, or the replica did not answer.
    on_primary: bool = False


_scope: ContextVar[_Scope | None] = ContextVar("replica_reads", default=None)
# time.monotonic() until which the replica is not tried again (per process).
_down_until = 0.0


def configured() -> bool:
    return bool(settings.DATABASE_REPLICA_URL)


def _reachable() -> bool:
    """Whether the replica answers (connecting when not yet connected); once it did not, not
    tried again for REPLICA_RETRY_SECONDS."""
    global _down_until
    if time.monotonic() < _down_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError:
        _down_until = time.monotonic() + REPLICA_RETRY_SECONDS
        logger.warning("replica: unreachable, its reads go to the primary for a while")
        return False
    return True


@contextmanager
def replica_reads():
    """Reads in the block may be served by the replica (see the module's docstring)."""
    if _scope.get() is not None:  # nested: the outer block decides
        yield
        return
    scope = _Scope(on_primary=configured() and not _reachable())
    token = _scope.set(scope)
    try:
        yield
    finally:
        _scope.reset(token)


def reads_from_replica(view):
    """`replica_reads()` around a function or method."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapper


def read_alias() -> str:
    """The database a read made now goes to."""
    scope = _scope.get()
    if (
        scope is None
        or scope.on_primary
        or not configured()
        or connections[DEFAULT_DB_ALIAS].in_atomic_block
    ):
        return DEFAULT_DB_ALIAS
    return REPLICA


def read_as_of(lsn: str) -> None:
    """The rest of the current `replica_reads()` block reads what the primary held when its WAL
    stood at `lsn`: on the replica once it has replayed that far (waited for a moment: it is
    usually milliseconds behind), else on the primary."""
    if read_alias() == DEFAULT_DB_ALIAS:
        return
    deadline = time.monotonic() + REPLAY_WAIT_SECONDS
    try:
        with connections[REPLICA].cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
                if cursor.fetchone()[0]:
                    return
                if time.monotonic() >= deadline:
                    break
                time.sleep(REPLAY_POLL_SECONDS)
    except DatabaseError:
        logger.warning("replica: could not tell how far it has replayed")
    _scope.get().on_primary = True


def read_as_of_now() -> None:
    """`read_as_of` the primary's WAL as it stands now: what any request has written, this
    block reads (another court system's change, a token's court withdrawn)."""
    if read_alias() == DEFAULT_DB_ALIAS:
        return
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        read_as_of(cursor.fetchone()[0])


class ReplicaRouter:
    """Installed by the settings when DATABASE_REPLICA_URL is set.

    Every answer is explicit: without one, Django would send a query about an object read on
    the replica (its related objects, its save) back to the replica."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        scope = _scope.get()
        if scope is not None:
            scope.on_primary = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: an object read on either is the same row.
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}

    def allow_migrate(self, db, app_label, **hints):
        return db != REPLICA
