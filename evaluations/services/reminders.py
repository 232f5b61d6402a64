"""Reminder mail: who is due which reminder at `now`, claiming it, what it says, sending it once,
re-sending a lost one, and the signed link that turns optional mail off.

Every function takes `now` and claims its work atomically: a reminder is sent only by whoever
created its unique ReminderLog row (periods.py claims periods the same way).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from docs_season.models import Survey, SurveyResponse
from evaluations.models import (
    Evaluation,
    EvaluationPeriod,
    PeriodStatus,
    ReminderKind,
    ReminderLog,
    Side,
)
from evaluations.services.periods import ACTIVE_PROJECT, DUE_STATUSES, without_evaluation
from programs.models import (
    Membership,
    Milestone,
    MilestoneKind,
    Participation,
    ParticipationStatus,
    Role,
)

ADVANCE_BEFORE = timedelta(days=10)
CLOSING_BEFORE = timedelta(hours=24)
# Managers hear about a late monthly evaluation for a week; later it is old news.
MISSED_NOTICE_WITHIN = timedelta(days=7)
# A claimed reminder still unsent this long after it was claimed lost its task (a worker died
# with it, or the broker lost it): the job enqueues it again, at most once per this interval.
RESEND_AFTER = timedelta(minutes=15)
RESEND_WITHIN = timedelta(days=7)
UNSUBSCRIBE_SALT = "unsubscribe"
UNSUBSCRIBE_MAX_AGE = timedelta(days=90)


def _period_kind_due(period: EvaluationPeriod, now: datetime) -> str | None:
    """The one reminder a period with no evaluation is due at `now`, if any.

    Inside the last 24 hours the closing reminder supersedes "open now": a run catching up after
    downtime sends the one that still matters.
    """
    if now < period.opens_at:
        return ReminderKind.ADVANCE if now >= period.opens_at - ADVANCE_BEFORE else None
    if now > period.closes_at:
        return None
    if now >= period.closes_at - CLOSING_BEFORE:
        return ReminderKind.CLOSING
    return ReminderKind.OPENED


def _org_admins(participation: Participation) -> list:
    memberships = getattr(participation, "admin_memberships", None)
    if memberships is None:
        memberships = participation.memberships.filter(role=Role.ORG_ADMIN).select_related("user")
    return [membership.user for membership in memberships]


def _side_recipients(period: EvaluationPeriod) -> list:
    if period.side == Side.CONTRIBUTOR:
        return [period.project.contributor]
    if period.side == Side.MENTOR:
        return list(period.project.mentors.all())
    return _org_admins(period.participation)


def _period_recipients(period: EvaluationPeriod, kind: str) -> list:
    """Who gets the reminder: the side that files it; org admins are copied when the mentor
    side is late; optional mail only to those who want it."""
    people = _side_recipients(period)
    if kind == ReminderKind.CLOSING and period.side == Side.MENTOR:
        people += _org_admins(period.participation)
    if kind == ReminderKind.ADVANCE:
        people = [person for person in people if person.wants_optional_email]
    return [person for person in people if person.is_active and person.email]


def _admin_prefetch(prefix: str = "") -> Prefetch:
    return Prefetch(
        f"{prefix}memberships",
        queryset=Membership.objects.filter(role=Role.ORG_ADMIN).select_related("user"),
        to_attr="admin_memberships",
    )


def _due_period_reminders(now: datetime) -> Iterator[tuple[str, str, str]]:
    periods = (
        EvaluationPeriod.objects.filter(ACTIVE_PROJECT, without_evaluation())
        .filter(
            status__in=DUE_STATUSES,
            participation__status=ParticipationStatus.ACCEPTED,
            opens_at__lte=now + ADVANCE_BEFORE,
            closes_at__gte=now,
        )
        .select_related("project__contributor", "participation")
        .prefetch_related("project__mentors", _admin_prefetch("participation__"))
    )
    for period in periods:
        kind = _period_kind_due(period, now)
        if kind is None:
            continue
        for person in _period_recipients(period, kind):
            yield f"period:{period.pk}", kind, person.email


def _due_missed_notices(now: datetime) -> Iterator[tuple[str, str, str]]:
    periods = EvaluationPeriod.objects.filter(
        project__isnull=True,
        side=Side.ORG_ADMIN,
        status=PeriodStatus.MISSED,
        closes_at__gte=now - MISSED_NOTICE_WITHIN,
        closes_at__lt=now,
    ).prefetch_related("participation__program__managers__user")
    for period in periods:
        for manager in period.participation.program.managers.all():
            if manager.user.is_active and manager.user.email:
                yield f"period:{period.pk}", ReminderKind.MISSED, manager.user.email


def _open_survey_windows(now: datetime) -> Q:
    """Milestones of follow-up surveys open at `now` (windows, or an instant equal to now)."""
    return Q(starts_at__lte=now, ends_at__gte=now) | Q(starts_at__isnull=True, ends_at=now)


def _due_survey_reminders(now: datetime) -> Iterator[tuple[str, str, str]]:
    windows = Milestone.objects.filter(
        _open_survey_windows(now), kind=MilestoneKind.FOLLOW_UP_SURVEY
    ).values_list("program_id", "sequence")
    for program_id, sequence in windows:
        survey = Survey.objects.filter(program_id=program_id, sequence=sequence).first()
        if survey is None:
            continue
        participations = (
            Participation.objects.filter(program_id=program_id, status=ParticipationStatus.ACCEPTED)
            .exclude(survey_responses__survey=survey)
            .prefetch_related(_admin_prefetch())
        )
        for participation in participations:
            for admin in _org_admins(participation):
                if admin.is_active and admin.email:
                    subject = f"survey:{survey.pk}:{participation.pk}"
                    yield subject, ReminderKind.SURVEY_OPEN, admin.email


# Reminders are looked up and claimed in one statement each on PostgreSQL (the values travel as
# arrays), elsewhere this many at a time: never one query (plus a savepoint) per reminder.
CLAIM_BATCH = 1000


def _chunks(items: list) -> Iterator[list]:
    size = max(len(items), 1) if connection.vendor == "postgresql" else CLAIM_BATCH
    for start in range(0, len(items), size):
        yield items[start : start + size]


_TABLE = ReminderLog._meta.db_table
# Only the table name is formatted into these statements; every value is a parameter.
_EXISTING_PG = f"SELECT subject, kind, email FROM {_TABLE} WHERE subject = ANY(%s)"  # noqa: S608
_CLAIM_PG = (
    f"INSERT INTO {_TABLE} (subject, kind, email, created_at) "  # noqa: S608
    "SELECT s, k, e, %s FROM unnest(%s::text[], %s::text[], %s::text[]) AS u(s, k, e) "
    "ON CONFLICT (subject, kind, email) DO NOTHING RETURNING id"
)


def _existing(subjects: list[str]) -> set[tuple[str, str, str]]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_EXISTING_PG, [subjects])
            return set(cursor.fetchall())
    return set(
        ReminderLog.objects.filter(subject__in=subjects).values_list("subject", "kind", "email")
    )


def _claim(rows: list[tuple[str, str, str]]) -> list[int]:
    """Create the log rows that do not exist yet, in one statement; the ids of those this call
    created (a row another run claimed first is skipped by the unique constraint)."""
    if not rows:
        return []
    created_at = ReminderLog._meta.get_field("created_at").get_db_prep_value(
        timezone.now(), connection
    )
    if connection.vendor == "postgresql":
        sql = _CLAIM_PG
        params = [created_at, *(list(column) for column in zip(*rows, strict=True))]
    else:
        # SQLite (3.35+) returns the ids of the rows actually inserted too.
        values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
        sql = (
            f"INSERT INTO {_TABLE} (subject, kind, email, created_at) VALUES {values} "  # noqa: S608
            "ON CONFLICT (subject, kind, email) DO NOTHING RETURNING id"
        )
        params = [value for row in rows for value in (*row, created_at)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(pk for (pk,) in cursor.fetchall())


def _enqueue(log_id: int) -> None:
    from evaluations.tasks import send_reminder

    # Robust here and below: with the broker unreachable the claim stays committed (the error is
    # logged) and reminders_resend queues it again once RESEND_AFTER has passed.
    transaction.on_commit(lambda: send_reminder.delay(log_id), robust=True)


def _enqueue_many(log_ids: list[int]) -> None:
    """One message per reminder, as _enqueue sends, but all through one broker connection:
    taking a producer from the pool per message cost more than the rest of the job."""
    from evaluations.tasks import send_reminder

    def publish():
        with send_reminder.app.producer_or_acquire() as producer:
            for log_id in log_ids:
                send_reminder.apply_async((log_id,), producer=producer)

    if log_ids:
        transaction.on_commit(publish, robust=True)


def reminders_claim(wanted: Iterable[tuple[str, str, str]]) -> list[int]:
    """Claim each (subject, kind, email) not yet logged and enqueue its mail on commit; returns
    the ids of the rows this call created."""
    wanted = sorted(set(wanted))
    existing = set()
    for chunk in _chunks(sorted({subject for subject, _, _ in wanted})):
        existing |= _existing(chunk)
    created = []
    for chunk in _chunks([row for row in wanted if row not in existing]):
        created += _claim(chunk)
    _enqueue_many(created)
    return created


def reminders_due(*, now: datetime) -> int:
    """Claim and enqueue every reminder due at `now`; returns how many this call claimed."""
    wanted = [
        *_due_period_reminders(now),
        *_due_missed_notices(now),
        *_due_survey_reminders(now),
    ]
    return len(reminders_claim(wanted))


@dataclass
class _Subject:
    period: EvaluationPeriod | None = None
    survey: Survey | None = None
    participation: Participation | None = None
    window: Milestone | None = None


def _load_subject(log: ReminderLog) -> _Subject | None:
    kind, _, rest = log.subject.partition(":")
    if kind == "period":
        period = (
            EvaluationPeriod.objects.select_related(
                "project__contributor",
                "participation__program",
                "participation__organization",
            )
            .filter(pk=int(rest))
            .first()
        )
        return _Subject(period=period, participation=period and period.participation)
    if kind == "survey":
        survey_id, _, participation_id = rest.partition(":")
        survey = Survey.objects.select_related("program").filter(pk=int(survey_id)).first()
        participation = (
            Participation.objects.select_related("organization", "program")
            .filter(pk=int(participation_id))
            .first()
        )
        if survey is None or participation is None:
            return None
        window = survey.program.milestones.filter(
            kind=MilestoneKind.FOLLOW_UP_SURVEY, sequence=survey.sequence
        ).first()
        return _Subject(survey=survey, participation=participation, window=window)
    return None


def _still_due(log: ReminderLog, subject: _Subject, now: datetime, user) -> bool:
    """Whether a claimed reminder should still go out at `now`: never after its moment passed,
    nor once what it asks for is done."""
    if log.kind == ReminderKind.ADVANCE and not (user and user.wants_optional_email):
        return False
    if log.kind == ReminderKind.SURVEY_OPEN:
        return (
            subject.window is not None
            and now <= subject.window.ends_at
            and not SurveyResponse.objects.filter(
                survey=subject.survey, participation=subject.participation
            ).exists()
        )
    period = subject.period
    if period is None:
        return False
    if log.kind == ReminderKind.MISSED:
        return period.status == PeriodStatus.MISSED and now <= (
            period.closes_at + MISSED_NOTICE_WITHIN
        )
    if period.project is not None and period.project.status != "active":
        return False
    if Evaluation.objects.filter(period=period).exists():
        return False
    deadline = {
        ReminderKind.ADVANCE: period.opens_at - timedelta(microseconds=1),
        ReminderKind.OPENED: period.closes_at - timedelta(microseconds=1),
        ReminderKind.CLOSING: period.closes_at,
    }.get(log.kind)
    return deadline is not None and now <= deadline


def unsubscribe_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT)


def _url(name: str, *args) -> str:
    try:
        return settings.SITE_URL + reverse(name, args=args)
    except NoReverseMatch:  # the page is not there yet: the dashboard lists what is due
        return settings.SITE_URL + "/dashboard/"


_SUBJECT_LINES = {
    ReminderKind.ADVANCE: "Opens on {opens} UTC: {what}",
    ReminderKind.OPENED: "Open now until {closes} UTC: {what}",
    ReminderKind.CLOSING: "Closes at {closes} UTC: {what}",
    ReminderKind.MISSED: "Not filed by {closes} UTC: {what}",
    ReminderKind.SURVEY_OPEN: "Open until {closes} UTC: {what}",
}


def reminder_email(*, log: ReminderLog, now: datetime) -> EmailMessage | None:
    """The mail of a claimed reminder, or None when it is no longer due (stale or done)."""
    subject = _load_subject(log)
    user = get_user_model().objects.filter(email__iexact=log.email).first()
    if subject is None or not _still_due(log, subject, now, user):
        return None
    participation = subject.participation
    context = {
        "log": log,
        "program": participation.program,
        "organization": participation.organization,
        "period": subject.period,
        "survey": subject.survey,
        "window": subject.window,
        "unsubscribe_url": "",
    }
    if subject.period is not None:
        period = subject.period
        project = period.project
        what = (
            f"{period.get_kind_display()} of “{project.title}”"
            if project
            else f"{period.get_kind_display()} {period.sequence} of {participation.organization}"
        )
        opens, closes = period.opens_at, period.closes_at
        context["project"] = project
        context["is_copy"] = (
            log.kind == ReminderKind.CLOSING
            and period.side == Side.MENTOR
            and not project.mentors.filter(email__iexact=log.email).exists()
        )
        context["url"] = (
            _url("docs_evaluations", participation.program.slug, participation.organization.slug)
            if log.kind == ReminderKind.MISSED
            else _url("evaluation_file", period.pk)
        )
    else:
        what = f"{subject.survey.title} ({participation.organization})"
        opens, closes = subject.window.starts_at or subject.window.ends_at, subject.window.ends_at
        context["url"] = _url(
            "survey_answer",
            participation.program.slug,
            participation.organization.slug,
            subject.survey.sequence,
        )
    context.update(what=what, opens_at=opens, closes_at=closes)
    headers = {"X-Seasons-Reminder": f"{log.kind} {log.subject}"}
    if log.kind == ReminderKind.ADVANCE:
        context["unsubscribe_url"] = _url("unsubscribe", unsubscribe_token(user))
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
    line = _SUBJECT_LINES[log.kind].format(
        opens=opens.strftime("%Y-%m-%d %H:%M"), closes=closes.strftime("%Y-%m-%d %H:%M"), what=what
    )
    return EmailMessage(
        subject=f"[Seasons] {line}",
        body=render_to_string(f"emails/reminder_{log.kind}.txt", context),
        to=[log.email],
        headers=headers,
    )


def reminder_send(*, log_id: int, now: datetime) -> bool:
    """Send one claimed reminder and mark it sent; False when it was sent, is being sent by
    another worker, or is no longer due."""
    with transaction.atomic():
        # The row lock is held while the mail goes out: a second delivery of the task skips
        # the row (and finds it sent afterwards). A worker killed here releases the lock with
        # its connection and leaves sent_at empty, so the job enqueues the reminder again.
        log = (
            ReminderLog.objects.select_for_update(skip_locked=True)
            .filter(pk=log_id, sent_at__isnull=True)
            .first()
        )
        if log is None:
            return False
        message = reminder_email(log=log, now=now)
        if message is None:  # its moment passed, or what it asks for is done
            return False
        message.send()
        ReminderLog.objects.filter(pk=log.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return True


def reminders_resend(*, now: datetime) -> int:
    """Enqueue again the claimed reminders whose task was lost (a worker killed mid-send), while
    they are still due; sending twice is prevented by the send task's lock and `sent_at`."""
    stuck = ReminderLog.objects.filter(
        sent_at__isnull=True,
        created_at__lt=now - RESEND_AFTER,
        created_at__gte=now - RESEND_WITHIN,
    ).order_by("pk")
    enqueued = 0
    for log in stuck:
        subject = _load_subject(log)
        user = get_user_model().objects.filter(email__iexact=log.email).first()
        if subject is None or not _still_due(log, subject, now, user):
            continue
        # The cache spaces the attempts so a reminder that keeps failing is not re-queued on
        # every run of the job.
        if cache.add(f"reminder-resend:{log.pk}", 1, timeout=RESEND_AFTER.total_seconds()):
            _enqueue(log.pk)
            enqueued += 1
    return enqueued


def optional_email_user(*, token: str):
    """The user a token names; raises signing.BadSignature when it is forged, altered, expired
    or names nobody."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise signing.BadSignature("Not an unsubscribe token.")
    user = get_user_model().objects.filter(pk=data["u"]).first()
    if user is None:
        raise signing.BadSignature("No such user.")
    return user


def optional_email_unsubscribe(*, token: str):
    """Turn off optional mail for the user the signed token names (idempotent)."""
    user = optional_email_user(token=token)
    get_user_model().objects.filter(pk=user.pk).update(wants_optional_email=False)
    user.wants_optional_email = False
    return user
