"""API representations of payouts (read-only)."""

from rest_framework import serializers

from payments.models import Milestone, Payout, PayoutStatus
from programs.serializers import OrganizationRefSerializer, enum_field


class PayoutFilterSerializer(serializers.Serializer):
    program = serializers.SlugField(required=False)
    status = enum_field(PayoutStatus, "PayoutStatus", required=False)
    milestone = enum_field(Milestone, "PayoutMilestone", required=False)
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)


class PayoutProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class PayoutSerializer(serializers.ModelSerializer):
    program = serializers.SlugField(source="program.slug", read_only=True)
    organization = OrganizationRefSerializer(source="participation.organization", read_only=True)
    project = PayoutProjectSerializer(read_only=True, allow_null=True)
    status = enum_field(PayoutStatus, "PayoutStatus", read_only=True)
    milestone = enum_field(Milestone, "PayoutMilestone", read_only=True)
    payee = serializers.CharField(
        source="payee.name", read_only=True, allow_null=True, help_text="Empty for organizations."
    )

    class Meta:
        model = Payout
        fields = [
            "id",
            "reference",
            "program",
            "organization",
            "project",
            "payee",
            "milestone",
            "amount",
            "currency",
            "status",
            "description",
            "created_at",
            "paid_at",
        ]
