"""Registering for a coding program: every failing rule is listed and nothing typed is lost."""

import html
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import ContributorProfile, Registration
from applications.services import eligibility
from programs.models import MilestoneKind
from tests.factories import coding_timeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_cast(cast):
    """The cast, with the coding program's contributor window closing in three days."""
    cast.program.milestones.all().delete()
    coding_timeline(
        cast.program,
        around=MilestoneKind.CONTRIBUTOR_APPLICATIONS,
        at=timezone.now() + timedelta(days=3),
    )
    return cast


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 3, 1)


def text(response) -> str:
    return html.unescape(response.content.decode())


def url(cast):
    return reverse("program_register", args=[cast.program.slug])


def profile_data(**overrides):
    data = {
        "country_of_residence": "IN",
        "timezone": "Asia/Kolkata",
        "date_of_birth": "",
        "attests_minimum_age": "on",
        "is_student": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_get_states_the_rules_and_prefills_the_profile(open_cast, client):
    open_cast.program.excluded_countries = ["ZZ"]
    open_cast.program.save()
    client.force_login(open_cast.contributor)
    response = client.get(url(open_cast))
    assert response.status_code == 200
    page = text(response)
    assert "18 or older" in page
    assert "ZZ" in page
    assert 'value="IN"' in page  # from the contributor's profile
    assert "data-countdown" in page


def test_success_registers_and_redirects(open_cast, client):
    client.force_login(open_cast.contributor)
    response = client.post(url(open_cast), profile_data())
    assert response.status_code == 302
    assert response.url == reverse("my_proposals", args=[open_cast.program.slug])
    assert Registration.objects.filter(user=open_cast.contributor, program=open_cast.program)
    assert ContributorProfile.objects.get(user=open_cast.contributor).timezone == "Asia/Kolkata"


def test_eighteenth_birthday_tomorrow_is_refused_today_accepted(open_cast, client):
    today = timezone.now().date()
    client.force_login(open_cast.contributor)
    tomorrow_18 = years_before(today + timedelta(days=1), 18).isoformat()
    response = client.post(
        url(open_cast),
        profile_data(date_of_birth=tomorrow_18, attests_minimum_age=None, timezone="Europe/Berlin"),
    )
    assert response.status_code == 400
    page = text(response)
    assert 'role="alert"' in page
    assert "You must be 18 or older on the day you register" in page
    assert "you are 17" in page
    # What was typed is kept.
    assert f'value="{tomorrow_18}"' in page
    assert 'value="Europe/Berlin"' in page
    assert not Registration.objects.filter(user=open_cast.contributor).exists()

    today_18 = years_before(today, 18).isoformat()
    response = client.post(
        url(open_cast), profile_data(date_of_birth=today_18, attests_minimum_age=None)
    )
    assert response.status_code == 302
    assert Registration.objects.filter(user=open_cast.contributor).exists()


def test_mentor_in_the_same_program_is_refused(open_cast, client):
    client.force_login(open_cast.mentor)
    response = client.post(url(open_cast), profile_data())
    assert response.status_code == 400
    page = text(response)
    assert "mentors and org admins cannot be contributors" in page
    assert open_cast.participation.organization.name in page
    assert not Registration.objects.filter(user=open_cast.mentor).exists()


def test_excluded_country_refused_and_every_failing_rule_listed(open_cast, client):
    open_cast.program.excluded_countries = ["ZZ"]
    open_cast.program.save()
    client.force_login(open_cast.org_admin)
    response = client.post(url(open_cast), profile_data(country_of_residence="ZZ", is_student=None))
    assert response.status_code == 400
    page = text(response)
    assert eligibility.EXCLUDED_COUNTRY.format(country="ZZ") in page
    assert eligibility.NOT_STUDENT_OR_BEGINNER in page
    assert "org admin of " + open_cast.participation.organization.name in page
    assert 'value="ZZ"' in page


def test_invalid_profile_form_keeps_typed_values(open_cast, client):
    client.force_login(open_cast.outsider)
    response = client.post(
        url(open_cast), profile_data(country_of_residence="india", attests_minimum_age=None)
    )
    assert response.status_code == 400
    page = text(response)
    assert 'value="india"' in page
    assert "Give your date of birth" in page
    assert not Registration.objects.exists()


def test_registration_after_the_deadline_is_refused(cast, client):
    client.force_login(cast.contributor)
    response = client.post(url(cast), profile_data())
    assert response.status_code == 400
    assert "Contributor registration closed" in text(response)


def test_anonymous_is_sent_to_sign_in_and_docs_programs_404(cast, client):
    response = client.get(url(cast))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    client.force_login(cast.contributor)
    docs = reverse("program_register", args=[cast.docs_program.slug])
    assert client.get(docs).status_code == 404
