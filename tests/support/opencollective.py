"""Payouts ready to push to OpenCollective as expenses (against the fake server of
tests/payments/fake_opencollective.py)."""

from datetime import UTC, datetime
from decimal import Decimal

from payments.models import Milestone, Payout, PayoutStatus

NOW = datetime(2023, 8, 1, 12, tzinfo=UTC)


def make_payout(cast, number=1, status=PayoutStatus.APPROVED, **fields):
    """Payout `number` (1-6): each its own (participation, milestone), as the database wants."""
    participation = [cast.participation, cast.other_participation][number % 2]
    milestone = [Milestone.CODING_MIDTERM, Milestone.CODING_FINAL, Milestone.ORG_STIPEND][
        number % 3
    ]
    defaults = {
        "reference": f"SEASONS-{cast.program.slug.upper()}-{milestone.upper()}-P{number}",
        "program": cast.program,
        "participation": participation,
        "payee": cast.contributor,
        "milestone": milestone,
        "amount": Decimal("1350.00"),
        "currency": "USD",
        "status": status,
        "description": f"Stipend: project {number}",
        "collective_slug": "seasons-stipends",
        "payee_slug": f"contributor-{number}",
        "payout_method_type": "BANK_ACCOUNT",
        "created_at": NOW,
    }
    if status == PayoutStatus.PAID:
        defaults["paid_at"] = NOW
    return Payout.objects.create(**(defaults | fields))
