"""Payments react to evaluations without evaluations knowing about money: a submitted evaluation
or an ended project enqueues the payout job at once instead of waiting for the next beat."""

from django.db import transaction
from django.dispatch import receiver

from evaluations.services.filing import evaluation_submitted, project_ended


@receiver(evaluation_submitted)
@receiver(project_ended)
def _create_due_payouts(sender, **kwargs):
    from payments.tasks import create_due_payouts

    # Robust: with the broker unreachable the evaluation is still answered as filed (the error
    # is logged); the beat's run of the same job, every 5 minutes, creates the payouts.
    transaction.on_commit(create_due_payouts.delay, robust=True)
