"""Serializers of the docs season."""

from rest_framework import serializers

from applications.serializers import _organization_field
from docs_season.models import DocProposal


class DocProjectSerializer(serializers.ModelSerializer):
    organization = _organization_field()
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = DocProposal
        fields = ["id", "title", "organization", "problem", "scope", "total", "submitted_at"]
