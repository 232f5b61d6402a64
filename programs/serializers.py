"""API representations of programs, timelines, organizations and roles (read-only)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programs.models import (
    Milestone,
    MilestoneKind,
    Organization,
    Participation,
    ParticipationStatus,
    Program,
    ProgramKind,
)

_enum_field_classes: dict[str, type] = {}


def enum_field(choices, component_name: str, **kwargs) -> serializers.ChoiceField:
    """A choice field whose values are one named enum in the schema: several models have a
    `status` or `kind` with different values, and each gets its own name instead of a hash."""
    # One class per name (the schema tells components apart by identity), and the annotation on
    # the class, not the instance: DRF rebuilds declared fields from their arguments.
    field_class = _enum_field_classes.get(component_name)
    if field_class is None:
        schema = {"type": "string", "enum": [str(value) for value in choices.values]}
        field_class = type(f"{component_name}Field", (serializers.ChoiceField,), {})
        extend_schema_field(schema, component_name=component_name)(field_class)
        _enum_field_classes[component_name] = field_class
    return field_class(choices=choices.choices, **kwargs)


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name"]


class ProgramRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = ["slug", "name", "year"]


class MilestoneSerializer(serializers.ModelSerializer):
    kind = enum_field(MilestoneKind, "MilestoneKind", read_only=True)
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Milestone
        fields = ["kind", "sequence", "label", "starts_at", "ends_at"]


class ProgramSerializer(serializers.ModelSerializer):
    kind = enum_field(ProgramKind, "ProgramKind", read_only=True)

    class Meta:
        model = Program
        fields = ["slug", "name", "kind", "series", "year", "tagline", "currency"]


class ProgramDetailSerializer(ProgramSerializer):
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta(ProgramSerializer.Meta):
        fields = [*ProgramSerializer.Meta.fields, "description", "milestones"]


class ProgramFilterSerializer(serializers.Serializer):
    kind = enum_field(ProgramKind, "ProgramKind", required=False)
    year = serializers.IntegerField(required=False, min_value=1)
    series = serializers.SlugField(required=False)


class OrganizationSerializer(serializers.ModelSerializer):
    tags = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Organization
        fields = ["slug", "name", "tagline", "website", "logo_url", "tags"]


class ParticipationSerializer(serializers.ModelSerializer):
    status = enum_field(ParticipationStatus, "ParticipationStatus", read_only=True)
    program = ProgramRefSerializer(read_only=True)

    class Meta:
        model = Participation
        fields = ["program", "status"]


class OrganizationDetailSerializer(OrganizationSerializer):
    participations = ParticipationSerializer(
        source="visible_participations", many=True, read_only=True
    )

    class Meta(OrganizationSerializer.Meta):
        fields = [
            *OrganizationSerializer.Meta.fields,
            "description",
            "contact_links",
            "participations",
        ]


class OrganizationFilterSerializer(serializers.Serializer):
    program = serializers.SlugField(
        required=False, help_text="Only the organizations accepted into this program."
    )


class MembershipRoleSerializer(serializers.Serializer):
    program = serializers.SlugField(source="participation.program.slug")
    organization = serializers.SlugField(source="participation.organization.slug")
    role = serializers.CharField()


class TokenInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    scope = serializers.CharField()


class MeSerializer(serializers.Serializer):
    """Who the caller is and which roles they hold."""

    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()
    is_superuser = serializers.BooleanField()
    managed_programs = serializers.ListField(child=serializers.SlugField())
    memberships = MembershipRoleSerializer(many=True)
    is_contributor = serializers.BooleanField()
    is_writer = serializers.BooleanField()
    token = TokenInfoSerializer(allow_null=True)


class ErrorSerializer(serializers.Serializer):
    """The body of a 401, 403, 404 or 429: one sentence."""

    detail = serializers.CharField()


class ParticipationOrganizationSerializer(OrganizationRefSerializer):
    """The organization of a row that hangs off a participation."""


def organization_field():
    return ParticipationOrganizationSerializer(source="participation.organization", read_only=True)


class PersonSerializer(serializers.Serializer):
    """A person as the public pages name them: their name, never their e-mail address."""

    name = serializers.CharField()


class ProgramQuerySerializer(serializers.Serializer):
    program = serializers.SlugField(help_text="The program's slug.")
