"""Contributor and technical-writer profiles; proposals and evaluations come later."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

country_code = RegexValidator(r"^[A-Z]{2}$", "Use the two-letter ISO 3166-1 code, e.g. DE or IN.")


def validate_timezone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (use e.g. Europe/Berlin).")


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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_week_min__lte=F("hours_per_week_max")),
                name="writer_hours_bounds",
            ),
        ]

    def __str__(self):
        return self.display_name
