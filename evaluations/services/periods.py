"""Evaluation periods: the windows derived from each project's dates, and the periodic creation,
opening and closing of periods (each safe to run twice, concurrently or late)."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from applications.models import Project
from audit.services import audit_record, audit_record_many
from evaluations.models import (
    Evaluation,
    EvaluationKind,
    EvaluationPeriod,
    PeriodStatus,
    Side,
)
from evaluations.services import filing
from programs.models import (
    Membership,
    Milestone,
    MilestoneKind,
    Participation,
    ParticipationStatus,
    ProgramKind,
    Role,
)
from programs.services import is_program_manager
from programs.windows import utc_text

LENGTH_LOCKED = "The length can change only before the first evaluation opens ({opens} UTC)."
LENGTH_NOT_ALLOWED = "For a {size}-hour project choose a length of {weeks} weeks."
# A request that began before the deadline may still be storing its evaluation; the job marks a
# period missed only once no such request can be running (gunicorn kills requests after 30 s).
MISSED_GRACE = timedelta(minutes=2)
# Periods still to be filed, of projects still running (docs periods have no project).
DUE_STATUSES = [PeriodStatus.UPCOMING, PeriodStatus.OPEN]
ACTIVE_PROJECT = Q(project__isnull=True) | Q(project__status="active")


def project_period_windows(
    *, starts_at: datetime, ends_at: datetime, window_days: int
) -> list[tuple[str, str, datetime, datetime]]:
    """(kind, side, opens_at, closes_at) of a coding project's evaluations.

    Midterm: both sides from the half-way point for `window_days`. Final: the contributor in
    the project's last `window_days` (work URL and mentor evaluation), the mentor in the
    `window_days` after it ends.
    """
    window = timedelta(days=window_days)
    midpoint = starts_at + (ends_at - starts_at) / 2
    return [
        (EvaluationKind.MIDTERM, Side.MENTOR, midpoint, midpoint + window),
        (EvaluationKind.MIDTERM, Side.CONTRIBUTOR, midpoint, midpoint + window),
        (EvaluationKind.FINAL, Side.CONTRIBUTOR, ends_at - window, ends_at),
        (EvaluationKind.FINAL, Side.MENTOR, ends_at, ends_at + window),
    ]


def periods_ensure_for_project(project: Project) -> int:
    """Create the project's missing periods; returns how many were created (idempotent)."""
    windows = project_period_windows(
        starts_at=project.coding_starts_at,
        ends_at=project.coding_ends_at,
        window_days=project.participation.program.evaluation_window_days,
    )
    existing = set(project.periods.values_list("kind", "side"))
    new = [
        EvaluationPeriod(
            project=project,
            participation_id=project.participation_id,
            kind=kind,
            side=side,
            opens_at=opens,
            closes_at=closes,
        )
        for kind, side, opens, closes in windows
        if (kind, side) not in existing
    ]
    EvaluationPeriod.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def periods_ensure_for_docs(participation: Participation) -> int:
    """One org-admin period per monthly-evaluation milestone of an accepted docs organization."""
    program = participation.program
    existing = set(
        participation.evaluation_periods.filter(project__isnull=True).values_list(
            "sequence", flat=True
        )
    )
    new = [
        EvaluationPeriod(
            participation=participation,
            kind=EvaluationKind.MONTHLY,
            side=Side.ORG_ADMIN,
            sequence=milestone.sequence,
            opens_at=milestone.starts_at,
            closes_at=milestone.ends_at,
        )
        for milestone in program.milestones.filter(
            kind=MilestoneKind.MONTHLY_EVALUATION, starts_at__isnull=False
        )
        if milestone.sequence not in existing
    ]
    EvaluationPeriod.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def project_change_length(*, project: Project, by, weeks: int, now: datetime) -> Project:
    """Change a project's length (org admins and managers), only before its first evaluation
    period opens; its periods move with it."""
    participation = project.participation
    program = participation.program
    if not (
        Membership.objects.filter(
            user=by, participation=participation, role=Role.ORG_ADMIN
        ).exists()
        or is_program_manager(user=by, program=program)
    ):
        raise PermissionDenied(filing.NOT_YOURS.format(who=filing.FILERS[Side.ORG_ADMIN]))
    allowed = program.length_options.get(str(project.size), [])
    if weeks not in allowed:
        raise ValidationError(
            LENGTH_NOT_ALLOWED.format(size=project.size, weeks=", ".join(map(str, allowed)))
        )
    first_opens = min(
        opens
        for _, _, opens, _ in project_period_windows(
            starts_at=project.coding_starts_at,
            ends_at=project.coding_ends_at,
            window_days=program.evaluation_window_days,
        )
    )
    if now >= first_opens:
        raise ValidationError(LENGTH_LOCKED.format(opens=utc_text(first_opens)))
    with transaction.atomic():
        before = {"length_weeks": project.length_weeks, "coding_ends_at": project.coding_ends_at}
        project.length_weeks = weeks
        project.coding_ends_at = project.coding_starts_at + timedelta(weeks=weeks)
        project.save(update_fields=["length_weeks", "coding_ends_at"])
        audit_record(
            actor=by,
            action="project.change_length",
            obj=project,
            before=before,
            after={"length_weeks": weeks, "coding_ends_at": project.coding_ends_at},
            program=program,
            at=now,
        )
        project.periods.all().delete()  # none has opened, so none holds an evaluation
        periods_ensure_for_project(project)
    return project


