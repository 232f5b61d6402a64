"""Celery tasks of payments: thin wrappers around the services."""

from celery import shared_task
from django.utils import timezone

from payments import services


@shared_task
def create_due_payouts() -> int:
    return len(services.payouts_create_due(now=timezone.now()))
