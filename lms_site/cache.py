"""The Redis cache, made safe to lose: with Redis down, the cache misses instead of failing the request.

Everything we cache can be recomputed (fragments of published pages, cached sessions backed by the
database, permission sets), so an outage should cost speed, not availability. Django's ``RedisCache``
raises redis-py's errors from every call; ``OutageTolerantRedisCache`` turns those of reading and writing
into a miss or a skipped write, and logs a warning at most once a minute per process so that an outage
does not flood the log. ``incr``/``decr`` keep raising: their callers need to know.

``cache_call`` is for callers that must go on without the cache whatever the backend is configured to
be (the login rate limit, staff-import progress): it gives ``default`` instead of any error.

``VersionToken`` invalidates a whole family of cached values at once (permission sets, lesson chrome).
"""

import logging
import time
import uuid
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CACHE_ERRORS = (RedisError, OSError)
WARN_EVERY = 60.0  # seconds


def cache_call(method: str, *args, default=None, log: logging.Logger = logger, what: str = "cache", **kwargs):
    """``cache.<method>(*args, **kwargs)``, or ``default`` (logged on ``log``) if the cache fails."""
    try:
        return getattr(cache, method)(*args, **kwargs)
    except Exception:  # redis-py's own error classes, and incr's ValueError on a key that just expired
        log.warning("Cache unavailable: %s %s skipped", what, method, exc_info=True)
        return default


class VersionToken:
    """A cache-wide token stored at ``key``; values are cached as ``(token, value)`` and count only under the
    current token, so replacing the token makes every one of them stale at once."""

    def __init__(self, key: str):
        self.key = key

    def read(self, key: str) -> tuple[str, Any]:
        """(the current token, the value cached at ``key`` under it, or None), in one round trip."""
        found = cache.get_many([self.key, key])
        token, cached = found.get(self.key), found.get(key)
        if token is None:
            return self._made(), None
        return token, cached[1] if cached is not None and cached[0] == token else None

    @staticmethod
    def current(tokens: list["VersionToken"]) -> list[str]:
        """The current value of each token, made where there is none yet (one round trip when all exist):
        for a value cached under a key that names several tokens."""
        found = cache.get_many([token.key for token in tokens])
        return [found.get(token.key) or token._made() for token in tokens]

    def _made(self) -> str:
        """A new token, or the one another process made first."""
        token = uuid.uuid4().hex
        return token if cache.add(self.key, token, timeout=None) else cache.get(self.key, token)

    def write(self, key: str, token: str, value: Any, *, timeout: int) -> None:
        """Cache ``value`` at ``key`` under ``token`` (the one ``read`` gave, before the value was read)."""
        cache.set(key, (token, value), timeout=timeout)

    def replace(self) -> None:
        cache.set(self.key, uuid.uuid4().hex, timeout=None)

    def replace_now_and_on_commit(self) -> None:
        """For signal handlers: a request reading the database between the change and its commit (still
        the old rows) would otherwise cache them under the new token."""
        self.replace()
        transaction.on_commit(self.replace)


class _SharedClientRedisCacheClient(RedisCacheClient):
    """Django builds a new redis-py client object on every cache call (a tenth of a millisecond each, three
    or more per page); one client per connection pool serves them all (redis-py clients are thread-safe
    and take their connections from the pool)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class OutageTolerantRedisCache(RedisCache):
    _last_warning = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedClientRedisCacheClient

    def _outage(self, operation: str) -> None:
        now = time.monotonic()
        if now - OutageTolerantRedisCache._last_warning >= WARN_EVERY:
            OutageTolerantRedisCache._last_warning = now
            logger.warning("Cache unavailable (%s); serving without it", operation, exc_info=True)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except CACHE_ERRORS:
            self._outage("get")
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except CACHE_ERRORS:
            self._outage("get_many")
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except CACHE_ERRORS:
            self._outage("has_key")
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except CACHE_ERRORS:
            self._outage("set")

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except CACHE_ERRORS:
            self._outage("set_many")
            return list(data)  # the keys that were not stored

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except CACHE_ERRORS:
            self._outage("add")
            return False

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except CACHE_ERRORS:
            self._outage("touch")
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except CACHE_ERRORS:
            self._outage("delete")
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except CACHE_ERRORS:
            self._outage("delete_many")
