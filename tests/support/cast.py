"""The cast every permission test uses, the instant most tests pivot on, and the Chromium the
browser tests drive."""

import os
from dataclasses import dataclass
from datetime import UTC, datetime

from programs.models import MilestoneKind, Role
from programs.services import manager_grant
from tests.factories import (
    DocsProgramFactory,
    MembershipFactory,
    ParticipationFactory,
    ProgramFactory,
    UserFactory,
    coding_timeline,
    docs_timeline,
)

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# GSoC 2023's contributor application deadline: the instant most tests pivot on.
DEADLINE = datetime(2023, 4, 4, 18, 0, tzinfo=UTC)


@dataclass
class Cast:
    """One person per role around one coding and one docs program."""

    program: object
    docs_program: object
    participation: object
    other_participation: object
    docs_participation: object
    manager: object
    org_admin: object
    mentor: object
    other_org_admin: object
    other_mentor: object
    contributor: object
    writer: object
    outsider: object


def build_cast() -> Cast:
    """The cast every permission test uses (the `cast` fixture of tests/conftest.py);
    tests/portal/authorization_world.py builds it once per module."""
    from applications.models import ContributorProfile
    from docs_season.models import WriterProfile

    program = ProgramFactory()
    docs_program = DocsProgramFactory()
    coding_timeline(program, around=MilestoneKind.CONTRIBUTOR_APPLICATIONS, at=DEADLINE)
    docs_timeline(docs_program, around=MilestoneKind.HIRING_DEADLINE, at=DEADLINE)
    participation = ParticipationFactory(program=program)
    other_participation = ParticipationFactory(program=program)
    docs_participation = ParticipationFactory(program=docs_program)
    manager = UserFactory(email="manager@example.org")
    manager_grant(program=program, user=manager)
    manager_grant(program=docs_program, user=manager)
    org_admin = MembershipFactory(
        participation=participation, role=Role.ORG_ADMIN, user__email="admin@example.org"
    ).user
    MembershipFactory(participation=docs_participation, role=Role.ORG_ADMIN, user=org_admin)
    mentor = MembershipFactory(participation=participation, user__email="mentor@example.org").user
    other_org_admin = MembershipFactory(
        participation=other_participation,
        role=Role.ORG_ADMIN,
        user__email="other-admin@example.org",
    ).user
    other_mentor = MembershipFactory(
        participation=other_participation, user__email="other-mentor@example.org"
    ).user
    contributor = UserFactory(email="contributor@example.org")
    ContributorProfile.objects.create(
        user=contributor, country_of_residence="IN", attests_minimum_age=True, is_student=True
    )
    writer = UserFactory(email="writer@example.org")
    WriterProfile.objects.create(user=writer, display_name="W. Riter", country_of_residence="KE")
    outsider = UserFactory(email="outsider@example.org")
    return Cast(
        program=program,
        docs_program=docs_program,
        participation=participation,
        other_participation=other_participation,
        docs_participation=docs_participation,
        manager=manager,
        org_admin=org_admin,
        mentor=mentor,
        other_org_admin=other_org_admin,
        other_mentor=other_mentor,
        contributor=contributor,
        writer=writer,
        outsider=outsider,
    )
