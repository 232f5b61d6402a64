"""The outbox: every mail that is not a reminder, stored with what it is about before it is sent."""

from django.db import models


class OutboxMail(models.Model):
    """One mail, written in the transaction of what it tells about and sent from this row, so a
    task lost with a killed worker or a broker is sent again (programs/outbox.py)."""

    key = models.CharField(
        max_length=200, unique=True, help_text='What the mail is about, e.g. "receipt:42".'
    )
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField()
    # When its send task was last enqueued: the catch-up job spaces its attempts by it.
    queued_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # A body holding a secret (an invitation's raw token, stored nowhere else) is blanked once
    # sent, so the database keeps no working link.
    secret = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "queued_at"])]

    def __str__(self):
        return f"{self.key} to {', '.join(self.recipients)}"
