"""Mirroring OpenCollective's expense statuses onto payouts: over the API (against the fake
server), as a Celery task, and through CSV files when there is no token."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from payments import sync, tasks
from payments.models import Milestone, Payout, PayoutStatus, PayoutStatusChange
from payments.opencollective import OpenCollectiveClient, TransientError
from tests.payments.fake_opencollective import TOKEN, FakeServer
from tests.support.opencollective import NOW, make_payout

pytestmark = pytest.mark.django_db
LATER = NOW + timedelta(minutes=15)


@pytest.fixture
def server():
    with FakeServer() as running:
        yield running


@pytest.fixture
def fake(server):
    return server.fake


@pytest.fixture
def client(server):
    return OpenCollectiveClient(server.url, TOKEN, timeout=2)


def pushed(cast, client, number=1, **fields):
    payout = make_payout(cast, number, **fields)
    return sync.payout_push(payout=payout, client=client, by=None, now=NOW)


def history(payout):
    return list(
        PayoutStatusChange.objects.filter(payout=payout).values_list(
            "from_status", "to_status", "by", "reason"
        )
    )


# Over the API ----------------------------------------------------------------------------


def test_paid_on_opencollective_moves_the_payout_to_paid_once(cast, client, fake):
    payout = pushed(cast, client)
    fake.set_status(payout.oc_expense_id, "PAID")

    counts = sync.payouts_sync(client=client, now=LATER)
    assert counts["updated"] == 1
    payout.refresh_from_db()
    assert (payout.status, payout.paid_at, payout.last_synced_at) == ("paid", LATER, LATER)
    assert history(payout) == [("approved", "paid", None, "OpenCollective: PAID")]

    # Paid is settled: the next sync does not even ask again, and nothing changes.
    again = sync.payouts_sync(client=client, now=LATER + timedelta(minutes=15))
    assert again["checked"] == 0
    payout.refresh_from_db()
    assert payout.paid_at == LATER and len(history(payout)) == 1


def test_an_unchanged_expense_only_records_the_sync(cast, client, fake):
    payout = pushed(cast, client)
    counts = sync.payouts_sync(client=client, now=LATER)
    assert (counts["checked"], counts["unchanged"], counts["updated"]) == (1, 1, 0)
    payout.refresh_from_db()
    assert (payout.status, payout.last_synced_at) == ("approved", LATER)
    assert history(payout) == []


def test_rejected_on_opencollective_rejects_a_pending_payout(cast, client, fake):
    # Entered by hand on OpenCollective and linked before our approval.
    expense = fake.add_expense(collective="seasons-stipends", description="by hand")
    payout = make_payout(cast, status=PayoutStatus.PENDING, oc_expense_id=expense["id"])
    fake.set_status(expense["id"], "REJECTED")
    assert sync.payouts_sync(client=client, now=LATER)["updated"] == 1
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.REJECTED
    assert history(payout) == [("pending", "rejected", None, "OpenCollective: REJECTED")]


def test_approved_on_opencollective_approves_a_pending_payout(cast, client, fake):
    expense = fake.add_expense(collective="seasons-stipends", description="by hand")
    payout = make_payout(cast, status=PayoutStatus.PENDING, oc_expense_id=expense["id"])
    fake.set_status(expense["id"], "APPROVED")
    sync.payouts_sync(client=client, now=LATER)
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.APPROVED


def test_a_move_the_workflow_forbids_is_left_for_a_manager(cast, client, fake):
    expense = fake.add_expense(collective="seasons-stipends", description="by hand")
    payout = make_payout(cast, status=PayoutStatus.DRAFT, oc_expense_id=expense["id"])
    fake.set_status(expense["id"], "PAID")
    counts = sync.payouts_sync(client=client, now=LATER)
    assert counts["conflict"] == 1
    payout.refresh_from_db()
    assert (payout.status, payout.last_synced_at) == ("draft", LATER)


def test_a_500_on_one_expense_does_not_stop_the_others(cast, client, fake):
    first, second = pushed(cast, client, 1), pushed(cast, client, 2)
    fake.set_status(first.oc_expense_id, "PAID")
    fake.set_status(second.oc_expense_id, "PAID")
    fake.fail("expense", http_status=500, expense_id=first.oc_expense_id)

    counts = sync.payouts_sync(client=client, now=LATER)
    assert (counts["failed"], counts["updated"]) == (1, 1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.last_synced_at) == ("approved", NOW)
    assert second.status == "paid"
    # The next run picks the first one up.
    assert sync.payouts_sync(client=client, now=LATER)["updated"] == 1


def test_a_payout_linked_by_its_legacy_number_learns_its_id(cast, client, fake):
    expense = fake.add_expense(collective="seasons-stipends", description="by hand")
    payout = make_payout(cast, oc_legacy_id=expense["legacyId"])
    fake.set_status(expense["id"], "PAID")
    sync.payouts_sync(client=client, now=LATER)
    payout.refresh_from_db()
    assert (payout.oc_expense_id, payout.status) == (expense["id"], "paid")


# As Celery tasks -------------------------------------------------------------------------


@pytest.fixture
def configured(settings, server):
    settings.OPENCOLLECTIVE_API_URL = server.url
    settings.OPENCOLLECTIVE_TOKEN = TOKEN
    settings.OPENCOLLECTIVE_TIMEOUT = 2
    return settings


def test_the_task_pushes_approved_payouts_and_mirrors_statuses(cast, configured, fake):
    approved = make_payout(cast, 1)
    make_payout(cast, 2, status=PayoutStatus.PENDING)
    make_payout(cast, 3, collective_slug="")  # not sendable: left for a manager
    assert tasks.sync_payouts() == 1
    approved.refresh_from_db()
    assert list(fake.expenses) == [approved.oc_expense_id]

    fake.set_status(approved.oc_expense_id, "PAID")
    assert tasks.sync_payouts() == 1
    assert tasks.sync_payouts() == 0
    approved.refresh_from_db()
    assert approved.status == "paid" and len(fake.expenses) == 1


def test_the_task_retries_when_opencollective_is_down(cast, configured, client, fake):
    payout = pushed(cast, client)
    fake.fail("expense", http_status=503, expense_id=payout.oc_expense_id)
    with pytest.raises(TransientError):
        tasks.sync_payouts()


def test_push_payout_task(cast, configured, fake):
    payout = make_payout(cast)
    assert tasks.push_payout(payout.pk) is True
    assert tasks.push_payout(payout.pk) is False  # linked already
    payout.refresh_from_db()
    assert list(fake.expenses) == [payout.oc_expense_id]


def test_without_a_token_nothing_is_sent_and_nothing_breaks(cast, settings, fake):
    settings.OPENCOLLECTIVE_TOKEN = ""
    payout = make_payout(cast)
    assert sync.client_from_settings() is None
    assert tasks.sync_payouts() == 0
    assert tasks.push_payout(payout.pk) is False
    assert fake.requests == []
    assert payout.reference in sync.approved_payouts_csv()


# CSV files -------------------------------------------------------------------------------


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_lists_approved_payouts_not_yet_on_opencollective(cast, client, fake):
    approved = make_payout(cast, 1, description="Midterm stipend")
    make_payout(cast, 2, status=PayoutStatus.PENDING)
    pushed(cast, client, 3)
    (row,) = rows(sync.approved_payouts_csv())
    assert row == {
        "reference": approved.reference,
        "collective_slug": "seasons-stipends",
        "payee_name": cast.contributor.name,
        "payee_email": "contributor@example.org",
        "payee_slug": "contributor-1",
        "type": "INVOICE",
        "description": f"Midterm stipend [{approved.reference}]",
        "amount": "1350.00",
        "currency": "USD",
        "milestone": approved.milestone,
        "program": cast.program.slug,
    }
    assert rows(sync.approved_payouts_csv(program=cast.docs_program)) == []


def test_the_csv_never_hands_a_spreadsheet_a_formula(cast):
    cast.contributor.name = '=HYPERLINK("http://evil.example")'
    cast.contributor.save()
    make_payout(cast)
    (row,) = rows(sync.approved_payouts_csv())
    assert row["payee_name"].startswith("'=")


def oc_export(*lines):
    header = "id,legacyId,status,description,amount,currency"
    return "\n".join([header, *lines]) + "\n"


def test_importing_the_export_links_by_reference_and_moves_statuses(cast):
    paid = make_payout(cast, 1)
    waiting = make_payout(cast, 2)
    text = oc_export(
        f"ab12cd,4242,PAID,Stipend [{paid.reference}],1350.00,USD",
        f"ef34gh,4243,PENDING,Stipend [{waiting.reference}],1350.00,USD",
        "zz99zz,4244,PAID,Somebody else's expense,20.00,USD",
    )
    counts = sync.opencollective_export_import(csv_text=text, now=LATER, by=cast.manager)
    assert {k: counts[k] for k in ("rows", "matched", "linked", "updated", "unknown")} == {
        "rows": 3,
        "matched": 2,
        "linked": 2,
        "updated": 1,
        "unknown": 1,
    }
    paid.refresh_from_db()
    waiting.refresh_from_db()
    assert (paid.oc_expense_id, paid.oc_legacy_id, paid.status) == ("ab12cd", 4242, "paid")
    assert history(paid) == [("approved", "paid", cast.manager.pk, "OpenCollective export: PAID")]
    assert (waiting.oc_expense_id, waiting.status) == ("ef34gh", "approved")

    # Importing the same file again changes nothing.
    again = sync.opencollective_export_import(csv_text=text, now=LATER, by=cast.manager)
    assert (again["matched"], again["linked"], again["updated"]) == (2, 0, 0)
    assert len(history(paid)) == 1


def test_importing_matches_linked_payouts_by_id_and_legacy_number(cast):
    by_id = make_payout(cast, 1, oc_expense_id="ab12cd")
    by_legacy = make_payout(cast, 2, oc_legacy_id=77)
    text = "Expense ID,Status,Description\nab12cd,REJECTED,x\n77,PAID,y\n"
    counts = sync.opencollective_export_import(csv_text=text, now=LATER, by=None)
    assert counts["matched"] == 2
    by_id.refresh_from_db()
    by_legacy.refresh_from_db()
    # The fiscal host rejected an expense the collective had approved.
    assert (by_id.status, counts["conflict"]) == ("rejected", 0)
    assert by_legacy.status == "paid"


def test_importing_skips_a_row_whose_amount_differs(cast):
    payout = make_payout(cast)
    text = oc_export(f"ab12cd,1,PAID,[{payout.reference}],999.00,USD")
    counts = sync.opencollective_export_import(csv_text=text, now=LATER, by=cast.manager)
    assert counts["amount_differs"] == 1
    assert "Line 2" in counts["problems"][0]
    payout.refresh_from_db()
    assert (payout.status, payout.oc_expense_id) == ("approved", None)


def test_importing_the_same_payout_entered_twice_reports_the_second(cast):
    payout = make_payout(cast)
    text = oc_export(
        f"ab12cd,1,PENDING,[{payout.reference}],1350.00,USD",
        f"ef34gh,2,PAID,[{payout.reference}] again,1350.00,USD",
    )
    counts = sync.opencollective_export_import(csv_text=text, now=LATER, by=cast.manager)
    assert counts["other_expense"] == 1
    payout.refresh_from_db()
    assert (payout.oc_expense_id, payout.status) == ("ab12cd", "approved")


def test_importing_needs_a_manager_of_the_program(cast):
    payout = make_payout(cast)
    text = oc_export(f"ab12cd,1,PAID,[{payout.reference}],1350.00,USD")
    counts = sync.opencollective_export_import(csv_text=text, now=LATER, by=cast.org_admin)
    assert counts["not_allowed"] == 1
    payout.refresh_from_db()
    assert (payout.status, payout.oc_expense_id) == ("approved", None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", sync.EMPTY_CSV),
        ("\ufeff\n", sync.EMPTY_CSV),
        ("name,amount\nx,1\n", "lacks the column(s) id or legacyId, status, description or"),
        ("id,description\n1,x\n", "lacks the column(s) status; found: id, description"),
        ('id,status,description\n1,PAID,"never closed\n', "not readable as CSV"),
    ],
)
def test_a_bad_file_says_what_is_wrong(cast, text, message):
    with pytest.raises(ValidationError) as raised:
        sync.opencollective_export_import(csv_text=text, now=LATER, by=cast.manager)
    assert message in raised.value.messages[0]


def test_writer_payments_are_imported_by_the_org_admin(cast):
    payout = make_payout(
        cast,
        milestone=Milestone.WRITER_PAYMENT,
        participation=cast.docs_participation,
        program=cast.docs_program,
        payee=cast.writer,
    )
    text = oc_export(f"ab12cd,1,PAID,[{payout.reference}],1350.00,USD")
    assert (
        sync.opencollective_export_import(csv_text=text, now=LATER, by=cast.manager)["not_allowed"]
        == 1
    )
    sync.opencollective_export_import(csv_text=text, now=LATER, by=cast.org_admin)
    assert Payout.objects.get(pk=payout.pk).status == "paid"
