"""Django's Redis cache backend, keeping one Redis client per connection pool, and carrying on
without Redis while it cannot be reached.

Django 5.2's RedisCacheClient builds a new `redis.Redis` for every cache call, and each one
fills a case-insensitive table of some 170 response callbacks: about 0.4 ms of CPU per call,
more than a bare Django view costs. Every signed-in request reads its session from the cache and
every public page is served from it, so the client is built once per pool and reused (redis-py
clients are thread-safe and take a connection from the pool per command).

Everything the portal keeps in this cache can be done without it: sessions are written through to
the database (cached_db), public pages can be rendered, rate limits may let a request through.
So while Redis is unreachable (a restart, a failover, a closed port) the backend does not raise:
every read is a miss, every write is dropped, and `add` answers True, so that a claim or lock
taken through the cache (allauth's rate-limit lock, accounts/ratelimit.py's window) is granted
and every rate limit fails open. A warning is logged at most once a minute per process.

A delete that could not reach Redis is remembered and done once Redis answers again: a signed-out
session or an invalidated public page must not come back from a Redis that kept its data.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY = 60  # seconds: at most one warning this often, per process
# Deletes remembered during one outage; beyond this many the rest are logged, not kept.
MAX_PENDING_DELETES = 100_000


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class Outage:
    """What this process knows of one Redis being unreachable. Shared by all the threads of the
    process: Django builds a cache backend object per thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self.since = None  # time.monotonic() of the first failure; None while Redis answers
        self._warned_at = None
        self._warned = False  # whether this outage was reported (its end is reported too)
        self.pending = set()  # made keys whose delete did not reach Redis
        self._dropped = 0

    def failed(self, error, *, deletes=()) -> None:
        now = time.monotonic()
        with self._lock:
            if self.since is None:
                self.since = now
            room = MAX_PENDING_DELETES - len(self.pending)
            deletes = list(deletes)
            self.pending.update(deletes[:room])
            self._dropped += max(0, len(deletes) - room)
            warn = self._warned_at is None or now - self._warned_at >= WARN_EVERY
            if warn:
                self._warned_at = now
                self._warned = True
            down_for = now - self.since
        if warn:
            logger.warning(
                "Redis cache unreachable for %.0f s (%s): serving without it; reads miss, writes "
                "are dropped and rate limits let requests through.",
                down_for,
                error,
            )

    def take_pending(self) -> list[str]:
        with self._lock:
            keys, self.pending = list(self.pending), set()
        return keys

    def put_back(self, keys) -> None:
        with self._lock:
            self.pending.update(keys)

    def recovered(self) -> None:
        with self._lock:
            if self.since is None:
                return
            down_for, self.since = time.monotonic() - self.since, None
            warned, self._warned = self._warned, False
            dropped, self._dropped = self._dropped, 0
        if warned:
            logger.warning("Redis cache reachable again after %.0f s.", down_for)
        if dropped:
            # Those keys may be served as they were before the outage until they expire.
            logger.error("%d cache deletes during the Redis outage were lost.", dropped)


_outages: dict[tuple[str, ...], Outage] = {}
_outages_lock = threading.Lock()


def outage_of(servers) -> Outage:
    with _outages_lock:
        return _outages.setdefault(tuple(servers), Outage())


# The fallback of incr(): what a missing key raises, so that callers start a new count.
MISSING_KEY = object()


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._outage = outage_of(self._servers)

    def _attempt(self, method, *args, fallback, deletes=()):
        """Django's `method` against Redis; while Redis is unreachable, `fallback` instead."""
        outage = self._outage
        try:
            if outage.pending:
                self._delete_pending()
            result = getattr(super(), method)(*args)
        except UNREACHABLE as error:
            outage.failed(error, deletes=deletes)
            if fallback is MISSING_KEY:
                raise ValueError("Key not found: the Redis cache is unreachable.") from None
            return fallback
        if outage.since is not None:
            outage.recovered()
        return result

    def _delete_pending(self):
        keys = self._outage.take_pending()
        try:
            self._cache.delete_many(keys)
        except Exception:
            self._outage.put_back(keys)
            raise

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt("add", key, value, timeout, version, fallback=True)

    def get(self, key, default=None, version=None):
        return self._attempt("get", key, default, version, fallback=default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._attempt("set", key, value, timeout, version, fallback=None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt("touch", key, timeout, version, fallback=False)

    def delete(self, key, version=None):
        made = [self.make_key(key, version=version)]
        return self._attempt("delete", key, version, fallback=False, deletes=made)

    def get_many(self, keys, version=None):
        return self._attempt("get_many", keys, version, fallback={})

    def has_key(self, key, version=None):
        return self._attempt("has_key", key, version, fallback=False)

    def incr(self, key, delta=1, version=None):
        return self._attempt("incr", key, delta, version, fallback=MISSING_KEY)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt("set_many", data, timeout, version, fallback=list(data))

    def delete_many(self, keys, version=None):
        keys = list(keys)
        made = [self.make_key(key, version=version) for key in keys]
        self._attempt("delete_many", keys, version, fallback=None, deletes=made)

    def clear(self):
        return self._attempt("clear", fallback=False)
