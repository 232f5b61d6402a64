"""Evaluations: forms defined as data, the periods each project (coding) or organization (docs)
must be evaluated in, the immutable evaluations themselves, and the log that makes reminder mail
safe to retry."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q


class EvaluationKind(models.TextChoices):
    MIDTERM = "midterm", "Midterm evaluation"
    FINAL = "final", "Final evaluation"
    MONTHLY = "monthly", "Monthly evaluation"


class Side(models.TextChoices):
    """Who files: the mentor side grades the contributor; the contributor evaluates the mentor;
    in docs programs the org admin evaluates the project."""

    MENTOR = "mentor", "Mentor's evaluation of the contributor"
    CONTRIBUTOR = "contributor", "Contributor's evaluation of the mentor"
    ORG_ADMIN = "org_admin", "Org admin's evaluation of the project"


class QuestionType(models.TextChoices):
    PASS_FAIL = "pass_fail", "Pass or fail"
    RATING = "rating", "Rating 1-5"
    TEXT = "text", "Text"
    URL = "url", "URL"
    STATUS = "status", "On track / concerns / failing"


class EvaluationForm(models.Model):
    """A versioned set of questions for one kind and side of evaluation in one program.

    `questions`: [{"key": "slug", "label": "…", "type": QuestionType, "required": true,
    "private": false}] — private answers are shown only to org admins and managers. A new
    version is a new row; evaluations keep the version they answered.
    """

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="evaluation_forms"
    )
    kind = models.CharField(max_length=10, choices=EvaluationKind.choices)
    side = models.CharField(max_length=12, choices=Side.choices)
    version = models.PositiveSmallIntegerField(default=1)
    questions = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "applications_evaluationform"
        ordering = ["program", "kind", "side", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "kind", "side", "version"], name="evaluation_form_version"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_side_display()}) v{self.version}"

    def clean(self):
        keys = set()
        if not isinstance(self.questions, list):
            raise ValidationError({"questions": "Give a list of questions."})
        for question in self.questions:
            if not isinstance(question, dict) or not {"key", "label", "type"} <= set(question):
                raise ValidationError({"questions": 'Each question needs "key", "label", "type".'})
            if question["type"] not in QuestionType.values:
                raise ValidationError(
                    {"questions": f"Unknown type {question['type']!r}; use {QuestionType.values}."}
                )
            if question["key"] in keys:
                raise ValidationError({"questions": f"Key {question['key']!r} is used twice."})
            keys.add(question["key"])


class PeriodStatus(models.TextChoices):
    UPCOMING = "upcoming", "Upcoming"
    OPEN = "open", "Open"
    SUBMITTED = "submitted", "Submitted"
    MISSED = "missed", "Missed"


class EvaluationPeriod(models.Model):
    """One evaluation one side owes in a window: a coding project's midterm or final (per side),
    or a docs organization's monthly evaluation.

    `status` is kept by the scheduler and by submissions for lists and reminders; whether a
    submission is on time is decided from `closes_at` at request time, never from `status`.
    """

    project = models.ForeignKey(
        "applications.Project",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="periods",
    )
    participation = models.ForeignKey(
        "programs.Participation", on_delete=models.CASCADE, related_name="evaluation_periods"
    )
    kind = models.CharField(max_length=10, choices=EvaluationKind.choices)
    side = models.CharField(max_length=12, choices=Side.choices)
    sequence = models.PositiveSmallIntegerField(default=1)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.UPCOMING
    )

    class Meta:
        db_table = "applications_evaluationperiod"
        ordering = ["closes_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "side"],
                condition=Q(project__isnull=False),
                name="period_once_per_project",
            ),
            models.UniqueConstraint(
                fields=["participation", "kind", "side", "sequence"],
                condition=Q(project__isnull=True),
                name="period_once_per_org_month",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__lt=F("closes_at")), name="period_opens_before_it_closes"
            ),
        ]
        indexes = [models.Index(fields=["status", "closes_at"]), models.Index(fields=["opens_at"])]

    def __str__(self):
        subject = self.project or self.participation
        return f"{self.get_kind_display()} {self.sequence} ({self.side}) of {subject}"

    def is_open(self, now):
        return self.opens_at <= now <= self.closes_at


class Evaluation(models.Model):
    """A submitted evaluation. Immutable: once saved it is never changed (see save())."""

    period = models.OneToOneField(
        EvaluationPeriod, on_delete=models.PROTECT, related_name="evaluation"
    )
    form = models.ForeignKey(EvaluationForm, on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluations_filed"
    )
    submitted_at = models.DateTimeField()
    answers = models.JSONField(default=dict)
    passed = models.BooleanField(null=True, help_text="The mentor side's grade (coding).")
    status = models.CharField(
        max_length=10,
        blank=True,
        choices=[("on_track", "On track"), ("concerns", "Concerns"), ("failing", "Failing")],
        help_text="The org admin's verdict (docs).",
    )
    work_url = models.URLField(blank=True, help_text="The final work product (contributor).")

    class Meta:
        db_table = "applications_evaluation"
        ordering = ["submitted_at"]

    def __str__(self):
        return f"{self.period} by {self.filed_by}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValidationError("Submitted evaluations cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Submitted evaluations cannot be deleted.")


class ReminderKind(models.TextChoices):
    ADVANCE = "advance", "Opens in 10 days"
    OPENED = "opened", "Open now"
    CLOSING = "closing", "Closes in 24 hours"
    MISSED = "missed", "Missed (to managers)"
    SURVEY_OPEN = "survey_open", "Survey open"


class ReminderLog(models.Model):
    """One reminder to one recipient about one subject: the unique row is claimed before the mail
    goes out, so concurrent or repeated jobs send each reminder once."""

    subject = models.CharField(max_length=60, help_text='e.g. "period:42" or "survey:3:17".')
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "applications_reminderlog"
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "kind", "email"], name="reminder_once_per_recipient"
            ),
        ]
        indexes = [models.Index(fields=["sent_at"])]

    def __str__(self):
        return f"{self.kind} {self.subject} to {self.email}"
