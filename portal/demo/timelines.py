"""Demo programs and their timelines: GSoC 2023 and Season of Docs 2023 as they really ran, and
two live programs whose windows sit around today; rows are looked up by natural key."""

from datetime import UTC, date, datetime, time, timedelta

from django.db import models

from programs.models import (
    Milestone,
    MilestoneKind,
    Program,
)

K = MilestoneKind


def _at(day: date, hour: int = 18) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _days_from(today: date):
    """day(n): 18:00 UTC n days from today, the hour GSoC deadlines fall on."""
    return lambda offset: _at(today + timedelta(days=offset))


def _d(y, m, d, hour=18) -> datetime:
    return datetime(y, m, d, hour, tzinfo=UTC)


def upsert(model: type[models.Model], lookup: dict, values: dict) -> models.Model:
    """Get or create by lookup; save only when a value differs (keeps auto_now fields still)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save(update_fields=changed)
    return obj


def timeline_upsert(program: Program, rows) -> None:
    """rows: (kind, sequence, starts_at or None, ends_at)."""
    for kind, sequence, starts_at, ends_at in rows:
        upsert(
            Milestone,
            {"program": program, "kind": kind, "sequence": sequence},
            {"starts_at": starts_at, "ends_at": ends_at},
        )


def gsoc_2023_timeline():
    return [
        (K.ORG_APPLICATIONS, 1, _d(2023, 1, 23), _d(2023, 2, 7)),
        (K.ORGS_ANNOUNCED, 1, None, _d(2023, 2, 22)),
        (K.CONTRIBUTOR_APPLICATIONS, 1, _d(2023, 3, 20), _d(2023, 4, 4)),
        (K.RANKING_DUE, 1, None, _d(2023, 4, 27)),
        (K.CONTRIBUTORS_ANNOUNCED, 1, None, _d(2023, 5, 4)),
        (K.COMMUNITY_BONDING, 1, _d(2023, 5, 4), _d(2023, 5, 28)),
        (K.CODING, 1, _d(2023, 5, 29), _d(2023, 8, 28)),
        (K.MIDTERM_EVALUATIONS, 1, _d(2023, 7, 10), _d(2023, 7, 14)),
        (K.FINAL_WORK_SUBMISSION, 1, _d(2023, 8, 21), _d(2023, 8, 28)),
        (K.MENTOR_FINAL_EVALUATIONS, 1, _d(2023, 8, 28), _d(2023, 9, 4)),
        (K.RESULTS, 1, None, _d(2023, 9, 5)),
        (K.EXTENDED_CODING, 1, _d(2023, 9, 5), _d(2023, 11, 6)),
        (K.EXTENDED_EVALUATIONS, 1, _d(2023, 11, 6), _d(2023, 11, 13)),
    ]


def sod_2023_timeline():
    monthly = [(6, 14, 21), (7, 14, 21), (8, 14, 21), (9, 14, 21), (10, 16, 23)]
    surveys = [(5, 1, 8), (8, 1, 9), (11, 1, 8)]
    return [
        (K.PROGRAM_ANNOUNCED, 1, None, _d(2023, 1, 18)),
        (K.ORG_APPLICATIONS, 1, _d(2023, 2, 15), _d(2023, 3, 24)),
        (K.ORGS_ANNOUNCED, 1, None, _d(2023, 3, 31)),
        (K.WRITER_APPLICATIONS, 1, _d(2023, 3, 31), _d(2023, 5, 10)),
        (K.HIRING_DEADLINE, 1, None, _d(2023, 5, 10)),
        (K.DOC_DEVELOPMENT, 1, _d(2023, 3, 31), _d(2023, 11, 21)),
        *[
            (K.MONTHLY_EVALUATION, n, _d(2023, m, start), _d(2023, m, end))
            for n, (m, start, end) in enumerate(monthly, start=1)
        ],
        (K.CASE_STUDY, 1, _d(2023, 11, 6), _d(2023, 11, 21)),
        (K.RESULTS, 1, None, _d(2023, 12, 5)),
        *[
            (K.FOLLOW_UP_SURVEY, n, _d(2024, m, start), _d(2024, m, end))
            for n, (m, start, end) in enumerate(surveys, start=1)
        ],
    ]


def live_coding_timeline(today: date):
    """A coding season whose contributor application window is open today."""
    day = _days_from(today)

    return [
        (K.ORG_APPLICATIONS, 1, day(-60), day(-45)),
        (K.ORGS_ANNOUNCED, 1, None, day(-30)),
        (K.CONTRIBUTOR_APPLICATIONS, 1, day(-7), day(7)),
        (K.RANKING_DUE, 1, None, day(30)),
        (K.CONTRIBUTORS_ANNOUNCED, 1, None, day(37)),
        (K.COMMUNITY_BONDING, 1, day(37), day(61)),
        (K.CODING, 1, day(62), day(146)),
        (K.MIDTERM_EVALUATIONS, 1, day(104), day(108)),
        (K.FINAL_WORK_SUBMISSION, 1, day(139), day(146)),
        (K.MENTOR_FINAL_EVALUATIONS, 1, day(146), day(153)),
        (K.RESULTS, 1, None, day(154)),
    ]


def live_docs_timeline(today: date):
    """A docs season whose writers are being hired now."""
    day = _days_from(today)

    return [
        (K.ORG_APPLICATIONS, 1, day(-50), day(-20)),
        (K.ORGS_ANNOUNCED, 1, None, day(-10)),
        (K.WRITER_APPLICATIONS, 1, day(-10), day(21)),
        (K.HIRING_DEADLINE, 1, None, day(21)),
        (K.DOC_DEVELOPMENT, 1, day(-10), day(180)),
        *[(K.MONTHLY_EVALUATION, n, day(30 * n + 5), day(30 * n + 12)) for n in range(1, 6)],
        (K.CASE_STUDY, 1, day(170), day(185)),
        (K.RESULTS, 1, None, day(200)),
    ]


def program_upsert(slug, **values) -> Program:
    return upsert(Program, {"slug": slug}, values)
