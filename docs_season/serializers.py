"""Serializers of the docs season."""

from rest_framework import serializers

from docs_season.models import DocProposal
from programs.serializers import organization_field


class DocProjectSerializer(serializers.ModelSerializer):
    organization = organization_field()
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = DocProposal
        fields = ["id", "title", "organization", "problem", "scope", "total", "submitted_at"]
