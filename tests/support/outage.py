"""A Redis that is not there: this process's cache (and with it sessions, the public cache and
every rate limit) and its Celery publishing pointed at a closed port, as when REDIS_URL names a
server that is down (needs no Redis server, so it runs in both passes of .ci/run); and a
redis-server of a test's own, that a test may crash and start again."""

import signal
import socket
import subprocess
import time
from contextlib import contextmanager

import redis
from django.test import override_settings

from portal.celery import app


def closed_port_url() -> str:
    """A redis:// URL on a local port that nothing listens on: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def _publish_to(url: str) -> None:
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def redis_unreachable():
    """The portal's settings with REDIS_URL at a closed port: the Redis cache backend and the
    Celery broker both there, tasks published (not run inline), the public cache on."""
    url = closed_port_url()
    caches = {
        "default": {
            "BACKEND": "portal.redis_cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},  # as in base.py
        }
    }
    previous = app.conf.broker_url, app.conf.task_always_eager
    with override_settings(CACHES=caches, PUBLIC_CACHE_SECONDS=60):
        _publish_to(url)
        app.conf.task_always_eager = False
        try:
            yield url
        finally:
            if app._pool is not None:
                app._pool.force_close_all()  # the closed port's pool only
            _publish_to(previous[0])
            app.conf.task_always_eager = previous[1]


class RedisServer:
    """A redis-server of a test's own on a free port, keeping its data in an append-only file, so
    that what it held before a crash is there again when it restarts."""

    def __init__(self, tmp_path):
        self.url = closed_port_url()
        self.port = int(self.url.rsplit(":", 1)[1].split("/")[0])
        self.dir = tmp_path
        self.client = redis.Redis(port=self.port, socket_timeout=5)
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no",
             "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not self._up():
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def crash(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def _up(self) -> bool:
        try:
            return self.client.ping()
        except redis.ConnectionError:
            return False


@contextmanager
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.crash()
