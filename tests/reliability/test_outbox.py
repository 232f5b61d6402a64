"""Mail on the embedded broker (kombu's filesystem transport, `make run` without Redis): a worker
killed in the middle of a send loses the task for good, as that broker deletes a message when a
worker takes it. The mail itself is stored in the outbox with the receipt, so the catch-up job
enqueues it again, and it is delivered once."""

import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from applications.services import proposals
from programs.models import OutboxMail
from programs.outbox import RESEND_AFTER
from programs.tasks import resend_outbox_mail
from tests.support.proposals import complete_draft
from tests.support.workers import Workers, embedded_broker, slowed_mail, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(tmp_path):
    with embedded_broker(tmp_path) as queue:
        pool = Workers(tmp_path, embedded=True)
        pool.queue_folder = queue
        try:
            yield pool
        finally:
            pool.stop()
            print(pool.output())


def _resend_results(workers) -> list[str]:
    return [
        line.rsplit(": ", 1)[1]
        for line in workers.output().splitlines()
        if "resend_outbox_mail[" in line and " succeeded in " in line
    ]


def _age_outbox():
    OutboxMail.objects.update(queued_at=timezone.now() - RESEND_AFTER - timedelta(minutes=1))


def test_a_receipt_lost_with_a_killed_worker_is_sent_once_by_the_catch_up(cast, workers):
    proposal = complete_draft(cast)
    slow = workers.start("--pool=solo", env=slowed_mail(120))
    receipt = proposals.proposal_submit(proposal=proposal, by=cast.contributor, now=timezone.now())
    assert wait_for(workers.sending), workers.output()
    slow.send_signal(signal.SIGKILL)
    slow.wait(timeout=30)
    # The broker deleted the message when the worker took it: nothing is left to deliver.
    assert list(workers.queue_folder.iterdir()) == []
    assert workers.mails() == []
    mail = OutboxMail.objects.get(key=f"receipt:{receipt.pk}")
    assert mail.sent_at is None

    # A new worker finds nothing to do; a catch-up run enqueues nothing yet (the mail is fresh).
    workers.start("--pool=solo")
    resend_outbox_mail.delay()
    assert wait_for(lambda: _resend_results(workers) == ["0"]), workers.output()
    assert workers.mails() == []

    # Minutes later the catch-up enqueues the mail again, and the worker sends it.
    _age_outbox()
    resend_outbox_mail.delay()
    assert wait_for(lambda: _resend_results(workers) == ["0", "1"]), workers.output()
    assert wait_for(lambda: len(workers.mails()) == 1), workers.output()
    sent = workers.mails()[0]
    assert sent["Subject"] == f"[Seasons] Receipt {receipt.number}: T"
    assert sent["To"] == cast.contributor.email
    assert receipt.number in sent.get_payload()
    assert wait_for(lambda: OutboxMail.objects.get(pk=mail.pk).sent_at is not None)

    # Later runs, even with the row aged again, send nothing twice.
    _age_outbox()
    resend_outbox_mail.delay()
    assert wait_for(lambda: _resend_results(workers) == ["0", "1", "0"]), workers.output()
    assert len(workers.mails()) == 1
