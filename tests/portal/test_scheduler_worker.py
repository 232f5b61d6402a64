"""The periodic job on real Celery workers over Redis, against the real PostgreSQL test database:
a missed midterm fails its project once, reminders go out once each when the job runs twice at
the same time, and a worker killed in the middle of a mail leaves, once restarted and the job
run again, the state an undisturbed run leaves.

Mail goes to files (one per message) in a temporary folder, so the tests count what was sent.
"""

import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Project
from docs_season.models import Survey
from evaluations.models import EvaluationPeriod, PeriodStatus, ReminderLog
from evaluations.services import reminders
from evaluations.tasks import advance_schedule_task
from programs.models import Milestone, MilestoneKind
from tests.factories import UserFactory
from tests.support.evaluations import project_midterm_closing
from tests.support.workers import running_workers, slowed_mail, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
def workers(tmp_path, transactional_db):
    with running_workers(tmp_path) as pool:
        yield pool


@pytest.fixture
def season(cast):
    """Due now: a midterm missed 11 days ago, a midterm opening in 2 days (heads-up), one
    closing in 12 hours (closing reminder, org admin copied), a follow-up survey open and a
    docs monthly evaluation missed yesterday (flagged to the manager)."""
    now = timezone.now()
    missed = project_midterm_closing(cast, title="Missed", contributor=UserFactory(),
                                     midterm_closes=now - timedelta(days=11))  # fmt: skip
    project_midterm_closing(cast, title="Upcoming", contributor=cast.contributor,
                            midterm_closes=now + timedelta(days=9))  # fmt: skip
    closing_contributor = UserFactory()
    project_midterm_closing(cast, title="Closing", contributor=closing_contributor,
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
    mails = workers.reminders()
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
    assert wait_for(lambda: sum(workers.reminders().values()) >= total)
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
    slow = workers.start("--pool=solo", env=slowed_mail(120))
    advance_schedule_task.delay()
    assert wait_for(workers.sending), workers.output()
    slow.send_signal(signal.SIGKILL)
    slow.wait(timeout=30)
    # The job had finished: the project failed, every reminder claimed, none mailed.
    assert ReminderLog.objects.count() == total
    assert not ReminderLog.objects.filter(sent_at__isnull=False).exists()
    assert workers.reminders() == Counter()
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
