"""Reads of payouts: who sees which payout is decided here and nowhere else."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from payments.models import Milestone, Payout, PayoutStatus, PayoutStatusChange
from programs.models import Membership, Program, ProgramManager, Role

# Statuses a person may choose; ERROR is set only by the OpenCollective sync.
MANUAL_TARGETS = [
    PayoutStatus.PENDING,
    PayoutStatus.APPROVED,
    PayoutStatus.PAID,
    PayoutStatus.REJECTED,
    PayoutStatus.CANCELED,
]


def payouts_for_viewer(*, viewer) -> QuerySet[Payout]:
    """Managers see their programs' payouts; org admins every payout of their participations
    (grants, org stipends, writer payments, their contributors' stipends); a payee their own."""
    payouts = Payout.objects.select_related(
        "program", "participation__organization", "project", "payee"
    )
    if viewer is None or not viewer.is_authenticated:
        return payouts.none()
    if viewer.is_superuser:
        return payouts
    # Subqueries rather than joins, so that holding several roles never duplicates a row.
    managed = ProgramManager.objects.filter(user=viewer).values("program")
    administered = Membership.objects.filter(user=viewer, role=Role.ORG_ADMIN).values(
        "participation"
    )
    return payouts.filter(
        Q(program__in=managed) | Q(participation__in=administered) | Q(payee=viewer)
    )


def payout_get(*, pk: int, viewer) -> Payout:
    """One payout with its history, or 404 for anyone who may not see it."""
    history = PayoutStatusChange.objects.select_related("by")
    payout = (
        payouts_for_viewer(viewer=viewer)
        .prefetch_related(Prefetch("history", queryset=history))
        .filter(pk=pk)
        .first()
    )
    if payout is None:
        raise Http404("No such payout.")
    return payout


def payouts_of_payee(*, viewer) -> QuerySet[Payout]:
    """The viewer's own payouts, newest first, with their history."""
    history = PayoutStatusChange.objects.select_related("by")
    return (
        payouts_for_viewer(viewer=viewer)
        .filter(payee=viewer)
        .prefetch_related(Prefetch("history", queryset=history))
    )


def payout_targets(payout: Payout) -> list[str]:
    """The statuses a person may move this payout to next (the workflow, not the role)."""
    from payments.services import TRANSITIONS

    allowed = TRANSITIONS[PayoutStatus(payout.status)]
    return [status for status in MANUAL_TARGETS if status in allowed]


@dataclass(frozen=True)
class Ledger:
    payouts: QuerySet[Payout]
    # [{"currency": "USD", "total": Decimal, "count": int}], summed by the database.
    totals: list[dict]


def ledger(*, program: Program, filters: dict) -> Ledger:
    """A program's payouts filtered by milestone, status and currency, with totals per currency
    summed by the database. The caller has checked that the viewer manages the program."""
    payouts = Payout.objects.filter(program=program).select_related(
        "participation__organization", "project", "payee"
    )
    for field in ("milestone", "status", "currency"):
        if filters.get(field):
            payouts = payouts.filter(**{field: filters[field]})
    # order_by() replaces the model's ordering, which would otherwise split the groups.
    totals = list(
        payouts.order_by("currency")
        .values("currency")
        .annotate(total=Sum("amount"), count=Count("pk"))
    )
    return Ledger(payouts=payouts.order_by("-created_at", "pk"), totals=totals)


def ledger_currencies(*, program: Program) -> list[str]:
    return list(
        Payout.objects.filter(program=program)
        .order_by("currency")
        .values_list("currency", flat=True)
        .distinct()
    )


def participation_payouts(*, participation, viewer) -> dict[str, list[Payout]]:
    """A participation's payouts the viewer may see, by kind: the organization's own (grants,
    org stipends), its writer payments, and its contributors' stipends."""
    payouts = payouts_for_viewer(viewer=viewer).filter(participation=participation)
    sections = {"organization": [], "writers": [], "contributors": []}
    for payout in payouts:
        if payout.milestone == Milestone.WRITER_PAYMENT:
            sections["writers"].append(payout)
        elif payout.project_id:
            sections["contributors"].append(payout)
        else:
            sections["organization"].append(payout)
    return sections
