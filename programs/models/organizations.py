"""Organizations and their part in programs: participations, managers, team memberships and
invitations."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from programs.models.programs import Program


class Tag(models.Model):
    name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Organization(models.Model):
    """An open-source organization; it takes part in programs through Participation rows."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    tagline = models.CharField(max_length=250, blank=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="organizations")
    contact_links = models.JSONField(
        default=list, blank=True, help_text='A list of {"name": "chat", "value": "https://…"}.'
    )
    logo_url = models.URLField(blank=True)
    opencollective_slug = models.SlugField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="organization_name_ci_unique"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        links = self.contact_links
        if not isinstance(links, list) or not all(
            isinstance(link, dict) and {"name", "value"} <= set(link) for link in links
        ):
            raise ValidationError({"contact_links": 'Each link needs a "name" and a "value".'})


class ParticipationStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Participation(models.Model):
    """An organization's application to, and place in, one program."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="participations"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="participations")
    status = models.CharField(
        max_length=10, choices=ParticipationStatus.choices, default=ParticipationStatus.APPLIED
    )
    ideas_list_url = models.URLField(blank=True)
    slots_requested = models.PositiveSmallIntegerField(null=True, blank=True)
    slots_allocated = models.PositiveSmallIntegerField(null=True, blank=True)
    budget_requested = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    applied_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "program"], name="participation_org_program_unique"
            ),
            # An org never gets more slots than it asked for.
            models.CheckConstraint(
                condition=Q(slots_allocated__isnull=True)
                | Q(slots_requested__isnull=False, slots_allocated__lte=F("slots_requested")),
                name="participation_slots_within_request",
            ),
            models.CheckConstraint(
                condition=Q(budget_requested__isnull=True) | Q(budget_requested__gte=0),
                name="participation_budget_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self):
        return f"{self.organization} in {self.program}"

    @property
    def is_accepted(self):
        return self.status == ParticipationStatus.ACCEPTED


class ProgramManager(models.Model):
    """A person who runs a program: accepts orgs, allocates slots, approves payouts."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="managers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="managed_programs"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="program_manager_unique"),
        ]

    def __str__(self):
        return f"{self.user} manages {self.program}"


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", "Org admin"
    MENTOR = "mentor", "Mentor"


class Membership(models.Model):
    """A person's role (org admin or mentor) in one organization's participation."""

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "user", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} of {self.participation}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


class Invitation(models.Model):
    """An org admin's invitation to an e-mail address to join as mentor or co-admin.

    Only a SHA-256 digest of the token is stored; the token itself travels in the e-mail.
    """

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MENTOR)
    token_digest = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One live invitation per address and role: re-inviting resends, it does not pile up.
            models.UniqueConstraint(
                "participation",
                Lower("email"),
                "role",
                condition=Q(status="pending"),
                name="invitation_one_pending_per_email",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="invitation_expires_after_created"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self):
        return f"Invitation of {self.email} to {self.participation}"

    def is_usable(self, now):
        return self.status == InvitationStatus.PENDING and now <= self.expires_at