def without_evaluation():
    """Filter: periods nobody has filed an evaluation for."""
    return ~Exists(Evaluation.objects.filter(period=OuterRef("pk")))


def periods_ensure(*, now: datetime) -> int:
    """Create the missing periods of active projects and accepted docs organizations."""
    created = 0
    projects = (
        Project.objects.filter(status="active")
        .annotate(period_count=Count("periods"))
        .filter(period_count__lt=4)
        .select_related("participation__program")
    )
    for project in projects:
        created += periods_ensure_for_project(project)
    missing = Milestone.objects.filter(
        program=OuterRef("program"),
        kind=MilestoneKind.MONTHLY_EVALUATION,
        starts_at__isnull=False,
    ).filter(
        ~Exists(
            EvaluationPeriod.objects.filter(
                participation=OuterRef(OuterRef("pk")),
                project__isnull=True,
                sequence=OuterRef("sequence"),
            )
        )
    )
    participations = Participation.objects.filter(
        status=ParticipationStatus.ACCEPTED, program__kind=ProgramKind.DOCS
    ).filter(Exists(missing))
    for participation in participations.select_related("program"):
        created += periods_ensure_for_docs(participation)
    return created


def periods_open(*, now: datetime) -> int:
    """Upcoming periods whose window has begun become open (display only: submissions check
    `opens_at` themselves)."""
    return EvaluationPeriod.objects.filter(status=PeriodStatus.UPCOMING, opens_at__lte=now).update(
        status=PeriodStatus.OPEN
    )


def periods_mark_missed(*, now: datetime) -> list[int]:
    """Claim the periods closed without an evaluation as missed; each missed coding period ends
    its project as failed (once: project_end only changes an active project).

    The project ends at the deadline it missed, not at `now`, so a run after downtime leaves the
    same state as a run on time. Returns the ids of the periods this call claimed.
    """
    with transaction.atomic():
        # Row locks make the claim exact: a concurrent run skips these rows instead of waiting
        # for them, and an evaluation being inserted right now (it locks its period) is skipped.
        claimed = list(
            EvaluationPeriod.objects.select_for_update(skip_locked=True)
            .filter(status__in=DUE_STATUSES, closes_at__lt=now - MISSED_GRACE)
            .filter(without_evaluation())
            .order_by("closes_at", "pk")
            .values_list("pk", flat=True)
        )
        if not claimed:
            return []
        # What each period was, for the audit log, read while its row is locked.
        groups: dict[tuple[int, str], list[int]] = {}
        for pk, program_id, status in EvaluationPeriod.objects.filter(pk__in=claimed).values_list(
            "pk", "participation__program_id", "status"
        ):
            groups.setdefault((program_id, status), []).append(pk)
        EvaluationPeriod.objects.filter(pk__in=claimed, status__in=DUE_STATUSES).update(
            status=PeriodStatus.MISSED
        )
        for (program_id, status), ids in groups.items():
            audit_record_many(
                actor=None,
                action="evaluation_period.miss",
                model=EvaluationPeriod,
                object_ids=ids,
                before={"status": status},
                after={"status": PeriodStatus.MISSED},
                program=program_id,
                at=now,
            )
        coding = (
            EvaluationPeriod.objects.filter(pk__in=claimed, project__isnull=False)
            .select_related("project__participation")
            .order_by("closes_at", "pk")
        )
        for period in coding:
            filing.project_end(
                project=period.project,
                passed=False,
                reason=f"missed the {period.kind} ({period.side} side)",
                now=period.closes_at,
            )
    return claimed
