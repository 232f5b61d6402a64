"""Filing evaluations: who may file, immutable submissions decided against the deadline at
request time, a project's end when one fails or is missed, and who sees which answers."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.dispatch import Signal

from applications.models import Project
from audit.services import audit_record
from evaluations.models import (
    Evaluation,
    EvaluationForm,
    EvaluationKind,
    EvaluationPeriod,
    PeriodStatus,
    QuestionType,
    Side,
)
from evaluations.services.questions import evaluation_form_for
from programs.models import Membership, Role
from programs.services import is_program_manager
from programs.windows import window_error

# Sent after an evaluation is stored, and after a project ends (passed or failed); payments
# listen to these, so evaluations know nothing of money.
evaluation_submitted = Signal()  # sender=Evaluation, evaluation=
project_ended = Signal()  # sender=Project, project=, passed=
NOT_YOURS = "Only {who} can file this evaluation."
# Who files each side, as NOT_YOURS names them.
FILERS = {
    Side.MENTOR: "an assigned mentor or an org admin",
    Side.CONTRIBUTOR: "the contributor",
    Side.ORG_ADMIN: "an org admin of this organization",
}
NOT_OPEN = "This evaluation opens at {opens} UTC."
CLOSED = "This evaluation closed at {closes} UTC; it can no longer be submitted."
ALREADY = "This evaluation was already submitted; submitted evaluations cannot be changed."
PROJECT_ENDED = "The project has ended ({reason}); no further evaluations are due."
REQUIRED = "Answer this question."


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
    who = FILERS[period.side]
    if not may_file(period=period, user=by):
        raise PermissionDenied(NOT_YOURS.format(who=who))
    project = period.project
    if project is not None:
        project.refresh_from_db()
        if project.status != "active":
            raise ValidationError(PROJECT_ENDED.format(reason=project.end_reason or project.status))
    if error := window_error(
        starts_at=period.opens_at,
        ends_at=period.closes_at,
        now=now,
        not_open=NOT_OPEN,
        closed=CLOSED,
    ):
        raise ValidationError(error, code="not_open" if now < period.opens_at else "closed")
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


def visible_answers(*, evaluation: Evaluation, viewer) -> dict | None:
    """The answers the viewer may read: org admins and managers read everything; mentors read
    all but private answers of their own evaluations, and of the contributor's evaluation of
    them only where the program lets them; a contributor reads only the pass/fail of the mentor
    side (and their own evaluation); anyone else nothing (None)."""
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
        if period.side == Side.CONTRIBUTOR and not program.mentors_read_contributor_evaluations:
            return None
        return {k: v for k, v in evaluation.answers.items() if k not in form_private}
    if project is not None and project.contributor_id == viewer.pk:
        if period.side == Side.CONTRIBUTOR:
            return dict(evaluation.answers)
        return {"grade": evaluation.answers.get("grade")}
    return None
