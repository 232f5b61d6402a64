"""The periodic job's query count does not grow with the number of projects it handles: reminders
are looked up and claimed in batches, periods change state in set-based UPDATEs."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.models import ReminderKind, ReminderLog
from evaluations.services import schedule
from tests.factories import UserFactory
from tests.support.scheduler import MIDTERM_OPENS, make_project

pytestmark = pytest.mark.django_db


def add_projects(cast, count, start=0):
    for index in range(start, start + count):
        make_project(
            cast, title=f"Project {index}", contributor=UserFactory(), mentors=[UserFactory()]
        )


def job_queries(now):
    with CaptureQueriesContext(connection) as captured:
        result = schedule.advance_schedule(now=now)
    return len(captured), result


def test_the_job_runs_as_many_queries_for_three_times_the_projects(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        add_projects(cast, 4)
        # Once: the cast's docs periods are created and marked missed, phases set.
        schedule.advance_schedule(now=MIDTERM_OPENS - timedelta(days=30))
        # Five days before the midterms open: a heads-up to both sides of 4 projects.
        few, first = job_queries(MIDTERM_OPENS - timedelta(days=5))
        add_projects(cast, 8, start=4)
        # The midterms open: an "open now" mail to both sides of 12 projects.
        many, second = job_queries(MIDTERM_OPENS)
        again, third = job_queries(MIDTERM_OPENS)
    assert first["reminders"] == 4 * 2
    assert second["reminders"] == 12 * 2
    assert ReminderLog.objects.filter(kind=ReminderKind.OPENED).count() == 12 * 2
    assert many == few
    assert third["reminders"] == 0
    assert again <= many
