"""The two caches.

`default` is the security store: PostgreSQL, so that the decisions allauth keeps in the cache
(sign-in throttling, the one-time codes already used, the locks around them) never fail open
when Redis is down (DESIGN.md, rule 15). Whatever the database refuses, the caller sees.

`redis` holds values that can be worked out again (figures for a busy screen): while Redis is
down reads find nothing and writes are dropped, so the pages keep working (rule 9). An
operation whose answer is a decision (`add`, `incr`) is not made up: it raises.
"""

import functools
import json
import logging
from datetime import UTC, datetime

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.utils import timezone
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# "No expiry" in a column that has to hold a date.
NEVER = datetime(9999, 12, 31, tzinfo=UTC)


class DatabaseStore(BaseCache):
    """A cache backend on one PostgreSQL table (core_security_store), atomic where a cache
    must be: `add` is one INSERT … ON CONFLICT that only takes the place of an expired row, and
    `incr` one UPDATE. Values are JSON. Expired rows count as absent and are swept by
    ipv.core.tasks.sweep_security_store.

    Statements run on the request's connection: in autocommit, as allauth's sign-in and
    second-factor steps run, each one is committed when it returns.
    """

    def __init__(self, location, params):
        super().__init__(params)

    def _expires_at(self, timeout):
        moment = self.get_backend_timeout(timeout)
        return NEVER if moment is None else datetime.fromtimestamp(moment, tz=UTC)

    @staticmethod
    def _entries():
        from ipv.core.models import SecurityStoreEntry

        return SecurityStoreEntry.objects

    def _live(self, key):
        return self._entries().filter(key=key, expires_at__gt=timezone.now())

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        values = list(self._live(key).values_list("value", flat=True)[:1])
        return values[0] if values else default

    def has_key(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._live(key).exists()

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        expires_at = self._expires_at(timeout)
        if expires_at <= timezone.now():
            self._entries().filter(key=key).delete()
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO core_security_store (key, value, expires_at) "
                "VALUES (%s, %s::jsonb, %s) "
                "ON CONFLICT (key) DO UPDATE "
                "SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at",
                [key, json.dumps(value), expires_at],
            )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Store `value` unless a live value is there; True when stored. One statement, so
        two requests adding the same key at once never both succeed."""
        key = self.make_and_validate_key(key, version=version)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO core_security_store AS entry (key, value, expires_at) "
                "VALUES (%s, %s::jsonb, %s) "
                "ON CONFLICT (key) DO UPDATE "
                "SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at "
                "WHERE entry.expires_at <= %s "
                "RETURNING 1",
                [key, json.dumps(value), self._expires_at(timeout), timezone.now()],
            )
            return cursor.fetchone() is not None

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_security_store SET value = to_jsonb((value #>> '{}')::bigint + %s) "
                "WHERE key = %s AND expires_at > %s RETURNING (value #>> '{}')::bigint",
                [delta, key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            raise ValueError(f"Key '{key}' not found.")
        return row[0]

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        return bool(self._live(key).update(expires_at=self._expires_at(timeout)))

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        deleted, _by_model = self._entries().filter(key=key).delete()
        return bool(deleted)

    def clear(self):
        self._entries().all().delete()


def _degrade(fallback):
    def decorator(method):
        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except RedisError:
                logger.warning("cache unavailable: %s skipped", method.__name__)
                return fallback(*args, **kwargs) if callable(fallback) else fallback

        return wrapped

    return decorator


class ResilientRedisCache(RedisCache):
    """Redis for values that can be worked out again: an outage reads as a miss."""

    get = _degrade(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = _degrade({})(RedisCache.get_many)
    has_key = _degrade(False)(RedisCache.has_key)
    set = _degrade(None)(RedisCache.set)
    set_many = _degrade([])(RedisCache.set_many)
    touch = _degrade(False)(RedisCache.touch)
    delete = _degrade(False)(RedisCache.delete)
    delete_many = _degrade(None)(RedisCache.delete_many)
    clear = _degrade(None)(RedisCache.clear)
