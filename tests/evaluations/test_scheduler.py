"""The periodic job through evaluations.services: periods created, opened and missed at their
instants, projects failed once, reminders claimed and sent once, late runs catching up to the
same state, optional mail with a working unsubscribe link, and program phases.

Reminders are built around SOON, a month from the real clock: the send task refuses a reminder
whose moment has passed by the real clock, so mail tests live in the future.
"""

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from applications.models import Project
from docs_season.models import Survey, SurveyResponse
from evaluations.models import (
    EvaluationKind,
    EvaluationPeriod,
    PeriodStatus,
    ReminderKind,
    ReminderLog,
    Side,
)
from evaluations.services import filing, reminders, schedule
from evaluations.services import periods as periods_services
from evaluations.tasks import advance_schedule_task, send_reminder
from programs.models import Milestone, MilestoneKind, Program, Role
from programs.services import program_phases_advance
from tests.factories import MembershipFactory, ParticipationFactory, UserFactory
from tests.support.cast import DEADLINE
from tests.support.scheduler import ENDS, MIDTERM_CLOSES, MIDTERM_OPENS, SOON, make_project

pytestmark = pytest.mark.django_db

US = timedelta(microseconds=1)
MENTOR_ANSWERS = {"grade": "pass", "progress": "Steady work."}
CONTRIBUTOR_ANSWERS = {"mentor_rating": "5", "feedback": "More code review, please."}
FINAL_ANSWERS = {**CONTRIBUTOR_ANSWERS, "work_url": "https://example.org/pulls/42"}


def period(project, kind, side):
    return EvaluationPeriod.objects.get(project=project, kind=kind, side=side)


def submit(project, kind, side, by, answers, now):
    return filing.evaluation_submit(
        period=period(project, kind, side), by=by, answers=answers, now=now
    )


def run(now, times=1):
    """The job at `now`, with its on-commit mail tasks run as after a real commit."""
    results = []
    for _ in range(times):
        results.append(schedule.advance_schedule(now=now))
    return results


def sent(kind=None):
    """(recipient, reminder kind) of each mail in the outbox."""
    pairs = []
    for message in mail.outbox:
        header = message.extra_headers.get("X-Seasons-Reminder", "")
        if kind is None or header.startswith(f"{kind} "):
            pairs.append((message.to[0], header.split(" ")[0]))
    return sorted(pairs)


def snapshot():
    return {
        "periods": list(EvaluationPeriod.objects.order_by("pk").values()),
        "projects": list(Project.objects.order_by("pk").values()),
        "logs": list(
            ReminderLog.objects.order_by("pk").values("subject", "kind", "email", "sent_at")
        ),
        "phases": list(Program.objects.order_by("pk").values_list("slug", "phase")),
    }


@pytest.fixture
def docs_in_the_future(cast):
    """Move the cast's docs program's monthly evaluation to a week around SOON."""
    Milestone.objects.filter(
        program=cast.docs_program, kind=MilestoneKind.MONTHLY_EVALUATION
    ).update(starts_at=SOON, ends_at=SOON + timedelta(days=7))
    return cast


# Periods ----------------------------------------------------------------------------------


def test_periods_are_created_for_active_projects_and_docs_orgs_once(
    cast, docs_in_the_future, django_assert_num_queries
):
    project = make_project(cast, periods=False)
    # Four for the project, one for the docs organization's monthly evaluation.
    assert periods_services.periods_ensure(now=SOON) == 5
    assert set(project.periods.values_list("kind", "side")) == {
        (EvaluationKind.MIDTERM, Side.MENTOR),
        (EvaluationKind.MIDTERM, Side.CONTRIBUTOR),
        (EvaluationKind.FINAL, Side.CONTRIBUTOR),
        (EvaluationKind.FINAL, Side.MENTOR),
    }
    docs = EvaluationPeriod.objects.get(participation=cast.docs_participation)
    assert (docs.opens_at, docs.closes_at) == (SOON, SOON + timedelta(days=7))
    # Complete projects and organizations are filtered out in SQL, not looped over.
    with django_assert_num_queries(2):
        assert periods_services.periods_ensure(now=SOON) == 0


