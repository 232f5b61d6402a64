"""The Redis cache backend reuses one client per pool and behaves as Django's (real Redis), and
carries on without Redis while it cannot be reached."""

import os
import threading
from logging import WARNING

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from portal.redis_cache import RedisCache
from tests.support.outage import closed_port_url, redis_server


@pytest.fixture
def cache():
    backend = RedisCache(os.environ.get("REDIS_URL", ""), {"KEY_PREFIX": "test-redis-cache"})
    backend.clear()
    yield backend
    backend.clear()


@pytest.mark.redis
def test_one_client_serves_every_call(cache):
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    assert isinstance(cache, DjangoRedisCache)


@pytest.mark.redis
def test_it_stores_reads_counts_and_deletes_like_django(cache):
    cache.set("page", {"content": b"<html>", "status": 200}, 30)
    assert cache.get_many(["page", "missing"]) == {"page": {"content": b"<html>", "status": 200}}
    assert cache.add("page", "other") is False
    assert cache.add("counter", 1) is True
    assert cache.incr("counter") == 2
    cache.delete("page")
    assert cache.get("page") is None


@pytest.mark.redis
def test_threads_share_the_client_safely(cache):
    errors = []

    def work(n):
        try:
            for i in range(50):
                cache.set(f"k{n}-{i}", i)
                assert cache.get(f"k{n}-{i}") == i
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


# Redis unreachable -----------------------------------------------------------------------------


def warnings(caplog):
    return [r for r in caplog.records if r.name == "portal.redis_cache" and r.levelno == WARNING]


def test_without_redis_reads_miss_writes_are_dropped_and_claims_are_granted(caplog):
    cache = RedisCache(closed_port_url(), {})
    assert cache.get("session", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert "session" not in cache
    cache.set("session", {"user": 1})
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.touch("session") is False
    assert cache.delete("session") is False
    # A claim or a lock is granted and a count starts again: rate limits let requests through.
    assert cache.add("lock", 1) is True
    with pytest.raises(ValueError):
        cache.incr("count")
    assert len(warnings(caplog)) == 1  # once a minute, not once a call


@pytest.mark.redis
def test_a_delete_that_missed_redis_is_done_once_it_answers_again(tmp_path, caplog):
    """A session signed out while Redis was down must not come back from a Redis that kept it."""
    with redis_server(tmp_path) as server:
        cache = RedisCache(server.url, {})
        key = cache.make_key("session")
        cache.set("session", {"user": 1})
        server.crash()
        assert cache.delete("session") is False
        assert cache.get("session") is None

        server.start()
        assert server.client.exists(key)  # kept in its append-only file
        assert cache.get("other") is None  # the first call that reaches Redis deletes it first
        assert not server.client.exists(key)
    assert [r.getMessage() for r in warnings(caplog)][-1].startswith("Redis cache reachable again")
