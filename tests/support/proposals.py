"""The coding season's proposals and ideas: what a contributor types on the pages, proposals
built directly as submitted and reviewed, and ideas, proposals and projects in bulk for the
lists."""

import html
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from applications.models import (
    Comment,
    Project,
    Proposal,
    ProposalMentor,
    ProposalStatus,
    Registration,
    Score,
)
from applications.services import ideas, proposals
from programs.models import MilestoneKind, ProjectSize
from tests.factories import MembershipFactory, UserFactory, coding_timeline
from tests.support.cast import DEADLINE

# A complete proposal, as the services take it.
COMPLETE = {
    "title": "Faster rendering",
    "abstract": "Make it fast.",
    "body": "## Plan\n\nProfile, then fix.",
    "size": 175,
    "length_weeks": 12,
}
# The smallest PDF, and the edit form filled in.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
FULL = {
    "title": "Faster builds",
    "idea": "",
    "abstract": "Cache everything.",
    "body": "# Plan\n\nWeek 1: *measure*.",
    "size": str(ProjectSize.MEDIUM),
    "length_weeks": "12",
    "preference": "1",
}


# The contributor's pages -------------------------------------------------------------------


def text(response) -> str:
    return html.unescape(response.content.decode())


def edit_url(proposal):
    return reverse("proposal_edit", args=[proposal.pk])


def start(client, cast, participation=None) -> Proposal:
    response = client.post(
        reverse("proposal_new", args=[cast.program.slug]),
        {"participation": (participation or cast.participation).pk, "idea": ""},
    )
    assert response.status_code == 302, text(response)
    proposal = Proposal.objects.filter(contributor=cast.contributor).latest("pk")
    assert response.url == edit_url(proposal)
    return proposal


# The organization's side --------------------------------------------------------------------


def submitted(participation, contributor=None, *, title="A project", rank=None, mentors=()):
    """A submitted proposal, built directly (the contributor's window is long past)."""
    contributor = contributor or UserFactory()
    slot = Proposal.objects.filter(program=participation.program, contributor=contributor).count()
    proposal = Proposal.objects.create(
        program=participation.program,
        contributor=contributor,
        participation=participation,
        title=title,
        abstract="An abstract.",
        body="The **plan**.",
        size=175,
        length_weeks=12,
        status=ProposalStatus.SUBMITTED,
        submission_slot=slot + 1,
        submitted_at=DEADLINE - timedelta(days=1),
        rank=rank,
    )
    for mentor in mentors:
        ProposalMentor.objects.create(proposal=proposal, mentor=mentor)
    return proposal


def open_ranking(program):
    """Rebuild the program's timeline so that rankings are due in three days from now."""
    program.milestones.all().delete()
    return coding_timeline(
        program, around=MilestoneKind.RANKING_DUE, at=timezone.now() + timedelta(days=3)
    )


def org_url(cast, participation=None):
    participation = participation or cast.participation
    return reverse("org_proposals", args=[cast.program.slug, participation.organization.slug])


def allocate(participation, slots):
    participation.slots_requested = participation.slots_allocated = slots
    participation.save()


def new_url(cast, participation=None):
    participation = participation or cast.participation
    return reverse("idea_new", args=[cast.program.slug, participation.organization.slug])


# In bulk, for the lists ----------------------------------------------------------------------


def add_proposals(cast, count, start=0, duplicates=True):
    for n in range(start, start + count):
        mentor = MembershipFactory(participation=cast.participation).user
        proposal = submitted(
            cast.participation, title=f"Proposal {n}", rank=n + 1, mentors=[cast.mentor, mentor]
        )
        Score.objects.create(proposal=proposal, reviewer=mentor, value=3)
        Comment.objects.create(proposal=proposal, author=mentor, body="ok")
        if n and duplicates:
            proposal.duplicate_of_id = proposal.pk - 1
            proposal.save()


def add_ideas(cast, count, start=0):
    for n in range(start, start + count):
        participation = cast.participation if n % 2 else cast.other_participation
        mentor = MembershipFactory(participation=participation).user
        ideas.idea_create(
            participation=participation,
            by=mentor,
            title=f"Idea {n}",
            description="Some *text*.",
            size=175,
            skills="Python, Rust",
            mentors=[mentor],
        )


def add_projects(cast, count, start=0):
    coding = cast.program.milestone(MilestoneKind.CODING)
    for n in range(start, start + count):
        proposal = submitted(cast.participation, title=f"Project {n}", mentors=[cast.mentor])
        project = Project.objects.create(
            proposal=proposal,
            participation=cast.participation,
            contributor=proposal.contributor,
            title=proposal.title,
            size=175,
            length_weeks=12,
            coding_starts_at=coding.starts_at,
            coding_ends_at=coding.ends_at,
            accepted_at=coding.starts_at,
            announced_at=coding.starts_at,
        )
        project.mentors.set([cast.mentor])


def open_window(cast, *, now=None, days=3):
    """The cast, with the contributor registered and the application window closing `days`
    after `now` (by default the clock)."""
    now = now or timezone.now()
    cast.program.milestones.all().delete()
    coding_timeline(
        cast.program, around=MilestoneKind.CONTRIBUTOR_APPLICATIONS, at=now + timedelta(days=days)
    )
    Registration.objects.create(user=cast.contributor, program=cast.program, registered_at=now)
    return cast


def complete_draft(cast, *, now=None):
    """The cast's contributor, registered, with a complete draft in a window open for a day more
    (from `now`, by default the clock): ready to submit."""
    now = now or timezone.now()
    open_window(cast, now=now, days=1)
    proposal = proposals.proposal_create(
        contributor=cast.contributor,
        program=cast.program,
        participation=cast.participation,
        idea=None,
        now=now,
    )
    return proposals.proposal_save(
        proposal=proposal,
        by=cast.contributor,
        data={"title": "T", "abstract": "A", "body": "B", "size": 175, "length_weeks": 12},
        now=now,
    )
