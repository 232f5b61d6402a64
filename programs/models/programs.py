"""Programs and their timelines: each rule of a program is a setting of it, each milestone a UTC
instant or window."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce


class ProgramKind(models.TextChoices):
    CODING = "coding", "Coding program (GSoC-style)"
    DOCS = "docs", "Docs program (SoD-style)"


class ProjectSize(models.IntegerChoices):
    """Expected effort of a coding project, in hours."""

    SMALL = 90, "Small (~90 hours)"
    MEDIUM = 175, "Medium (~175 hours)"
    LARGE = 350, "Large (~350 hours)"


def default_sizes_offered():
    return [ProjectSize.SMALL, ProjectSize.MEDIUM, ProjectSize.LARGE]


def default_length_options():
    # Weeks a project may last, by size: small 8/10/12, medium and large 10-22 in 2-week steps.
    return {
        str(ProjectSize.SMALL): [8, 10, 12],
        str(ProjectSize.MEDIUM): list(range(10, 23, 2)),
        str(ProjectSize.LARGE): list(range(10, 23, 2)),
    }


def default_stipend_base():
    return {
        str(ProjectSize.SMALL): "1500.00",
        str(ProjectSize.MEDIUM): "3000.00",
        str(ProjectSize.LARGE): "6000.00",
    }


def _money(default, **kwargs):
    return models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(default), **kwargs)


def _percent(default):
    return models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )


class Program(models.Model):
    """One season of a program (GSoC 2023, Season of Docs 2023) with every rule as a setting."""

    kind = models.CharField(max_length=10, choices=ProgramKind.choices)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    series = models.SlugField(
        max_length=40, help_text="Programs of one series share rules across years, e.g. 'gsoc'."
    )
    year = models.PositiveSmallIntegerField()
    tagline = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)
    currency = models.CharField(max_length=3, default="USD")

    # Coding programs: proposals, eligibility and stipends.
    sizes_offered = models.JSONField(default=default_sizes_offered)
    length_options = models.JSONField(
        default=default_length_options, help_text="Allowed project lengths in weeks, by size."
    )
    default_length_weeks = models.PositiveSmallIntegerField(default=12)
    proposal_cap = models.PositiveSmallIntegerField(
        default=3, help_text="Submitted proposals allowed per contributor."
    )
    accepted_proposal_cap = models.PositiveSmallIntegerField(default=1)
    minimum_age = models.PositiveSmallIntegerField(default=18)
    max_series_acceptances = models.PositiveSmallIntegerField(
        default=2, help_text="Acceptances a contributor may have across the series."
    )
    excluded_countries = models.JSONField(
        default=list, blank=True, help_text="ISO 3166-1 alpha-2 codes of excluded residences."
    )
    stipend_base = models.JSONField(default=default_stipend_base, help_text="Base stipend by size.")
    stipend_factor_floor = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("0.50")
    )
    stipend_factor_ceiling = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("1.10")
    )
    midterm_payout_percent = _percent("45")
    final_payout_percent = _percent("55")
    org_stipend_per_contributor = _money("500")
    proposal_body_max_chars = models.PositiveIntegerField(
        default=30000, help_text="Longest proposal body, in characters."
    )
    attachment_max_mb = models.PositiveSmallIntegerField(
        default=5, help_text="Largest PDF attachment to a proposal, in megabytes."
    )
    evaluation_window_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days each coding evaluation period stays open."
    )
    mentors_read_contributor_evaluations = models.BooleanField(
        default=False,
        help_text=(
            "Whether a project's mentors read the contributor's evaluation of them (never its "
            "private answers). Off, as in Google Summer of Code: contributors write more frankly "
            "for the org admins and the program."
        ),
    )
    opencollective_collective = models.SlugField(
        max_length=100, blank=True, help_text="The OpenCollective collective that pays the program."
    )
    opencollective_host = models.SlugField(max_length=100, blank=True)
    phase = models.CharField(
        max_length=32, blank=True, help_text="Kept by the scheduler: the latest milestone begun."
    )
    total_slots = models.PositiveIntegerField(
        null=True, blank=True, help_text="Contributor slots the program can fund this season."
    )

    # Docs programs: budgets, writers and grants.
    funding_total = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    budget_min = _money("5000")
    budget_max = _money("15000")
    writer_budget_min_percent = _percent("60")
    swag_max = _money("200")
    volunteer_stipend_max = _money("500")
    donation_max_percent = _percent("10")
    writer_hours_min = models.PositiveSmallIntegerField(default=5)
    writer_hours_max = models.PositiveSmallIntegerField(default=30)
    hire_payout_percent = _percent("40")
    final_grant_payout_percent = _percent("60")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="program_series_year_unique"),
            models.CheckConstraint(
                condition=Q(midterm_payout_percent=100 - F("final_payout_percent")),
                name="program_coding_payout_split_100",
            ),
            models.CheckConstraint(
                condition=Q(hire_payout_percent=100 - F("final_grant_payout_percent")),
                name="program_docs_payout_split_100",
            ),
            models.CheckConstraint(
                condition=Q(stipend_factor_floor__lte=F("stipend_factor_ceiling")),
                name="program_stipend_factor_bounds",
            ),
            models.CheckConstraint(
                condition=Q(budget_min__lte=F("budget_max")), name="program_budget_bounds"
            ),
            models.CheckConstraint(
                condition=Q(writer_hours_min__lte=F("writer_hours_max")),
                name="program_writer_hours_bounds",
            ),
            models.CheckConstraint(
                condition=Q(proposal_cap__gte=1), name="program_proposal_cap_min"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_coding(self):
        return self.kind == ProgramKind.CODING

    @property
    def is_docs(self):
        return self.kind == ProgramKind.DOCS

    def clean(self):
        errors = {}
        sizes = self.sizes_offered
        if not isinstance(sizes, list) or not sizes or not set(sizes) <= set(ProjectSize.values):
            errors["sizes_offered"] = (
                f"List one or more sizes in hours from {sorted(ProjectSize.values)}."
            )
        elif not isinstance(self.length_options, dict):
            errors["length_options"] = "Give a mapping from size in hours to a list of weeks."
        else:
            for size in sizes:
                weeks = self.length_options.get(str(size))
                if not weeks or not all(isinstance(w, int) and 1 <= w <= 52 for w in weeks):
                    errors["length_options"] = f"Give the allowed lengths in weeks for size {size}."
                elif self.default_length_weeks not in weeks:
                    errors["default_length_weeks"] = (
                        f"The default length {self.default_length_weeks} weeks is not allowed "
                        f"for size {size} ({weeks})."
                    )
        countries = self.excluded_countries
        if not isinstance(countries, list) or not all(
            isinstance(c, str) and len(c) == 2 and c.isupper() for c in countries
        ):
            errors["excluded_countries"] = 'List two-letter upper-case country codes, e.g. ["XX"].'
        if self.midterm_payout_percent + self.final_payout_percent != 100:
            errors["final_payout_percent"] = "Midterm and final payout shares must add up to 100%."
        if self.hire_payout_percent + self.final_grant_payout_percent != 100:
            errors["final_grant_payout_percent"] = (
                "Hire and final grant shares must add up to 100%."
            )
        if self.budget_min > self.budget_max:
            errors["budget_max"] = "The maximum budget must not be below the minimum."
        if self.writer_hours_min > self.writer_hours_max:
            errors["writer_hours_max"] = "The maximum weekly hours must not be below the minimum."
        if self.stipend_factor_floor > self.stipend_factor_ceiling:
            errors["stipend_factor_ceiling"] = "The stipend ceiling must not be below the floor."
        if errors:
            raise ValidationError(errors)

    def milestone(self, kind, sequence=1):
        """The program's milestone of that kind, or None (uses the prefetched timeline if any)."""
        for milestone in self.milestones.all():
            if milestone.kind == kind and milestone.sequence == sequence:
                return milestone
        return None


