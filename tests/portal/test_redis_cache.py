"""The Redis cache backend reuses one client per pool and behaves as Django's (real Redis)."""

import os
import threading

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from portal.redis_cache import RedisCache

pytestmark = pytest.mark.redis


@pytest.fixture
def cache():
    backend = RedisCache(os.environ.get("REDIS_URL", ""), {"KEY_PREFIX": "test-redis-cache"})
    backend.clear()
    yield backend
    backend.clear()


def test_one_client_serves_every_call(cache):
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    assert isinstance(cache, DjangoRedisCache)


def test_it_stores_reads_counts_and_deletes_like_django(cache):
    cache.set("page", {"content": b"<html>", "status": 200}, 30)
    assert cache.get_many(["page", "missing"]) == {"page": {"content": b"<html>", "status": 200}}
    assert cache.add("page", "other") is False
    assert cache.add("counter", 1) is True
    assert cache.incr("counter") == 2
    cache.delete("page")
    assert cache.get("page") is None


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
