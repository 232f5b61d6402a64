"""Payouts as the scheduler or an org admin leaves them, and a docs hire to pay."""

from decimal import Decimal
from itertools import count

from docs_season.models import Hire
from payments.models import Milestone, Payout, PayoutStatus
from tests.support.cast import DEADLINE
from tests.support.evaluations import make_project

_references = count(1)
ORGANIZATION = object()  # as payee: the organization itself (no person)


def make_hire(cast, writer=None):
    return Hire.objects.create(
        participation=cast.docs_participation,
        writer=writer or cast.writer,
        agreed_hours=120,
        hours_per_week=10,
        compensation=Decimal("6000.00"),
        hired_at=DEADLINE,
        hired_by=cast.org_admin,
    )


def make_payout(cast, *, milestone=Milestone.CODING_MIDTERM, status=PayoutStatus.PENDING,
                amount=Decimal("100.00"), currency="USD", program=None, participation=None,
                payee=None, project=None):  # fmt: skip
    """A payout as the scheduler or an org admin leaves it (tests may set status directly):
    stipends get a project of their own, so that any number can be made."""
    if milestone == Milestone.WRITER_PAYMENT:
        program = program or cast.docs_program
        participation = participation or cast.docs_participation
        payee = payee or cast.writer
    if milestone in (Milestone.CODING_MIDTERM, Milestone.CODING_FINAL) and project is None:
        project = make_project(cast, participation=participation)
    return Payout.objects.create(
        reference=f"TEST-{next(_references)}",
        program=program or cast.program,
        participation=participation or cast.participation,
        project=project,
        payee=None if payee is ORGANIZATION else (payee or cast.contributor),
        milestone=milestone,
        status=status,
        amount=amount,
        currency=currency,
        created_at=DEADLINE,
        paid_at=DEADLINE if status == PayoutStatus.PAID else None,
    )
