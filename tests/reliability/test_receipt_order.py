"""Twenty edits of one submitted proposal at once, against PostgreSQL: receipts are numbered in
the order the texts were stored, their times never run against their numbers, and the latest
receipt is the one of the text the database holds.

Each edit reads its clock before it waits for the row lock (as a request does), and the clocks
are handed out so that the edits that read theirs last tend to be released first.
"""

import random
import threading
from datetime import timedelta

import pytest
from django.db import connection

from applications.models import Proposal, Receipt, Registration
from applications.services import proposals
from programs.models import MilestoneKind
from tests.factories import coding_timeline
from tests.support.cast import DEADLINE

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

EDITS = 20
TIMEOUT = 60


@pytest.fixture
def submitted(cast):
    cast.program.milestones.all().delete()
    coding_timeline(cast.program, around=MilestoneKind.CONTRIBUTOR_APPLICATIONS, at=DEADLINE)
    before = DEADLINE - timedelta(days=1)
    Registration.objects.create(user=cast.contributor, program=cast.program, registered_at=before)
    proposal = proposals.proposal_create(
        contributor=cast.contributor,
        program=cast.program,
        participation=cast.participation,
        idea=None,
        now=before,
    )
    proposals.proposal_save(
        proposal=proposal,
        by=cast.contributor,
        data={
            "title": "Faster rendering",
            "abstract": "Make it fast.",
            "body": "First text.",
            "size": 175,
            "length_weeks": 12,
        },
        now=before,
    )
    proposals.proposal_submit(proposal=proposal, by=cast.contributor, now=before)
    return proposal


def test_parallel_edits_leave_receipts_in_the_order_the_texts_were_stored(cast, submitted):
    clocks = [DEADLINE - timedelta(hours=1) + timedelta(seconds=n) for n in range(EDITS)]
    random.Random(7).shuffle(clocks)
    barrier = threading.Barrier(EDITS)
    errors = []

    def edit(n, now):
        try:
            barrier.wait(timeout=TIMEOUT)
            proposal = Proposal.objects.get(pk=submitted.pk)
            proposals.proposal_save(
                proposal=proposal, by=cast.contributor, data={"body": f"Text {n}."}, now=now
            )
        except BaseException as error:  # reported below, with the thread that raised it
            errors.append((n, error))
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(n, now)) for n, now in enumerate(clocks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not errors, errors

    stored = Proposal.objects.get(pk=submitted.pk)
    receipts = sorted(
        Receipt.objects.filter(proposal=stored), key=lambda r: int(r.number.rsplit("-", 1)[1])
    )
    assert len(receipts) == EDITS + 1  # the submission's, then one per distinct text
    times = [r.submitted_at for r in receipts]
    assert times == sorted(times), "a receipt's time runs against its number"
    latest = stored.receipts.first()
    assert latest == receipts[-1], f"latest shown {latest.number}, last stored {receipts[-1]}"
    assert latest.digest == stored.content_digest
    assert latest.content["body"] == stored.body
