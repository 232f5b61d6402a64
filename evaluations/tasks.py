"""Celery tasks of the scheduler: the periodic job and each reminder mail."""

import smtplib

from celery import shared_task
from django.utils import timezone

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
    return reminders.reminder_send(log_id=log_id, now=timezone.now())