class MilestoneKind(models.TextChoices):
    PROGRAM_ANNOUNCED = "program_announced", "Program announced"
    ORG_APPLICATIONS = "org_applications", "Organization applications"
    ORGS_ANNOUNCED = "orgs_announced", "Accepted organizations announced"
    CONTRIBUTOR_APPLICATIONS = "contributor_applications", "Contributor applications"
    RANKING_DUE = "ranking_due", "Proposal rankings and slot requests due"
    SLOTS_ALLOCATED = "slots_allocated", "Slots allocated"
    CONTRIBUTORS_ANNOUNCED = "contributors_announced", "Accepted contributors announced"
    COMMUNITY_BONDING = "community_bonding", "Community bonding"
    CODING = "coding", "Coding"
    MIDTERM_EVALUATIONS = "midterm_evaluations", "Midterm evaluations"
    FINAL_WORK_SUBMISSION = "final_work_submission", "Final work submission and mentor evaluation"
    MENTOR_FINAL_EVALUATIONS = "mentor_final_evaluations", "Mentors' final evaluations"
    RESULTS = "results", "Results announced"
    EXTENDED_CODING = "extended_coding", "Extended projects"
    EXTENDED_EVALUATIONS = "extended_evaluations", "Mentors' extended evaluations"
    WRITER_APPLICATIONS = "writer_applications", "Statements of interest from technical writers"
    HIRING_DEADLINE = "hiring_deadline", "Technical writer hiring deadline"
    DOC_DEVELOPMENT = "doc_development", "Documentation development"
    MONTHLY_EVALUATION = "monthly_evaluation", "Monthly evaluation"
    CASE_STUDY = "case_study", "Case study and final project evaluation"
    FOLLOW_UP_SURVEY = "follow_up_survey", "Follow-up survey"
    CUSTOM = "custom", "Other"


