"""Reads of projects and evaluation periods; each decides what its viewer may see (404 otherwise).

A period's state on a page is decided from the time and the stored evaluation, never from
`EvaluationPeriod.status` alone: the scheduler that keeps `status` may not have run yet.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from applications.models import Project
from evaluations.models import Evaluation, EvaluationPeriod, PeriodStatus, Side
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

# Shown in place of a state once the project has ended and the period can no longer be filed.
ENDED = "ended"
STATE_LABELS = {
    PeriodStatus.UPCOMING: "Upcoming",
    PeriodStatus.OPEN: "Open",
    PeriodStatus.SUBMITTED: "Submitted",
    PeriodStatus.MISSED: "Missed",
    ENDED: "Not due (project ended)",
}
STATE_BADGES = {
    PeriodStatus.UPCOMING: "state-upcoming",
    PeriodStatus.OPEN: "state-open",
    PeriodStatus.SUBMITTED: "status-submitted",
    PeriodStatus.MISSED: "status-rejected",
    ENDED: "badge-muted",
}


def _is_org_admin(*, user, participation_id: int) -> bool:
    return Participation.objects.filter(
        pk=participation_id, memberships__user=user, memberships__role=Role.ORG_ADMIN
    ).exists()


def project_for_viewer(*, pk: int, viewer) -> tuple[Project, str]:
    """The project and the viewer's strongest role in it ("org_admin", "manager", "mentor" or
    "contributor"); anyone else, including the organization's unassigned mentors, gets 404."""
    if not viewer.is_authenticated:
        raise Http404
    project = (
        Project.objects.select_related(
            "participation__program", "participation__organization", "contributor"
        )
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404("No such project.")
    if _is_org_admin(user=viewer, participation_id=project.participation_id):
        return project, "org_admin"
    if is_program_manager(user=viewer, program=project.participation.program):
        return project, "manager"
    if project.mentors.filter(pk=viewer.pk).exists():
        return project, "mentor"
    if project.contributor_id == viewer.pk:
        return project, "contributor"
    raise Http404("No such project, or you are not one of its team.")


def docs_participation_for_viewer(
    *, program_slug: str, org_slug: str, viewer
) -> tuple[Participation, bool]:
    """A docs organization's participation and whether the viewer files its evaluations (its
    org admins); the program's managers read; anyone else gets 404."""
    if not viewer.is_authenticated:
        raise Http404
    participation = (
        Participation.objects.select_related("program", "organization")
        .filter(
            program__slug=program_slug,
            program__kind=ProgramKind.DOCS,
            organization__slug=org_slug,
        )
        .first()
    )
    if participation is None:
        raise Http404
    if _is_org_admin(user=viewer, participation_id=participation.pk):
        return participation, True
    if is_program_manager(user=viewer, program=participation.program):
        return participation, False
    raise Http404("No such organization in this program, or you are not one of its org admins.")


def period_for_viewer(*, pk: int, viewer) -> tuple[EvaluationPeriod, bool]:
    """The period and whether the viewer may file it; people who may see its project (or, in
    docs, its organization's evaluations) read it; anyone else gets 404."""
    if not viewer.is_authenticated:
        raise Http404
    period = (
        EvaluationPeriod.objects.select_related(
            "project__contributor",
            "project__participation__program",
            "project__participation__organization",
            "participation__program",
            "participation__organization",
        )
        .filter(pk=pk)
        .first()
    )
    if period is None:
        raise Http404("No such evaluation.")
    if filing.may_file(period=period, user=viewer):
        return period, True
    if period.project_id is not None:
        project_for_viewer(pk=period.project_id, viewer=viewer)
    elif not is_program_manager(user=viewer, program=period.participation.program):
        raise Http404("No such evaluation.")
    return period, False


def _with_evaluation(periods: QuerySet) -> QuerySet:
    return periods.select_related("evaluation__form", "evaluation__filed_by")


def periods_for_project(project: Project) -> QuerySet[EvaluationPeriod]:
    """The project's periods in the order they open, the mentor side first (callers check the
    viewer)."""
    return _with_evaluation(project.periods.all()).order_by("opens_at", "closes_at", "-side")


def periods_for_docs_participation(participation: Participation) -> QuerySet[EvaluationPeriod]:
    """A docs organization's monthly periods in order (callers check the viewer)."""
    return _with_evaluation(participation.evaluation_periods.filter(project__isnull=True)).order_by(
        "sequence", "opens_at"
    )


def period_state(period: EvaluationPeriod, *, now: datetime, project: Project | None = None):
    """Submitted if an evaluation exists; otherwise decided from the time (closes_at inclusive,
    as evaluation_submit decides), or "ended" if the project ended before the period closed."""
    if _evaluation_of(period) is not None:
        return PeriodStatus.SUBMITTED
    project = project or period.project
    if (
        project is not None
        and project.status != "active"
        and (project.ended_at is None or period.closes_at >= project.ended_at)
    ):
        return ENDED
    if now > period.closes_at:
        return PeriodStatus.MISSED
    if now >= period.opens_at:
        return PeriodStatus.OPEN
    return PeriodStatus.UPCOMING


def _evaluation_of(period: EvaluationPeriod):
    try:
        return period.evaluation
    except Evaluation.DoesNotExist:
        return None


@dataclass
class PeriodRow:
    period: EvaluationPeriod
    state: str
    evaluation: object
    answers: dict | None  # what the viewer may read of the evaluation, None for nothing
    can_file: bool

    @property
    def state_label(self):
        return STATE_LABELS[self.state]

    @property
    def badge(self):
        return STATE_BADGES[self.state]


def _answers_reader(viewer):
    """filing.visible_answers, with its first rule (org admins and the program's managers
    read every answer) decided once per organization rather than once per row: a docs
    organization's page lists one filed evaluation a month."""
    reads_all: dict[int, bool] = {}

    def answers_of(evaluation: Evaluation) -> dict | None:
        participation = evaluation.period.participation
        if participation.pk not in reads_all:
            reads_all[participation.pk] = (
                is_program_manager(user=viewer, program=participation.program)
                or Membership.objects.filter(
                    user=viewer, participation=participation, role=Role.ORG_ADMIN
                ).exists()
            )
        if reads_all[participation.pk]:
            return dict(evaluation.answers)
        return filing.visible_answers(evaluation=evaluation, viewer=viewer)

    return answers_of


def period_rows(
    periods, *, viewer, now: datetime, project: Project | None = None
) -> list[PeriodRow]:
    """Each period with its state, what the viewer may read of its evaluation, and whether the
    viewer could file it now."""
    rows = []
    answers_of = _answers_reader(viewer)
    for period in periods:
        if project is not None:
            # Spare queries per row: the rules below read the project and its program.
            period.project = project
            period.participation = project.participation
        evaluation = _evaluation_of(period)
        state = period_state(period, now=now, project=project)
        rows.append(
            PeriodRow(
                period=period,
                state=state,
                evaluation=evaluation,
                answers=answers_of(evaluation) if evaluation is not None else None,
                can_file=state == PeriodStatus.OPEN and filing.may_file(period=period, user=viewer),
            )
        )
    return rows


def evaluations_todo(*, viewer, now: datetime) -> QuerySet[EvaluationPeriod]:
    """Open, unsubmitted periods the viewer may file, soonest deadline first: mentor side for
    assigned mentors and org admins, contributor side for the contributor, monthly docs
    evaluations for org admins (docs periods exist once created for the organization)."""
    if not viewer.is_authenticated:
        return EvaluationPeriod.objects.none()
    admin_of = Participation.objects.filter(
        memberships__user=viewer, memberships__role=Role.ORG_ADMIN
    ).values("pk")
    mine = (
        Q(side=Side.MENTOR, project__mentors=viewer)
        | Q(side=Side.MENTOR, participation__in=admin_of)
        | Q(side=Side.CONTRIBUTOR, project__contributor=viewer)
    ) & Q(project__status="active")
    docs = Q(
        side=Side.ORG_ADMIN,
        project__isnull=True,
        participation__in=admin_of,
        participation__status=ParticipationStatus.ACCEPTED,
    )
    ids = EvaluationPeriod.objects.filter(
        mine | docs, opens_at__lte=now, closes_at__gte=now, evaluation__isnull=True
    ).values("pk")
    return (
        EvaluationPeriod.objects.filter(pk__in=ids)
        .select_related("project", "participation__program", "participation__organization")
        .order_by("closes_at", "pk")
    )


def docs_participations_administered(*, viewer) -> QuerySet[Participation]:
    """Accepted docs organizations the viewer is org admin of (their periods may need creating)."""
    return Participation.objects.filter(
        memberships__user=viewer,
        memberships__role=Role.ORG_ADMIN,
        program__kind=ProgramKind.DOCS,
        status=ParticipationStatus.ACCEPTED,
    ).select_related("program")


def docs_participations_missing_periods(*, viewer) -> QuerySet[Participation]:
    """The viewer's docs organizations (docs_participations_administered) that lack the period
    of one of their program's monthly-evaluation milestones: the only ones
    periods_services.periods_ensure_for_docs would add to, found in one query rather than two per
    organization on every visit."""
    windows = Milestone.objects.filter(
        program=OuterRef("program"),
        kind=MilestoneKind.MONTHLY_EVALUATION,
        starts_at__isnull=False,
    ).exclude(
        Exists(
            EvaluationPeriod.objects.filter(
                participation=OuterRef(OuterRef("pk")),
                project__isnull=True,
                sequence=OuterRef("sequence"),
            )
        )
    )
    return docs_participations_administered(viewer=viewer).filter(Exists(windows))


def projects_for_viewer(*, viewer) -> QuerySet[Project]:
    """Projects the viewer works on: as contributor, assigned mentor or org admin."""
    if not viewer.is_authenticated:
        return Project.objects.none()
    admin_of = Participation.objects.filter(
        memberships__user=viewer, memberships__role=Role.ORG_ADMIN
    ).values("pk")
    ids = Project.objects.filter(
        Q(contributor=viewer) | Q(mentors=viewer) | Q(participation__in=admin_of)
    ).values("pk")
    return Project.objects.filter(pk__in=ids).select_related(
        "participation__program", "participation__organization"
    )
