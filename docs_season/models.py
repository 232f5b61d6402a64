"""The docs season (grant model): technical writers' profiles, doc-project proposals with budgets,
statements of interest, hires, case studies and follow-up surveys."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from programs.validators import country_code, validate_timezone


class WriterProfile(models.Model):
    """A technical writer's public profile in the directory."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="writer_profile"
    )
    display_name = models.CharField(max_length=150)
    headline = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True)
    country_of_residence = models.CharField(max_length=2, validators=[country_code])
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    skills = models.JSONField(default=list, blank=True, help_text="Skills as a list of words.")
    portfolio_links = models.JSONField(default=list, blank=True, help_text="A list of URLs.")
    hours_per_week_min = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(80)]
    )
    hours_per_week_max = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(80)]
    )
    is_public = models.BooleanField(default=True)
    opencollective_slug = models.SlugField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "applications_writerprofile"
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_week_min__lte=F("hours_per_week_max")),
                name="writer_hours_bounds",
            ),
        ]

    def __str__(self):
        return self.display_name


class DocProposalStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class DocProposal(models.Model):
    """An organization's one documentation project proposal in a docs program, with its budget.

    One per participation, and a participation is one organization in one program: so one
    proposal per organization per program, enforced by the database.
    """

    participation = models.OneToOneField(
        "programs.Participation", on_delete=models.CASCADE, related_name="doc_proposal"
    )
    title = models.CharField(max_length=150, blank=True)
    about_organization = models.TextField(max_length=5000, blank=True)
    problem = models.TextField("the project's problem", max_length=5000, blank=True)
    scope = models.TextField("the project's scope", max_length=10000, blank=True)
    success_metrics = models.TextField("measuring success", max_length=5000, blank=True)
    timeline = models.TextField(max_length=5000, blank=True)
    participants = models.TextField(max_length=5000, blank=True)
    additional_information = models.TextField(max_length=5000, blank=True)
    budget_justification = models.TextField(
        max_length=5000,
        blank=True,
        help_text="Needed when the total is outside the program's range.",
    )
    status = models.CharField(
        max_length=10, choices=DocProposalStatus.choices, default=DocProposalStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "applications_docproposal"
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="doc_proposal_submitted_has_time",
            ),
        ]

    def __str__(self):
        return self.title or f"Doc proposal of {self.participation}"

    @property
    def total(self) -> Decimal:
        return sum((item.amount for item in self.budget_items.all()), Decimal("0"))


class BudgetKind(models.TextChoices):
    TECHNICAL_WRITER = "technical_writer", "Technical writer"
    VOLUNTEER_STIPEND = "volunteer_stipend", "Volunteer stipend"
    SWAG = "swag", "Swag"
    DONATION = "donation", "Donation to another open-source project"
    OTHER = "other", "Other"


class BudgetItem(models.Model):
    proposal = models.ForeignKey(DocProposal, on_delete=models.CASCADE, related_name="budget_items")
    position = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=20, choices=BudgetKind.choices)
    description = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        db_table = "applications_budgetitem"
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_item_amount_positive"),
        ]

    def __str__(self):
        return f"{self.description}: {self.amount}"


class StatementOfInterest(models.Model):
    """A technical writer's message to one accepted organization about its doc project."""

    participation = models.ForeignKey(
        "programs.Participation", on_delete=models.CASCADE, related_name="statements"
    )
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="statements"
    )
    message = models.TextField(max_length=5000)
    sent_at = models.DateTimeField()

    class Meta:
        db_table = "applications_statementofinterest"
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "writer"], name="statement_one_per_writer_and_org"
            ),
        ]

    def __str__(self):
        return f"{self.writer} to {self.participation}"


class Hire(models.Model):
    """A technical writer hired by an organization: what unlocks the first grant payment."""

    participation = models.ForeignKey(
        "programs.Participation", on_delete=models.PROTECT, related_name="hires"
    )
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hires"
    )
    agreed_hours = models.PositiveIntegerField(help_text="Total hours agreed for the project.")
    hours_per_week = models.PositiveSmallIntegerField()
    compensation = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    hired_at = models.DateTimeField()
    hired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "applications_hire"
        ordering = ["hired_at"]
        constraints = [
            models.UniqueConstraint(fields=["participation", "writer"], name="hire_once_per_org"),
            models.CheckConstraint(condition=Q(compensation__gt=0), name="hire_paid"),
            models.CheckConstraint(condition=Q(agreed_hours__gt=0), name="hire_has_hours"),
        ]

    def __str__(self):
        return f"{self.writer} hired by {self.participation}"


class CaseStudyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    RETURNED = "returned", "Returned for changes"
    ACCEPTED = "accepted", "Accepted"


class CaseStudy(models.Model):
    """The organization's case study and final project evaluation, after the real template."""

    participation = models.OneToOneField(
        "programs.Participation", on_delete=models.CASCADE, related_name="case_study"
    )
    # Summary
    writers_count = models.PositiveSmallIntegerField(null=True, blank=True)
    project_hours = models.PositiveIntegerField(null=True, blank=True)
    budget_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    percent_complete = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    problem = models.TextField("problem and approach", max_length=5000, blank=True)
    outcomes = models.TextField(max_length=5000, blank=True)
    went_well = models.TextField(
        "what went well, what you would do differently", max_length=5000, blank=True
    )
    advice = models.TextField("advice to other projects", max_length=5000, blank=True)
    # Project description
    proposal_summary = models.TextField(max_length=5000, blank=True)
    proposal_process = models.TextField("proposal creation process", max_length=5000, blank=True)
    # Budget estimate against actual
    budget_requested = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    budget_estimate_method = models.TextField(
        "how the estimate was made", max_length=3000, blank=True
    )
    hours_budgeted = models.PositiveIntegerField(null=True, blank=True)
    hours_actual = models.PositiveIntegerField(null=True, blank=True)
    other_expenses = models.TextField(max_length=3000, blank=True)
    budget_surprises = models.TextField(max_length=3000, blank=True)
    # People and time
    recruitment = models.TextField(
        "technical writer recruitment and retention", max_length=5000, blank=True
    )
    other_participants = models.TextField(max_length=5000, blank=True)
    timeline_changes = models.TextField("timeline and its changes", max_length=5000, blank=True)
    unplanned_deliverables = models.TextField(max_length=5000, blank=True)
    metrics = models.TextField(max_length=5000, blank=True)
    analysis = models.TextField(max_length=10000, blank=True)
    status = models.CharField(
        max_length=10, choices=CaseStudyStatus.choices, default=CaseStudyStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField(max_length=3000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "applications_casestudy"
        verbose_name_plural = "case studies"
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__isnull=True) | Q(percent_complete__lte=100),
                name="case_study_percent_at_most_100",
            ),
        ]

    def __str__(self):
        return f"Case study of {self.participation}"


class Deliverable(models.Model):
    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="deliverables")
    position = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    planned = models.BooleanField(default=True)
    percent_complete = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    links = models.TextField(blank=True, help_text="One URL per line.")
    notes = models.TextField(max_length=2000, blank=True)

    class Meta:
        db_table = "applications_deliverable"
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__lte=100), name="deliverable_percent_at_most_100"
            ),
        ]

    def __str__(self):
        return self.title


class LessonKind(models.TextChoices):
    WENT_WELL = "went_well", "What went well"
    TO_IMPROVE = "to_improve", "What could be improved"


class Lesson(models.Model):
    TOPICS = [
        "Budget", "Communication", "Mentorship", "Metrics", "Onboarding", "Participants",
        "Project Deliverables", "Project Management", "Recruiting & Hiring", "Other",
    ]  # fmt: skip

    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="lessons")
    kind = models.CharField(max_length=10, choices=LessonKind.choices)
    topic = models.CharField(max_length=60)
    what_we_did = models.TextField(max_length=3000)
    lesson = models.TextField(max_length=3000)

    class Meta:
        db_table = "applications_lesson"
        ordering = ["kind", "topic", "pk"]

    def __str__(self):
        return f"{self.topic}: {self.lesson[:40]}"


class Survey(models.Model):
    """A follow-up survey of a docs program; its questions are data, not code.

    `questions` is a list of {"key": "slug", "label": "Question?", "type": "text|number|yes_no"}.
    Its window is the program's follow-up-survey milestone of the same sequence.
    """

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="surveys"
    )
    sequence = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=150)
    questions = models.JSONField(default=list)

    class Meta:
        db_table = "applications_survey"
        ordering = ["program", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["program", "sequence"], name="survey_sequence_unique"),
        ]

    def __str__(self):
        return self.title


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    participation = models.ForeignKey(
        "programs.Participation", on_delete=models.CASCADE, related_name="survey_responses"
    )
    answers = models.JSONField(default=dict)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "applications_surveyresponse"
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "participation"], name="survey_response_once_per_org"
            ),
        ]

    def __str__(self):
        return f"{self.participation} answered {self.survey}"
