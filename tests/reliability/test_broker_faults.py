"""Celery workers and Redis restarting under the portal: what is queued, what is lost, and what the
periodic job brings back. Each test runs its own redis-server (no persistence, as
`--save "" --appendonly no`) and real `celery worker` processes against the test database.

What holds, and what these tests pin down:
- A worker killed in the middle of a task does not lose it: tasks are acknowledged late and
  rejected when the worker is lost, so Redis hands the message to the next worker once the
  visibility timeout has passed (an hour in production; a second here).
- A Redis without persistence loses every queued and unacknowledged message when it restarts
  (production runs it with an append-only file, docker-compose.yml, which keeps them). The
  periodic job loses nothing by it: a lost tick is redone by the next, and a reminder is claimed
  in the database before its mail is queued, so the job queues an unsent one again once it has
  been waiting RESEND_AFTER (15 minutes).
- Workers and the web process reconnect to a restarted Redis by themselves.
- While Redis is unreachable a submission is still stored and answered as received; its receipt
  mail cannot be queued (logged). The mail is stored in the outbox with the receipt, so the
  catch-up job queues it again (tests/reliability/test_outbox.py).
"""

import json
import signal
import socket
import subprocess
from datetime import timedelta

import pytest
import redis
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Project, Registration
from applications.services import proposals
from evaluations.models import PeriodStatus, ReminderLog
from evaluations.services import reminders, schedule
from evaluations.tasks import advance_schedule_task
from portal.celery import app
from programs.models import MilestoneKind
from tests.factories import UserFactory, coding_timeline
from tests.support.cast import DEADLINE
from tests.support.evaluations import project_midterm_closing
from tests.support.proposals import complete_draft
from tests.support.workers import running_workers, slowed_mail, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
QUEUE = "celery"  # the default queue, on a Redis of this test's own


