"""The audit log: one row per state change, written once and never changed.

The lowest app of all: it knows no model above the user. The object and its program are kept as
a type label and ids, not foreign keys, so that no deletion elsewhere can cascade into the log.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

APPEND_ONLY = "The audit log is append-only: its entries cannot be changed or deleted."
DELETED_ACTOR = "(deleted account)"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit entry."""

    def __init__(self, message=APPEND_ONLY):
        super().__init__(message)


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError()

    def delete(self):
        raise AppendOnlyError()

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError()

    def _forget_actor(self) -> int:
        """The one change the log allows (see audit_actor_forget): the actor is forgotten."""
        return super().update(actor=None, actor_label=DELETED_ACTOR)


class AuditEntry(models.Model):
    at = models.DateTimeField()
    # Null for the scheduler, the sync, a link holder, or a deleted account (then the label
    # says so); the label is a snapshot of who acted, as they were named then.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=100)  # app_label.model, e.g. applications.proposal
    object_id = models.CharField(max_length=64)
    program_id = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["program_id", "at"], name="audit_program_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError()

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field either side names, in a stable order."""
        names = list(dict.fromkeys([*self.before, *self.after]))
        return [(n, self.before.get(n), self.after.get(n)) for n in names]
