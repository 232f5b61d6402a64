"""Eligibility rules, each pinned at its boundary."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from applications.models import ContributorProfile, Proposal, Registration
from applications.services import eligibility
from applications.services.eligibility import age_on, contributor_register, eligibility_problems
from programs.models import Role
from tests.factories import MembershipFactory, ParticipationFactory, ProgramFactory
from tests.support.cast import DEADLINE

pytestmark = pytest.mark.django_db
DAY = DEADLINE - timedelta(days=1)  # registration day, inside the 2023 window


def problems(cast, **profile_changes):
    profile = cast.contributor.contributor_profile
    for name, value in profile_changes.items():
        setattr(profile, name, value)
    profile.save()
    return eligibility_problems(
        user=cast.contributor, program=cast.program, profile=profile, now=DAY
    )


def test_the_cast_contributor_is_eligible(cast):
    assert problems(cast) == []


@pytest.mark.parametrize(
    ("birth", "eligible"),
    [
        (date(2005, 4, 3), True),  # 18th birthday is the registration day itself
        (date(2005, 4, 4), False),  # 18th birthday is tomorrow
        (date(2005, 4, 2), True),
    ],
)
def test_age_is_counted_on_the_registration_day(cast, birth, eligible):
    assert DAY.date() == date(2023, 4, 3)
    found = problems(cast, date_of_birth=birth, attests_minimum_age=False)
    assert (found == []) is eligible
    if not eligible:
        assert "18 or older" in found[0] and "2023-04-04" in found[0]


def test_leap_day_birthdays_come_of_age_on_the_first_of_march():
    assert age_on(date(2004, 2, 29), date(2022, 2, 28)) == 17
    assert age_on(date(2004, 2, 29), date(2022, 3, 1)) == 18


def test_minimum_age_is_a_program_setting(cast):
    cast.program.minimum_age = 21
    cast.program.save()
    found = problems(cast, date_of_birth=date(2003, 1, 1), attests_minimum_age=False)
    assert "21 or older" in found[0]


def test_student_or_beginner_is_required(cast):
    found = problems(cast, is_student=False, is_beginner=False)
    assert found == [eligibility.NOT_STUDENT_OR_BEGINNER]
    assert problems(cast, is_student=False, is_beginner=True) == []


def test_mentors_and_org_admins_of_the_same_program_cannot_be_contributors(cast):
    MembershipFactory(
        participation=cast.other_participation, user=cast.contributor, role=Role.MENTOR
    )
    found = problems(cast)
    assert len(found) == 1 and "mentor of" in found[0]
    # A role in another program does not count.
    other = ParticipationFactory(program=ProgramFactory())
    cast.contributor.memberships.all().delete()
    MembershipFactory(participation=other, user=cast.contributor, role=Role.ORG_ADMIN)
    assert problems(cast) == []


def test_excluded_countries(cast):
    cast.program.excluded_countries = ["XX"]
    cast.program.save()
    assert problems(cast, country_of_residence="IN") == []
    found = problems(cast, country_of_residence="XX")
    assert "Residents of XX" in found[0]


def test_past_acceptances_in_the_series(cast):
    series = cast.program.series
    for year in (2021, 2022):
        past = ProgramFactory(series=series, year=year)
        Proposal.objects.create(
            program=past,
            contributor=cast.contributor,
            participation=ParticipationFactory(program=past),
            status="accepted",
            submission_slot=1,
            submitted_at=datetime(year, 4, 1, tzinfo=UTC),
        )
    found = problems(cast)
    assert "accepted 2 times" in found[0]
    cast.program.max_series_acceptances = 3
    cast.program.save()
    assert problems(cast) == []


def test_every_failing_rule_is_reported_at_once(cast):
    cast.program.excluded_countries = ["XX"]
    cast.program.save()
    found = problems(
        cast,
        country_of_residence="XX",
        is_student=False,
        is_beginner=False,
        date_of_birth=date(2010, 1, 1),
        attests_minimum_age=False,
    )
    assert len(found) == 3


def test_register_refuses_with_reasons_and_stores_nothing(cast):
    ContributorProfile.objects.filter(user=cast.contributor).update(is_student=False)
    with pytest.raises(ValidationError) as error:
        contributor_register(user=cast.contributor, program=cast.program, now=DAY)
    assert error.value.messages == [eligibility.NOT_STUDENT_OR_BEGINNER]
    assert not Registration.objects.exists()


def test_register_is_idempotent_and_closes_with_the_window(cast):
    first = contributor_register(user=cast.contributor, program=cast.program, now=DEADLINE)
    assert contributor_register(user=cast.contributor, program=cast.program, now=DAY) == first
    with pytest.raises(ValidationError, match="closed with the application deadline"):
        contributor_register(
            user=cast.outsider, program=cast.program, now=DEADLINE + timedelta(microseconds=1)
        )


def test_no_profile_no_registration(cast):
    with pytest.raises(ValidationError) as error:
        contributor_register(user=cast.outsider, program=cast.program, now=DAY)
    assert error.value.messages == [eligibility.NO_PROFILE]
