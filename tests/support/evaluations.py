"""Accepted projects with their evaluation periods, and the answers evaluations are filed with."""

from datetime import timedelta

from applications.models import Project, Proposal, ProposalStatus
from evaluations.models import EvaluationPeriod
from evaluations.services import periods
from tests.support.cast import DEADLINE

# GSoC 2023's coding start: the instant the projects below are built around.
START = DEADLINE + timedelta(days=55)
MENTOR_ANSWERS = {"grade": "pass", "progress": "Steady work.", "private_notes": "Shy in calls."}
FAIL_ANSWERS = {**MENTOR_ANSWERS, "grade": "fail"}
CONTRIBUTOR_ANSWERS = {"mentor_rating": "5", "feedback": "More code review, please."}
FINAL_ANSWERS = {**CONTRIBUTOR_ANSWERS, "work_url": "https://example.org/pulls/42"}
MONTHLY_ANSWERS = {
    "status": "on_track",
    "summary": "Two guides drafted.",
    "private_notes": "Tight.",
}


def make_project(cast, *, size=175, weeks=12, starts_at=START, participation=None, mentors=None):
    """An accepted project of the cast's contributor (mentored by the cast's mentor), with its
    periods, as program_announce leaves it."""
    participation = participation or cast.participation
    contributor = cast.contributor
    slot = Proposal.objects.filter(program=participation.program, contributor=contributor).count()
    proposal = Proposal.objects.create(
        program=participation.program,
        contributor=contributor,
        participation=participation,
        title="Faster previews",
        abstract="a",
        body="b",
        size=size,
        length_weeks=weeks,
        status=ProposalStatus.ACCEPTED,
        submission_slot=slot + 1,
        submitted_at=DEADLINE,
    )
    project = Project.objects.create(
        proposal=proposal,
        participation=participation,
        contributor=contributor,
        title=proposal.title,
        size=size,
        length_weeks=weeks,
        coding_starts_at=starts_at,
        coding_ends_at=starts_at + timedelta(weeks=weeks),
        accepted_at=DEADLINE,
        announced_at=DEADLINE,
    )
    project.mentors.set(mentors if mentors is not None else [cast.mentor])
    periods.periods_ensure_for_project(project)
    return project


def period_of(project, kind, side):
    return EvaluationPeriod.objects.get(project=project, kind=kind, side=side)


def project_midterm_closing(cast, *, title, contributor, midterm_closes):
    """An accepted 12-week project whose midterm closes at `midterm_closes`, with its periods."""
    starts = midterm_closes - timedelta(days=7) - timedelta(weeks=6)
    proposal = Proposal.objects.create(
        program=cast.program,
        contributor=contributor,
        participation=cast.participation,
        title=title,
        abstract="a",
        body="b",
        size=175,
        length_weeks=12,
        status=ProposalStatus.ACCEPTED,
        submission_slot=1,
        submitted_at=DEADLINE,
    )
    project = Project.objects.create(
        proposal=proposal,
        participation=cast.participation,
        contributor=contributor,
        title=title,
        size=175,
        length_weeks=12,
        coding_starts_at=starts,
        coding_ends_at=starts + timedelta(weeks=12),
        accepted_at=DEADLINE,
        announced_at=DEADLINE,
    )
    project.mentors.set([cast.mentor])
    periods.periods_ensure_for_project(project)
    return project
