"""The periodic job on real Celery workers over Redis, against the real PostgreSQL test database:
a missed midterm fails its project once, reminders go out once each when the job runs twice at
the same time, and a worker killed in the middle of a mail leaves, once restarted and the job
run again, the state an undisturbed run leaves.

Mail goes to files (one per message) in a temporary folder, so the tests count what was sent.
"""

import ast
import email
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.db import connection
from django.utils import timezone

from applications.models import Project, Proposal, ProposalStatus
from docs_season.models import Survey
from evaluations.models import EvaluationPeriod, PeriodStatus, ReminderLog
from evaluations.services import periods, reminders
from evaluations.tasks import advance_schedule_task
from portal.celery import app
from programs.models import Milestone, MilestoneKind
from tests.conftest import DEADLINE
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.redis, pytest.mark.postgres]


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


def wait_for(check, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


class Workers:
    """Starts `celery worker` subprocesses on one private queue, sharing this test's database;
    each writes its log to a file the test can read."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.queue = f"test-{uuid.uuid4().hex[:8]}"
        self.mail_dir = tmp_path / "mail"
        self.markers = tmp_path / "markers"
        self.processes = []
        self.logs = []

    def start(self, *args, env=None):
        db = connection.settings_dict
        log = self.tmp_path / f"worker-{len(self.processes)}.log"
        # The worker publishes the tasks it enqueues itself (the mails) to the private queue
        # too, not to the shared default one.
        boot = (
            "import os, sys; from portal.celery import app; "
            "app.conf.task_default_queue = os.environ['SEASONS_TEST_QUEUE']; "
            "app.worker_main(sys.argv[1:])"
        )
        process = subprocess.Popen(
            [sys.executable, "-c", boot, "worker", "--without-mingle", "--without-gossip",
             "-Q", self.queue, "--loglevel=INFO", *args],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "portal.settings.base",
                "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(self.mail_dir),
                "SEASONS_VAR_DIR": str(self.tmp_path / "var"),
                "SEASONS_TEST_MARKERS": str(self.markers),
                "SEASONS_TEST_QUEUE": self.queue,
                "PYTHONUNBUFFERED": "1",  # a killed worker's log is complete
                **(env or {}),
            },
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.processes.append(process)
        self.logs.append(log)
        return process

    def output(self) -> str:
        return "".join(log.read_text() for log in self.logs if log.exists())

    def job_results(self) -> list[dict]:
        """What each finished run of the job returned, from the workers' logs."""
        found = re.findall(r"advance_schedule_task\[[^\]]+\] succeeded in [^:]+: (\{.*\})",
                           self.output())  # fmt: skip
        return [ast.literal_eval(result) for result in found]

    def mails(self) -> Counter:
        """(recipient, reminder) of every mail written, counted."""
        sent = Counter()
        if not self.mail_dir.exists():
            return sent
        for path in self.mail_dir.iterdir():
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    message = email.message_from_bytes(chunk)
                    sent[(message["To"], message["X-Seasons-Reminder"])] += 1
        return sent


@pytest.fixture
def workers(tmp_path, transactional_db):
    pool = Workers(tmp_path)
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = pool.queue
    try:
        yield pool
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        for process in pool.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        _forget_queue(pool.queue)
        print(pool.output())


def _forget_queue(queue):
    """Drop what a killed worker left unacknowledged on the private queue: Redis would hand it
    back to that queue after the visibility timeout, with nobody listening."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    for tag, raw in client.hgetall("unacked").items():
        if json.loads(raw)[2] == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.delete(queue)


def _project(cast, *, title, contributor, midterm_closes):
    """An accepted 12-week project whose midterm closes at `midterm_closes`, with its periods."""
    starts = midterm_closes - timedelta(days=7) - timedelta(weeks=6)
    proposal = Proposal.objects.create(
        program=cast.program,
        contributor=contributor,
        participation=cast.participation,
        title=title,
        abstract="a",
        body="b",
        size=175,
        length_weeks=12,
        status=ProposalStatus.ACCEPTED,
        submission_slot=1,
        submitted_at=DEADLINE,
    )
    project = Project.objects.create(
        proposal=proposal,
        participation=cast.participation,
        contributor=contributor,
        title=title,
        size=175,
        length_weeks=12,
        coding_starts_at=starts,
        coding_ends_at=starts + timedelta(weeks=12),
        accepted_at=DEADLINE,
        announced_at=DEADLINE,
    )
    project.mentors.set([cast.mentor])
    periods.periods_ensure_for_project(project)
    return project


@pytest.fixture
def season(cast):
    """Due now: a midterm missed 11 days ago, a midterm opening in 2 days (heads-up), one
    closing in 12 hours (closing reminder, org admin copied), a follow-up survey open and a
    docs monthly evaluation missed yesterday (flagged to the manager)."""
    now = timezone.now()
    missed = _project(cast, title="Missed", contributor=UserFactory(),
                      midterm_closes=now - timedelta(days=11))  # fmt: skip
    _project(cast, title="Upcoming", contributor=cast.contributor,
             midterm_closes=now + timedelta(days=9))  # fmt: skip
    closing_contributor = UserFactory()
    _project(cast, title="Closing", contributor=closing_contributor,
             midterm_closes=now + timedelta(hours=12))  # fmt: skip
    Milestone.objects.create(program=cast.docs_program, kind=MilestoneKind.MONTHLY_EVALUATION,
                             sequence=2, starts_at=now - timedelta(days=8),
                             ends_at=now - timedelta(days=1))  # fmt: skip
    Milestone.objects.create(program=cast.docs_program, kind=MilestoneKind.FOLLOW_UP_SURVEY,
                             starts_at=now - timedelta(days=1),
                             ends_at=now + timedelta(days=6))  # fmt: skip
    Survey.objects.create(program=cast.docs_program, title="First follow-up")
    expected = Counter(
        {
            ("mentor@example.org", "advance"): 1,
            ("contributor@example.org", "advance"): 1,
            ("mentor@example.org", "closing"): 1,
            ("admin@example.org", "closing"): 1,
            (closing_contributor.email, "closing"): 1,
            ("admin@example.org", "survey_open"): 1,
            ("manager@example.org", "missed"): 1,
        }
    )
    return missed, expected


def _by_kind(mails: Counter) -> Counter:
    kinds = Counter()
    for (to, reminder), count in mails.items():
        kinds[(to, reminder.split(" ")[0])] += count
    return kinds


def _assert_converged(workers, missed, expected):
    """Every reminder logged once and mailed once; the missed project failed at its deadline."""
    logs = list(ReminderLog.objects.values_list("email", "kind", "subject", "sent_at"))
    assert Counter((email, kind) for email, kind, _, _ in logs) == expected
    assert all(sent_at is not None for *_, sent_at in logs)
    mails = workers.mails()
    assert set(mails.values()) == {1}, mails
    assert _by_kind(mails) == expected
    assert {header for _, header in mails} == {f"{kind} {subject}" for _, kind, subject, _ in logs}
    missed.refresh_from_db()
    midterm_closes = missed.periods.get(kind="midterm", side="mentor").closes_at
    assert (missed.status, missed.ended_at) == ("failed", midterm_closes)
    assert missed.end_reason == "missed the midterm (mentor side)"
    assert set(missed.periods.filter(kind="midterm").values_list("status", flat=True)) == {
        PeriodStatus.MISSED
    }


def _sent(count):
    return lambda: ReminderLog.objects.filter(sent_at__isnull=False).count() == count


def _missed_periods():
    return EvaluationPeriod.objects.filter(status=PeriodStatus.MISSED).count()


def test_a_missed_midterm_fails_the_project_once_when_the_job_runs_twice(workers, season):
    missed, expected = season
    total = sum(expected.values())
    workers.start("--pool=solo")
    advance_schedule_task.delay()
    advance_schedule_task.delay()
    assert wait_for(lambda: len(workers.job_results()) == 2), workers.output()
    assert wait_for(_sent(total)), workers.output()
    results = workers.job_results()
    # The missed periods (two midterm sides, two docs months) were claimed by the first run.
    assert [r["periods_missed"] for r in results] == [_missed_periods(), 0] == [4, 0]
    assert [r["reminders"] for r in results] == [total, 0]
    assert wait_for(lambda: sum(workers.mails().values()) >= total)
    _assert_converged(workers, missed, expected)


def test_reminders_go_out_once_each_when_two_runs_overlap(workers, season):
    missed, expected = season
    total = sum(expected.values())
    workers.start("--pool=prefork", "--concurrency=2")
    # Two children take one run each at the same time.
    advance_schedule_task.delay()
    advance_schedule_task.delay()
    assert wait_for(lambda: len(workers.job_results()) == 2), workers.output()
    assert wait_for(_sent(total)), workers.output()
    time.sleep(2)  # room for a duplicate to show up, if there were one
    results = workers.job_results()
    assert sum(r["periods_missed"] for r in results) == _missed_periods() == 4
    assert sum(r["reminders"] for r in results) == total
    _assert_converged(workers, missed, expected)


def test_a_worker_killed_mid_mail_and_restarted_leaves_the_same_state(workers, season):
    missed, expected = season
    total = sum(expected.values())
    slow = workers.start(
        "--pool=solo",
        env={
            "EMAIL_BACKEND": "tests.portal.test_scheduler_worker.SlowFileBackend",
            "SEASONS_TEST_MAIL_DELAY": "120",
        },
    )
    advance_schedule_task.delay()
    assert wait_for(lambda: workers.markers.exists() and any(workers.markers.iterdir())), (
        workers.output()
    )
    slow.send_signal(signal.SIGKILL)
    slow.wait(timeout=30)
    # The job had finished: the project failed, every reminder claimed, none mailed.
    assert ReminderLog.objects.count() == total
    assert not ReminderLog.objects.filter(sent_at__isnull=False).exists()
    assert workers.mails() == Counter()
    assert Project.objects.get(pk=missed.pk).status == "failed"

    workers.start("--pool=solo")
    # The restarted worker sends what was still queued; the killed task's message waits for
    # the broker's visibility timeout (an hour), so one reminder is left unsent for now.
    assert wait_for(_sent(total - 1)), workers.output()
    # The next beat tick changes nothing: everything is claimed.
    advance_schedule_task.delay()
    assert wait_for(lambda: len(workers.job_results()) == 2), workers.output()
    assert workers.job_results()[-1]["reminders"] == 0
    assert ReminderLog.objects.filter(sent_at__isnull=True).count() == 1
    # A tick RESEND_AFTER later enqueues the lost reminder again; it goes out once.
    later = timezone.now() + reminders.RESEND_AFTER + timedelta(seconds=1)
    assert reminders.reminders_resend(now=later) == 1
    assert wait_for(_sent(total)), workers.output()
    advance_schedule_task.delay()
    assert wait_for(lambda: len(workers.job_results()) == 3), workers.output()
    time.sleep(1)
    assert EvaluationPeriod.objects.filter(status=PeriodStatus.MISSED, project=missed).count() == 2
    _assert_converged(workers, missed, expected)
