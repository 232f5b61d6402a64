"""The payout pages: who reaches which page (every role), the ledger's totals and its CSV against
the database to the cent, and status moves and writer payments through the pages."""

import csv
import io
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from applications.models import ContributorProfile
from payments import services
from payments.models import Milestone, Payout, PayoutStatus
from tests.factories import UserFactory
from tests.support.payouts import ORGANIZATION, make_hire, make_payout

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous", "contributor", "other_contributor", "writer", "mentor", "org_admin",
    "other_org_admin", "manager",
]  # fmt: skip


@pytest.fixture
def people(cast):
    other = UserFactory(email="other-contributor@example.org")
    ContributorProfile.objects.create(
        user=other, country_of_residence="BR", attests_minimum_age=True, is_student=False
    )
    return {role: getattr(cast, role, None) for role in ROLES} | {"other_contributor": other}


def get_as(client, user, url, **kwargs):
    if user is not None:
        client.force_login(user)
    return client.get(url, **kwargs)


@pytest.fixture
def payouts(cast):
    """A contributor's stipend, an org stipend, a grant and a writer payment."""
    make_hire(cast)
    return {
        "stipend": make_payout(cast),
        "org_stipend": make_payout(cast, milestone=Milestone.ORG_STIPEND, payee=ORGANIZATION),
        "grant": make_payout(
            cast,
            milestone=Milestone.GRANT_HIRE,
            status=PayoutStatus.DRAFT,
            program=cast.docs_program,
            participation=cast.docs_participation,
            payee=ORGANIZATION,
            amount=Decimal("2000.00"),
        ),
        "writer_payment": make_payout(cast, milestone=Milestone.WRITER_PAYMENT),
    }


# Who reaches what --------------------------------------------------------------------------

