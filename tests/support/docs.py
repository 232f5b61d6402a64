"""The docs season's pages: an organization's URLs and a timeline moved around a milestone."""

from decimal import Decimal

from django.urls import reverse

from docs_season.models import BudgetItem, BudgetKind, DocProposal
from tests.factories import docs_timeline


def retime(program, around, at):
    """Rebuild the program's timeline so that the milestone `around` ends at `at`."""
    program.milestones.all().delete()
    return docs_timeline(program, around=around, at=at)


def url(name, participation):
    return reverse(name, args=[participation.program.slug, participation.organization.slug])


def fund_writers(participation, amount="15000"):
    """Give the organization's doc-project proposal a technical writer line of `amount` (the
    budget every hire is checked against)."""
    proposal, _ = DocProposal.objects.get_or_create(participation=participation)
    BudgetItem.objects.create(
        proposal=proposal,
        kind=BudgetKind.TECHNICAL_WRITER,
        description="Technical writer",
        amount=Decimal(amount),
    )
    return proposal
