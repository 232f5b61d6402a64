"""The database refuses what must never happen, whatever code writes the rows."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programs.models import (
    Invitation,
    InvitationStatus,
    Membership,
    Milestone,
    MilestoneKind,
    Organization,
    Participation,
    Program,
    Role,
)
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ParticipationFactory,
    ProgramFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
T = datetime(2023, 4, 4, 18, tzinfo=UTC)


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_program_defaults_follow_the_design_notes():
    program = ProgramFactory()
    assert program.sizes_offered == [90, 175, 350]
    assert program.length_options["90"] == [8, 10, 12]
    assert program.length_options["350"] == [10, 12, 14, 16, 18, 20, 22]
    assert program.proposal_cap == 3
    assert program.minimum_age == 18
    assert program.midterm_payout_percent == Decimal(45)
    assert program.budget_min == Decimal(5000) and program.budget_max == Decimal(15000)
    assert program.writer_hours_min == 5 and program.writer_hours_max == 30
    program.full_clean()


def test_one_program_per_series_and_year():
    ProgramFactory(series="gsoc", year=2023)
    refused(lambda: ProgramFactory(series="gsoc", year=2023))
    ProgramFactory(series="gsoc", year=2024)


def test_payout_splits_must_add_up_to_one_hundred():
    refused(lambda: ProgramFactory(midterm_payout_percent=50, final_payout_percent=55))
    refused(lambda: ProgramFactory(hire_payout_percent=40, final_grant_payout_percent=50))


def test_bounds_must_be_ordered():
    refused(lambda: ProgramFactory(budget_min=20000, budget_max=15000))
    refused(lambda: ProgramFactory(writer_hours_min=31, writer_hours_max=30))
    refused(lambda: ProgramFactory(stipend_factor_floor="1.2", stipend_factor_ceiling="1.1"))
    refused(lambda: ProgramFactory(proposal_cap=0))


def test_program_clean_names_bad_rule_settings():
    program = ProgramFactory.build(sizes_offered=[100])
    with pytest.raises(ValidationError) as error:
        program.full_clean()
    assert "sizes_offered" in error.value.message_dict
    program = ProgramFactory.build(sizes_offered=[90], default_length_weeks=14)
    with pytest.raises(ValidationError) as error:
        program.full_clean()
    assert "default_length_weeks" in error.value.message_dict
    program = ProgramFactory.build(excluded_countries=["germany"])
    with pytest.raises(ValidationError) as error:
        program.full_clean()
    assert "excluded_countries" in error.value.message_dict


def test_milestone_window_must_not_end_before_it_starts():
    program = ProgramFactory()
    refused(
        lambda: Milestone.objects.create(
            program=program, kind=MilestoneKind.CODING, starts_at=T, ends_at=T - timedelta(1)
        )
    )
    Milestone.objects.create(program=program, kind=MilestoneKind.CODING, starts_at=T, ends_at=T)


def test_repeating_milestones_are_told_apart_by_sequence():
    program = ProgramFactory()
    kind = MilestoneKind.MONTHLY_EVALUATION
    Milestone.objects.create(program=program, kind=kind, sequence=1, ends_at=T)
    Milestone.objects.create(program=program, kind=kind, sequence=2, ends_at=T)
    refused(lambda: Milestone.objects.create(program=program, kind=kind, sequence=2, ends_at=T))
    assert Milestone.objects.get(program=program, sequence=2).label == "Monthly evaluation 2"


def test_one_participation_per_org_per_program():
    participation = ParticipationFactory()
    refused(
        lambda: Participation.objects.create(
            organization=participation.organization, program=participation.program
        )
    )


def test_an_org_never_gets_more_slots_than_it_requested():
    refused(lambda: ParticipationFactory(slots_requested=2, slots_allocated=3))
    refused(lambda: ParticipationFactory(slots_requested=None, slots_allocated=1))
    ParticipationFactory(slots_requested=3, slots_allocated=3)


def test_budget_is_never_negative():
    refused(lambda: ParticipationFactory(budget_requested=Decimal("-1")))


def test_organization_names_are_unique_ignoring_case():
    OrganizationFactory(name="Kestrel Data")
    refused(lambda: Organization.objects.create(name="KESTREL DATA", slug="other"))


def test_a_role_is_held_once_per_participation():
    membership = MembershipFactory(role=Role.MENTOR)
    refused(
        lambda: Membership.objects.create(
            participation=membership.participation, user=membership.user, role=Role.MENTOR
        )
    )
    Membership.objects.create(
        participation=membership.participation, user=membership.user, role=Role.ORG_ADMIN
    )


def test_one_pending_invitation_per_address_and_role():
    participation = ParticipationFactory()

    def invite(email, digest, status=InvitationStatus.PENDING):
        return Invitation.objects.create(
            participation=participation,
            email=email,
            role=Role.MENTOR,
            token_digest=digest,
            status=status,
            created_at=T,
            expires_at=T + timedelta(days=1),
        )

    invite("a@example.org", "1")
    refused(lambda: invite("A@example.org", "2"))
    invite("a@example.org", "3", status=InvitationStatus.REVOKED)
    refused(lambda: invite("b@example.org", "1"))  # token digests are unique


def test_user_emails_are_unique_ignoring_case():
    UserFactory(email="x@example.org")
    refused(lambda: UserFactory(email="X@example.org", verified=False))


def test_program_ordering_is_newest_first():
    ProgramFactory(year=2022, name="B")
    ProgramFactory(year=2024, name="A")
    assert [p.year for p in Program.objects.all()] == [2024, 2022]
