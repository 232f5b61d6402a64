"""API tokens: shown once, stored as a digest, revoked for good, noting their use, read-only
ones refused any change; the tokens page; and the per-token rate."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import tokens
from accounts.authentication import READ_ONLY, SessionUserRateThrottle, TokenRateThrottle
from accounts.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def bearer(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_only_the_digest_and_a_prefix_are_stored(cast):
    token, key = tokens.token_create(user=cast.contributor, name="script", scope="read")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert stored.key_prefix == key[:8]
    assert all(key not in str(value) for value in vars(stored).values())


def test_the_page_shows_the_key_once_and_lists_the_prefix(cast, client):
    url = reverse("account_tokens")
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(cast.contributor)
    response = client.post(url, {"name": "stats script", "scope": "write"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=cast.contributor)
    (key,) = re.findall(r'data-testid="new-key">([^<]+)<', response.content.decode())
    assert token.key_hash == tokens.key_hash(key)
    assert token.scope == "write"
    again = client.get(url).content.decode()
    assert key not in again
    assert token.key_prefix in again
    assert bearer(key).get("/api/v1/me/").status_code == 200


def test_a_nameless_token_is_refused(cast, client):
    client.force_login(cast.contributor)
    response = client.post(reverse("account_tokens"), {"name": "  ", "scope": "read"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_a_revoked_token_is_401(cast, client):
    token, key = tokens.token_create(user=cast.contributor, name="old", scope="read")
    assert bearer(key).get("/api/v1/me/").status_code == 200
    client.force_login(cast.contributor)
    response = client.post(reverse("account_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    answer = bearer(key).get("/api/v1/me/")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == "Bearer"
    # Public endpoints refuse it too: a bad credential is never silently ignored.
    assert bearer(key).get("/api/v1/programs/").status_code == 401


def test_nobody_revokes_anothers_token(cast, client):
    token, _key = tokens.token_create(user=cast.contributor, name="mine", scope="read")
    client.force_login(cast.outsider)
    assert client.post(reverse("account_token_revoke", args=[token.pk])).status_code == 404
    assert client.get(reverse("account_token_revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_unknown_or_malformed_keys_are_401(cast):
    assert bearer("not-a-key").get("/api/v1/me/").status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer")
    assert client.get("/api/v1/me/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    assert client.get("/api/v1/me/").status_code == 401


def test_an_inactive_users_token_is_401(cast):
    _token, key = tokens.token_create(user=cast.contributor, name="x", scope="read")
    cast.contributor.is_active = False
    cast.contributor.save()
    assert bearer(key).get("/api/v1/me/").status_code == 401


def test_last_used_at_is_noted_at_most_once_a_minute(cast):
    token, key = tokens.token_create(user=cast.contributor, name="x", scope="read")
    assert token.last_used_at is None
    bearer(key).get("/api/v1/me/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=5)
    bearer(key).get("/api/v1/me/")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    bearer(key).get("/api/v1/me/")
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=2)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_read_token_is_refused_any_unsafe_method_with_403(cast, method):
    _token, key = tokens.token_create(user=cast.contributor, name="r", scope="read")
    response = getattr(bearer(key), method)("/api/v1/proposals/?program=x", {})
    assert response.status_code == 403
    assert response.json()["detail"] == READ_ONLY
    # Public endpoints too, and safe methods pass.
    assert getattr(bearer(key), method)("/api/v1/programs/", {}).status_code == 403
    assert bearer(key).options("/api/v1/programs/").status_code == 200
    assert bearer(key).head("/api/v1/programs/").status_code == 200


def test_a_write_token_passes_authentication_for_unsafe_methods(cast):
    _token, key = tokens.token_create(user=cast.contributor, name="w", scope="write")
    # No endpoint writes yet: the method itself is refused, not the token.
    assert bearer(key).post("/api/v1/programs/", {}).status_code == 405


def test_a_session_needs_csrf_for_unsafe_methods(cast):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(cast.contributor)
    response = client.post("/api/v1/programs/", {})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_tokens_have_their_own_rate(cast, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "rate", "2/min", raising=False)
    monkeypatch.setattr(SessionUserRateThrottle, "rate", "1/min", raising=False)
    _token, key = tokens.token_create(user=cast.contributor, name="x", scope="read")
    _other, other_key = tokens.token_create(user=cast.contributor, name="y", scope="read")
    client = bearer(key)
    assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 429]
    # Counted per token, not per user; the session's own rate is separate.
    assert bearer(other_key).get("/api/v1/me/").status_code == 200
    session = APIClient()
    session.force_login(UserFactory())
    assert [session.get("/api/v1/me/").status_code for _ in range(2)] == [200, 429]


def test_a_password_reset_revokes_every_token(cast, client):
    _, key = tokens.token_create(user=cast.contributor, name="script", scope="read")
    assert bearer(key).get("/api/v1/me/").status_code == 200
    client.post(reverse("account_reset_password"), {"email": cast.contributor.email})
    from django.core import mail

    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[-1].body)
    form_url = client.get(link.group(1), follow=True).redirect_chain[-1][0]
    new = "a-new-long-passphrase-42"
    done = client.post(form_url, {"password1": new, "password2": new})
    assert done.status_code == 302, done.content.decode()[:500]
    assert bearer(key).get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=cast.contributor, revoked_at__isnull=True).exists()


def test_a_password_change_revokes_every_token(cast, client):
    cast.contributor.set_password("the-old-passphrase-17")
    cast.contributor.save()
    _, key = tokens.token_create(user=cast.contributor, name="script", scope="write")
    client.force_login(cast.contributor)
    new = "a-new-long-passphrase-42"
    changed = client.post(
        reverse("account_change_password"),
        {"oldpassword": "the-old-passphrase-17", "password1": new, "password2": new},
    )
    assert changed.status_code == 302
    assert bearer(key).get("/api/v1/me/").status_code == 401
