"""The evaluation pages: who reaches each one, filing and its refusals, what each role reads,
the length change, and the docs organization's monthly evaluations."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Project
from evaluations.models import Evaluation, EvaluationKind, EvaluationPeriod, Side
from evaluations.services import filing
from programs.models import MilestoneKind, Role
from tests.factories import (
    DocsProgramFactory,
    MembershipFactory,
    ParticipationFactory,
    docs_timeline,
)
from tests.support.evaluations import (
    CONTRIBUTOR_ANSWERS,
    MENTOR_ANSWERS,
    MONTHLY_ANSWERS,
    make_project,
    period_of,
)
from tests.support.matrix import assert_matrix, roles_expect

pytestmark = pytest.mark.django_db
TEAM = {"manager": 200, "org_admin": 200, "mentor": 200, "contributor": 200}


def midterm_open_now(cast, weeks=12):
    """A project whose midterm opened an hour ago."""
    starts = timezone.now() - timedelta(weeks=weeks) / 2 - timedelta(hours=1)
    return make_project(cast, weeks=weeks, starts_at=starts)


def final_open_now(cast, weeks=10):
    """A project whose coding (and the contributor's final window) ends in a day."""
    starts = timezone.now() - timedelta(weeks=weeks) + timedelta(days=1)
    return make_project(cast, weeks=weeks, starts_at=starts)


def file_url(period):
    return reverse("evaluation_file", args=[period.pk])


def project_url(project):
    return reverse("project_detail", args=[project.pk])


def docs_url(participation):
    return reverse(
        "docs_evaluations", args=[participation.program.slug, participation.organization.slug]
    )


# Who reaches what -------------------------------------------------------------------------


def test_the_project_page_is_for_its_team_and_managers(cast, client):
    project = midterm_open_now(cast)
    assert_matrix(client, project_url(project), roles_expect(cast, **TEAM))


def test_unassigned_mentors_of_the_organization_do_not_see_the_project(cast, client):
    project = midterm_open_now(cast)
    unassigned = MembershipFactory(participation=cast.participation, role=Role.MENTOR).user
    client.force_login(unassigned)
    assert client.get(project_url(project)).status_code == 404
    period = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    assert client.get(file_url(period)).status_code == 404
    assert client.post(file_url(period), MENTOR_ANSWERS).status_code == 404
    assert client.get(reverse("project_detail", args=[project.pk + 100])).status_code == 404


@pytest.mark.parametrize("side", [Side.MENTOR, Side.CONTRIBUTOR])
def test_an_evaluation_page_is_for_the_projects_team_and_managers(cast, client, side):
    project = midterm_open_now(cast)
    period = period_of(project, EvaluationKind.MIDTERM, side)
    assert_matrix(client, file_url(period), roles_expect(cast, **TEAM))


def test_docs_evaluations_are_for_the_org_admins_and_managers(cast, client):
    assert_matrix(
        client,
        docs_url(cast.docs_participation),
        roles_expect(cast, manager=200, org_admin=200),
    )
    period = EvaluationPeriod.objects.get(participation=cast.docs_participation)
    client.logout()
    assert_matrix(client, file_url(period), roles_expect(cast, manager=200, org_admin=200))
    # A coding program's organization has no monthly evaluations.
    client.force_login(cast.org_admin)
    assert client.get(docs_url(cast.participation)).status_code == 404


def test_my_evaluations_lists_what_each_person_files_now(cast, client):
    project = midterm_open_now(cast)
    mentor_side = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    contributor_side = period_of(project, EvaluationKind.MIDTERM, Side.CONTRIBUTOR)
    url = reverse("my_evaluations")
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response.url

    def listed(person):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        return {p.pk for p in response.context["todo"]}

    assert listed(cast.mentor) == {mentor_side.pk}
    assert listed(cast.org_admin) == {mentor_side.pk}  # on the mentor's behalf
    assert listed(cast.contributor) == {contributor_side.pk}
    for person in (cast.manager, cast.other_mentor, cast.other_org_admin, cast.outsider):
        assert listed(person) == set()
    filing.evaluation_submit(
        period=mentor_side, by=cast.mentor, answers=MENTOR_ANSWERS, now=timezone.now()
    )
    assert listed(cast.mentor) == set()
    client.force_login(cast.contributor)
    assert project_url(project) in client.get(url).content.decode()


# Filing -----------------------------------------------------------------------------------


def test_a_mentor_files_the_midterm_and_each_role_reads_its_share(cast, client):
    project = midterm_open_now(cast)
    period = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    client.force_login(cast.mentor)
    page = client.get(file_url(period)).content.decode()
    assert 'name="grade"' in page and 'name="private_notes"' in page
    response = client.post(file_url(period), MENTOR_ANSWERS, follow=True)
    assert response.redirect_chain == [(project_url(project), 302)]
    assert "was submitted" in response.content.decode()
    evaluation = Evaluation.objects.get(period=period)
    assert (evaluation.filed_by, evaluation.passed) == (cast.mentor, True)

    def page_for(person, url):
        client.force_login(person)
        return client.get(url).content.decode()

    for url in (project_url(project), file_url(period)):
        mentor_page = page_for(cast.mentor, url)
        assert "Steady work." in mentor_page and "Shy in calls." not in mentor_page
        contributor_page = page_for(cast.contributor, url)
        assert "<strong>Pass</strong>" in contributor_page
        assert "Steady work." not in contributor_page and "Shy in calls." not in contributor_page
        for person in (cast.org_admin, cast.manager):
            assert "Shy in calls." in page_for(person, url)
    # Read-only once submitted: no form is offered again.
    assert 'name="grade"' not in page_for(cast.mentor, file_url(period))


def test_a_contributor_evaluates_the_mentor(cast, client):
    project = midterm_open_now(cast)
    period = period_of(project, EvaluationKind.MIDTERM, Side.CONTRIBUTOR)
    client.force_login(cast.contributor)
    response = client.post(file_url(period), CONTRIBUTOR_ANSWERS)
    assert response.status_code == 302
    assert Evaluation.objects.get(period=period).answers == CONTRIBUTOR_ANSWERS
    # The contributor cannot file the mentor's side: a read-only member gets 403.
    mentor_side = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    assert client.post(file_url(mentor_side), MENTOR_ANSWERS).status_code == 403
    client.force_login(cast.manager)
    assert client.post(file_url(mentor_side), MENTOR_ANSWERS).status_code == 403
    assert not Evaluation.objects.filter(period=mentor_side).exists()


def test_a_closed_evaluation_is_refused_with_the_instant_and_the_answers_kept(cast, client):
    starts = timezone.now() - timedelta(weeks=6) - timedelta(days=8)
    project = make_project(cast, weeks=12, starts_at=starts)
    period = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    client.force_login(cast.mentor)
    page = client.get(file_url(period))
    # Missed as soon as it closed, though the scheduler has not marked it.
    assert period.status == "upcoming"
    assert page.context["row"].state == "missed"
    assert "Missed" in page.content.decode()
    assert "Missed" in client.get(project_url(project)).content.decode()
    response = client.post(file_url(period), {**MENTOR_ANSWERS, "progress": "Typed late."})
    assert response.status_code == 400
    page = response.content.decode()
    closes = period.closes_at.strftime("%Y-%m-%d %H:%M:%S")
    assert filing.CLOSED.format(closes=closes) in page
    assert period.closes_at.isoformat().replace("+00:00", "Z")[:19] in page  # the `when` tag
    assert "Typed late." in page
    assert not Evaluation.objects.exists()


def test_an_upcoming_evaluation_is_refused(cast, client):
    project = make_project(cast, weeks=12, starts_at=timezone.now() + timedelta(days=3))
    period = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    client.force_login(cast.mentor)
    assert "Upcoming" in client.get(file_url(period)).content.decode()
    response = client.post(file_url(period), MENTOR_ANSWERS)
    assert response.status_code == 400
    assert "This evaluation opens at" in response.content.decode()


def test_missing_answers_are_refused_and_the_typed_ones_kept(cast, client):
    project = midterm_open_now(cast)
    period = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    client.force_login(cast.org_admin)
    response = client.post(file_url(period), {"grade": "fail", "private_notes": "Kept text."})
    assert response.status_code == 400
    form = response.context["form"]
    assert "progress" in form.errors
    page = response.content.decode()
    assert "Kept text." in page
    assert re.search(r'<input[^>]*value="fail"[^>]*checked', page)
    assert not Evaluation.objects.exists()
    assert Project.objects.get(pk=project.pk).status == "active"


def test_a_second_submission_and_an_ended_project_are_refused(cast, client):
    project = midterm_open_now(cast)
    mentor_side = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    client.force_login(cast.mentor)
    assert client.post(file_url(mentor_side), MENTOR_ANSWERS).status_code == 302
    client.force_login(cast.org_admin)
    response = client.post(file_url(mentor_side), {**MENTOR_ANSWERS, "grade": "fail"})
    assert response.status_code == 400
    assert filing.ALREADY in response.content.decode()
    assert Evaluation.objects.get(period=mentor_side).passed is True

    failed = midterm_open_now(cast)
    mentor_side = period_of(failed, EvaluationKind.MIDTERM, Side.MENTOR)
    client.post(file_url(mentor_side), {**MENTOR_ANSWERS, "grade": "fail"})
    failed.refresh_from_db()
    assert failed.status == "failed"
    client.force_login(cast.contributor)
    contributor_side = period_of(failed, EvaluationKind.MIDTERM, Side.CONTRIBUTOR)
    assert "no longer due" in client.get(file_url(contributor_side)).content.decode()
    response = client.post(file_url(contributor_side), CONTRIBUTOR_ANSWERS)
    assert response.status_code == 400
    assert "The project has ended (failed the midterm)" in response.content.decode()


# Length -----------------------------------------------------------------------------------


def test_org_admins_change_the_length_until_the_first_evaluation_opens(cast, client):
    project = make_project(cast, weeks=12, starts_at=timezone.now() + timedelta(days=1))
    client.force_login(cast.mentor)
    assert 'name="weeks"' not in client.get(project_url(project)).content.decode()
    assert client.post(project_url(project), {"weeks": "14"}).status_code == 403
    client.force_login(cast.org_admin)
    assert 'name="weeks"' in client.get(project_url(project)).content.decode()
    response = client.post(project_url(project), {"weeks": "14"}, follow=True)
    assert "now lasts 14 weeks" in response.content.decode()
    project.refresh_from_db()
    assert project.length_weeks == 14
    assert period_of(project, EvaluationKind.MIDTERM, Side.MENTOR).opens_at == (
        project.coding_starts_at + timedelta(weeks=7)
    )
    assert client.post(project_url(project), {"weeks": "9"}).status_code == 400

    started = midterm_open_now(cast)
    client.force_login(cast.manager)
    response = client.post(project_url(started), {"weeks": "14"})
    assert response.status_code == 400
    assert "The length can change only before the first evaluation opens" in (
        response.content.decode()
    )
    started.refresh_from_db()
    assert started.length_weeks == 12


# Docs -------------------------------------------------------------------------------------


def test_an_org_admin_files_the_monthly_evaluation(cast, client):
    program = DocsProgramFactory()
    docs_timeline(
        program, around=MilestoneKind.MONTHLY_EVALUATION, at=timezone.now() + timedelta(days=3)
    )
    participation = ParticipationFactory(program=program)
    MembershipFactory(participation=participation, role=Role.ORG_ADMIN, user=cast.org_admin)
    client.force_login(cast.org_admin)
    page = client.get(docs_url(participation))
    assert page.status_code == 200
    (row,) = page.context["rows"]
    assert row.state == "open" and row.can_file
    todo = client.get(reverse("my_evaluations")).context["todo"]
    assert [p.pk for p in todo] == [row.period.pk]
    response = client.post(file_url(row.period), MONTHLY_ANSWERS)
    assert response.status_code == 302 and response.url == docs_url(participation)
    page = client.get(docs_url(participation)).content.decode()
    assert "Submitted" in page and "On track" in page and "Tight." in page
    evaluation = Evaluation.objects.get(period=row.period)
    assert evaluation.status == "on_track"


def test_the_accepted_projects_list_links_the_team_to_the_project_page(cast, client):
    project = midterm_open_now(cast)
    unassigned = MembershipFactory(participation=cast.participation, role=Role.MENTOR).user
    url = reverse("program_projects", args=[cast.program.slug])
    linked = {}
    for person in (
        cast.contributor,
        cast.mentor,
        cast.org_admin,
        cast.manager,
        unassigned,
        cast.other_mentor,
        cast.outsider,
    ):
        client.force_login(person)
        linked[person] = project_url(project) in client.get(url).content.decode()
    assert linked == {
        cast.contributor: True,
        cast.mentor: True,
        cast.org_admin: True,
        cast.manager: True,
        unassigned: False,
        cast.other_mentor: False,
        cast.outsider: False,
    }
    client.logout()
    assert project_url(project) not in client.get(url).content.decode()