class OwnRedis:
    """A redis-server subprocess on a free port, without persistence, that a test may restart."""

    def __init__(self, tmp_path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp_path
        self.process = None
        self.client = redis.Redis(port=self.port, socket_timeout=5)

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        assert wait_for(self._up, 30), "redis-server did not start"

    def stop(self):
        self.process.send_signal(signal.SIGKILL)  # a crash: nothing is written anywhere
        self.process.wait(timeout=30)

    def restart(self):
        self.stop()
        self.start()

    def _up(self):
        try:
            return self.client.ping()
        except redis.ConnectionError:
            return False

    def queued(self, task: str = "") -> int:
        """Messages waiting in the queue (of one task, when named)."""
        messages = [json.loads(raw) for raw in self.client.lrange(QUEUE, 0, -1)]
        return sum(task in message["headers"]["task"] for message in messages)

    def unacked(self) -> int:
        return self.client.hlen("unacked")


def _publish_to(url):
    """Point this process's Celery app at another broker. The pools of the old one are left
    open: kombu keeps them in a registry by URL that later tests use again."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(tmp_path):
    """The test's own Redis, with this process publishing to it (as the web process does)."""
    own = OwnRedis(tmp_path)
    own.start()
    previous = app.conf.broker_url, app.conf.task_always_eager
    _publish_to(own.url)
    app.conf.task_always_eager = False
    try:
        yield own
    finally:
        if app._pool is not None:
            app._pool.force_close_all()  # this test's own broker only
        _publish_to(previous[0])
        app.conf.task_always_eager = previous[1]
        if own.process.poll() is None:
            own.stop()


@pytest.fixture
def workers(tmp_path, broker):
    with running_workers(tmp_path, broker=broker) as pool:
        yield pool


def test_a_redis_restart_loses_queued_work_and_the_periodic_job_catches_up(cast, workers):
    broker = workers.broker
    now = timezone.now()
    missed = project_midterm_closing(cast, title="Missed", contributor=UserFactory(),
                                     midterm_closes=now - timedelta(days=1))  # fmt: skip
    project_midterm_closing(cast, title="Closing", contributor=cast.contributor,
                            midterm_closes=now + timedelta(hours=12))  # fmt: skip
    # Closing in 12 hours: the contributor, the mentor and the org admin (copied) are reminded.
    due = 3

    # 1. A beat tick is queued while no worker runs; Redis restarts: the tick is gone.
    advance_schedule_task.delay()
    assert broker.queued() == 1
    broker.restart()
    assert broker.queued() == 0
    assert ReminderLog.objects.count() == 0
    assert Project.objects.get(pk=missed.pk).status == "active"

    # 2. The next tick runs (here, in this process) and queues its reminders; Redis restarts
    # before a worker takes them: the mails are gone, their claims are not.
    result = schedule.advance_schedule(now=timezone.now())
    assert result["reminders"] == due
    assert set(missed.periods.filter(kind="midterm").values_list("status", flat=True)) == {
        PeriodStatus.MISSED
    }
    assert Project.objects.get(pk=missed.pk).status == "failed"
    assert broker.queued("send_reminder") == due
    broker.restart()
    assert broker.queued() == 0
    assert ReminderLog.objects.filter(sent_at__isnull=True).count() == due

    # 3. A worker comes up; the next tick claims nothing new and, the claims being minutes old,
    # does not queue them again yet.
    workers.start("--pool=solo")
    advance_schedule_task.delay()  # this process reconnects to the restarted Redis by itself
    assert wait_for(lambda: len(workers.job_results()) == 1), workers.output()
    assert (
        workers.job_results()[-1]["reminders"] == workers.job_results()[-1]["reminders_resent"] == 0
    )
    assert workers.mails() == []

    # 4. Redis restarts once more under the running worker, which reconnects; the tick 15
    # minutes later (the claims are aged instead of waiting) queues the lost reminders again.
    broker.restart()
    aged = timezone.now() - reminders.RESEND_AFTER - timedelta(minutes=1)
    ReminderLog.objects.update(created_at=aged)
    advance_schedule_task.delay()
    assert wait_for(lambda: len(workers.job_results()) == 2, 90), workers.output()
    assert workers.job_results()[-1]["reminders_resent"] == due
    assert [process.poll() for process in workers.processes] == [None]  # the same worker
    assert wait_for(lambda: not ReminderLog.objects.filter(sent_at__isnull=True).exists())
    assert wait_for(lambda: len(workers.mails()) == due), workers.output()
    closing = Project.objects.get(title="Closing").periods.filter(kind="midterm")
    contributor_side = f"closing period:{closing.get(side='contributor').pk}"
    mentor_side = f"closing period:{closing.get(side='mentor').pk}"
    assert workers.reminders() == {
        (cast.contributor.email, contributor_side): 1,
        ("mentor@example.org", mentor_side): 1,
        ("admin@example.org", mentor_side): 1,
    }

    # 5. Later ticks send nothing twice.
    ReminderLog.objects.update(created_at=aged)
    advance_schedule_task.delay()
    assert wait_for(lambda: len(workers.job_results()) == 3), workers.output()
    assert workers.job_results()[-1]["reminders_resent"] == 0
    assert len(workers.mails()) == due


def test_a_worker_killed_mid_mail_leaves_it_to_the_next_worker(cast, workers):
    broker = workers.broker
    proposal = complete_draft(cast)
    slow = workers.start("--pool=solo", env=slowed_mail(120))
    receipt = proposals.proposal_submit(proposal=proposal, by=cast.contributor, now=timezone.now())
    assert wait_for(workers.sending), workers.output()
    slow.send_signal(signal.SIGKILL)
    slow.wait(timeout=30)
    # Taken but not acknowledged: the message waits in Redis, the mail was not written.
    assert (broker.queued(), broker.unacked()) == (0, 1)
    assert workers.mails() == []

    # The next worker takes it back once the visibility timeout has passed, and sends it once.
    workers.start("--pool=solo", visibility_timeout=1)
    assert wait_for(lambda: len(workers.mails()) == 1), workers.output()
    assert workers.mails()[0]["Subject"].startswith(f"[Seasons] Receipt {receipt.number}:")
    assert wait_for(lambda: broker.unacked() == 0)
    assert broker.queued() == 0


def test_a_submission_while_redis_is_down_is_stored_and_answered(cast, broker):
    """The receipt mail cannot be queued while Redis is down (a restart, a failover): the
    submission, committed before, is still answered as received, not with an error page."""
    program = cast.program
    program.milestones.all().delete()
    coding_timeline(
        program, around=MilestoneKind.CONTRIBUTOR_APPLICATIONS, at=timezone.now() + timedelta(1)
    )
    Registration.objects.create(user=cast.contributor, program=program, registered_at=DEADLINE)
    proposal = proposals.proposal_create(
        contributor=cast.contributor, program=program, participation=cast.participation,
        idea=None, now=timezone.now(),
    )  # fmt: skip
    client = Client(raise_request_exception=False)
    client.force_login(cast.contributor)
    broker.stop()

    response = client.post(
        reverse("proposal_edit", args=[proposal.pk]),
        {"title": "T", "idea": "", "abstract": "A", "body": "B", "size": "175",
         "length_weeks": "12", "preference": "1", "action": "submit"},
    )  # fmt: skip

    assert response.status_code == 302
    proposal.refresh_from_db()
    receipt = proposal.receipts.get()
    assert (proposal.status, receipt.submitted_at) == ("submitted", proposal.submitted_at)
    page = client.get(response.url)
    assert receipt.number in page.content.decode()
