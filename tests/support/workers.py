"""Real `celery worker` processes for a test: started against the test's database, each logging
to a file the test reads, their mail written to files (one per message), and all stopped when
the test ends.

With slowed_mail() in a worker's environment its mail backend leaves a marker and then waits
before writing each mail, so that a test can kill the worker in the middle of a send.
"""

import ast
import email
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections import Counter
from contextlib import ExitStack, contextmanager
from pathlib import Path

import redis
from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.db import connection

from portal.celery import app
from tests.support.config import ROOT

# The worker's own boot: with SEASONS_TEST_QUEUE set it publishes the tasks it enqueues itself
# (the mails) to the test's private queue too, not to the shared default one. With
# SEASONS_TEST_VISIBILITY set, the broker hands back an unacknowledged message after that many
# seconds instead of an hour, and the worker looks for such messages on every restore tick (10
# seconds) rather than on every tenth: else one not yet visible when it starts waits 100 seconds.
BOOT = (
    "import os, sys; from portal.celery import app; "
    "q = os.environ.get('SEASONS_TEST_QUEUE'); "
    "q and app.conf.update(task_default_queue=q); "
    "v = os.environ.get('SEASONS_TEST_VISIBILITY'); "
    "v and app.conf.broker_transport_options.update("
    "visibility_timeout=float(v), unacked_restore_throttle=1); "
    "app.worker_main(sys.argv[1:])"
)


def wait_for(check, seconds=60):
    """Poll `check` until it is true (True) or `seconds` have passed (False)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


class SlowFileBackend(FileBackend):
    """Test-only mail backend for the worker: with SEASONS_TEST_MAIL_DELAY set it leaves a
    marker in SEASONS_TEST_MARKERS and waits that many seconds before writing the mail, so a
    test can kill the worker in the middle of a send."""

    def send_messages(self, messages):
        delay = float(os.environ.get("SEASONS_TEST_MAIL_DELAY", "0"))
        if delay:
            markers = Path(os.environ["SEASONS_TEST_MARKERS"])
            markers.mkdir(parents=True, exist_ok=True)
            (markers / f"sending-{os.getpid()}-{time.monotonic_ns()}").touch()
            time.sleep(delay)
        return super().send_messages(messages)


def slowed_mail(seconds) -> dict[str, str]:
    """A worker environment whose every mail waits `seconds` before it is written."""
    return {
        "EMAIL_BACKEND": f"{SlowFileBackend.__module__}.SlowFileBackend",
        "SEASONS_TEST_MAIL_DELAY": str(seconds),
    }


class Workers:
    """`celery worker` subprocesses sharing this test's database: on a private queue of the
    shared Redis (`queue`), or on the default queue of a Redis of the test's own (`broker`,
    anything with a `url`)."""

    def __init__(self, tmp_path, *, queue=None, broker=None, embedded=False):
        self.tmp_path = tmp_path
        self.queue = queue
        self.broker = broker
        self.embedded = embedded  # the filesystem broker under tmp_path/var (embedded_broker)
        self.mail_dir = tmp_path / "mail"
        self.markers = tmp_path / "markers"
        self.processes = []
        self.logs = []

    def start(self, *args, env=None, visibility_timeout=None):
        """One more worker, with `args` after `celery worker` and `env` over its environment."""
        db = connection.settings_dict
        log = self.tmp_path / f"worker-{len(self.processes)}.log"
        queue = ["-Q", self.queue] if self.queue else []
        process = subprocess.Popen(
            [sys.executable, "-c", BOOT, "worker", "--without-mingle", "--without-gossip",
             *queue, "--loglevel=INFO", *args],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "portal.settings.base",
                "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
                **({"REDIS_URL": self.broker.url} if self.broker else {}),
                **({"REDIS_URL": ""} if self.embedded else {}),
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(self.mail_dir),
                "SEASONS_VAR_DIR": str(self.tmp_path / "var"),
                "SEASONS_TEST_MARKERS": str(self.markers),
                "SEASONS_TEST_QUEUE": self.queue or "",
                "SEASONS_TEST_VISIBILITY": str(visibility_timeout or ""),
                "PYTHONUNBUFFERED": "1",  # a killed worker's log is complete
                **(env or {}),
            },
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.processes.append(process)
        self.logs.append(log)
        return process

    def stop(self):
        """Stop every worker still running (killed if it does not stop in 30 seconds)."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=30)

    def output(self) -> str:
        return "".join(log.read_text() for log in self.logs if log.exists())

    def job_results(self) -> list[dict]:
        """What each finished run of the periodic job returned, from the workers' logs."""
        found = re.findall(r"advance_schedule_task\[[^\]]+\] succeeded in [^:]+: (\{.*\})",
                           self.output())  # fmt: skip
        return [ast.literal_eval(result) for result in found]

    def mails(self) -> list:
        """Every mail written, as email messages."""
        if not self.mail_dir.exists():
            return []
        found = []
        for path in self.mail_dir.iterdir():
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    found.append(email.message_from_bytes(chunk))
        return found

    def reminders(self) -> Counter:
        """(recipient, reminder) of every mail written, counted."""
        return Counter((message["To"], message["X-Seasons-Reminder"]) for message in self.mails())

    def sending(self) -> bool:
        """Whether a worker with slowed_mail() has begun a send (and waits in it)."""
        return self.markers.exists() and any(self.markers.iterdir())


@contextmanager
def running_workers(tmp_path, *, broker=None):
    """A Workers pool for one test, every worker stopped and the log printed on the way out.
    Without `broker` the pool gets a private queue on the shared Redis (private_queue)."""
    with ExitStack() as stack:
        queue = None if broker else stack.enter_context(private_queue())
        pool = Workers(tmp_path, queue=queue, broker=broker)
        try:
            yield pool
        finally:
            pool.stop()
            print(pool.output())


@contextmanager
def embedded_broker(tmp_path):
    """This process publishing, not eagerly, to the filesystem broker of `make run` without
    Redis (the settings' folders, under tmp_path/var), which Workers(embedded=True) consume."""
    broker = tmp_path / "var" / "broker"
    options = {
        "data_folder_in": str(broker / "queue"),
        "data_folder_out": str(broker / "queue"),
        "control_folder": str(broker / "control"),
    }
    for folder in options.values():
        Path(folder).mkdir(parents=True, exist_ok=True)
    previous = (
        app.conf.broker_url,
        app.conf.broker_transport_options,
        app.conf.task_always_eager,
    )
    app.conf.broker_url = "filesystem://"
    app.conf.broker_transport_options = options
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield broker / "queue"
    finally:
        if app._pool is not None:
            app._pool.force_close_all()  # this test's own folders only
        app.conf.broker_url, app.conf.broker_transport_options = previous[:2]
        app.conf.task_always_eager = previous[2]
        app._pool = None
        app.amqp._producer_pool = None


@contextmanager
def private_queue():
    """A queue of its own on the shared Redis, which this process publishes to (not eagerly)
    meanwhile, and which is emptied afterwards."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        _forget_queue(queue)


def _forget_queue(queue):
    """Drop what a killed worker left unacknowledged on the private queue: Redis would hand it
    back to that queue after the visibility timeout, with nobody listening."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    for tag, raw in client.hgetall("unacked").items():
        if json.loads(raw)[2] == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.delete(queue)
