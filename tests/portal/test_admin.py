"""Program managers work in the Django admin on the programs they run and on nothing else: lists,
object pages, choices, filters and inlines are scoped like the pages; roles change through the
services, which audit them, and go with the last program; nobody else gets in.

The escalations an outside probe found are named tests here; tests/portal/
test_authorization_matrix.py tries every admin page of every model as every role."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from applications.models import ContributorProfile, Proposal
from audit.models import AuditEntry
from docs_season.models import Hire
from evaluations.models import Evaluation, EvaluationPeriod
from payments.models import Payout, PayoutStatus
from programs.models import Membership, Participation, Program, ProgramManager, Role
from programs.services import MANAGERS_GROUP, manager_grant
from tests.factories import ProgramFactory, UserFactory
from tests.support.admin_world import admin_form, admin_rows, admin_url, our_side, their_side

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(cast):
    """(ours, theirs): a row of every admin model in the cast's programs, and in two hidden
    programs the cast's manager does not run."""
    return admin_rows(our_side(cast)), admin_rows(their_side(cast))


def test_managers_reach_program_data_in_the_admin(cast, client):
    client.force_login(cast.manager)
    assert client.get(reverse("admin:index")).status_code == 200
    changelist = client.get(reverse("admin:programs_participation_changelist"))
    assert changelist.status_code == 200
    assert cast.participation.organization.name in changelist.text
    edit = reverse("admin:programs_program_change", args=[cast.program.pk])
    assert client.get(edit).status_code == 200


@pytest.mark.parametrize("role", ["org_admin", "mentor", "contributor", "writer", "outsider"])
def test_everyone_else_is_sent_to_the_admin_login(cast, client, role):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("admin:programs_program_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_favicon_is_served_locally(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.url.endswith("favicon.svg")


# What a manager reads ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", [Proposal, Evaluation, EvaluationPeriod, Hire, Payout, Participation, Program]
)
def test_a_manager_lists_and_opens_only_the_rows_of_their_programs(cast, client, rows, model):
    ours, theirs = rows
    client.force_login(cast.manager)
    listed = client.get(admin_url(model, "changelist"))
    assert listed.status_code == 200
    assert admin_url(ours[model]) in listed.text
    assert admin_url(theirs[model]) not in listed.text
    assert client.get(admin_url(ours[model])).status_code == 200
    for view in ("change", "history", "delete"):
        assert client.get(admin_url(theirs[model], view)).status_code == 404, view


def test_an_evaluations_private_notes_stay_in_its_program(cast, client, rows):
    ours, theirs = rows
    client.force_login(cast.manager)
    assert "Shy in calls." in client.get(admin_url(ours[Evaluation])).text
    for view in ("change", "history"):
        response = client.get(admin_url(theirs[Evaluation], view))
        assert response.status_code == 404
        assert "Shy in calls." not in response.text


def test_drafts_are_their_contributors_alone_as_on_the_pages(cast, client, rows, admin_client):
    drafts = [
        Proposal.objects.create(
            program=side[Program],
            contributor=side[ContributorProfile].user,
            participation=side[Participation],
            title=f"Secret draft {n}",
        )
        for n, side in enumerate(rows)
    ]
    client.force_login(cast.manager)
    listed = client.get(admin_url(Proposal, "changelist")).text
    assert "Secret draft" not in listed
    for draft in drafts:
        assert client.get(admin_url(draft)).status_code == 404
    # Superusers see everything, drafts too.
    assert "Secret draft 1" in admin_client.get(admin_url(Proposal, "changelist")).text
    assert admin_client.get(admin_url(drafts[1])).status_code == 200


def test_contributors_dates_of_birth_are_for_superusers_only(cast, client, rows, admin_client):
    theirs = rows[1]
    client.force_login(cast.manager)
    assert client.get(admin_url(ContributorProfile, "changelist")).status_code == 403
    for side in rows:
        assert client.get(admin_url(side[ContributorProfile])).status_code == 403
    page = admin_client.get(admin_url(theirs[ContributorProfile]))
    assert page.status_code == 200
    assert "2001-05-17" in page.text


def test_list_filters_name_only_the_managers_programs(cast, client, rows):
    theirs = rows[1]
    client.force_login(cast.manager)
    for model in (Proposal, Payout, Participation, Evaluation):
        listed = client.get(admin_url(model, "changelist")).text
        assert theirs[Program].name not in listed, model
    assert cast.program.name in client.get(admin_url(Proposal, "changelist")).text


