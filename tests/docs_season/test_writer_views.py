"""The docs season's writer and wrap-up pages through the Django client: statements of interest,
hiring around the deadline, case studies from draft to publication, follow-up surveys and the
writer directory, with every role that must not see them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from docs_season.models import (
    CaseStudy,
    CaseStudyStatus,
    Deliverable,
    Hire,
    Lesson,
    StatementOfInterest,
    Survey,
    SurveyResponse,
    WriterProfile,
)
from docs_season.services import case_studies, hiring, organizations, surveys
from programs.models import Milestone, MilestoneKind, Role
from tests.factories import MembershipFactory, ParticipationFactory, UserFactory
from tests.support.docs import fund_writers, retime, url

pytestmark = pytest.mark.django_db


def other_docs_org(cast):
    """A second accepted organization of the docs program, with its own org admin."""
    participation = ParticipationFactory(program=cast.docs_program)
    admin = MembershipFactory(
        participation=participation, role=Role.ORG_ADMIN, user__email="docs-admin-2@example.org"
    ).user
    return participation, admin


def statement(cast, writer=None, message="I wrote the Foo handbook."):
    return StatementOfInterest.objects.create(
        participation=cast.docs_participation,
        writer=writer or cast.writer,
        message=message,
        sent_at=timezone.now(),
    )


def hire_data(writer, agreed_hours=120, hours_per_week=10, compensation="6000.00"):
    prefix = f"hire-{writer.pk}"
    return {
        "writer": writer.pk,
        f"{prefix}-agreed_hours": agreed_hours,
        f"{prefix}-hours_per_week": hours_per_week,
        f"{prefix}-compensation": compensation,
    }


# Statements of interest --------------------------------------------------------------------


def test_writer_sends_a_statement_and_sees_it(client, cast):
    retime(cast.docs_program, MilestoneKind.HIRING_DEADLINE, timezone.now() + timedelta(days=10))
    client.force_login(cast.writer)
    page = url("statement_send", cast.docs_participation)

    assert client.get(page).status_code == 200
    response = client.post(page, {"message": "I documented three CLIs; links inside."})

    assert response.status_code == 302
    sent = StatementOfInterest.objects.get(writer=cast.writer)
    assert sent.participation == cast.docs_participation
    assert "I documented three CLIs" in client.get(page).content.decode()


def test_statement_without_a_writer_profile_is_refused_with_a_link(client, cast):
    retime(cast.docs_program, MilestoneKind.HIRING_DEADLINE, timezone.now() + timedelta(days=10))
    client.force_login(cast.outsider)

    response = client.post(url("statement_send", cast.docs_participation), {"message": "Hi there"})

    assert response.status_code == 400
    body = response.content.decode()
    assert hiring.NOT_A_WRITER in body
    assert reverse("writer_profile") in body
    assert "Hi there" in body
    assert not StatementOfInterest.objects.exists()


def test_statement_after_the_hiring_deadline_is_refused_with_the_deadline(client, cast):
    deadline = timezone.now() - timedelta(days=1)
    retime(cast.docs_program, MilestoneKind.HIRING_DEADLINE, deadline)
    client.force_login(cast.writer)

    response = client.post(url("statement_send", cast.docs_participation), {"message": "Late"})

    assert response.status_code == 400
    body = response.content.decode()
    assert hiring.hiring_error(cast.docs_program, timezone.now()) in body
    assert "<time" in body
    assert "Late</textarea>" in body


def test_statement_needs_a_signed_in_writer(client, cast):
    response = client.get(url("statement_send", cast.docs_participation))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# The organization's writers page and hiring --------------------------------------------------


def test_org_admin_sees_statements_to_its_org_only(client, cast):
    statement(cast)
    other, other_admin = other_docs_org(cast)
    client.force_login(cast.org_admin)

    response = client.get(url("org_writers", cast.docs_participation))

    assert response.status_code == 200
    assert "I wrote the Foo handbook." in response.content.decode()
    assert "Hire this writer" not in response.content.decode()  # the 2023 deadline passed

    client.force_login(other_admin)
    assert client.get(url("org_writers", cast.docs_participation)).status_code == 404
    own = client.get(url("org_writers", other))
    assert own.status_code == 200
    assert "I wrote the Foo handbook." not in own.content.decode()


@pytest.mark.parametrize("who", ["mentor", "other_org_admin", "writer", "outsider", "org_admin"])
def test_org_writers_is_404_to_everyone_but_its_admins_and_managers(client, cast, who):
    mentor = MembershipFactory(participation=cast.docs_participation).user
    user = mentor if who == "mentor" else getattr(cast, who)
    client.force_login(user)
    # The org admin of the docs org also administers a coding org: that one has no writers page.
    participation = cast.participation if who == "org_admin" else cast.docs_participation
    assert client.get(url("org_writers", participation)).status_code == 404


def test_manager_reads_org_writers_without_hiring(client, cast):
    retime(cast.docs_program, MilestoneKind.HIRING_DEADLINE, timezone.now() + timedelta(days=3))
    statement(cast)
    client.force_login(cast.manager)

    response = client.get(url("org_writers", cast.docs_participation))

    assert response.status_code == 200
    assert "I wrote the Foo handbook." in response.content.decode()
    assert "Hire this writer" not in response.content.decode()
    response = client.post(url("org_writers", cast.docs_participation), hire_data(cast.writer))
    assert response.status_code == 404
    assert not Hire.objects.exists()


def test_hire_before_the_deadline(client, cast):
    retime(cast.docs_program, MilestoneKind.HIRING_DEADLINE, timezone.now() + timedelta(days=3))
    fund_writers(cast.docs_participation, "9000")
    statement(cast)
    client.force_login(cast.org_admin)
    page = url("org_writers", cast.docs_participation)
    assert "Hire this writer" in client.get(page).content.decode()

    response = client.post(page, hire_data(cast.writer))

    assert response.status_code == 302
    hire = Hire.objects.get()
    assert (hire.writer, hire.agreed_hours, hire.hours_per_week) == (cast.writer, 120, 10)
    assert hire.hired_by == cast.org_admin
    after = client.get(page).content.decode()
    assert "Hired" in after
    assert "committed to hires: US$" in after and "left: US$" in after


def test_hire_after_the_deadline_is_refused_with_the_deadline(client, cast):
    milestones = retime(
        cast.docs_program, MilestoneKind.HIRING_DEADLINE, timezone.now() - timedelta(hours=1)
    )
    statement(cast)
    client.force_login(cast.org_admin)

    response = client.post(
        url("org_writers", cast.docs_participation), hire_data(cast.writer, agreed_hours=150)
    )

    assert response.status_code == 400
    body = response.content.decode()
    deadline = milestones[MilestoneKind.HIRING_DEADLINE].ends_at
    assert hiring.HIRING_CLOSED.format(deadline=deadline.strftime("%Y-%m-%d %H:%M:%S")) in body
    assert 'datetime="' in body
    assert 'value="150"' in body
    assert not Hire.objects.exists()


@pytest.mark.parametrize("hours", [4, 31])
def test_hours_per_week_outside_the_range_are_refused(client, cast, hours):
    retime(cast.docs_program, MilestoneKind.HIRING_DEADLINE, timezone.now() + timedelta(days=3))
    statement(cast)
    client.force_login(cast.org_admin)

    response = client.post(
        url("org_writers", cast.docs_participation), hire_data(cast.writer, hours_per_week=hours)
    )

    assert response.status_code == 400
    assert hiring.HOURS_OUT_OF_RANGE.format(low=5, high=30) in response.content.decode()
    assert f'value="{hours}"' in response.content.decode()
    assert not Hire.objects.exists()


# Case studies ------------------------------------------------------------------------------


def case_study_data(action, **overrides):
    data = {
        "action": action,
        "writers_count": "1",
        "project_hours": "200",
        "budget_amount": "9000",
        "percent_complete": "90",
        "problem": "Nobody could install it.",
        "outcomes": "A new install guide.",
        "went_well": "Weekly calls.",
        "advice": "Start with user research.",
        "recruitment": "Two statements, one hire.",
        "metrics": "Support questions per week.",
        "analysis": "A success: questions halved.",
        "deliverables-TOTAL_FORMS": "2",
        "deliverables-INITIAL_FORMS": "0",
        "deliverables-MIN_NUM_FORMS": "0",
        "deliverables-MAX_NUM_FORMS": "1000",
        "deliverables-0-title": "Install guide",
        "deliverables-0-planned": "on",
        "deliverables-0-percent_complete": "100",
        "deliverables-0-links": "https://example.org/install",
        "deliverables-1-planned": "on",  # an untouched spare row
        "lessons-TOTAL_FORMS": "2",
        "lessons-INITIAL_FORMS": "0",
        "lessons-MIN_NUM_FORMS": "0",
        "lessons-MAX_NUM_FORMS": "1000",
        "lessons-0-kind": "went_well",
        "lessons-0-topic": "Communication",
        "lessons-0-what_we_did": "Weekly calls",
        "lessons-0-lesson": "Keep them short",
    }
    data.update(overrides)
    return data


def test_case_study_draft_is_saved_and_submit_outside_the_window_refused(client, cast):
    client.force_login(cast.org_admin)
    page = url("case_study_edit", cast.docs_participation)
    assert client.get(page).status_code == 200

    response = client.post(page, case_study_data("save", analysis=""))
    assert response.status_code == 302
    study = CaseStudy.objects.get(participation=cast.docs_participation)
    assert study.problem == "Nobody could install it."
    assert list(study.deliverables.values_list("title", flat=True)) == ["Install guide"]
    assert study.lessons.get().topic == "Communication"

    # The cast's timeline is 2023's: the window closed long ago.
    response = client.post(page, case_study_data("submit", outcomes="Edited after the window"))
    assert response.status_code == 400
    body = response.content.decode()
    window = cast.docs_program.milestone(MilestoneKind.CASE_STUDY)
    assert case_studies.case_study_window_error(cast.docs_program, timezone.now()) in body
    assert window.ends_at.isoformat().replace("+00:00", "Z") in body
    assert "Edited after the window" in body
    study.refresh_from_db()
    assert study.status == CaseStudyStatus.DRAFT
    assert study.outcomes == "Edited after the window"  # the draft is kept


def test_case_study_field_errors_keep_values(client, cast):
    client.force_login(cast.org_admin)
    response = client.post(
        url("case_study_edit", cast.docs_participation),
        case_study_data("save", percent_complete="140", problem="Kept text"),
    )
    assert response.status_code == 400
    assert "Kept text" in response.content.decode()
    assert not Deliverable.objects.exists()


def test_case_study_submitted_accepted_and_published_after_the_results(client, cast):
    now = timezone.now()
    milestones = retime(cast.docs_program, MilestoneKind.CASE_STUDY, now + timedelta(days=3))
    client.force_login(cast.org_admin)
    page = url("case_study_edit", cast.docs_participation)

    missing = client.post(page, case_study_data("submit", analysis=""))
    assert missing.status_code == 400
    assert organizations.REQUIRED in missing.content.decode()

    response = client.post(page, case_study_data("submit"))
    assert response.status_code == 302
    study = CaseStudy.objects.get()
    assert study.status == CaseStudyStatus.SUBMITTED
    # Read-only once submitted.
    client.post(page, case_study_data("save", problem="Changed"))
    study.refresh_from_db()
    assert study.problem == "Nobody could install it."

    manage = reverse("program_case_studies", args=[cast.docs_program.slug])
    client.force_login(cast.org_admin)
    assert client.get(manage).status_code == 404
    client.force_login(cast.manager)
    assert "Install guide" in client.get(manage).content.decode()
    response = client.post(manage, {"case_study": study.pk, "action": "accept", "note": "Thanks"})
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.status == CaseStudyStatus.ACCEPTED

    client.logout()
    detail = reverse("case_study_detail", args=[study.pk])
    assert "Nobody could install it" not in client.get(reverse("case_studies")).content.decode()
    assert client.get(detail).status_code == 404

    Milestone.objects.filter(pk=milestones[MilestoneKind.RESULTS].pk).update(
        ends_at=now - timedelta(minutes=1)
    )
    listing = client.get(reverse("case_studies")).content.decode()
    assert detail in listing
    page = client.get(detail)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Install guide" in body
    assert "Keep them short" in body
    assert "90%" in body


def test_returned_case_study_shows_the_note_and_is_editable(client, cast):
    retime(cast.docs_program, MilestoneKind.CASE_STUDY, timezone.now() + timedelta(days=3))
    client.force_login(cast.org_admin)
    page = url("case_study_edit", cast.docs_participation)
    client.post(page, case_study_data("submit"))
    study = CaseStudy.objects.get()
    client.force_login(cast.manager)
    client.post(
        reverse("program_case_studies", args=[cast.docs_program.slug]),
        {"case_study": study.pk, "action": "return", "note": "Add your metrics' numbers."},
    )

    client.force_login(cast.org_admin)
    body = client.get(page).content.decode()
    assert "Add your metrics" in body
    assert 'value="submit"' in body


def test_drafts_are_never_public(client, cast):
    study = CaseStudy.objects.create(participation=cast.docs_participation, problem="Secret")
    for user in (None, cast.other_org_admin, cast.manager):
        if user:
            client.force_login(user)
        assert client.get(reverse("case_study_detail", args=[study.pk])).status_code == 404
        assert "Secret" not in client.get(reverse("case_studies")).content.decode()


@pytest.mark.parametrize("who", ["other_docs_admin", "mentor", "writer", "manager"])
def test_case_study_edit_is_404_to_others(client, cast, who):
    if who == "other_docs_admin":
        user = other_docs_org(cast)[1]
    elif who == "mentor":
        user = MembershipFactory(participation=cast.docs_participation).user
    else:
        user = getattr(cast, who)
    client.force_login(user)
    assert client.get(url("case_study_edit", cast.docs_participation)).status_code == 404
    assert not CaseStudy.objects.exists()


# Follow-up surveys -------------------------------------------------------------------------


QUESTIONS = [
    {"key": "still_maintained", "label": "Are the docs still maintained?", "type": "yes_no"},
    {"key": "pages", "label": "How many pages were updated since?", "type": "number"},
    {"key": "notes", "label": "Anything else?", "type": "text"},
]


def survey(cast, sequence=1, opens=-1, closes=1):
    now = timezone.now()
    Milestone.objects.create(
        program=cast.docs_program,
        kind=MilestoneKind.FOLLOW_UP_SURVEY,
        sequence=sequence,
        starts_at=now + timedelta(days=opens),
        ends_at=now + timedelta(days=closes),
    )
    return Survey.objects.create(
        program=cast.docs_program, sequence=sequence, title="First follow-up", questions=QUESTIONS
    )


def survey_url(cast, sequence=1):
    p = cast.docs_participation
    return reverse("survey_answer", args=[p.program.slug, p.organization.slug, sequence])


ANSWERS = {"still_maintained": "yes", "pages": "12", "notes": "All good"}


def test_survey_is_answered_once_in_its_window(client, cast):
    survey(cast)
    client.force_login(cast.org_admin)
    page = survey_url(cast)
    body = client.get(page).content.decode()
    assert 'type="radio"' in body and 'type="number"' in body and "<textarea" in body

    assert client.post(page, ANSWERS).status_code == 302
    answer = SurveyResponse.objects.get()
    assert answer.answers == {"still_maintained": "yes", "pages": 12.0, "notes": "All good"}
    assert "All good" in client.get(page).content.decode()

    again = client.post(page, {**ANSWERS, "notes": "Second try"})
    assert again.status_code == 400
    assert surveys.SURVEY_ANSWERED in again.content.decode()
    assert "Second try" in again.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_survey_outside_its_window_is_refused(client, cast):
    survey(cast, opens=10, closes=17)
    client.force_login(cast.org_admin)

    response = client.post(survey_url(cast), ANSWERS)

    assert response.status_code == 400
    assert "This survey is open from" in response.content.decode()
    assert "All good" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_survey_404s(client, cast):
    survey(cast)
    client.force_login(cast.org_admin)
    assert client.get(survey_url(cast, sequence=2)).status_code == 404
    client.force_login(other_docs_org(cast)[1])
    assert client.get(survey_url(cast)).status_code == 404


# Writer directory ------------------------------------------------------------------------------


def test_writer_directory_filters_and_hidden_profiles(client, cast):
    cast.writer.writer_profile.skills = ["Sphinx", "API reference"]
    cast.writer.writer_profile.save()
    WriterProfile.objects.create(
        user=UserFactory(),
        display_name="Mkdocs Maven",
        country_of_residence="DE",
        skills=["MkDocs"],
    )
    hidden = WriterProfile.objects.create(
        user=UserFactory(), display_name="Hidden Hand", country_of_residence="FR", is_public=False
    )

    everyone = client.get(reverse("writer_directory")).content.decode()
    assert "W. Riter" in everyone and "Mkdocs Maven" in everyone
    assert "Hidden Hand" not in everyone

    sphinx = client.get(reverse("writer_directory"), {"skill": "sphinx"}).content.decode()
    assert "W. Riter" in sphinx and "Mkdocs Maven" not in sphinx
    assert 'value="sphinx"' in sphinx  # the filter is kept in the form

    named = client.get(reverse("writer_directory"), {"q": "maven"}).content.decode()
    assert "Mkdocs Maven" in named and "W. Riter" not in named

    detail = client.get(reverse("writer_detail", args=[cast.writer.writer_profile.pk]))
    assert detail.status_code == 200 and "API reference" in detail.content.decode()
    assert client.get(reverse("writer_detail", args=[hidden.pk])).status_code == 404
    client.force_login(hidden.user)
    assert client.get(reverse("writer_detail", args=[hidden.pk])).status_code == 200


def test_lessons_topics_are_the_templates(cast):
    # The lesson form offers exactly the template's topics.
    from docs_season.forms import LessonForm

    choices = [value for value, _ in LessonForm().fields["topic"].choices if value]
    assert choices == Lesson.TOPICS


def test_organization_page_links_writers_and_admins(client, cast):
    page = reverse("organization_detail", args=[cast.docs_participation.organization.slug])
    client.force_login(cast.writer)
    assert url("statement_send", cast.docs_participation) in client.get(page).content.decode()
    client.force_login(cast.org_admin)
    body = client.get(page).content.decode()
    assert url("org_writers", cast.docs_participation) in body
    assert url("case_study_edit", cast.docs_participation) in body
    assert url("statement_send", cast.docs_participation) not in body
    client.force_login(cast.contributor)
    assert url("statement_send", cast.docs_participation) not in client.get(page).content.decode()


def test_stored_case_study_rows_are_shown_for_editing(client, cast):
    client.force_login(cast.org_admin)
    page = url("case_study_edit", cast.docs_participation)
    client.post(page, case_study_data("save"))
    body = client.get(page).content.decode()
    assert 'name="deliverables-INITIAL_FORMS" value="1"' in body
    assert 'value="Install guide"' in body
    assert 'name="lessons-INITIAL_FORMS" value="1"' in body
    assert "deliverables-0-DELETE" in body
