"""Download my data and delete my account (portal/privacy/): each person's export holds their
rows and nobody else's private ones, in a fixed number of queries; deletion keeps payouts and
the counted rows without the person, and leaves nothing else of them."""

import json
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import tokens
from applications.models import (
    Comment,
    Project,
    Proposal,
    ProposalStatus,
    Receipt,
)
from audit.models import DELETED_ACTOR, AuditEntry
from audit.services import audit_record
from docs_season.models import Hire, StatementOfInterest
from evaluations.models import Evaluation, EvaluationKind, ReminderLog, Side
from payments.models import Milestone, Payout, PayoutStatus, PayoutStatusChange
from portal.privacy import deletion, export
from programs.models import Invitation, Membership, OutboxMail, Role
from reports.statistics import program_statistics
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.support.cast import DEADLINE
from tests.support.evaluations import make_project, period_of
from tests.support.privacy import coding_season, evaluate, payout
from tests.support.proposals import submitted

pytestmark = pytest.mark.django_db
User = get_user_model()


def someone_elses_rows(cast):
    """Another contributor's private rows, which no export of the cast's contributor may show."""
    stranger = UserFactory(email="stranger@example.org")
    theirs = submitted(cast.participation, stranger, title="Stranger's proposal")
    Receipt.objects.create(
        proposal=theirs,
        number="R-STRANGER",
        submitted_at=DEADLINE,
        digest="e" * 64,
        content={"body": "stranger's plan"},
    )
    Comment.objects.create(proposal=theirs, author=cast.mentor, body="stranger comment")
    Payout.objects.create(
        reference="PRIV-STRANGER",
        program=cast.program,
        participation=cast.participation,
        payee=stranger,
        milestone=Milestone.ORG_STIPEND,
        amount=Decimal("500.00"),
        currency="USD",
        created_at=DEADLINE,
    )
    tokens.token_create(user=stranger, name="stranger token", scope="read")
    return stranger


# Download my data -------------------------------------------------------------------------------