def test_choices_offer_only_the_managers_programs_and_refuse_the_others(cast, client, rows):
    theirs = rows[1]
    client.force_login(cast.manager)
    form = client.get(admin_url(Participation, "add")).text
    assert cast.program.name in form
    assert theirs[Program].name not in form
    before = Participation.objects.count()
    response = client.post(
        admin_url(Participation, "add"),
        {
            "organization": theirs[Participation].organization_id,
            "program": theirs[Program].pk,
            "applied_at_0": "2023-01-01",
            "applied_at_1": "00:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert Participation.objects.count() == before


def test_payout_actions_reach_no_payout_of_another_program(cast, client, rows):
    theirs = rows[1]
    client.force_login(cast.manager)
    response = client.post(
        admin_url(Payout, "changelist"),
        {"action": "approve", "_selected_action": [theirs[Payout].pk]},
        follow=True,
    )
    # Not even named in a refusal.
    assert theirs[Payout].reference not in response.text
    theirs[Payout].refresh_from_db()
    assert theirs[Payout].status == PayoutStatus.PENDING
    assert not theirs[Payout].history.exclude(reason="due").exists()


# Roles ----------------------------------------------------------------------------------


def _with_row(data, prefix, **fields):
    """The form data with one more inline row."""
    index = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data[f"{prefix}-TOTAL_FORMS"] = [str(index + 1)]
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = [str(value)]
    return data


def _deleting(data, prefix, pk):
    """The form data with the inline row of `pk` marked for deletion."""
    (index,) = [
        name.split("-")[1]
        for name, values in data.items()
        if name.startswith(f"{prefix}-") and name.endswith("-id") and values == [str(pk)]
    ]
    data[f"{prefix}-{index}-DELETE"] = ["on"]
    return data


def test_a_manager_cannot_make_themselves_org_admin_through_the_participation_inline(
    cast, client, rows
):
    ours, theirs = rows
    client.force_login(cast.manager)
    # Another program's participation: not even its page.
    page = client.get(admin_url(theirs[Participation]))
    assert page.status_code == 404
    data = {
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-0-user": cast.manager.pk,
        "memberships-0-role": Role.ORG_ADMIN,
    }
    assert client.post(admin_url(theirs[Participation]), data).status_code == 404
    # Their own program's: the team is read-only to them (it grows through invitations).
    page = client.get(admin_url(ours[Participation]))
    assert page.status_code == 200
    data = _with_row(admin_form(page), "memberships", user=cast.manager.pk, role=Role.ORG_ADMIN)
    assert client.post(admin_url(ours[Participation]), data).status_code == 302
    assert not Membership.objects.filter(user=cast.manager).exists()
    assert not AuditEntry.objects.filter(action="membership.add").exists()


def test_a_manager_cannot_make_themselves_manager_of_another_program(cast, client, rows):
    theirs = rows[1]
    client.force_login(cast.manager)
    data = {
        "managers-TOTAL_FORMS": "1",
        "managers-INITIAL_FORMS": "0",
        "managers-0-user": cast.manager.pk,
    }
    assert client.post(admin_url(theirs[Program]), data).status_code == 404
    assert not ProgramManager.objects.filter(program=theirs[Program], user=cast.manager).exists()
    # Nor appoint anyone to their own: managers are appointed by superusers.
    page = client.get(admin_url(cast.program))
    data = _with_row(admin_form(page), "managers", user=cast.org_admin.pk)
    assert client.post(admin_url(cast.program), data).status_code == 302
    assert not ProgramManager.objects.filter(user=cast.org_admin).exists()
    cast.org_admin.refresh_from_db()
    assert not cast.org_admin.is_staff


def test_role_changes_in_the_admin_go_through_the_services_into_the_audit_log(
    cast, admin_client, admin_user
):
    newcomer = UserFactory(email="newcomer@example.org")
    url = admin_url(cast.program)
    data = _with_row(admin_form(admin_client.get(url)), "managers", user=newcomer.pk)
    assert admin_client.post(url, data).status_code == 302
    granted = AuditEntry.objects.get(action="manager.grant", actor=admin_user)
    assert (granted.program_id, granted.after) == (cast.program.pk, {"user": newcomer.pk})
    newcomer.refresh_from_db()
    assert newcomer.is_staff
    assert newcomer.groups.filter(name=MANAGERS_GROUP).exists()

    manager = ProgramManager.objects.get(program=cast.program, user=newcomer)
    data = _deleting(admin_form(admin_client.get(url)), "managers", manager.pk)
    assert admin_client.post(url, data).status_code == 302
    revoked = AuditEntry.objects.get(action="manager.revoke", actor=admin_user)
    assert (revoked.program_id, revoked.before) == (cast.program.pk, {"user": newcomer.pk})

    url = admin_url(cast.participation)
    data = _with_row(
        admin_form(admin_client.get(url)), "memberships", user=newcomer.pk, role=Role.MENTOR
    )
    assert admin_client.post(url, data).status_code == 302
    added = AuditEntry.objects.get(action="membership.add", actor=admin_user)
    assert (added.program_id, added.after["user"]) == (cast.program.pk, newcomer.pk)
    membership = Membership.objects.get(participation=cast.participation, user=newcomer)
    data = _deleting(admin_form(admin_client.get(url)), "memberships", membership.pk)
    assert admin_client.post(url, data).status_code == 302
    removed = AuditEntry.objects.get(action="membership.remove", actor=admin_user)
    assert removed.before["user"] == newcomer.pk
    assert not Membership.objects.filter(user=newcomer).exists()


def test_removing_a_managers_last_program_takes_their_staff_status_and_admin_access(
    cast, client, admin_client
):
    client.force_login(cast.manager)
    assert client.get(reverse("admin:index")).status_code == 200
    for program in (cast.program, cast.docs_program):
        url = admin_url(program)
        manager = ProgramManager.objects.get(program=program, user=cast.manager)
        data = _deleting(admin_form(admin_client.get(url)), "managers", manager.pk)
        assert admin_client.post(url, data).status_code == 302
    cast.manager.refresh_from_db()
    assert not cast.manager.is_staff
    assert not cast.manager.groups.exists()
    assert not Group.objects.get(name=MANAGERS_GROUP).user_set.filter(pk=cast.manager.pk)
    # At once: the session they hold no longer opens the admin.
    response = client.get(reverse("admin:applications_proposal_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_deleting_a_program_takes_staff_status_from_managers_it_leaves_without_one(admin_client):
    program = ProgramFactory()
    solo = UserFactory()
    manager_grant(program=program, user=solo)
    assert admin_client.post(admin_url(program, "delete"), {"post": "yes"}).status_code == 302
    assert not Program.objects.filter(pk=program.pk).exists()
    solo.refresh_from_db()
    assert not solo.is_staff
    assert AuditEntry.objects.filter(action="manager.revoke", program_id=program.pk).exists()