class MilestoneState(models.TextChoices):
    UPCOMING = "upcoming", "Upcoming"
    OPEN = "open", "Open now"
    PAST = "past", "Past"


class Milestone(models.Model):
    """A named UTC instant (ends_at only) or window [starts_at, ends_at] of a program.

    Both ends are inclusive: a window closing at 18:00 UTC accepts 18:00:00.000000 and refuses
    18:00:00.000001. Repeating kinds (monthly evaluations, surveys) are told apart by sequence.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=32, choices=MilestoneKind.choices)
    sequence = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(help_text="The instant, or the window's last instant (UTC).")

    class Meta:
        ordering = [Coalesce("starts_at", "ends_at").asc(), "ends_at", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "kind", "sequence"], name="milestone_kind_sequence_unique"
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(starts_at__lte=F("ends_at")),
                name="milestone_starts_before_ends",
            ),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="milestone_sequence_min"),
        ]
        indexes = [models.Index(fields=["ends_at"])]

    def __str__(self):
        return f"{self.program}: {self.label}"

    @property
    def label(self):
        if self.title:
            return self.title
        label = self.get_kind_display()
        return f"{label} {self.sequence}" if self.sequence > 1 else label

    @property
    def is_window(self):
        return self.starts_at is not None

    @property
    def begins_at(self):
        return self.starts_at or self.ends_at

    def state(self, now):
        if now > self.ends_at:
            return MilestoneState.PAST
        if self.starts_at is not None and now >= self.starts_at:
            return MilestoneState.OPEN
        if self.starts_at is None and now == self.ends_at:
            return MilestoneState.OPEN
        return MilestoneState.UPCOMING

    def is_open(self, now):
        return self.state(now) == MilestoneState.OPEN

    def clean(self):
        if self.starts_at and self.ends_at and self.starts_at > self.ends_at:
            raise ValidationError({"ends_at": "A window must not end before it starts."})
