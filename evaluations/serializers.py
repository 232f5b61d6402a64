"""Serializers of projects and their evaluation periods."""

from django.db import models
from rest_framework import serializers

from applications.models import Project
from applications.serializers import ProjectStatus
from evaluations.models import EvaluationKind, PeriodStatus, Side
from evaluations.selectors import ENDED
from programs.serializers import enum_field, organization_field


class PeriodState(models.TextChoices):
    """A period's state as the pages show it (evaluations.selectors.period_state)."""

    UPCOMING = PeriodStatus.UPCOMING.value, PeriodStatus.UPCOMING.label
    OPEN = PeriodStatus.OPEN.value, PeriodStatus.OPEN.label
    SUBMITTED = PeriodStatus.SUBMITTED.value, PeriodStatus.SUBMITTED.label
    MISSED = PeriodStatus.MISSED.value, PeriodStatus.MISSED.label
    ENDED = ENDED, "Not due (project ended)"


class MyProjectSerializer(serializers.ModelSerializer):
    status = enum_field(ProjectStatus, "ProjectStatus", read_only=True)
    program = serializers.SlugField(source="participation.program.slug", read_only=True)
    organization = organization_field()

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "program",
            "organization",
            "size",
            "length_weeks",
            "coding_starts_at",
            "coding_ends_at",
            "status",
        ]


class PeriodSummarySerializer(serializers.Serializer):
    """One evaluation period and what the viewer may know of its evaluation."""

    id = serializers.IntegerField(source="period.pk")
    kind = enum_field(EvaluationKind, "EvaluationKind", source="period.kind")
    side = enum_field(Side, "EvaluationSide", source="period.side")
    opens_at = serializers.DateTimeField(source="period.opens_at")
    closes_at = serializers.DateTimeField(source="period.closes_at")
    state = enum_field(PeriodState, "PeriodState")
    filed = serializers.BooleanField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    passed = serializers.BooleanField(
        allow_null=True, help_text="The mentor's grade, when the viewer may read it."
    )
    can_file = serializers.BooleanField()


class ProjectEvaluationsSerializer(serializers.Serializer):
    project = MyProjectSerializer()
    role = serializers.CharField(help_text="The viewer's role in the project.")
    periods = PeriodSummarySerializer(many=True)