def test_the_export_is_a_json_attachment_of_the_users_rows_and_nobody_elses(client, cast):
    project, stipend, token = coding_season(cast)
    someone_elses_rows(cast)
    client.force_login(cast.contributor)

    response = client.get(reverse("account_data_export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    data = json.loads(text)
    assert data["account"]["email"] == "contributor@example.org"
    assert [a["email"] for a in data["email_addresses"]] == ["contributor@example.org"]
    assert data["contributor_profile"]["country_of_residence"] == "IN"
    assert [r["program"] for r in data["registrations"]] == [cast.program.name]
    assert {p["title"] for p in data["proposals"]} == {
        "Faster previews",
        "Second idea",
        "Half-written draft",
    }
    second = next(p for p in data["proposals"] if p["title"] == "Second idea")
    assert second["receipts"][0]["content"] == {"body": "my submitted plan"}
    assert [(p["id"], p["role"]) for p in data["projects"]] == [(project.pk, "contributor")]
    assert [e["answers"] for e in data["evaluations_filed"]] == [
        {"mentor_rating": 4, "feedback": "more reviews please"}
    ]
    # The mentor's evaluation: the contributor reads the grade, as on the project page.
    assert [e["answers"] for e in data["evaluations_received"]] == [{"grade": "pass"}]
    [paid] = data["payouts"]
    assert (paid["reference"], paid["amount"], paid["currency"]) == (
        stipend.reference,
        "1350.00",
        "USD",
    )
    assert [h["to_status"] for h in paid["history"]] == ["pending", "approved"]
    assert data["api_tokens"] == [
        {
            "name": "stats script",
            "scope": "read",
            "key_prefix": token.key_prefix,
            "created_at": token.created_at.isoformat(),
            "last_used_at": None,
            "revoked_at": None,
        }
    ]
    # Nothing private of others, nothing about the contributor the org keeps to itself, no secret.
    for absent in (
        "stranger",
        "PRIV-STRANGER",
        "weak on testing",
        "mentor-only secret",
        "steady",
        token.key_hash,
        cast.contributor.password,
        "manager@example.org",
    ):
        assert absent not in text, absent


def test_a_mentor_exports_what_they_wrote_and_what_their_contributors_said(cast):
    coding_season(cast)
    data = export.user_data_export(user=cast.mentor)

    assert [e["answers"]["private_notes"] for e in data["evaluations_filed"]] == [
        "mentor-only secret"
    ]
    assert [e["answers"] for e in data["evaluations_received"]] == [
        {"mentor_rating": 4, "feedback": "more reviews please"}
    ]
    assert [p["role"] for p in data["projects"]] == ["mentor"]
    assert [m["role"] for m in data["memberships"]] == [Role.MENTOR]
    assert data["proposals"] == [] and data["payouts"] == []
    other = export.user_data_export(user=cast.other_mentor)
    assert [c["body"] for c in other["comments_written"]] == ["weak on testing"]
    assert [s["value"] for s in other["scores_given"]] == [2]


def test_a_writer_exports_statements_hires_payouts_and_invitations_to_their_address(cast):
    writer = cast.writer
    StatementOfInterest.objects.create(
        participation=cast.docs_participation, writer=writer, message="I write", sent_at=DEADLINE
    )
    Hire.objects.create(
        participation=cast.docs_participation,
        writer=writer,
        agreed_hours=200,
        hours_per_week=10,
        compensation=Decimal("6000.00"),
        hired_at=DEADLINE,
    )
    payout(
        cast,
        payee=writer,
        milestone=Milestone.WRITER_PAYMENT,
        participation=cast.docs_participation,
    )
    invite = {"participation": cast.participation, "created_at": DEADLINE}
    invite["expires_at"] = DEADLINE + timezone.timedelta(days=7)
    Invitation.objects.create(email="WRITER@example.org", token_digest="a" * 64, **invite)
    Invitation.objects.create(email="someone@example.org", token_digest="b" * 64, **invite)

    data = export.user_data_export(user=writer)

    assert data["writer_profile"]["display_name"] == "W. Riter"
    assert [s["message"] for s in data["statements_of_interest"]] == ["I write"]
    assert [h["compensation"] for h in data["hires"]] == ["6000.00"]
    assert [p["milestone"] for p in data["payouts"]] == [Milestone.WRITER_PAYMENT]
    assert [i["email"] for i in data["invitations"]] == ["WRITER@example.org"]
    assert "b" * 64 not in json.dumps(data)


def _export_queries(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        export.user_data_export(user=user)
    return len(queries)


def test_the_export_runs_as_many_queries_for_many_rows_as_for_one(cast):
    coding_season(cast)
    few = _export_queries(cast.contributor)
    for n in range(4):
        project = make_project(cast, participation=cast.other_participation)
        evaluate(
            period_of(project, EvaluationKind.MIDTERM, Side.CONTRIBUTOR),
            by=cast.contributor,
            answers={"mentor_rating": 5, "feedback": f"fine {n}"},
        )
        payout(cast, payee=cast.contributor, project=project)
        tokens.token_create(user=cast.contributor, name=f"token {n}", scope="read")
    data = export.user_data_export(user=cast.contributor)
    assert len(data["payouts"]) == 5 and len(data["evaluations_filed"]) == 5

    assert _export_queries(cast.contributor) == few
    assert few <= 30


def test_the_data_page_links_the_download_and_anonymous_visitors_sign_in_first(client, cast):
    for name in ("account_data", "account_data_export", "account_delete"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(cast.contributor)
    page = client.get(reverse("account_data")).content.decode()
    assert reverse("account_data_export") in page and reverse("account_delete") in page


# Delete my account -------------------------------------------------------------------------------


def _references_to(pk: int) -> list[str]:
    """Every row of every model that still points at the user id, as "model.field" strings."""
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            points_at_users = field.is_relation and field.concrete and field.related_model is User
            if points_at_users and model.objects.filter(**{field.name: pk}).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def test_deleting_a_contributor_keeps_payouts_and_counts_without_them(client, cast):
    project, stipend, _token = coding_season(cast)
    contributor = cast.contributor
    pk = contributor.pk
    client.force_login(contributor)  # a stored session, as a signed-in browser leaves it
    other_browser = client.__class__()
    other_browser.force_login(contributor)
    assert Session.objects.count() == 2
    ReminderLog.objects.create(subject="period:1", kind="opened", email=contributor.email)
    OutboxMail.objects.create(
        key="receipt:test", recipients=["Contributor@Example.org"], subject="Receipt",
        body="Your proposal", created_at=DEADLINE, queued_at=DEADLINE,
    )  # fmt: skip
    entry = audit_record(
        actor=contributor, action="proposal.submit", obj=project.proposal, before={}, after={},
        at=DEADLINE,
    )  # fmt: skip
    statistics = program_statistics(program=cast.program)
    history = list(
        PayoutStatusChange.objects.filter(payout=stipend).values_list(
            "pk", "from_status", "to_status", "at", "reason"
        )
    )

    with django_capture_on_commit():
        response = client.post(reverse("account_delete"), {"password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert not User.objects.filter(pk=pk).exists()
    assert _references_to(pk) == []
    assert not EmailAddress.objects.filter(email__iexact="contributor@example.org").exists()
    assert not ReminderLog.objects.exists()
    assert not OutboxMail.objects.exists()
    assert not Session.objects.exists()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor, entry.actor_label) == (None, DELETED_ACTOR)
    anonymised = AuditEntry.objects.get(action="payout.anonymise")
    assert (anonymised.object_id, anonymised.program_id) == (str(stipend.pk), cast.program.pk)
    assert anonymised.after == {"payee": None, "payee_label": f"deleted user #{pk}"}
    assert anonymised.actor_label == DELETED_ACTOR
    # The payout: whose it was, without who; what accounting needs is unchanged.
    stipend_now = Payout.objects.get(pk=stipend.pk)
    assert stipend_now.payee is None
    assert stipend_now.payee_label == f"deleted user #{pk}"
    assert (
        stipend_now.reference,
        stipend_now.amount,
        stipend_now.currency,
        stipend_now.status,
    ) == (
        stipend.reference,
        Decimal("1350.00"),
        "USD",
        PayoutStatus.APPROVED,
    )
    assert stipend_now.payee_slug == "" and str(contributor) not in stipend_now.description
    assert (
        list(
            PayoutStatusChange.objects.filter(payout=stipend).values_list(
                "pk", "from_status", "to_status", "at", "reason"
            )
        )
        == history
    )
    # The project and the submitted proposal are counted still, by an empty placeholder.
    placeholder = Project.objects.get(pk=project.pk).contributor
    assert placeholder.pk != pk and not placeholder.is_active
    assert not placeholder.has_usable_password() and placeholder.email.endswith(".invalid")
    assert not EmailAddress.objects.filter(user=placeholder).exists()
    assert program_statistics(program=cast.program) == statistics
    kept = Proposal.objects.filter(contributor=placeholder)
    assert sorted(kept.values_list("title", "status")) == [
        ("Faster previews", ProposalStatus.ACCEPTED),
        ("Second idea", ProposalStatus.SUBMITTED),
    ]
    assert set(kept.values_list("body", "abstract")) == {("", "")}
    assert not Receipt.objects.exists() and not Comment.objects.exists()
    assert not Proposal.objects.filter(title="Half-written draft").exists()
    # Evaluations of the project: the grade and the rating stay, the words about them go.
    answers = {
        e.period.side: e.answers
        for e in Evaluation.objects.filter(period__project=project).select_related("period")
    }
    assert answers == {Side.MENTOR: {"grade": "pass"}, Side.CONTRIBUTOR: {"mentor_rating": 4}}
    assert Evaluation.objects.get(period__side=Side.MENTOR).filed_by == cast.mentor


def django_capture_on_commit():
    """Run on_commit callbacks (session removal) inside the test's transaction."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_deleting_an_account_deletes_every_attachment_of_theirs(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    project = make_project(cast)
    draft = Proposal.objects.create(
        program=cast.program, contributor=cast.contributor, participation=cast.participation
    )
    files = []
    for proposal in (project.proposal, draft):
        proposal.attachment.save("plan.pdf", ContentFile(b"%PDF-1.4 plan"))
        files.append(tmp_path / proposal.attachment.name)
    assert all(f.exists() for f in files)

    with django_capture_on_commit():
        deletion.account_delete(user=cast.contributor, password=PASSWORD, now=DEADLINE)

    assert not any(f.exists() for f in files)
    assert Proposal.objects.get(pk=project.proposal.pk).attachment.name == ""


def test_deleting_a_writer_keeps_the_hire_and_anonymises_the_writer_payment(cast):
    writer = cast.writer
    pk = writer.pk
    hire = Hire.objects.create(
        participation=cast.docs_participation,
        writer=writer,
        agreed_hours=200,
        hours_per_week=10,
        compensation=Decimal("6000.00"),
        hired_at=DEADLINE,
    )
    paid = payout(
        cast,
        payee=writer,
        milestone=Milestone.WRITER_PAYMENT,
        participation=cast.docs_participation,
    )
    statistics = program_statistics(program=cast.docs_program)

    deletion.account_delete(user=writer, password=PASSWORD, now=DEADLINE)

    assert _references_to(pk) == []
    assert Hire.objects.get(pk=hire.pk).writer.email == f"deleted-{pk}@deleted.invalid"
    paid.refresh_from_db()
    assert (paid.payee, paid.payee_label) == (None, f"deleted user #{pk}")
    assert paid.description == Milestone.WRITER_PAYMENT.label
    assert PayoutStatusChange.objects.filter(payout=paid).count() == 2
    assert program_statistics(program=cast.docs_program) == statistics


def test_a_user_with_nothing_counted_leaves_no_placeholder(cast):
    outsider = cast.outsider
    pk = outsider.pk
    tokens.token_create(user=outsider, name="t", scope="read")
    users = User.objects.count()

    deletion.account_delete(user=outsider, password=PASSWORD, now=DEADLINE)

    assert User.objects.count() == users - 1
    assert _references_to(pk) == []


def test_a_mentors_evaluations_and_payout_approvals_stay_without_them(cast):
    project, stipend, _token = coding_season(cast)
    PayoutStatusChange.objects.create(
        payout=stipend, from_status="approved", to_status="paid", by=cast.mentor, at=DEADLINE
    )

    deletion.account_delete(user=cast.mentor, password=PASSWORD, now=DEADLINE)

    mentor_side = Evaluation.objects.get(period__project=project, period__side=Side.MENTOR)
    assert mentor_side.filed_by.email.endswith("@deleted.invalid")
    # The mentor's words about someone else's project stay: they are the organization's record.
    assert mentor_side.answers["progress"] == "steady"
    assert PayoutStatusChange.objects.filter(payout=stipend).count() == 3
    assert PayoutStatusChange.objects.get(to_status="paid").by is None


def test_a_wrong_password_deletes_nothing_and_is_not_echoed(client, cast):
    client.force_login(cast.contributor)

    response = client.post(reverse("account_delete"), {"password": "guessed-password-123"})

    assert response.status_code == 400
    assert deletion.CREDENTIALS_WRONG in response.content.decode()
    assert "guessed-password-123" not in response.content.decode()
    assert User.objects.filter(pk=cast.contributor.pk).exists()
    with pytest.raises(ValidationError):
        deletion.account_delete(user=cast.contributor, password="", now=DEADLINE)


def test_guessing_the_password_is_rate_limited(client, cast):
    client.force_login(cast.contributor)
    statuses = [
        client.post(reverse("account_delete"), {"password": f"guess-{n}"}).status_code
        for n in range(12)
    ]
    assert statuses[0] == 400 and statuses[-1] == 429
    # Even the right password waits now.
    assert client.post(reverse("account_delete"), {"password": PASSWORD}).status_code == 429
    assert User.objects.filter(pk=cast.contributor.pk).exists()


def test_managers_and_sole_org_admins_are_told_to_hand_over_first(client, cast):
    for user in (cast.manager, cast.org_admin):
        client.force_login(user)
        page = client.get(reverse("account_delete")).content.decode()
        assert "before you delete your account" in page
        assert 'name="password"' not in page
        response = client.post(reverse("account_delete"), {"password": PASSWORD})
        assert response.status_code == 400
        assert User.objects.filter(pk=user.pk).exists()
        with pytest.raises(ValidationError):
            deletion.account_delete(user=user, password=PASSWORD, now=DEADLINE)
    [refusal] = deletion.account_delete_refusals(user=cast.manager)
    assert cast.program.name in refusal and cast.docs_program.name in refusal

    # With a second org admin on both organizations, the first may go.
    for participation in (cast.participation, cast.docs_participation):
        MembershipFactory(participation=participation, role=Role.ORG_ADMIN)
    assert deletion.account_delete_refusals(user=cast.org_admin) == []
    admin_pk = cast.org_admin.pk
    deletion.account_delete(user=cast.org_admin, password=PASSWORD, now=DEADLINE)
    assert not Membership.objects.filter(user_id=admin_pk).exists()
    removed = AuditEntry.objects.filter(action="membership.remove").order_by("program_id")
    assert [(e.program_id, e.before["role"]) for e in removed] == [
        (cast.program.pk, Role.ORG_ADMIN),
        (cast.docs_program.pk, Role.ORG_ADMIN),
    ]


def test_payout_pages_name_a_deleted_payee_by_the_kept_label(client, cast):
    stipend = payout(cast, payee=cast.contributor)
    pk = cast.contributor.pk
    deletion.account_delete(user=cast.contributor, password=PASSWORD, now=DEADLINE)
    client.force_login(cast.manager)
    label = f"deleted user #{pk}"
    detail = client.get(reverse("payout_detail", args=[stipend.pk]))
    ledger = client.get(reverse("program_ledger", args=[cast.program.slug]))
    assert label in detail.text and "The organization" not in detail.text
    assert label in ledger.text
