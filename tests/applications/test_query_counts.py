"""Lists of proposals, ideas and projects run the same number of queries whatever their length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Comment, Project, Score
from applications.services import ideas
from programs.models import MilestoneKind
from tests.applications.test_review import submitted
from tests.applications.test_selection_views import allocate
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


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


@pytest.mark.parametrize("viewer", ["org_admin", "mentor", "manager"])
def test_org_proposals_queries_do_not_grow(cast, client, viewer):
    client.force_login(getattr(cast, viewer))
    url = reverse("org_proposals", args=[cast.program.slug, cast.participation.organization.slug])
    add_proposals(cast, 3)
    few = queries(client, url)
    add_proposals(cast, 27, start=3)
    many = queries(client, url)
    assert few == many


def test_idea_list_queries_do_not_grow(cast, client):
    client.force_login(cast.mentor)
    url = reverse("idea_list", args=[cast.program.slug])
    add_ideas(cast, 3)
    few = queries(client, url)
    add_ideas(cast, 27, start=3)
    many = queries(client, url)
    assert few == many


def test_selection_preview_queries_do_not_grow(cast, client):
    client.force_login(cast.manager)
    url = reverse("program_selection", args=[cast.program.slug])
    allocate(cast.participation, 30)
    add_proposals(cast, 3, duplicates=False)
    few = queries(client, url)
    add_proposals(cast, 27, start=3, duplicates=False)
    page = client.get(url)
    assert "Preview: 30 contributors" in page.text
    assert queries(client, url) == few


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


def test_project_lists_queries_do_not_grow(cast, client):
    urls = [
        reverse("program_projects", args=[cast.program.slug]),
        reverse("program_detail", args=[cast.program.slug]),
    ]
    add_projects(cast, 3)
    few = [queries(client, url) for url in urls]
    add_projects(cast, 27, start=3)
    assert [queries(client, url) for url in urls] == few


def test_my_proposals_queries_do_not_grow(cast, client):
    from datetime import timedelta

    from applications.models import Registration
    from applications.services import proposals
    from tests.conftest import DEADLINE
    from tests.factories import ParticipationFactory

    Registration.objects.create(user=cast.contributor, program=cast.program, registered_at=DEADLINE)

    def add_drafts(count):
        for _ in range(count):
            proposal = proposals.proposal_create(
                contributor=cast.contributor,
                program=cast.program,
                participation=ParticipationFactory(program=cast.program),
                idea=None,
                now=DEADLINE - timedelta(days=1),
            )
            proposal.title = "Draft"
            proposal.save()

    client.force_login(cast.contributor)
    url = reverse("my_proposals", args=[cast.program.slug])
    add_drafts(2)
    few = queries(client, url)
    add_drafts(20)
    assert queries(client, url) == few


def test_my_evaluations_looks_for_missing_monthly_periods_in_one_query(cast):
    """The page creates a docs organization's periods only where a window lacks its period."""
    from datetime import timedelta

    from evaluations.selectors import docs_participations_missing_periods
    from evaluations.services import periods
    from tests.conftest import DEADLINE
    from tests.factories import MilestoneFactory

    def missing():
        return list(docs_participations_missing_periods(viewer=cast.org_admin))

    assert missing() == [cast.docs_participation]
    periods.periods_ensure_for_docs(cast.docs_participation)
    assert missing() == []
    assert docs_participations_missing_periods(viewer=cast.mentor).count() == 0
    MilestoneFactory(
        program=cast.docs_program, kind=MilestoneKind.MONTHLY_EVALUATION, sequence=2, starts_at=None
    )
    assert missing() == []  # an instant, not a window: no period
    MilestoneFactory(
        program=cast.docs_program,
        kind=MilestoneKind.MONTHLY_EVALUATION,
        sequence=3,
        starts_at=DEADLINE + timedelta(days=60),
        ends_at=DEADLINE + timedelta(days=67),
    )
    assert missing() == [cast.docs_participation]
