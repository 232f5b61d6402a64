"""API representations of ideas, proposals and accepted projects."""

from django.db import models
from rest_framework import serializers

from applications.models import Idea, Project, Proposal, ProposalStatus
from programs.models import ProjectSize
from programs.serializers import (
    PersonSerializer,
    ProgramQuerySerializer,
    enum_field,
    organization_field,
)


class ProjectStatus(models.TextChoices):
    """The values of Project.status (a plain choices list on the model)."""

    ACTIVE = "active", "Active"
    FAILED = "failed", "Failed"
    PASSED = "passed", "Passed"


class IdeaFilterSerializer(ProgramQuerySerializer):
    organization = serializers.SlugField(required=False)
    size = serializers.ChoiceField(choices=ProjectSize.choices, required=False)
    skill = serializers.CharField(required=False, max_length=60)
    q = serializers.CharField(required=False, max_length=100, help_text="Words in title or text.")


class IdeaSerializer(serializers.ModelSerializer):
    organization = organization_field()
    skills = serializers.ListField(source="skill_list", child=serializers.CharField())

    class Meta:
        model = Idea
        fields = ["id", "title", "description", "size", "skills", "organization"]


class AcceptedProjectSerializer(serializers.ModelSerializer):
    status = enum_field(ProjectStatus, "ProjectStatus", read_only=True)
    organization = organization_field()
    contributor = PersonSerializer(read_only=True)
    mentors = PersonSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "organization",
            "contributor",
            "mentors",
            "size",
            "length_weeks",
            "coding_starts_at",
            "coding_ends_at",
            "status",
        ]


class ProposalFilterSerializer(ProgramQuerySerializer):
    status = enum_field(ProposalStatus, "ProposalStatus", required=False)


class OrgProposalFilterSerializer(serializers.Serializer):
    status = enum_field(ProposalStatus, "ProposalStatus", required=False)


class ProposalSerializer(serializers.ModelSerializer):
    """A proposal as its contributor sees it in their list."""

    status = enum_field(ProposalStatus, "ProposalStatus", read_only=True)
    program = serializers.SlugField(source="program.slug", read_only=True)
    organization = organization_field()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "program",
            "organization",
            "idea",
            "title",
            "abstract",
            "size",
            "length_weeks",
            "status",
            "preference",
            "submitted_at",
            "updated_at",
        ]


class ProposalDetailSerializer(ProposalSerializer):
    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "body"]


class OrgProposalSerializer(ProposalSerializer):
    """A proposal as its organization's mentors and admins see it, with review figures."""

    contributor = PersonSerializer(read_only=True)
    mentors = PersonSerializer(many=True, read_only=True)
    average_score = serializers.FloatField(read_only=True, allow_null=True)
    score_count = serializers.IntegerField(read_only=True)
    comment_count = serializers.IntegerField(read_only=True)

    class Meta(ProposalSerializer.Meta):
        fields = [
            *(f for f in ProposalSerializer.Meta.fields if f != "preference"),
            "contributor",
            "mentors",
            "rank",
            "duplicate_of",
            "average_score",
            "score_count",
            "comment_count",
        ]
