"""Sign-up with e-mail verification, sign-in by e-mail and rate-limited login failures."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def confirmation_path(message):
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body).group(1)


def test_signup_verifies_the_address_then_lands_on_the_dashboard(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "New@Example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "new@example.org"
    assert len(mail.outbox) == 1
    path = confirmation_path(mail.outbox[0])
    # Not signed in until the address is verified.
    assert client.get(reverse("dashboard")).status_code == 302
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_unverified_users_cannot_sign_in(client):
    UserFactory(email="late@example.org", verified=False)
    response = client.post(
        reverse("account_login"), {"login": "late@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "confirm-email" in response.url
    assert client.get(reverse("dashboard")).status_code == 302


def test_login_failures_are_rate_limited(client, settings):
    UserFactory(email="target@example.org")
    url = reverse("account_login")
    responses = [
        client.post(url, {"login": "target@example.org", "password": "wrong"}) for _ in range(6)
    ]
    # Five failures from one client: the sixth try is refused, 429 with a Retry-After.
    assert [r.status_code for r in responses] == [200] * 5 + [429]
    limited = "Too many failed sign-in attempts"
    assert limited in responses[5].text and 1 <= int(responses[5]["Retry-After"]) <= 300
    # Even the right password is refused from there while the limit holds, and nothing signs in.
    right = client.post(url, {"login": "target@example.org", "password": PASSWORD})
    assert right.status_code == 429 and limited in right.text
    assert client.get(reverse("dashboard")).status_code == 302


def test_password_reset_does_not_reveal_which_addresses_exist(client):
    UserFactory(email="known@example.org")
    url = reverse("account_reset_password")
    known = client.post(url, {"email": "known@example.org"})
    unknown = client.post(url, {"email": "unknown@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
