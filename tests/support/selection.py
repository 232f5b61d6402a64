"""Proposals as the ranking and selection services take them: submitted before rankings close,
each with a mentor of its organization."""

from datetime import timedelta

from applications.models import Proposal, ProposalMentor, ProposalStatus
from tests.factories import UserFactory
from tests.support.cast import DEADLINE

BEFORE_RANKING = DEADLINE + timedelta(days=1)


def submitted(cast, participation, contributor=None, mentor=True, preference=None):
    proposal = Proposal.objects.create(
        program=cast.program,
        contributor=contributor or UserFactory(),
        participation=participation,
        title="A project",
        abstract="a",
        body="b",
        size=175,
        length_weeks=14,
        preference=preference,
        status=ProposalStatus.SUBMITTED,
        submission_slot=preference or 1,
        submitted_at=DEADLINE,
    )
    if mentor:
        member = participation.memberships.filter(role="mentor").first()
        ProposalMentor.objects.create(proposal=proposal, mentor=member.user)
    return proposal
