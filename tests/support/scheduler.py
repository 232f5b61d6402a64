"""The periodic job's project: coding for 12 weeks from SOON, a month from the real clock (the
send task refuses a reminder whose moment has passed by the real clock, so mail tests live in
the future), with evaluation windows of 7 days."""

from datetime import timedelta

from django.utils import timezone

from applications.models import Project, Proposal, ProposalStatus
from evaluations.services import periods as periods_services
from tests.support.cast import DEADLINE

SOON = (timezone.now() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
WEEKS = 12
MIDTERM_OPENS = SOON + timedelta(weeks=WEEKS) / 2
MIDTERM_CLOSES = MIDTERM_OPENS + timedelta(days=7)
ENDS = SOON + timedelta(weeks=WEEKS)


def make_project(cast, *, title="Faster previews", contributor=None, mentors=None, periods=True):
    contributor = contributor or cast.contributor
    proposal = Proposal.objects.create(
        program=cast.program,
        contributor=contributor,
        participation=cast.participation,
        title=title,
        abstract="a",
        body="b",
        size=175,
        length_weeks=WEEKS,
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
        length_weeks=WEEKS,
        coding_starts_at=SOON,
        coding_ends_at=ENDS,
        accepted_at=DEADLINE,
        announced_at=DEADLINE,
    )
    project.mentors.set(mentors if mentors is not None else [cast.mentor])
    if periods:
        periods_services.periods_ensure_for_project(project)
    return project
