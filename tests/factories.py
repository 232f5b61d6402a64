"""factory_boy factories for the models; timelines are built around a named milestone."""

from datetime import UTC, datetime, timedelta

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from programs.models import (
    Membership,
    Milestone,
    MilestoneKind,
    Organization,
    Participation,
    ParticipationStatus,
    Program,
    ProgramKind,
    Role,
)

PASSWORD = "a-long-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    kind = ProgramKind.CODING
    name = factory.Sequence(lambda n: f"Code Season {n}")
    slug = factory.Sequence(lambda n: f"code-season-{n}")
    series = factory.Sequence(lambda n: f"series-{n}")
    year = 2023


class DocsProgramFactory(ProgramFactory):
    kind = ProgramKind.DOCS
    name = factory.Sequence(lambda n: f"Docs Season {n}")
    slug = factory.Sequence(lambda n: f"docs-season-{n}")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    program = factory.SubFactory(ProgramFactory)
    kind = MilestoneKind.CUSTOM
    sequence = factory.Sequence(lambda n: n + 1)
    starts_at = None
    ends_at = datetime(2023, 4, 4, 18, tzinfo=UTC)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")
    website = "https://example.org/"


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    organization = factory.SubFactory(OrganizationFactory)
    program = factory.SubFactory(ProgramFactory)
    status = ParticipationStatus.ACCEPTED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    participation = factory.SubFactory(ParticipationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MENTOR


def _build_timeline(program, shape, *, around, at) -> dict[str, Milestone]:
    """Create the milestones of `shape` ((kind, start day or None, end day)) so that the
    milestone `around` ends exactly at `at`."""
    offset = next(end for kind, _, end in shape if kind == around)
    origin = at - timedelta(days=offset)
    return {
        kind: Milestone.objects.create(
            program=program,
            kind=kind,
            starts_at=None if start is None else origin + timedelta(days=start),
            ends_at=origin + timedelta(days=end),
        )
        for kind, start, end in shape
    }


def coding_timeline(program: Program, *, around: str, at: datetime) -> dict[str, Milestone]:
    """A GSoC-shaped timeline in which the milestone `around` closes at `at` (or is at `at`).

    Offsets follow GSoC 2023's calendar, so tests read like the real season.
    """
    # (kind, days from applications' close to start, to end; None start = an instant)
    shape = [
        (MilestoneKind.ORG_APPLICATIONS, -71, -56),
        (MilestoneKind.ORGS_ANNOUNCED, None, -41),
        (MilestoneKind.CONTRIBUTOR_APPLICATIONS, -15, 0),
        (MilestoneKind.RANKING_DUE, None, 23),
        (MilestoneKind.CONTRIBUTORS_ANNOUNCED, None, 30),
        (MilestoneKind.COMMUNITY_BONDING, 30, 54),
        (MilestoneKind.CODING, 55, 146),
        (MilestoneKind.MIDTERM_EVALUATIONS, 97, 101),
        (MilestoneKind.FINAL_WORK_SUBMISSION, 139, 146),
        (MilestoneKind.MENTOR_FINAL_EVALUATIONS, 146, 153),
        (MilestoneKind.RESULTS, None, 154),
    ]
    return _build_timeline(program, shape, around=around, at=at)


def docs_timeline(program: Program, *, around: str, at: datetime) -> dict[str, Milestone]:
    """A SoD-shaped timeline (2023 offsets) in which `around` ends at `at`."""
    shape = [
        (MilestoneKind.ORG_APPLICATIONS, -84, -47),
        (MilestoneKind.ORGS_ANNOUNCED, None, -40),
        (MilestoneKind.WRITER_APPLICATIONS, -40, 0),
        (MilestoneKind.HIRING_DEADLINE, None, 0),
        (MilestoneKind.MONTHLY_EVALUATION, 35, 42),
        (MilestoneKind.CASE_STUDY, 180, 195),
        (MilestoneKind.RESULTS, None, 209),
    ]
    return _build_timeline(program, shape, around=around, at=at)