def test_a_period_opens_at_its_opening_instant(cast):
    project = make_project(cast)
    assert periods_services.periods_open(now=MIDTERM_OPENS - US) == 0
    assert periods_services.periods_open(now=MIDTERM_OPENS) == 2
    assert period(project, "midterm", Side.MENTOR).status == PeriodStatus.OPEN
    assert period(project, "final", Side.CONTRIBUTOR).status == PeriodStatus.UPCOMING
    assert periods_services.periods_open(now=MIDTERM_OPENS) == 0


def test_a_missed_midterm_fails_the_project_exactly_once(cast, django_capture_on_commit_callbacks):
    project = make_project(cast)
    ended = []

    def on_end(sender, project, passed, **kwargs):
        ended.append((project.pk, passed))

    filing.project_ended.connect(on_end)
    try:
        submit(project, "midterm", Side.MENTOR, cast.mentor, MENTOR_ANSWERS, MIDTERM_OPENS)
        # The request path refuses the contributor a microsecond late ...
        with pytest.raises(ValidationError, match="closed"):
            submit(
                project,
                "midterm",
                Side.CONTRIBUTOR,
                cast.contributor,
                CONTRIBUTOR_ANSWERS,
                MIDTERM_CLOSES + US,
            )
        # ... while the job waits out requests begun before the deadline.
        assert periods_services.periods_mark_missed(now=MIDTERM_CLOSES + US) == []
        late = MIDTERM_CLOSES + periods_services.MISSED_GRACE + US
        contributor_side = period(project, "midterm", Side.CONTRIBUTOR)
        with django_capture_on_commit_callbacks(execute=True):
            assert periods_services.periods_mark_missed(now=late) == [contributor_side.pk]
            assert periods_services.periods_mark_missed(now=late) == []
            run(late, times=2)
            run(ENDS + timedelta(days=30), times=2)
    finally:
        filing.project_ended.disconnect(on_end)
    project.refresh_from_db()
    assert (project.status, project.ended_at) == ("failed", MIDTERM_CLOSES)
    assert project.end_reason == "missed the midterm (contributor side)"
    assert ended == [(project.pk, False)]
    assert period(project, "midterm", Side.MENTOR).status == PeriodStatus.SUBMITTED
    assert period(project, "midterm", Side.CONTRIBUTOR).status == PeriodStatus.MISSED


def test_a_second_run_changes_nothing(cast, docs_in_the_future, django_capture_on_commit_callbacks):
    make_project(cast)
    make_project(cast, title="Second", contributor=UserFactory(), periods=False)
    for now in (MIDTERM_OPENS - timedelta(days=3), MIDTERM_CLOSES - timedelta(hours=3)):
        with django_capture_on_commit_callbacks(execute=True):
            first = run(now)[0]
        before = snapshot()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            again = run(now)[0]
        assert snapshot() == before
        assert callbacks == []
        assert not any(again.values()), again
        assert any(first.values())


def _state():
    return {
        "periods": sorted(
            EvaluationPeriod.objects.values_list(
                "project__title", "participation_id", "kind", "side", "status"
            ),
            key=str,
        ),
        "projects": sorted(
            Project.objects.values_list("title", "status", "ended_at", "end_reason")
        ),
    }


