"""Business rules of evaluations: forms as data, periods derived from each project's own dates,
immutable submissions decided against the deadline at request time, and who sees what."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.dispatch import Signal

from applications.models import (
    Evaluation,
    EvaluationForm,
    EvaluationKind,
    EvaluationPeriod,
    PeriodStatus,
    Project,
    QuestionType,
    Side,
)
from audit.services import audit_record
from programs.models import Membership, MilestoneKind, Participation, Program, Role
from programs.services import is_program_manager

# Sent after an evaluation is stored, and after a project ends (passed or failed); payments
# listen to these, so evaluations know nothing of money.
evaluation_submitted = Signal()  # sender=Evaluation, evaluation=
project_ended = Signal()  # sender=Project, project=, passed=

NOT_YOURS = "Only {who} can file this evaluation."
NOT_OPEN = "This evaluation opens at {opens} UTC."
CLOSED = "This evaluation closed at {closes} UTC; it can no longer be submitted."
ALREADY = "This evaluation was already submitted; submitted evaluations cannot be changed."
PROJECT_ENDED = "The project has ended ({reason}); no further evaluations are due."
REQUIRED = "Answer this question."
LENGTH_LOCKED = "The length can change only before the first evaluation opens ({opens} UTC)."
LENGTH_NOT_ALLOWED = "For a {size}-hour project choose a length of {weeks} weeks."

_MENTOR = [
    {"key": "grade", "label": "Should the contributor pass?", "type": "pass_fail",
     "required": True},
    {"key": "progress", "label": "How is the work going?", "type": "text", "required": True},
    {"key": "private_notes", "label": "Notes for org admins and program managers only",
     "type": "text", "required": False, "private": True},
]  # fmt: skip
_CONTRIBUTOR = [
    {"key": "mentor_rating", "label": "How helpful is your mentor?", "type": "rating",
     "required": True},
    {"key": "feedback", "label": "What would make the mentoring better?", "type": "text",
     "required": True},
]  # fmt: skip
DEFAULT_QUESTIONS = {
    (EvaluationKind.MIDTERM, Side.MENTOR): _MENTOR,
    (EvaluationKind.MIDTERM, Side.CONTRIBUTOR): _CONTRIBUTOR,
    (EvaluationKind.FINAL, Side.MENTOR): _MENTOR,
    (EvaluationKind.FINAL, Side.CONTRIBUTOR): [
        {"key": "work_url", "label": "Link to your final work product", "type": "url",
         "required": True},
        *_CONTRIBUTOR,
    ],
    (EvaluationKind.MONTHLY, Side.ORG_ADMIN): [
        {"key": "status", "label": "Is the project on track?", "type": "status", "required": True},
        {"key": "summary", "label": "What happened this month?", "type": "text", "required": True},
        {"key": "private_notes", "label": "Notes for program managers only", "type": "text",
         "required": False, "private": True},
    ],
}  # fmt: skip


def _fmt(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%d %H:%M:%S")


def evaluation_form_for(*, program: Program, kind: str, side: str) -> EvaluationForm:
    """The newest form version a manager defined, or version 1 with the default questions."""
    form = EvaluationForm.objects.filter(program=program, kind=kind, side=side).first()
    if form is None:
        form, _ = EvaluationForm.objects.get_or_create(
            program=program,
            kind=kind,
            side=side,
            version=1,
            defaults={"questions": DEFAULT_QUESTIONS[(kind, side)]},
        )
    return form


# Periods ----------------------------------------------------------------------------------


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
        raise PermissionDenied(NOT_YOURS.format(who="an org admin of this organization"))
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
        raise ValidationError(LENGTH_LOCKED.format(opens=_fmt(first_opens)))
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


# Submitting -------------------------------------------------------------------------------


def may_file(*, period: EvaluationPeriod, user) -> bool:
    """Mentor side: an assigned mentor or an org admin on their behalf; contributor side: the
    contributor; docs: an org admin."""
    if not user.is_authenticated:
        return False
    if period.side == Side.CONTRIBUTOR:
        return period.project.contributor_id == user.pk
    is_admin = Membership.objects.filter(
        user=user, participation_id=period.participation_id, role=Role.ORG_ADMIN
    ).exists()
    if period.side == Side.MENTOR:
        return is_admin or period.project.mentors.filter(pk=user.pk).exists()
    return is_admin


def _clean_answers(form: EvaluationForm, answers: dict) -> dict:
    errors, clean = {}, {}
    for question in form.questions:
        key, kind = question["key"], question["type"]
        value = str(answers.get(key, "") or "").strip()
        if not value:
            if question.get("required", True):
                errors[key] = [REQUIRED]
            continue
        if kind == QuestionType.PASS_FAIL and value not in {"pass", "fail"}:
            errors[key] = ["Choose pass or fail."]
        elif kind == QuestionType.RATING and value not in {"1", "2", "3", "4", "5"}:
            errors[key] = ["Choose a rating from 1 to 5."]
        elif kind == QuestionType.STATUS and value not in {"on_track", "concerns", "failing"}:
            errors[key] = ["Choose on track, concerns or failing."]
        elif kind == QuestionType.URL:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError:
                errors[key] = ["Give a full http(s):// link."]
        clean[key] = value[:10000]
    if errors:
        raise ValidationError(errors)
    return clean


def evaluation_submit(*, period: EvaluationPeriod, by, answers: dict, now: datetime) -> Evaluation:
    """File the period's evaluation once, inside its window decided at `now`."""
    who = {
        Side.MENTOR: "an assigned mentor or an org admin",
        Side.CONTRIBUTOR: "the contributor",
        Side.ORG_ADMIN: "an org admin of this organization",
    }[period.side]
    if not may_file(period=period, user=by):
        raise PermissionDenied(NOT_YOURS.format(who=who))
    project = period.project
    if project is not None:
        project.refresh_from_db()
        if project.status != "active":
            raise ValidationError(PROJECT_ENDED.format(reason=project.end_reason or project.status))
    if now < period.opens_at:
        raise ValidationError(NOT_OPEN.format(opens=_fmt(period.opens_at)), code="not_open")
    if now > period.closes_at:
        raise ValidationError(CLOSED.format(closes=_fmt(period.closes_at)), code="closed")
    form = evaluation_form_for(
        program=period.participation.program, kind=period.kind, side=period.side
    )
    clean = _clean_answers(form, answers)
    evaluation = Evaluation(
        period=period,
        form=form,
        filed_by=by,
        submitted_at=now,
        answers=clean,
        passed={"pass": True, "fail": False}.get(clean.get("grade")),
        status=clean.get("status", ""),
        work_url=clean.get("work_url", ""),
    )
    try:
        with transaction.atomic():
            evaluation.save()
            EvaluationPeriod.objects.filter(pk=period.pk).update(status=PeriodStatus.SUBMITTED)
            audit_record(
                actor=by,
                action="evaluation.submit",
                obj=evaluation,
                before={"period_status": period.status},
                after={
                    "period": period.pk,
                    "period_status": PeriodStatus.SUBMITTED,
                    "passed": evaluation.passed,
                    "status": evaluation.status,
                },
                program=period.participation.program_id,
                at=now,
            )
    except IntegrityError:
        raise ValidationError(ALREADY, code="already") from None
    period.status = PeriodStatus.SUBMITTED
    if project is not None:
        if period.side == Side.MENTOR and evaluation.passed is False:
            project_end(
                project=project, passed=False, reason=f"failed the {period.kind}", now=now, by=by
            )
        elif period.kind == EvaluationKind.FINAL:
            _pass_if_complete(project, now, by)
    transaction.on_commit(
        lambda: evaluation_submitted.send(sender=Evaluation, evaluation=evaluation)
    )
    return evaluation


