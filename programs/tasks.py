"""Celery tasks of programs: thin wrappers that load by id and call a service."""

import smtplib

from celery import shared_task
from django.utils import timezone

from programs import outbox, services


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=8,
)
def send_outbox_mail(mail_id: int) -> bool:
    return outbox.outbox_send(mail_id=mail_id)


@shared_task
def resend_outbox_mail() -> int:
    now = timezone.now()
    outbox.outbox_prune(now=now)
    return outbox.outbox_resend(now=now)


@shared_task
def expire_invitations() -> int:
    return services.invitations_expire(now=timezone.now())
