"""Each role's dashboard lists what it must do next, with the deadline."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.dashboard import dashboard_sections
from programs.models import MilestoneKind
from tests.factories import ProgramFactory, coding_timeline, docs_timeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(cast):
    """Move the cast's programs so that applications close, and writers are hired, in 3 days."""
    now = timezone.now()
    cast.program.milestones.all().delete()
    cast.docs_program.milestones.all().delete()
    soon = (now + timedelta(days=3)).replace(hour=18, minute=0, second=0, microsecond=0)
    coding_timeline(cast.program, around=MilestoneKind.CONTRIBUTOR_APPLICATIONS, at=soon)
    docs_timeline(cast.docs_program, around=MilestoneKind.HIRING_DEADLINE, at=soon)
    return cast, now, soon


def tasks(user, now):
    found = {}
    for section in dashboard_sections(viewer=user, now=now):
        found.setdefault(section.role, []).extend((t.title, t.due) for t in section.tasks)
    return found


def test_contributor_sees_the_application_deadline(live):
    cast, now, soon = live
    found = tasks(cast.contributor, now)
    assert list(found) == ["contributor"]
    assert (f"{cast.program.name}: submit your proposals", soon) in found["contributor"]


def test_writer_sees_the_hiring_deadline(live):
    cast, now, soon = live
    found = tasks(cast.writer, now)
    assert list(found) == ["writer"]
    titles = dict(found["writer"])
    title = f"{cast.docs_program.name}: send statements of interest before the hiring deadline"
    assert titles[title] == soon


def test_org_admin_sees_ranking_and_hiring(live):
    cast, now, _ = live
    found = tasks(cast.org_admin, now)
    assert set(found) == {"org_admin"}
    titles = [title for section in found.values() for title, _ in section]
    assert "Rank proposals and request slots" in titles
    assert "Hire your technical writers" in titles


def test_mentor_sees_reviews_due(live):
    cast, now, _ = live
    ranking = cast.program.milestone(MilestoneKind.RANKING_DUE)
    assert ("Review and score proposals", ranking.ends_at) in tasks(cast.mentor, now)["mentor"]


def test_manager_sees_pending_applications(live):
    cast, now, _ = live
    from tests.factories import ParticipationFactory

    ParticipationFactory(program=cast.program, status="applied")
    titles = [title for title, _ in tasks(cast.manager, now)["manager"]]
    assert f"Decide 1 organization application(s) to {cast.program.name}" in titles


def test_newcomer_is_asked_to_complete_a_profile(live):
    cast, now, _ = live
    found = tasks(cast.outsider, now)
    assert set(found) == {"contributor", "writer"}
    assert found["contributor"][0][0] == "Complete your profile"


def test_past_seasons_drop_off_the_dashboard(cast):
    # The cast's programs are in 2023: nothing is due any more.
    found = tasks(cast.mentor, timezone.now())
    assert found == {}


def test_tasks_are_sorted_by_deadline(live):
    cast, now, _ = live
    for section in dashboard_sections(viewer=cast.org_admin, now=now):
        dues = [t.due for t in section.tasks if t.due]
        assert dues == sorted(dues)


def test_dashboard_page_requires_login_and_shows_sections(live, client):
    cast, _, _ = live
    assert client.get(reverse("dashboard")).status_code == 302
    client.force_login(cast.contributor)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert 'data-role="contributor"' in response.text
    assert "submit your proposals" in response.text


def test_program_without_timeline_does_not_break_it(db, client):
    from tests.factories import UserFactory

    ProgramFactory()
    client.force_login(UserFactory())
    assert client.get(reverse("dashboard")).status_code == 200


def test_docs_org_admin_sees_every_obligation_with_its_state(cast):
    from docs_season.models import Survey
    from docs_season.services import hiring as hiring_services

    now = timezone.now()
    cast.docs_program.milestones.all().delete()
    hiring = (now + timedelta(days=2)).replace(microsecond=0)
    docs_timeline(cast.docs_program, around=MilestoneKind.HIRING_DEADLINE, at=hiring)
    Survey.objects.create(program=cast.docs_program, sequence=1, title="First follow-up survey")
    from programs.models import Milestone

    Milestone.objects.create(
        program=cast.docs_program,
        kind=MilestoneKind.FOLLOW_UP_SURVEY,
        sequence=1,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=6),
    )
    hiring_services.statement_send(
        participation=cast.docs_participation, writer=cast.writer, message="Hi", now=now
    )
    found = {
        task.title: (task.due, task.detail)
        for section in dashboard_sections(viewer=cast.org_admin, now=now)
        for task in section.tasks
    }
    assert found["Hire your technical writers"] == (hiring, "0 hired · 1 statement(s) of interest")
    assert found["First follow-up survey"][1] == "open now"
    assert "Case study and final project evaluation" in found
    assert found["Case study and final project evaluation"][1] == "not started"


def test_open_evaluations_are_listed_for_whoever_must_file_them(cast):
    from applications.models import Project, Proposal
    from evaluations.services.periods import periods_ensure_for_project

    now = timezone.now()
    proposal = Proposal.objects.create(
        program=cast.program,
        contributor=cast.contributor,
        participation=cast.participation,
        title="Faster previews",
        status="accepted",
        submission_slot=1,
        submitted_at=now,
    )
    # Twelve weeks with the midpoint a day ago: the midterm is open now.
    start = now - timedelta(weeks=6, days=1)
    project = Project.objects.create(
        proposal=proposal,
        participation=cast.participation,
        contributor=cast.contributor,
        title="Faster previews",
        size=175,
        length_weeks=12,
        coding_starts_at=start,
        coding_ends_at=start + timedelta(weeks=12),
        accepted_at=now,
    )
    project.mentors.add(cast.mentor)
    periods_ensure_for_project(project)
    for person, side in (
        (cast.mentor, "Mentor's"),
        (cast.contributor, "Contributor's"),
        (cast.org_admin, "Mentor's"),
    ):
        found = [
            (task.title, task.detail)
            for section in dashboard_sections(viewer=person, now=now)
            if section.role == "evaluations"
            for task in section.tasks
        ]
        assert found and found[0][0] == "Midterm evaluation: Faster previews", person
        assert found[0][1].startswith(side)
    assert not any(
        s.role == "evaluations" for s in dashboard_sections(viewer=cast.other_mentor, now=now)
    )
