"""The public GSoC archive imported as past seasons: one row per passed project."""

from django.db import models

__all__ = ["ArchivedProject", "ArchivedProjectStatus"]


class ArchivedProjectStatus(models.TextChoices):
    # The public archive lists only projects whose contributor passed.
    PASSED = "passed", "Passed"


class ArchivedProject(models.Model):
    """A finished project of a past season, as published in the public archive."""

    participation = models.ForeignKey(
        "programs.Participation", on_delete=models.CASCADE, related_name="archived_projects"
    )
    title = models.CharField(max_length=255)
    abstract = models.TextField(blank=True)
    contributor_display_name = models.CharField(max_length=200, blank=True)
    mentor_names = models.JSONField(default=list, blank=True)
    code_url = models.URLField(max_length=500, blank=True)
    tech_tags = models.JSONField(default=list, blank=True)
    topic_tags = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=ArchivedProjectStatus.choices, default=ArchivedProjectStatus.PASSED
    )
    archived_at = models.DateTimeField()
    external_key = models.CharField(
        max_length=255,
        unique=True,
        help_text="Stable key of the archive record: year:organization:title-slug:occurrence.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["participation", "title", "external_key"]

    def __str__(self):
        return self.title
