"""The OpenCollective client against a fake GraphQL server on 127.0.0.1, and the push of an
approved payout as an expense (exactly once, even when an answer is lost)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from payments import sync
from payments.models import Milestone, PayoutStatus
from payments.opencollective import (
    OpenCollectiveClient,
    OpenCollectiveError,
    TransientError,
    mentions_reference,
)
from tests.payments.fake_opencollective import TOKEN, FakeServer
from tests.support.opencollective import NOW, make_payout


@pytest.fixture
def server():
    with FakeServer() as running:
        yield running


@pytest.fixture
def fake(server):
    return server.fake


@pytest.fixture
def client(server):
    # Short enough that the delayed-answer tests stay fast.
    return OpenCollectiveClient(server.url, TOKEN, timeout=0.5)


# The client ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_expense_sends_the_token_and_the_payout(cast, client, fake):
    payout = make_payout(cast)
    expense = client.create_expense(payout)
    stored = fake.expenses[expense["id"]]
    assert expense["status"] == "PENDING" and expense["legacyId"] == stored["legacyId"]
    assert stored["account"] == "seasons-stipends"
    assert stored["customData"] == {"reference": payout.reference}
    assert (stored["amount"], stored["currency"], stored["payee"]) == (
        135000,
        "USD",
        "contributor-1",
    )
    request = fake.requests[-1]
    assert request["headers"]["Personal-Token"] == TOKEN
    assert "createExpense(" in request["body"]["query"]


@pytest.mark.django_db
def test_find_by_reference_matches_the_custom_data_exactly(cast, client, fake):
    tenth = make_payout(cast, 10)
    created = client.create_expense(tenth)
    # Searching for …-P1 also finds …-P10 on the server; only an exact match counts.
    prefix = tenth.reference.removesuffix("0")
    assert client.find_expense_by_reference("seasons-stipends", prefix) is None
    assert (
        client.find_expense_by_reference("seasons-stipends", tenth.reference)["id"]
        == (created["id"])
    )
    assert client.find_expense_by_reference("another-collective", tenth.reference) is None


def test_a_graphql_error_surfaces_its_message(client, fake):
    fake.fail("expense", graphql_message="Expense not found for the given id")
    with pytest.raises(OpenCollectiveError, match="Expense not found") as raised:
        client.get_expense("nope")
    assert not isinstance(raised.value, TransientError)


def test_http_500_is_transient(client, fake):
    fake.fail("expense", http_status=500)
    with pytest.raises(TransientError, match="HTTP 500"):
        client.get_expense("anything")


def test_a_bad_token_is_a_permanent_error(server):
    client = OpenCollectiveClient(server.url, "wrong", timeout=1)
    with pytest.raises(OpenCollectiveError, match="HTTP 401: Invalid personal token") as raised:
        client.get_expense("anything")
    assert not isinstance(raised.value, TransientError)


def test_an_unreachable_server_is_transient(server):
    url = server.url
    server.__exit__()  # nothing listens on the port any more
    with pytest.raises(TransientError):
        OpenCollectiveClient(url, TOKEN, timeout=1).get_expense("anything")


def test_process_expense_moves_it(cast, client, fake, db):
    expense = client.create_expense(make_payout(cast))
    assert client.process_expense(expense["id"], "APPROVE")["status"] == "APPROVED"
    assert client.get_expense(expense["id"])["status"] == "APPROVED"
    assert client.get_expense(legacy_id=expense["legacyId"])["id"] == expense["id"]
    with pytest.raises(ValueError, match="Unknown expense action"):
        client.process_expense(expense["id"], "DELETE")


def test_only_http_urls_are_accepted():
    with pytest.raises(ValueError, match="http"):
        OpenCollectiveClient("file:///etc/passwd", TOKEN)


def test_a_reference_is_mentioned_only_as_a_whole_token():
    assert mentions_reference(
        "Stipend [SEASONS-X-CODING_MIDTERM-P1]", "SEASONS-X-CODING_MIDTERM-P1"
    )
    assert not mentions_reference("SEASONS-X-CODING_MIDTERM-P10", "SEASONS-X-CODING_MIDTERM-P1")


# Pushing a payout ------------------------------------------------------------------------


@pytest.mark.django_db
def test_push_links_the_payout_to_one_new_expense(cast, client, fake):
    payout = make_payout(cast)
    sync.payout_push(payout=payout, client=client, by=cast.manager, now=NOW)
    (expense,) = fake.expenses.values()
    assert (payout.oc_expense_id, payout.oc_legacy_id) == (expense["id"], expense["legacyId"])
    assert payout.last_synced_at == NOW
    # Pushing again (a repeated job) neither creates nor relinks anything.
    sync.payout_push(payout=payout, client=client, by=None, now=NOW)
    assert len(fake.expenses) == 1


@pytest.mark.django_db
def test_a_lost_answer_then_a_retry_leaves_exactly_one_expense(cast, client, fake):
    payout = make_payout(cast)
    fake.create_delay = 1.5  # the server creates the expense, the client times out first
    with pytest.raises(TransientError):
        sync.payout_push(payout=payout, client=client, by=None, now=NOW)
    payout.refresh_from_db()
    assert payout.oc_expense_id is None
    assert len(fake.expenses) == 1  # yet the expense exists on OpenCollective

    fake.create_delay = 0
    sync.payout_push(payout=payout, client=client, by=None, now=NOW)
    (expense,) = fake.expenses.values()
    assert payout.oc_expense_id == expense["id"]
    assert sum("createExpense(" in r["body"]["query"] for r in fake.requests) == 1


@pytest.mark.django_db
def test_push_finds_an_expense_entered_by_hand_from_our_csv(cast, client, fake):
    payout = make_payout(cast)
    by_hand = fake.add_expense(
        collective="seasons-stipends", description=f"Midterm stipend [{payout.reference}]"
    )
    sync.payout_push(payout=payout, client=client, by=None, now=NOW)
    assert payout.oc_expense_id == by_hand["id"]
    assert len(fake.expenses) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("status", [PayoutStatus.DRAFT, PayoutStatus.PENDING])
def test_only_approved_payouts_are_pushed(cast, client, fake, status):
    with pytest.raises(ValidationError, match=sync.NOT_APPROVED):
        sync.payout_push(payout=make_payout(cast, status=status), client=client, by=None, now=NOW)
    assert fake.expenses == {}


@pytest.mark.django_db
def test_push_needs_the_slugs(cast, client, fake):
    payout = make_payout(cast, payee_slug="")
    with pytest.raises(ValidationError, match=sync.MISSING_SLUGS):
        sync.payout_push(payout=payout, client=client, by=None, now=NOW)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["org_admin", "mentor", "other_org_admin", "contributor", "writer", "outsider"]
)
def test_only_managers_push_stipends(cast, client, fake, role):
    with pytest.raises(PermissionDenied):
        sync.payout_push(payout=make_payout(cast), client=client, by=getattr(cast, role), now=NOW)
    assert fake.expenses == {}


@pytest.mark.django_db
def test_org_admins_push_their_writer_payments_and_managers_do_not(cast, client, fake):
    payout = make_payout(
        cast,
        milestone=Milestone.WRITER_PAYMENT,
        participation=cast.docs_participation,
        program=cast.docs_program,
        payee=cast.writer,
    )
    with pytest.raises(PermissionDenied):
        sync.payout_push(payout=payout, client=client, by=cast.manager, now=NOW)
    sync.payout_push(payout=payout, client=client, by=cast.org_admin, now=NOW)
    assert payout.oc_expense_id in fake.expenses


@pytest.mark.django_db
def test_a_graphql_error_on_create_leaves_the_payout_unlinked(cast, client, fake):
    payout = make_payout(cast)
    fake.fail("createExpense", graphql_message="Payee must be an active account")
    with pytest.raises(OpenCollectiveError, match="Payee must be an active account"):
        sync.payout_push(payout=payout, client=client, by=None, now=NOW)
    payout.refresh_from_db()
    assert payout.oc_expense_id is None
