"""The Redis cache, made to degrade instead of failing while Redis is down.

The cache holds throttling counters and one-time-code markers, nothing the site cannot do
without for a while: the web must keep working when Redis is down (DESIGN.md, rule 9). During
an outage reads find nothing, writes are dropped, and a warning is logged.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


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
    get = _degrade(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = _degrade({})(RedisCache.get_many)
    has_key = _degrade(False)(RedisCache.has_key)
    set = _degrade(None)(RedisCache.set)
    set_many = _degrade([])(RedisCache.set_many)
    # "Added": callers that take a lock with add() must not spin forever during an outage.
    add = _degrade(True)(RedisCache.add)
    touch = _degrade(False)(RedisCache.touch)
    delete = _degrade(False)(RedisCache.delete)
    delete_many = _degrade(None)(RedisCache.delete_many)
    incr = _degrade(lambda key, delta=1, version=None: delta)(RedisCache.incr)
    clear = _degrade(None)(RedisCache.clear)