def test_a_run_after_a_week_of_downtime_leaves_the_state_of_runs_on_time(cast, docs_in_the_future):
    """Four projects (failing at the midterm on one side or both, failing at the final, passing)
    and a docs organization missing its monthly evaluation: the job run on time, at every
    boundary and every 12 hours, leaves the state of one run long after the end."""
    people = {title: UserFactory() for title in ("P1", "P2", "P3", "P4")}
    projects = {
        title: make_project(cast, title=title, contributor=person)
        for title, person in people.items()
    }
    # The request path's submissions, at their own instants, whether or not the job runs.
    final_opens = ENDS - timedelta(days=7)
    events = []
    for title in ("P1", "P2", "P3"):
        events.append((MIDTERM_OPENS, title, "midterm", Side.MENTOR, MENTOR_ANSWERS))
    for title in ("P2", "P3"):
        events.append((MIDTERM_OPENS + timedelta(days=1), title, "midterm", Side.CONTRIBUTOR,
                       CONTRIBUTOR_ANSWERS))  # fmt: skip
        events.append((ENDS, title, "final", Side.CONTRIBUTOR, FINAL_ANSWERS))
    events.append((ENDS + timedelta(days=7), "P3", "final", Side.MENTOR, MENTOR_ANSWERS))

    def apply(event):
        at, title, kind, side, answers = event
        who = people[title] if side == Side.CONTRIBUTOR else cast.mentor
        submit(projects[title], kind, side, who, answers, at)

    boundaries = {SOON, MIDTERM_OPENS, MIDTERM_CLOSES, final_opens, ENDS, ENDS + timedelta(days=7)}
    boundaries |= {SOON + timedelta(days=7)}  # the docs window's close
    instants = set()
    for b in boundaries:
        grace = b + periods_services.MISSED_GRACE
        instants |= {b - US, b, b + US, grace, grace + US}
    step = SOON - timedelta(days=1)
    while step < ENDS + timedelta(days=10):
        instants.add(step)
        step += timedelta(hours=12)
    end = ENDS + timedelta(days=17)

    with transaction.atomic():
        pending = sorted(events, key=lambda e: e[0])
        for now in sorted(instants):
            while pending and pending[0][0] <= now:
                apply(pending.pop(0))
            schedule.advance_schedule(now=now)
        for event in pending:
            apply(event)
        schedule.advance_schedule(now=end)
        on_time = _state()
        transaction.set_rollback(True)

    for event in events:
        apply(event)
    schedule.advance_schedule(now=end)
    assert _state() == on_time
    outcomes = {title: (status, reason) for title, status, _, reason in on_time["projects"]}
    assert outcomes == {
        "P1": ("failed", "missed the midterm (contributor side)"),
        "P2": ("failed", "missed the final (mentor side)"),
        "P3": ("passed", "passed the final"),
        "P4": ("failed", "missed the midterm (mentor side)"),
    }


# Reminders ----------------------------------------------------------------------------------


def test_each_reminder_is_sent_once_per_recipient_even_when_the_job_runs_twice(
    cast, django_capture_on_commit_callbacks
):
    make_project(cast)
    with django_capture_on_commit_callbacks(execute=True):
        run(MIDTERM_OPENS - timedelta(days=5), times=2)
    assert sent() == [
        ("contributor@example.org", ReminderKind.ADVANCE),
        ("mentor@example.org", ReminderKind.ADVANCE),
    ]
    assert ReminderLog.objects.filter(sent_at__isnull=True).count() == 0
    # A redelivered task finds its reminder sent and sends nothing.
    for log in ReminderLog.objects.all():
        assert send_reminder(log.pk) is False
    assert len(mail.outbox) == 2
    # On the day it opens, then 24 hours before it closes: one more each.
    with django_capture_on_commit_callbacks(execute=True):
        run(MIDTERM_OPENS, times=2)
        run(MIDTERM_CLOSES - timedelta(hours=23), times=2)
    assert sent(ReminderKind.OPENED) == [
        ("contributor@example.org", ReminderKind.OPENED),
        ("mentor@example.org", ReminderKind.OPENED),
    ]
    closing = sent(ReminderKind.CLOSING)
    assert ("contributor@example.org", ReminderKind.CLOSING) in closing
    assert len(closing) == len(set(closing)) == 3  # mentor, contributor, org admin copied
    message = next(m for m in mail.outbox if m.to == ["contributor@example.org"])
    assert f"Due by:   {MIDTERM_CLOSES:%Y-%m-%d %H:%M} UTC" in message.body
    assert f"/evaluations/{period(Project.objects.get(), 'midterm', 'contributor').pk}/" in (
        message.body
    )


def test_org_admins_are_copied_when_the_mentor_side_is_late(
    cast, django_capture_on_commit_callbacks
):
    project = make_project(cast)
    second_admin = MembershipFactory(participation=cast.participation, role=Role.ORG_ADMIN).user
    submit(project, "midterm", Side.CONTRIBUTOR, cast.contributor, CONTRIBUTOR_ANSWERS,
           MIDTERM_OPENS)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        run(MIDTERM_CLOSES - timedelta(hours=12), times=2)
    assert sent(ReminderKind.CLOSING) == sorted(
        [
            ("admin@example.org", ReminderKind.CLOSING),
            ("mentor@example.org", ReminderKind.CLOSING),
            (second_admin.email, ReminderKind.CLOSING),
        ]
    )
    copy = next(m for m in mail.outbox if m.to == ["admin@example.org"])
    assert "copied as an org admin" in copy.body
    mentors = next(m for m in mail.outbox if m.to == ["mentor@example.org"])
    assert "copied" not in mentors.body
    # One log row per recipient, all about the mentor side's period.
    subjects = set(ReminderLog.objects.values_list("subject", flat=True))
    assert subjects == {f"period:{period(project, 'midterm', Side.MENTOR).pk}"}


