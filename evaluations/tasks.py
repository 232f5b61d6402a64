"""Celery tasks of the scheduler: the periodic job and each reminder mail."""

import smtplib

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from evaluations.models import ReminderLog
from evaluations.services import reminders, schedule


@shared_task
def advance_schedule_task() -> dict:
    """The periodic job (see portal/celery.py): everything due now."""
    return schedule.advance_schedule(now=timezone.now())


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    # Retries wait at most 10 minutes each (8 of them: under 5 minutes in all with the
    # doubling), far below the broker's one-hour visibility timeout.
    retry_backoff_max=600,
    max_retries=8,
)
def send_reminder(log_id: int) -> bool:
    """Send one claimed reminder once; a redelivered or repeated task sends nothing twice."""
    with transaction.atomic():
        # The row lock is held while the mail goes out: a second delivery of this task skips
        # the row (and finds it sent afterwards). A worker killed here releases the lock with
        # its connection and leaves sent_at empty, so the job enqueues the reminder again.
        log = (
            ReminderLog.objects.select_for_update(skip_locked=True)
            .filter(pk=log_id, sent_at__isnull=True)
            .first()
        )
        if log is None:
            return False
        message = reminders.reminder_email(log=log, now=timezone.now())
        if message is None:  # its moment passed, or what it asks for is done
            return False
        message.send()
        ReminderLog.objects.filter(pk=log.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return True
