"""Lists of proposals, ideas and projects run the same number of queries whatever their length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.models import MilestoneKind
from tests.support.proposals import add_ideas, add_projects, add_proposals, allocate

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


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
    from tests.factories import ParticipationFactory
    from tests.support.cast import DEADLINE

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
    from tests.factories import MilestoneFactory
    from tests.support.cast import DEADLINE

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
