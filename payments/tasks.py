"""Celery tasks of payments: thin wrappers around the services."""

from celery import shared_task
from django.utils import timezone

from payments import services, sync
from payments.models import Payout, PayoutStatus
from payments.opencollective import TransientError

# Retries back off 1, 2, 4… seconds up to 2 minutes: far inside the broker's visibility timeout
# (an hour), so a retried task is never handed to a second worker meanwhile.
RETRY = {
    "autoretry_for": (TransientError,),
    "retry_backoff": True,
    "retry_backoff_max": 120,
    "max_retries": 5,
}


@shared_task
def create_due_payouts() -> int:
    return len(services.payouts_create_due(now=timezone.now()))


@shared_task(**RETRY)
def sync_payouts() -> int:
    """Push approved payouts to OpenCollective and mirror expense statuses back; the number of
    payouts linked or moved (0 without a token: the CSV files are the path then)."""
    client = sync.client_from_settings()
    if client is None:
        return 0
    now = timezone.now()
    pushed = sync.payouts_push_approved(client=client, now=now)
    counts = sync.payouts_sync(client=client, now=now)
    if counts["checked"] and counts["failed"] == counts["checked"]:
        # Not one expense could be read: OpenCollective is down, so retry soon. Partial
        # failures wait for the next beat, which looks at every unsettled payout again.
        raise TransientError("OpenCollective could not be reached for any payout.")
    return pushed["pushed"] + counts["updated"]


@shared_task(**RETRY)
def push_payout(payout_id: int) -> bool:
    """Create the approved payout's expense; False when there is nothing to do."""
    client = sync.client_from_settings()
    payout = Payout.objects.filter(
        pk=payout_id, status=PayoutStatus.APPROVED, oc_expense_id__isnull=True
    ).first()
    if client is None or payout is None:
        return False
    sync.payout_push(payout=payout, client=client, by=None, now=timezone.now())
    return True
