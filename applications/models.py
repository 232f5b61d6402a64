"""The coding season: contributor profiles, registration, ideas, proposals with receipts, review
and accepted projects."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from programs.models import ProjectSize
from programs.validators import country_code, validate_timezone


class ContributorProfile(models.Model):
    """What eligibility rules need to know about a contributor."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contributor_profile"
    )
    country_of_residence = models.CharField(max_length=2, validators=[country_code])
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    date_of_birth = models.DateField(null=True, blank=True)
    attests_minimum_age = models.BooleanField(
        default=False,
        help_text="Attests to meeting the program's minimum age without a birth date.",
    )
    is_student = models.BooleanField(default=False)
    is_beginner = models.BooleanField(
        default=False, help_text="Beginner to open source (attested)."
    )
    opencollective_slug = models.SlugField(
        max_length=100, blank=True, help_text="Your OpenCollective profile, to be paid through it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=False) | Q(attests_minimum_age=True),
                name="contributor_age_known",
            ),
        ]

    def __str__(self):
        return f"Contributor profile of {self.user}"


class Registration(models.Model):
    """A contributor registered for one coding program after passing its eligibility rules."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations"
    )
    registered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="registration_unique"),
        ]

    def __str__(self):
        return f"{self.user} in {self.program}"


class Idea(models.Model):
    """A project idea an organization publishes for contributors to propose."""

    participation = models.ForeignKey(
        "programs.Participation", on_delete=models.CASCADE, related_name="ideas"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=20000, help_text="Markdown.")
    size = models.PositiveSmallIntegerField(choices=ProjectSize.choices)
    skills = models.CharField(max_length=300, blank=True, help_text="Comma-separated.")
    mentors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["participation__organization__name", "title"]

    def __str__(self):
        return self.title

    @property
    def skill_list(self):
        return [s.strip() for s in self.skills.split(",") if s.strip()]


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Not selected"


def attachment_path(proposal, filename):
    return f"proposals/{proposal.program_id}/{proposal.pk or 'new'}/{uuid.uuid4().hex}.pdf"


class Proposal(models.Model):
    """A contributor's proposal to one organization in a coding program.

    `submission_slot` numbers the contributor's submitted proposals 1..cap; with the unique
    constraint below, two concurrent submits can never both take the last free slot.
    """

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="proposals"
    )
    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposals"
    )
    participation = models.ForeignKey(
        "programs.Participation", on_delete=models.CASCADE, related_name="proposals"
    )
    idea = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    title = models.CharField(max_length=200, blank=True)
    abstract = models.TextField(max_length=2000, blank=True)
    body = models.TextField(blank=True, help_text="Markdown.")
    size = models.PositiveSmallIntegerField(choices=ProjectSize.choices, null=True, blank=True)
    length_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    attachment = models.FileField(upload_to=attachment_path, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    preference = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The contributor's own order among their proposals (1 first).",
    )
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    submission_slot = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    content_digest = models.CharField(max_length=64, blank=True)
    # Bumped on every save of the text: an autosave from a stale tab cannot overwrite newer text.
    revision = models.PositiveIntegerField(default=0)
    # Organization side.
    mentors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ProposalMentor", related_name="mentored_proposals"
    )
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "contributor", "submission_slot"],
                name="proposal_submission_slot_unique",
            ),
            models.CheckConstraint(
                condition=Q(submission_slot__isnull=True) | Q(submission_slot__gte=1),
                name="proposal_submission_slot_min",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(status="withdrawn")
                | Q(submitted_at__isnull=False, submission_slot__isnull=False),
                name="proposal_submitted_has_slot",
            ),
            models.UniqueConstraint(
                fields=["participation", "rank"], name="proposal_rank_unique_per_org"
            ),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1), name="proposal_rank_min"
            ),
        ]
        indexes = [
            models.Index(fields=["participation", "status"]),
            models.Index(fields=["program", "contributor", "status"]),
        ]

    def __str__(self):
        return self.title or f"Untitled proposal #{self.pk}"

    @property
    def is_editable_status(self):
        return self.status in {ProposalStatus.DRAFT, ProposalStatus.SUBMITTED}


class ProposalMentor(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="mentorships")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "mentor"], name="proposal_mentor_unique"),
        ]

    def __str__(self):
        return f"{self.mentor} mentors {self.proposal}"


class Receipt(models.Model):
    """Proof of what was submitted and when: every submit and every later edit gets one."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="receipts")
    number = models.CharField(max_length=32, unique=True)
    submitted_at = models.DateTimeField()
    digest = models.CharField(max_length=64)
    content = models.JSONField(help_text="The canonical content the digest was computed from.")

    class Meta:
        # Newest first; receipts of one proposal never go back in time (see _issue_receipt), and
        # the id breaks a tie between two taken at the same instant.
        ordering = ["-submitted_at", "-pk"]

    def __str__(self):
        return self.number


class Comment(models.Model):
    """A private note by an organization's mentor or admin; never shown to the contributor."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Comment by {self.author} on {self.proposal}"


class Score(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="scores")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    value = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "reviewer"], name="score_one_per_reviewer"),
            models.CheckConstraint(
                condition=Q(value__gte=1, value__lte=5), name="score_between_1_and_5"
            ),
        ]

    def __str__(self):
        return f"{self.value}/5 by {self.reviewer}"


class Project(models.Model):
    """An accepted proposal: the contributor's project with its own dates."""

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="project")
    participation = models.ForeignKey(
        "programs.Participation", on_delete=models.PROTECT, related_name="projects"
    )
    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="projects"
    )
    mentors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="mentored_projects")
    title = models.CharField(max_length=200)
    size = models.PositiveSmallIntegerField(choices=ProjectSize.choices)
    length_weeks = models.PositiveSmallIntegerField()
    coding_starts_at = models.DateTimeField()
    coding_ends_at = models.DateTimeField()
    accepted_at = models.DateTimeField()
    announced_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10,
        choices=[("active", "Active"), ("failed", "Failed"), ("passed", "Passed")],
        default="active",
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["participation__organization__name", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(coding_ends_at__gt=F("coding_starts_at")),
                name="project_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def midterm_at(self):
        """Half-way through the project's own length: its midterm evaluation falls due here."""
        return self.coding_starts_at + (self.coding_ends_at - self.coding_starts_at) / 2