def test_heads_up_mail_only_to_those_who_want_it_and_never_once_open(
    cast, django_capture_on_commit_callbacks
):
    make_project(cast)
    cast.contributor.wants_optional_email = False
    cast.contributor.save()
    with django_capture_on_commit_callbacks(execute=True):
        run(MIDTERM_OPENS - timedelta(days=10))
    assert sent() == [("mentor@example.org", ReminderKind.ADVANCE)]
    # Deadline reminders still reach the contributor.
    with django_capture_on_commit_callbacks(execute=True):
        run(MIDTERM_CLOSES - timedelta(hours=1))
    assert ("contributor@example.org", ReminderKind.CLOSING) in sent()


def test_no_stale_heads_up_once_the_period_is_open(cast, django_capture_on_commit_callbacks):
    project = make_project(cast)
    # The job did not run in the 10 days before: at the opening it sends "open now" only.
    with django_capture_on_commit_callbacks(execute=True):
        run(MIDTERM_OPENS)
    assert {kind for _, kind in sent()} == {ReminderKind.OPENED}
    # A heads-up claimed before the opening whose mail never left is not sent after it.
    mentor_side = period(project, "final", Side.MENTOR)
    log = ReminderLog.objects.create(
        subject=f"period:{mentor_side.pk}", kind=ReminderKind.ADVANCE, email="mentor@example.org"
    )
    assert reminders.reminder_email(log=log, now=mentor_side.opens_at - US) is not None
    assert reminders.reminder_email(log=log, now=mentor_side.opens_at) is None
    # Nor does the job enqueue it again once the period is open.
    ReminderLog.objects.filter(pk=log.pk).update(
        created_at=mentor_side.opens_at - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=False):
        assert reminders.reminders_resend(now=mentor_side.opens_at) == 0
        assert reminders.reminders_resend(now=mentor_side.opens_at - US) == 1


def test_a_lost_reminder_is_enqueued_again_and_sent_once(cast, django_capture_on_commit_callbacks):
    make_project(cast)
    with django_capture_on_commit_callbacks(execute=False):  # the tasks are lost
        run(MIDTERM_OPENS - timedelta(days=5))
    assert ReminderLog.objects.filter(sent_at__isnull=True).count() == 2
    assert mail.outbox == []
    # The job's next runs enqueue them again once they look lost, and only then.
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.reminders_resend(now=now) == 0
        later = now + reminders.RESEND_AFTER + timedelta(seconds=1)
        assert reminders.reminders_resend(now=later) == 2
        assert reminders.reminders_resend(now=later) == 0
    assert len(mail.outbox) == 2
    assert ReminderLog.objects.filter(sent_at__isnull=True).count() == 0


