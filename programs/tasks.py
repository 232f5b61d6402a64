"""Celery tasks of programs: thin wrappers that load by id and call a service."""

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from programs import services
from programs.models import Invitation, InvitationStatus


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=8,
)
def send_invitation_email(invitation_id: int, token: str) -> None:
    invitation = (
        Invitation.objects.select_related(
            "participation__program", "participation__organization", "invited_by"
        )
        .filter(pk=invitation_id, status=InvitationStatus.PENDING)
        .first()
    )
    if invitation is None:  # revoked or answered before the mail went out: nothing to send
        return
    context = {
        "invitation": invitation,
        "program": invitation.participation.program,
        "organization": invitation.participation.organization,
        "url": settings.SITE_URL + reverse("invitation", args=[token]),
    }
    send_mail(
        subject=render_to_string("emails/invitation_subject.txt", context).strip(),
        message=render_to_string("emails/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


@shared_task
def expire_invitations() -> int:
    return services.invitations_expire(now=timezone.now())
