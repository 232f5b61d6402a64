"""Payout records mirrored as OpenCollective expenses, their status history, and the per-country
factors that stipends are computed with. Money is Decimal with an explicit currency."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class CountryFactor(models.Model):
    """A program's purchasing-power factor for one country of residence (missing means 1.0)."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="country_factors"
    )
    country = models.CharField(max_length=2)
    factor = models.DecimalField(max_digits=5, decimal_places=3)

    class Meta:
        ordering = ["program", "country"]
        constraints = [
            models.UniqueConstraint(fields=["program", "country"], name="country_factor_unique"),
            models.CheckConstraint(condition=Q(factor__gt=0), name="country_factor_positive"),
        ]

    def __str__(self):
        return f"{self.country}: {self.factor}"


class Milestone(models.TextChoices):
    CODING_MIDTERM = "coding_midterm", "Stipend after a passed midterm"
    CODING_FINAL = "coding_final", "Stipend after a passed final"
    ORG_STIPEND = "org_stipend", "Organization stipend"
    GRANT_HIRE = "grant_hire", "Grant after a writer is hired"
    GRANT_FINAL = "grant_final", "Grant after the case study"
    WRITER_PAYMENT = "writer_payment", "Organization's payment to a writer"


class PayoutStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING = "pending", "Pending approval"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"
    REJECTED = "rejected", "Rejected"
    CANCELED = "canceled", "Canceled"
    ERROR = "error", "Error"


class ExpenseType(models.TextChoices):
    INVOICE = "INVOICE", "Invoice"
    GRANT = "GRANT", "Grant"
    RECEIPT = "RECEIPT", "Receipt"


class Payout(models.Model):
    """One payment for one milestone of one project (coding) or grant (docs).

    `reference` is ours and unique: the idempotency key we also store in the OpenCollective
    expense's custom data, so a retried call finds the expense instead of creating another.
    """

    reference = models.CharField(max_length=120, unique=True)
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="payouts"
    )
    participation = models.ForeignKey(
        "programs.Participation", on_delete=models.PROTECT, related_name="payouts"
    )
    project = models.ForeignKey(
        "applications.Project",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payouts",
    )
    payee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # SET_NULL: a deleted account leaves its payouts behind for the accounts, with
        # payee_label saying whose they were without saying who (portal/privacy/deletion.py).
        on_delete=models.SET_NULL,
        related_name="payouts",
        help_text="The person paid; empty when the organization is the payee or the person "
        "deleted their account (then see payee_label).",
    )
    payee_label = models.CharField(
        max_length=40,
        blank=True,
        help_text="Set when the payee deleted their account: e.g. 'deleted user #42'.",
    )
    milestone = models.CharField(max_length=20, choices=Milestone.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.DRAFT
    )
    description = models.CharField(max_length=250, blank=True)
    # OpenCollective mirror.
    oc_expense_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    oc_legacy_id = models.PositiveIntegerField(null=True, blank=True)
    expense_type = models.CharField(
        max_length=10, choices=ExpenseType.choices, default=ExpenseType.INVOICE
    )
    collective_slug = models.CharField(max_length=100, blank=True)
    host_slug = models.CharField(max_length=100, blank=True)
    payee_slug = models.CharField(max_length=100, blank=True)
    payout_method_type = models.CharField(max_length=30, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            # One payout per (project, milestone) and per (grant, milestone).
            models.UniqueConstraint(
                fields=["project", "milestone"],
                condition=Q(project__isnull=False),
                name="payout_once_per_project_milestone",
            ),
            models.UniqueConstraint(
                fields=["participation", "milestone"],
                condition=Q(project__isnull=True) & ~Q(milestone="writer_payment"),
                name="payout_once_per_grant_milestone",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False), name="payout_paid_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["program", "status"]),
            models.Index(fields=["milestone", "status"]),
        ]

    def __str__(self):
        return f"{self.reference}: {self.amount} {self.currency}"

    @property
    def amount_minor(self) -> int:
        """The amount in minor units (cents), as OpenCollective counts money."""
        return int(self.amount * 100)


class PayoutStatusChange(models.Model):
    """Who moved a payout from one status to another, when and why. Never edited."""

    # PROTECT: deleting a payout must not take its history with it.
    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="history")
    from_status = models.CharField(max_length=10, choices=PayoutStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=PayoutStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # SET_NULL: the change stays in the history when its author deletes their account.
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the scheduler or the OpenCollective sync made the change, or its "
        "author deleted their account.",
    )
    at = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.payout.reference}: {self.from_status or '∅'} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Status history cannot be edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Status history cannot be deleted.")