def _pass_if_complete(project: Project, now: datetime, by=None) -> None:
    """A project passes once both final evaluations are in and the mentor side passed it: the
    mentor's pass alone does not do it while the contributor's final may still be missed."""
    finals = {
        e.period.side: e
        for e in Evaluation.objects.filter(
            period__project=project, period__kind=EvaluationKind.FINAL
        ).select_related("period")
    }
    if Side.CONTRIBUTOR in finals and finals.get(Side.MENTOR) and finals[Side.MENTOR].passed:
        project_end(project=project, passed=True, reason="passed the final", now=now, by=by)


def project_end(*, project: Project, passed: bool, reason: str, now: datetime, by=None) -> bool:
    """End an active project once (pass or fail); returns whether this call ended it. `by` is
    whoever filed the deciding evaluation, None for the scheduler."""
    after = {"status": "passed" if passed else "failed", "ended_at": now, "end_reason": reason}
    with transaction.atomic():
        changed = Project.objects.filter(pk=project.pk, status="active").update(**after)
        if changed:
            audit_record(
                actor=by,
                action="project.end",
                obj=project,
                before={"status": "active"},
                after=after,
                program=project.participation.program_id,
                at=now,
            )
    if changed:
        project.refresh_from_db()
        transaction.on_commit(
            lambda: project_ended.send(sender=Project, project=project, passed=passed)
        )
    return bool(changed)


# Who sees what ----------------------------------------------------------------------------


def visible_answers(*, evaluation: Evaluation, viewer) -> dict | None:
    """The answers the viewer may read: org admins and managers read everything; mentors read
    all but private answers; a contributor reads only the pass/fail of the mentor side (and
    their own evaluation); anyone else nothing (None)."""
    period = evaluation.period
    participation = period.participation
    program = participation.program
    if (
        is_program_manager(user=viewer, program=program)
        or Membership.objects.filter(
            user=viewer, participation=participation, role=Role.ORG_ADMIN
        ).exists()
    ):
        return dict(evaluation.answers)
    form_private = {q["key"] for q in evaluation.form.questions if q.get("private")}
    project = period.project
    if project is not None and project.mentors.filter(pk=viewer.pk).exists():
        return {k: v for k, v in evaluation.answers.items() if k not in form_private}
    if project is not None and project.contributor_id == viewer.pk:
        if period.side == Side.CONTRIBUTOR:
            return dict(evaluation.answers)
        return {"grade": evaluation.answers.get("grade")}
    return None
