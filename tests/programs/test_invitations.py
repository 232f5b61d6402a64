"""An org admin invites a mentor by e-mail; the mentor follows the link and accepts."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from programs import services
from programs.models import Invitation, InvitationStatus, Membership, ParticipationStatus, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def invite(cast, email="new-mentor@example.org", role=Role.MENTOR, by=None, now=None):
    return services.invitation_create(
        participation=cast.participation,
        email=email,
        role=role,
        by=by or cast.org_admin,
        now=now or timezone.now(),
    )


def link_in(message):
    return re.search(r"https?://\S+/invitations/(\S+)/", message.body).group(0)


def test_the_whole_flow_through_the_pages(cast, client, django_capture_on_commit_callbacks):
    client.force_login(cast.org_admin)
    team = reverse(
        "participation_team", args=[cast.program.slug, cast.participation.organization.slug]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(team, {"email": "New-Mentor@Example.org", "role": Role.MENTOR})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new-mentor@example.org"]
    assert cast.participation.organization.name in message.subject
    url = link_in(message)

    mentor = UserFactory(email="new-mentor@example.org")
    client.force_login(mentor)
    path = url.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200
    assert cast.participation.organization.name in page.text
    response = client.post("/" + path, {"action": "accept"})
    assert response.status_code == 302 and response.url == reverse("dashboard")
    assert Membership.objects.filter(
        participation=cast.participation, user=mentor, role=Role.MENTOR
    ).exists()
    assert Invitation.objects.get().status == InvitationStatus.ACCEPTED
    # The link is spent.
    again = client.post("/" + path, {"action": "accept"})
    assert again.status_code == 400
    assert "already accepted" in again.text


def test_only_org_admins_and_managers_invite(cast):
    for person in (cast.mentor, cast.other_org_admin, cast.contributor, cast.outsider):
        with pytest.raises(PermissionDenied):
            invite(cast, by=person)
    invitation, _ = invite(cast, by=cast.manager)
    assert invitation.invited_by == cast.manager


def test_team_page_is_404_for_everyone_but_its_admins(cast, client):
    team = reverse(
        "participation_team", args=[cast.program.slug, cast.participation.organization.slug]
    )
    expected = {
        cast.org_admin: 200,
        cast.manager: 200,
        cast.mentor: 404,
        cast.other_org_admin: 404,
        cast.other_mentor: 404,
        cast.contributor: 404,
        cast.writer: 404,
        cast.outsider: 404,
    }
    for person, status in expected.items():
        client.force_login(person)
        assert client.get(team).status_code == status, person.email
    client.logout()
    assert client.get(team).status_code == 302  # anonymous: to the login page


def test_a_rejected_form_keeps_what_was_typed(cast, client):
    client.force_login(cast.org_admin)
    team = reverse(
        "participation_team", args=[cast.program.slug, cast.participation.organization.slug]
    )
    response = client.post(team, {"email": "not-an-address", "role": Role.MENTOR})
    assert response.status_code == 200
    assert 'value="not-an-address"' in response.text
    response = client.post(team, {"email": cast.mentor.email, "role": Role.MENTOR})
    assert "is already a mentor" in response.text
    assert f'value="{cast.mentor.email}"' in response.text


def test_reinviting_replaces_the_pending_invitation(cast):
    first, _ = invite(cast)
    second, second_token = invite(cast)
    first.refresh_from_db()
    assert first.status == InvitationStatus.REVOKED
    assert services.invitation_get_by_token(second_token) == second
    assert Invitation.objects.filter(status=InvitationStatus.PENDING).count() == 1


def test_only_the_invited_address_can_accept(cast):
    invitation, _ = invite(cast)
    with pytest.raises(ValidationError, match=r"was sent to new-mentor@example\.org"):
        services.invitation_accept(invitation=invitation, user=cast.outsider, now=timezone.now())
    unverified = UserFactory(email="new-mentor@example.org", verified=False)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=unverified, now=timezone.now())


def test_expiry_is_checked_when_accepting_not_only_by_the_job(cast):
    now = timezone.now()
    invitation, _ = invite(cast, now=now)
    mentor = UserFactory(email="new-mentor@example.org")
    late = invitation.expires_at + timedelta(microseconds=1)
    with pytest.raises(ValidationError, match="expired"):
        services.invitation_accept(invitation=invitation, user=mentor, now=late)
    # Still pending in the database: the periodic job has not run yet.
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    services.invitation_accept(invitation=invitation, user=mentor, now=invitation.expires_at)


def test_the_expiry_job_is_idempotent(cast):
    now = timezone.now()
    stale, _ = invite(cast, email="a@example.org", now=now - timedelta(days=30))
    fresh, _ = invite(cast, email="b@example.org", now=now)
    assert services.invitations_expire(now=now) == 1
    assert services.invitations_expire(now=now) == 0
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, fresh.status) == (InvitationStatus.EXPIRED, InvitationStatus.PENDING)


def test_decline_and_revoke(cast, client):
    invitation, token = invite(cast)
    response = client.post(reverse("invitation", args=[token]), {"action": "decline"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED

    invitation, token = invite(cast, email="c@example.org")
    client.force_login(cast.org_admin)
    revoke = reverse(
        "invitation_revoke",
        args=[cast.program.slug, cast.participation.organization.slug, invitation.pk],
    )
    assert client.post(revoke).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    client.force_login(cast.other_org_admin)
    assert client.post(revoke).status_code == 404


def test_anonymous_accept_goes_to_login_and_back(cast, client):
    _, token = invite(cast)
    url = reverse("invitation", args=[token])
    response = client.post(url, {"action": "accept"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "next=" in response.url


def test_unknown_token_is_404(client, db):
    assert client.get(reverse("invitation", args=["nope"])).status_code == 404


def test_no_one_joins_a_rejected_organization(cast):
    cast.participation.status = ParticipationStatus.REJECTED
    cast.participation.save()
    with pytest.raises(ValidationError, match="rejected"):
        invite(cast, by=cast.manager)


def test_dashboard_offers_invitations_to_own_addresses(cast, client):
    invitation, _ = invite(cast, email=cast.outsider.email)
    client.force_login(cast.outsider)
    page = client.get(reverse("dashboard"))
    answer = reverse("invitation_answer", args=[invitation.pk])
    assert answer in page.text
    assert client.post(answer, {"action": "accept"}).status_code == 302
    assert Membership.objects.filter(user=cast.outsider, role=Role.MENTOR).exists()
    client.force_login(cast.writer)
    assert client.get(answer).status_code == 404