def test_unsubscribe_link_of_the_heads_up_mail(cast, client, django_capture_on_commit_callbacks):
    make_project(cast)
    with django_capture_on_commit_callbacks(execute=True):
        run(MIDTERM_OPENS - timedelta(days=5))
    message = next(m for m in mail.outbox if m.to == ["contributor@example.org"])
    url = re.search(r"http://\S+/notifications/unsubscribe/\S+/", message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    path = url.split("://", 1)[1].split("/", 1)[1]
    page = client.get(f"/{path}")
    assert page.status_code == 200
    assert b"contributor@example.org" in page.content
    cast.contributor.refresh_from_db()
    assert cast.contributor.wants_optional_email  # GET only asks
    assert client.post(f"/{path}").status_code == 200
    cast.contributor.refresh_from_db()
    assert not cast.contributor.wants_optional_email
    assert client.get(f"/{path[:-2]}x/").status_code == 404
    forged = signing.dumps({"u": cast.contributor.pk}, salt="something-else")
    assert client.post(f"/notifications/unsubscribe/{forged}/").status_code == 404
    # Other mails carry no unsubscribe link.
    with django_capture_on_commit_callbacks(execute=True):
        run(MIDTERM_OPENS)
    opened = next(m for m in mail.outbox if "opened " in m.extra_headers["X-Seasons-Reminder"])
    assert "unsubscribe" not in opened.body


def test_late_monthly_evaluations_are_flagged_to_managers(
    cast, docs_in_the_future, django_capture_on_commit_callbacks
):
    closes = SOON + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        run(closes - timedelta(hours=2))
        run(closes + periods_services.MISSED_GRACE + US, times=2)
        run(closes + timedelta(days=1))
    assert sent() == [
        ("admin@example.org", ReminderKind.CLOSING),
        ("manager@example.org", ReminderKind.MISSED),
    ]
    notice = next(m for m in mail.outbox if m.to == ["manager@example.org"])
    assert cast.docs_participation.organization.name in notice.body


def test_open_surveys_reach_org_admins_who_have_not_answered(
    cast, django_capture_on_commit_callbacks
):
    Milestone.objects.create(
        program=cast.docs_program,
        kind=MilestoneKind.FOLLOW_UP_SURVEY,
        starts_at=SOON,
        ends_at=SOON + timedelta(days=7),
    )
    survey = Survey.objects.create(program=cast.docs_program, title="First follow-up")
    answered = ParticipationFactory(program=cast.docs_program)
    MembershipFactory(participation=answered, role=Role.ORG_ADMIN, user__email="done@example.org")
    SurveyResponse.objects.create(survey=survey, participation=answered, submitted_at=SOON)
    with django_capture_on_commit_callbacks(execute=True):
        run(SOON - US)
        run(SOON, times=2)
    assert sent() == [("admin@example.org", ReminderKind.SURVEY_OPEN)]
    assert ReminderLog.objects.get().subject == f"survey:{survey.pk}:{cast.docs_participation.pk}"
    assert "/surveys/1/" in mail.outbox[0].body


def test_the_task_runs_the_job_now(cast, django_capture_on_commit_callbacks):
    make_project(cast, periods=False)
    with django_capture_on_commit_callbacks(execute=True):
        result = advance_schedule_task.delay().get()
    assert result["periods_created"] >= 4
    assert send_reminder.retry_backoff_max < 3600
    assert send_reminder.max_retries


# Program phases -----------------------------------------------------------------------------


def test_program_phases_follow_the_latest_milestone_begun(cast):
    assert program_phases_advance(now=DEADLINE - timedelta(days=400)) == 0
    assert program_phases_advance(now=DEADLINE) == 2
    cast.program.refresh_from_db()
    cast.docs_program.refresh_from_db()
    assert cast.program.phase == MilestoneKind.CONTRIBUTOR_APPLICATIONS
    assert cast.docs_program.phase == MilestoneKind.HIRING_DEADLINE  # an instant, begun at it
    assert program_phases_advance(now=DEADLINE) == 0
    assert program_phases_advance(now=DEADLINE + timedelta(days=23) - US) == 0
    assert program_phases_advance(now=DEADLINE + timedelta(days=23)) == 1
    assert Program.objects.get(pk=cast.program.pk).phase == MilestoneKind.RANKING_DUE
    assert program_phases_advance(now=DEADLINE - timedelta(days=400)) == 2
    assert set(Program.objects.values_list("phase", flat=True)) == {""}


# Concurrency (PostgreSQL: row locks and unique rows across connections) ----------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_claim_each_period_and_reminder_once(cast):
    project = make_project(cast)
    for index in range(5):
        make_project(cast, title=f"More {index}", contributor=UserFactory(), periods=False)
    late = MIDTERM_CLOSES - timedelta(hours=6)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def job():
        try:
            barrier.wait()
            results.append(schedule.advance_schedule(now=late))
            barrier.wait()
            results.append(
                periods_services.periods_mark_missed(now=MIDTERM_CLOSES + timedelta(hours=1))
            )
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=job) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    logs = list(ReminderLog.objects.values_list("subject", "kind", "email"))
    assert len(logs) == len(set(logs)) == 6 * 3  # CLOSING: mentor, contributor, org admin
    mails = [(m.to[0], m.extra_headers["X-Seasons-Reminder"]) for m in mail.outbox]
    assert len(mails) == len(set(mails)) == len(logs)
    claimed = [pk for r in results if isinstance(r, list) for pk in r]
    assert len(claimed) == len(set(claimed)) == 12  # both midterm sides of six projects
    assert Project.objects.filter(status="failed").count() == 6
    project.refresh_from_db()
    assert project.ended_at == MIDTERM_CLOSES
