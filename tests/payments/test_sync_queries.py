"""The payout sync reads each expense over HTTP but writes to the database in batches: mirroring
unchanged expenses takes as many queries for thirty payouts as for ten."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments import sync
from payments.models import Milestone, Payout
from payments.opencollective import OpenCollectiveClient
from tests.payments.fake_opencollective import TOKEN, FakeServer
from tests.support.opencollective import NOW, make_payout

pytestmark = pytest.mark.django_db


def linked_payouts(cast, fake, count, start=0):
    for number in range(start, start + count):
        payout = make_payout(
            cast, number, milestone=Milestone.WRITER_PAYMENT, reference=f"SEASONS-Q-{number}"
        )
        expense = fake.add_expense(
            collective=payout.collective_slug, description=payout.reference, status="APPROVED"
        )
        Payout.objects.filter(pk=payout.pk).update(
            oc_expense_id=expense["id"], oc_legacy_id=expense["legacyId"]
        )


def sync_queries(client, now):
    with CaptureQueriesContext(connection) as captured:
        counts = sync.payouts_sync(client=client, now=now)
    return len(captured), counts


def test_syncing_unchanged_expenses_takes_the_same_queries_for_three_times_the_payouts(cast):
    with FakeServer() as server:
        client = OpenCollectiveClient(server.url, TOKEN, timeout=2)
        linked_payouts(cast, server.fake, 10)
        few, first = sync_queries(client, NOW + timedelta(minutes=15))
        linked_payouts(cast, server.fake, 20, start=10)
        later = NOW + timedelta(minutes=30)
        many, second = sync_queries(client, later)
    assert (first["checked"], first["unchanged"]) == (10, 10)
    assert (second["checked"], second["unchanged"]) == (30, 30)
    assert many == few
    assert Payout.objects.filter(last_synced_at=later).count() == 30
