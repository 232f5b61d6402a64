"""Who may register as a contributor for a coding program: every rule, each with its own message."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from applications.models import ContributorProfile, ProposalStatus, Registration
from programs.models import Membership, MilestoneKind, Program
from programs.windows import milestone_error

NO_PROFILE = "Fill in your contributor profile first (country, age, student or beginner)."
TOO_YOUNG = (
    "You must be {minimum} or older on the day you register; on {today} you are {age}. "
    "You can register from {birthday} if applications are still open then."
)
AGE_UNKNOWN = "Give your date of birth, or attest that you are {minimum} or older."
NOT_STUDENT_OR_BEGINNER = (
    "Contributors must be students or beginners to open source: tick the one that describes you."
)
IS_MENTOR = (
    "You are a {role} of {org} in this program; mentors and org admins cannot be contributors "
    "in the same program. Ask the org admin to remove your role first."
)
EXCLUDED_COUNTRY = (
    "Residents of {country} cannot take part in this program. If you have moved, update your "
    "country of residence."
)
TOO_MANY_ACCEPTANCES = (
    "You have already been accepted {count} times in this series, the most allowed ({limit})."
)
NOT_CODING = "Only coding programs take contributor registrations."
REGISTRATION_CLOSED = (
    "Contributor registration closed with the application deadline at {deadline} UTC."
)


def age_on(birth: date, day: date) -> int:
    """Whole years between birth and day; a birthday on 29 February counts from 1 March."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def _birthday(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February in a year without one
        return date(birth.year + years, 3, 1)


def eligibility_problems(
    *, user, program: Program, profile: ContributorProfile | None, now: datetime
) -> list[str]:
    """Every rule the user fails for this program (an empty list means eligible)."""
    if not program.is_coding:
        return [NOT_CODING]
    if profile is None:
        return [NO_PROFILE]
    problems = []
    today = now.date()
    if profile.date_of_birth:
        age = age_on(profile.date_of_birth, today)
        if age < program.minimum_age:
            problems.append(
                TOO_YOUNG.format(
                    minimum=program.minimum_age,
                    today=today.isoformat(),
                    age=age,
                    birthday=_birthday(profile.date_of_birth, program.minimum_age).isoformat(),
                )
            )
    elif not profile.attests_minimum_age:
        problems.append(AGE_UNKNOWN.format(minimum=program.minimum_age))
    if not (profile.is_student or profile.is_beginner):
        problems.append(NOT_STUDENT_OR_BEGINNER)
    role = (
        Membership.objects.filter(user=user, participation__program=program)
        .select_related("participation__organization")
        .first()
    )
    if role:
        problems.append(
            IS_MENTOR.format(
                role=role.get_role_display().lower(), org=role.participation.organization
            )
        )
    if profile.country_of_residence in (program.excluded_countries or []):
        problems.append(EXCLUDED_COUNTRY.format(country=profile.country_of_residence))
    past = (
        user.proposals.filter(program__series=program.series, status=ProposalStatus.ACCEPTED)
        .exclude(program=program)
        .count()
    )
    if past >= program.max_series_acceptances:
        problems.append(
            TOO_MANY_ACCEPTANCES.format(count=past, limit=program.max_series_acceptances)
        )
    return problems


def contributor_register(*, user, program: Program, now: datetime) -> Registration:
    """Register the user for the program if every eligibility rule passes (idempotent)."""
    existing = Registration.objects.filter(user=user, program=program).first()
    if existing:
        return existing
    window = program.milestone(MilestoneKind.CONTRIBUTOR_APPLICATIONS)
    if error := milestone_error(window, now, closed=REGISTRATION_CLOSED):
        raise ValidationError(error)
    profile = ContributorProfile.objects.filter(user=user).first()
    problems = eligibility_problems(user=user, program=program, profile=profile, now=now)
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            return Registration.objects.create(user=user, program=program, registered_at=now)
    except IntegrityError:  # a double click registered in between
        return Registration.objects.get(user=user, program=program)
