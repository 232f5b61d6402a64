"""Celery tasks of the coding season: the mails that follow a submission or an announcement."""

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from applications.models import Project, Receipt

RETRY = {
    "autoretry_for": (smtplib.SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": True,
    "max_retries": 8,
}


@shared_task(**RETRY)
def send_receipt_email(receipt_id: int) -> None:
    receipt = (
        Receipt.objects.select_related(
            "proposal__contributor", "proposal__program", "proposal__participation__organization"
        )
        .filter(pk=receipt_id)
        .first()
    )
    if receipt is None:
        return
    proposal = receipt.proposal
    context = {
        "receipt": receipt,
        "proposal": proposal,
        "url": settings.SITE_URL + reverse("proposal_edit", args=[proposal.pk]),
    }
    send_mail(
        subject=f"[Seasons] Receipt {receipt.number}: {proposal.title}",
        message=render_to_string("emails/receipt.txt", context),
        from_email=None,
        recipient_list=[proposal.contributor.email],
    )


@shared_task(**RETRY)
def send_announcement_emails(program_id: int) -> int:
    """Tell each accepted contributor, with the project's mentors and org admins in copy.

    Enqueued once per program by the announce service, which refuses to run twice.
    """
    projects = (
        Project.objects.filter(participation__program_id=program_id)
        .select_related("contributor", "participation__organization", "participation__program")
        .prefetch_related("mentors", "participation__memberships__user")
    )
    sent = 0
    for project in projects:
        org = project.participation.organization
        program = project.participation.program
        recipients = {project.contributor.email}
        recipients |= {m.email for m in project.mentors.all()}
        recipients |= {
            m.user.email for m in project.participation.memberships.all() if m.role == "org_admin"
        }
        context = {
            "project": project,
            "organization": org,
            "program": program,
            "url": settings.SITE_URL + reverse("program_detail", args=[program.slug]),
        }
        send_mail(
            subject=f"[Seasons] Accepted: {project.title} with {org.name} in {program.name}",
            message=render_to_string("emails/accepted.txt", context),
            from_email=None,
            recipient_list=sorted(recipients),
        )
        sent += 1
    return sent
