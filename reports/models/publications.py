"""Published statistics: immutable snapshots of a program's public figures, signed with Ed25519.

The signed bytes are the canonical JSON of `data` (see `canonical_json`); the public key that
verifies the signature is stored beside it, so a snapshot stays verifiable after the site's key
is rotated.
"""

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

__all__ = ["PUBLICATION_IMMUTABLE", "Publication", "canonical_json"]

PUBLICATION_IMMUTABLE = "A publication is a snapshot: it cannot be changed or deleted."


def canonical_json(data) -> bytes:
    """The one byte string a publication's digest and signature are computed over."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Publication(models.Model):
    """A program's statistics as published at one instant. Never changed (see save())."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="publications"
    )
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(help_text="The public view of the statistics, as signed.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the canonical JSON, hex.")
    signature = models.CharField(max_length=100, help_text="Ed25519 signature, base64.")
    public_key = models.CharField(max_length=60, help_text="Raw Ed25519 public key, base64.")
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["program", "superseded_by"])]

    def __str__(self):
        return f"{self.program} statistics of {self.published_at:%Y-%m-%d %H:%M} UTC"

    def save(self, *args, **kwargs):
        # The only change a stored publication accepts: being superseded, once.
        if not self._state.adding:
            if set(kwargs.get("update_fields") or ()) != {"superseded_by"}:
                raise ValidationError(PUBLICATION_IMMUTABLE)
            stored = type(self).objects.filter(pk=self.pk).values_list("superseded_by", flat=True)
            if stored.first() is not None:
                raise ValidationError(PUBLICATION_IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(PUBLICATION_IMMUTABLE)

    @property
    def canonical_bytes(self) -> bytes:
        return canonical_json(self.data)

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None