DETAIL = {
    # payout: roles answered 200; anonymous is sent to sign in, everyone else gets 404.
    "stipend": {"contributor", "org_admin", "manager"},
    "org_stipend": {"org_admin", "manager"},
    "grant": {"org_admin", "manager"},
    "writer_payment": {"writer", "org_admin", "manager"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", list(DETAIL))
def test_payout_detail_by_role(client, people, payouts, role, which):
    payout = payouts[which]
    response = get_as(client, people[role], reverse("payout_detail", args=[payout.pk]))
    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    elif role in DETAIL[which]:
        assert response.status_code == 200
        assert payout.reference in response.text
        assert "Status history" in response.text
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_my_payouts_lists_only_the_viewers_own(client, people, payouts, role):
    response = get_as(client, people[role], reverse("my_payouts"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    shown = {p.reference for p in response.context["payouts"]}
    mine = {p.reference for p in payouts.values() if p.payee == people[role]}
    assert shown == mine
    for payout in payouts.values():
        assert (payout.reference in response.text) == (payout.reference in mine)


def test_my_payouts_shows_status_and_history(client, cast, payouts):
    services.payout_transition(
        payout=payouts["stipend"],
        to=PayoutStatus.APPROVED,
        by=cast.manager,
        now=payouts["stipend"].created_at,
        reason="Evaluations checked",
    )
    client.force_login(cast.contributor)
    response = client.get(reverse("my_payouts"))
    assert "Approved" in response.text
    assert "Evaluations checked" in response.text
    assert cast.manager.email in response.text


@pytest.mark.parametrize("role", ROLES)
def test_the_ledger_is_for_the_programs_managers_only(client, people, payouts, cast, role):
    url = reverse("program_ledger", args=[cast.program.slug])
    response = get_as(client, people[role], url)
    expected = {"anonymous": 302, "manager": 200}.get(role, 404)
    assert response.status_code == expected
    csv_response = client.get(url, {"format": "csv"})
    assert csv_response.status_code == expected


def test_a_manager_of_another_program_gets_404(client, cast, payouts):
    from programs.services import manager_grant
    from tests.factories import ProgramFactory

    elsewhere = UserFactory()
    manager_grant(program=ProgramFactory(), user=elsewhere)
    client.force_login(elsewhere)
    assert client.get(reverse("program_ledger", args=[cast.program.slug])).status_code == 404
    assert client.get(reverse("payout_detail", args=[payouts["stipend"].pk])).status_code == 404


ORG_PAGE = {"org_admin", "manager"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("docs", [False, True])
def test_the_org_page_by_role(client, people, payouts, cast, role, docs):
    participation = cast.docs_participation if docs else cast.participation
    url = reverse("org_payouts", args=[participation.program.slug, participation.organization.slug])
    response = get_as(client, people[role], url)
    if role == "anonymous":
        assert response.status_code == 302
    elif role in ORG_PAGE:
        assert response.status_code == 200
        shown = {p.pk for section in response.context["sections"].values() for p in section}
        assert shown == set(
            Payout.objects.filter(participation=participation).values_list("pk", flat=True)
        )
        # Only the organization's own admins get the form to pay writers.
        assert (response.context["record_form"] is not None) == (docs and role == "org_admin")
    else:
        assert response.status_code == 404


# The ledger against the database -----------------------------------------------------------

LEDGER_ROWS = [
    (Milestone.CODING_MIDTERM, PayoutStatus.PENDING, "1048.95", "USD"),
    (Milestone.CODING_MIDTERM, PayoutStatus.APPROVED, "0.10", "USD"),
    (Milestone.CODING_FINAL, PayoutStatus.APPROVED, "0.20", "USD"),
    (Milestone.CODING_FINAL, PayoutStatus.PAID, "1282.05", "USD"),
    (Milestone.ORG_STIPEND, PayoutStatus.DRAFT, "500.00", "USD"),
    (Milestone.CODING_MIDTERM, PayoutStatus.APPROVED, "0.01", "EUR"),
    (Milestone.CODING_FINAL, PayoutStatus.APPROVED, "1234567.89", "EUR"),
    (Milestone.CODING_FINAL, PayoutStatus.CANCELED, "333.33", "EUR"),
]
FILTERS = [
    {},
    {"status": "approved"},
    {"milestone": "coding_midterm"},
    {"currency": "EUR"},
    {"milestone": "coding_final", "status": "approved"},
    {"milestone": "coding_final", "currency": "USD"},
    {"status": "rejected"},
]


@pytest.fixture
def ledger_payouts(cast):
    for milestone, status, amount, currency in LEDGER_ROWS:
        payee = ORGANIZATION if milestone == Milestone.ORG_STIPEND else None
        make_payout(cast, milestone=milestone, status=status, amount=Decimal(amount),
                    currency=currency, payee=payee)  # fmt: skip
    # Another program's payout is never in this ledger.
    make_payout(cast, milestone=Milestone.WRITER_PAYMENT, amount=Decimal("99.99"))


def expected_totals(program, filters):
    rows = (
        Payout.objects.filter(program=program, **filters)
        .order_by("currency")
        .values("currency")
        .annotate(total=Sum("amount"))
    )
    return {row["currency"]: row["total"] for row in rows}


@pytest.mark.parametrize("filters", FILTERS)
def test_ledger_totals_and_csv_agree_with_the_database(client, cast, ledger_payouts, filters):
    url = reverse("program_ledger", args=[cast.program.slug])
    client.force_login(cast.manager)
    expected = expected_totals(cast.program, filters)
    for currency in expected:
        single = Payout.objects.filter(program=cast.program, **{**filters, "currency": currency})
        assert expected[currency] == single.aggregate(total=Sum("amount"))["total"]

    page = client.get(url, filters)
    assert page.status_code == 200
    assert {row["currency"]: row["total"] for row in page.context["totals"]} == expected
    for currency, total in expected.items():
        assert f"{total} {currency}" in page.text
    listed = {p.pk for p in page.context["payouts"]}
    assert listed == set(
        Payout.objects.filter(program=cast.program, **filters).values_list("pk", flat=True)
    )
    # The filters stay in the form.
    for field, value in filters.items():
        assert page.context["filter_form"][field].value() == value

    download = client.get(url, {**filters, "format": "csv"})
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    summed, totals = {}, {}
    for row in rows:
        if row["reference"] == "TOTAL":
            totals[row["currency"]] = Decimal(row["amount"])
        else:
            amount = Decimal(row["amount"])
            assert amount.as_tuple().exponent == -2
            summed[row["currency"]] = summed.get(row["currency"], Decimal(0)) + amount
    assert totals == summed == expected
    assert len(rows) - len(totals) == len(listed)


def test_an_unknown_filter_value_is_refused_with_400(client, cast, ledger_payouts):
    client.force_login(cast.manager)
    url = reverse("program_ledger", args=[cast.program.slug])
    response = client.get(url, {"status": "bogus", "currency": "EUR"})
    assert response.status_code == 400
    # The valid filters still apply.
    assert {row["currency"] for row in response.context["totals"]} == {"EUR"}


# Moves through the pages -------------------------------------------------------------------


def test_a_manager_approves_with_a_reason_and_a_refusal_is_a_400(client, cast, payouts):
    stipend = payouts["stipend"]
    url = reverse("program_ledger", args=[cast.program.slug]) + "?status=pending"
    client.force_login(cast.manager)
    page = client.get(url)
    assert f'name="payout" value="{stipend.pk}"' in page.text
    response = client.post(url, {"payout": stipend.pk, "to": "approved", "reason": "All good"})
    assert response.status_code == 302
    assert response.url == url
    stipend.refresh_from_db()
    assert stipend.status == PayoutStatus.APPROVED
    change = stipend.history.last()
    assert (change.by, change.reason, change.to_status) == (cast.manager, "All good", "approved")

    refused = client.post(url, {"payout": stipend.pk, "to": "pending", "reason": "undo"})
    assert refused.status_code == 400
    assert services.BAD_TRANSITION.format(from_="approved", to="pending approval") in refused.text
    stipend.refresh_from_db()
    assert stipend.status == PayoutStatus.APPROVED

    paid = client.post(url, {"payout": stipend.pk, "to": "paid"})
    assert paid.status_code == 302
    stipend.refresh_from_db()
    assert stipend.status == PayoutStatus.PAID and stipend.paid_at is not None


def test_the_ledger_moves_only_its_programs_payouts_and_not_writer_payments(client, cast, payouts):
    client.force_login(cast.manager)
    url = reverse("program_ledger", args=[cast.program.slug])
    # A payout of another program: not here.
    grant = payouts["grant"]
    response = client.post(url, {"payout": grant.pk, "to": "approved"})
    assert response.status_code == 400
    grant.refresh_from_db()
    assert grant.status == PayoutStatus.DRAFT
    # Writer payments belong to the organizations: the docs ledger shows no buttons for them
    # and the service refuses the manager.
    docs_url = reverse("program_ledger", args=[cast.docs_program.slug])
    writer_payment = payouts["writer_payment"]
    page = client.get(docs_url)
    assert f'name="payout" value="{writer_payment.pk}"' not in page.text
    response = client.post(docs_url, {"payout": writer_payment.pk, "to": "approved"})
    assert response.status_code == 403
    writer_payment.refresh_from_db()
    assert writer_payment.status == PayoutStatus.PENDING


def test_an_org_admin_records_and_moves_a_writer_payment(client, cast, payouts):
    participation = cast.docs_participation
    url = reverse("org_payouts", args=[participation.program.slug, participation.organization.slug])
    hire = participation.hires.get()
    client.force_login(cast.org_admin)
    response = client.post(
        url, {"action": "record", "hire": hire.pk, "amount": "750.50", "note": "March"}
    )
    assert response.status_code == 302
    payout = Payout.objects.get(description="March")
    assert (payout.payee, payout.amount, payout.status) == (
        cast.writer,
        Decimal("750.50"),
        PayoutStatus.DRAFT,
    )
    for to in ["pending", "approved", "paid"]:
        response = client.post(url, {"payout": payout.pk, "to": to, "reason": f"to {to}"})
        assert response.status_code == 302, response.content
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID
    assert [c.to_status for c in payout.history.all()] == ["draft", "pending", "approved", "paid"]
    assert {c.by for c in payout.history.all()} == {cast.org_admin}

    # A paid payment moves no further; the page says why, with 400.
    refused = client.post(url, {"payout": payout.pk, "to": "canceled"})
    assert refused.status_code == 400
    assert "cannot become canceled" in refused.text
    # Grants are the managers' to move: not through this page.
    grant = payouts["grant"]
    refused = client.post(url, {"payout": grant.pk, "to": "canceled"})
    assert refused.status_code == 400
    grant.refresh_from_db()
    assert grant.status == PayoutStatus.DRAFT


def test_recording_a_writer_payment_is_refused_to_others(client, cast, payouts):
    participation = cast.docs_participation
    url = reverse("org_payouts", args=[participation.program.slug, participation.organization.slug])
    hire = participation.hires.get()
    data = {"action": "record", "hire": hire.pk, "amount": "10"}
    before = Payout.objects.count()
    client.force_login(cast.manager)  # sees the page, but only org admins pay writers
    assert client.post(url, data).status_code == 403
    move = {"payout": payouts["writer_payment"].pk, "to": "approved"}
    assert client.post(url, move).status_code == 403
    for role in ["other_org_admin", "mentor", "writer", "outsider", "contributor"]:
        client.force_login(getattr(cast, role))
        assert client.post(url, data).status_code == 404
    client.force_login(cast.org_admin)
    invalid = client.post(url, {"action": "record", "hire": hire.pk, "amount": "0"})
    assert invalid.status_code == 400
    assert Payout.objects.count() == before


# The admin ---------------------------------------------------------------------------------


def test_admin_actions_go_through_the_workflow(client, cast, payouts):
    client.force_login(cast.manager)
    changelist = reverse("admin:payments_payout_changelist")
    page = client.get(changelist)
    assert page.status_code == 200
    assert "delete_selected" not in page.text  # payouts are never deleted
    selected = [payouts["stipend"].pk, payouts["writer_payment"].pk]
    response = client.post(
        changelist, {"action": "approve", "_selected_action": selected}, follow=True
    )
    assert response.status_code == 200
    stipend, writer_payment = (Payout.objects.get(pk=pk) for pk in selected)
    assert stipend.status == PayoutStatus.APPROVED
    assert stipend.history.get().by == cast.manager
    # Writer payments are the organization's to move: refused and reported.
    assert writer_payment.status == PayoutStatus.PENDING
    assert writer_payment.reference in response.text
    # Editing a payout by hand changes nothing: every field is read-only.
    change = reverse("admin:payments_payout_change", args=[stipend.pk])
    client.post(change, {"status": "paid", "amount": "1.00"})
    stipend.refresh_from_db()
    assert (stipend.status, stipend.amount) == (PayoutStatus.APPROVED, Decimal("100.00"))
    history = stipend.history.get()
    delete = reverse("admin:payments_payoutstatuschange_delete", args=[history.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    edit = reverse("admin:payments_payoutstatuschange_change", args=[history.pk])
    client.post(edit, {"reason": "rewritten"})
    history.refresh_from_db()
    assert history.reason == "approved in the admin"


def test_managers_edit_country_factors_in_the_admin(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        reverse("admin:payments_countryfactor_add"),
        {"program": cast.program.pk, "country": "IN", "factor": "0.750"},
    )
    assert response.status_code == 302
    assert services.coding_stipend(program=cast.program, size=175, country="IN") == Decimal(
        "2250.00"
    )
