"""Mail sent once and never lost: a row per mail in the transaction of what it is about, a send
task that marks it sent under the row's lock, and a catch-up that enqueues a lost one again.

Reminders keep their own send log (evaluations/services/reminders.py); every other mail goes
through here.
"""

from datetime import datetime, timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from programs.models import OutboxMail

# A mail still unsent this long after its task was enqueued lost that task (a worker killed
# with it; the embedded broker deletes a message when a worker fetches it): enqueue it again,
# at most once per this interval. Older than RESEND_WITHIN, it is left for a person to look at.
RESEND_AFTER = timedelta(minutes=5)
RESEND_WITHIN = timedelta(days=7)
# Sent mail is kept this long (for support questions: "did my receipt go out?"), then deleted:
# the bodies hold people's names and what they wrote.
KEEP_SENT = timedelta(days=30)


def _enqueue(mail_id: int) -> None:
    from programs.tasks import send_outbox_mail

    # Robust: with the broker unreachable the row stays committed (the error is logged) and
    # outbox_resend enqueues it once RESEND_AFTER has passed.
    transaction.on_commit(lambda: send_outbox_mail.delay(mail_id), robust=True)


def outbox_add(
    *,
    key: str,
    recipients: list[str],
    subject: str,
    body: str,
    now: datetime,
    secret: bool = False,
) -> OutboxMail:
    """Store a mail under its unique key and enqueue it when the caller's transaction commits
    (a key stored before is neither stored nor enqueued again)."""
    mail, created = OutboxMail.objects.get_or_create(
        key=key,
        defaults={
            "recipients": list(recipients),
            "subject": subject,
            "body": body,
            "created_at": now,
            "queued_at": now,
            "secret": secret,
        },
    )
    if created:
        _enqueue(mail.pk)
    return mail


def outbox_send(*, mail_id: int) -> bool:
    """Send one stored mail and mark it sent; False when it was sent or another worker is
    sending it."""
    with transaction.atomic():
        # The row lock is held while the mail goes out: a second delivery of the task skips the
        # row (and finds it sent afterwards). A worker killed here releases the lock with its
        # connection and leaves sent_at empty, so outbox_resend enqueues it again.
        mail = (
            OutboxMail.objects.select_for_update(skip_locked=True)
            .filter(pk=mail_id, sent_at__isnull=True)
            .first()
        )
        if mail is None:
            return False
        send_mail(
            subject=mail.subject,
            message=mail.body,
            from_email=None,
            recipient_list=mail.recipients,
        )
        sent = {"sent_at": timezone.now()}
        if mail.secret:
            sent["body"] = ""
        OutboxMail.objects.filter(pk=mail.pk).update(**sent)
    return True


def outbox_withdraw(*, keys: list[str]) -> int:
    """Drop the mails not sent yet under these keys (what they announce was revoked)."""
    return OutboxMail.objects.filter(key__in=keys, sent_at__isnull=True).delete()[0]


def outbox_prune(*, now: datetime) -> int:
    """Delete the mails sent more than KEEP_SENT ago."""
    return OutboxMail.objects.filter(sent_at__lt=now - KEEP_SENT).delete()[0]


def outbox_forget(*, addresses: set[str]) -> int:
    """Delete every mail to any of these addresses (lower-case), sent or not: the person's
    account is being deleted."""
    if not addresses:
        return 0
    # A first cut in SQL (the JSON text holds the address), the exact test in Python.
    candidates = OutboxMail.objects.none()
    for address in addresses:
        candidates |= OutboxMail.objects.filter(recipients__icontains=address)
    doomed = [
        mail.pk
        for mail in candidates.only("pk", "recipients")
        if {recipient.lower() for recipient in mail.recipients} & addresses
    ]
    return OutboxMail.objects.filter(pk__in=doomed).delete()[0]


def outbox_resend(*, now: datetime) -> int:
    """Enqueue again the mails whose task was lost; each row is claimed by moving its
    queued_at, so concurrent or repeated runs enqueue it once per RESEND_AFTER."""
    cutoff = now - RESEND_AFTER
    stuck = OutboxMail.objects.filter(
        sent_at__isnull=True, queued_at__lt=cutoff, created_at__gte=now - RESEND_WITHIN
    ).values_list("pk", flat=True)
    enqueued = 0
    for mail_id in stuck:
        with transaction.atomic():
            claimed = OutboxMail.objects.filter(
                pk=mail_id, sent_at__isnull=True, queued_at__lt=cutoff
            ).update(queued_at=now)
            if claimed:
                _enqueue(mail_id)
                enqueued += 1
    return enqueued
