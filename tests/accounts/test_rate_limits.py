"""Sign-in, password reset, the admin's sign-in and the API refuse floods, and the counts live in
the shared cache, so that every web process sees the same ones."""

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient

from accounts import tokens
from accounts.authentication import TokenRateThrottle
from tests.factories import PASSWORD, UserFactory
from tests.support.config import ROOT

pytestmark = pytest.mark.django_db

LIMITED = "Too many failed login attempts"
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
RESET = "/accounts/password/reset/"


def site_login(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password})


def admin_login(client, email, password):
    return client.post(ADMIN_LOGIN, {"username": email, "password": password, "next": "/admin/"})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# The Django admin's sign-in ------------------------------------------------------------------


def test_the_admin_login_still_lets_staff_in():
    UserFactory(email="staff@example.org", is_staff=True)
    client = Client()
    response = admin_login(client, "staff@example.org", PASSWORD)
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_repeated_admin_login_failures_are_refused_even_with_the_right_password():
    UserFactory(email="staff@example.org", is_staff=True)
    client = Client()
    failures = [admin_login(client, "staff@example.org", "wrong") for _ in range(5)]
    assert all(r.status_code == 200 and LIMITED not in r.text for r in failures)
    right = admin_login(client, "staff@example.org", PASSWORD)
    assert right.status_code == 200 and LIMITED in right.text
    assert not signed_in(client)
    # Another address is not locked out by them.
    UserFactory(email="other-staff@example.org", is_staff=True)
    assert admin_login(Client(), "other-staff@example.org", PASSWORD).status_code == 302


def test_the_admin_and_the_site_login_share_one_count():
    UserFactory(email="staff@example.org", is_staff=True)
    for _ in range(3):
        assert LIMITED not in site_login(Client(), "staff@example.org", "wrong").text
    for _ in range(2):
        assert LIMITED not in admin_login(Client(), "staff@example.org", "wrong").text
    # Five failures across both forms: both refuse now.
    assert LIMITED in admin_login(Client(), "staff@example.org", PASSWORD).text
    assert LIMITED in site_login(Client(), "staff@example.org", PASSWORD).text


def test_many_addresses_from_one_address_hit_the_per_ip_limit():
    client = Client()
    responses = [site_login(client, f"guess{n}@example.org", "wrong") for n in range(11)]
    assert [LIMITED in r.text for r in responses] == [False] * 10 + [True]


# Password reset --------------------------------------------------------------------------------


def reset(client, email):
    return client.post(RESET, {"email": email}, follow=True)


def test_password_reset_answers_and_mails_alike_for_known_and_unknown_addresses():
    UserFactory(email="known@example.org")
    known = reset(Client(), "known@example.org")
    unknown = reset(Client(), "unknown@example.org")
    assert known.redirect_chain == unknown.redirect_chain
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    # Each address gets exactly one message from the same sender: whoever reads the inbox
    # learns whether it has an account; whoever typed the address learns nothing.
    assert [(m.to, m.from_email) for m in mail.outbox] == [
        (["known@example.org"], mail.outbox[0].from_email),
        (["unknown@example.org"], mail.outbox[0].from_email),
    ]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body


def test_password_reset_is_limited_per_address_alike_for_known_and_unknown():
    UserFactory(email="known@example.org")
    statuses = {}
    for email in ("known@example.org", "unknown@example.org"):
        client = Client(REMOTE_ADDR=f"10.0.0.{len(statuses) + 1}")
        statuses[email] = [client.post(RESET, {"email": email}).status_code for _ in range(4)]
    assert statuses["known@example.org"] == statuses["unknown@example.org"] == [302] * 3 + [429]
    assert len(mail.outbox) == 6  # the refused requests sent nothing
    refused = Client().post(RESET, {"email": "known@example.org"})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.text  # the site's page, templates/429.html


# The API ---------------------------------------------------------------------------------------


def test_an_api_token_over_its_rate_gets_429_with_retry_after(monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "rate", "3/min", raising=False)
    user = UserFactory()
    _token, key = tokens.token_create(user=user, name="busy", scope="read")
    _other, other_key = tokens.token_create(user=user, name="quiet", scope="read")
    busy = APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")
    statuses = [busy.get("/api/v1/me/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = busy.get("/api/v1/me/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower()
    # Counted per token: the same user's other token is not held back.
    quiet = APIClient(HTTP_AUTHORIZATION=f"Bearer {other_key}")
    response = quiet.get("/api/v1/me/")
    assert response.status_code == 200 and "Retry-After" not in response


# Across processes (real Redis) -----------------------------------------------------------------

OTHER_WORKER = """
import json, os, sys
import django
django.setup()
from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from django.core.exceptions import ValidationError
from django.test import RequestFactory, override_settings

caches = json.loads(os.environ["SHARED_CACHES"])
email, attempts = sys.argv[1], int(sys.argv[2])
results = []
with override_settings(CACHES=caches):
    for n in range(attempts):
        request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=f"10.9.9.{n}")
        # What allauth does at each sign-in before it checks the password; a failure keeps it.
        try:
            get_adapter(request).pre_authenticate(request, email=email)
            results.append("counted")
        except ValidationError:
            results.append("refused")
    request = RequestFactory().post("/accounts/password/reset/", REMOTE_ADDR="10.9.8.1")
    for _ in range(3):
        ratelimit.consume(request, action="reset_password", key=email)
print(json.dumps(results))
"""


@pytest.fixture
def shared_cache():
    """The test process on the real Redis, under a prefix of its own."""
    caches = {
        "default": {
            "BACKEND": "portal.redis_cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"test-rate-limits-{uuid.uuid4().hex}",
        }
    }
    with override_settings(CACHES=caches):
        yield caches
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(f"{caches['default']['KEY_PREFIX']}:*"))
        if keys:
            client.delete(*keys)


def other_worker(caches, email, attempts) -> list[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    env["ALLOWED_HOSTS"] = "testserver"  # the host the test clients use
    env["SHARED_CACHES"] = json.dumps(caches)
    result = subprocess.run(
        [sys.executable, "-c", OTHER_WORKER, email, str(attempts)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.redis
def test_login_and_reset_limits_hold_across_processes(shared_cache):
    UserFactory(email="target@example.org")
    # Two browsers on this worker fail three times between them ...
    first, second = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    for client in (first, second, first):
        assert LIMITED not in site_login(client, "target@example.org", "wrong").text
    # ... another worker process counts two more failures and then refuses a third: it saw ours.
    assert other_worker(shared_cache, "target@example.org", 3) == ["counted", "counted", "refused"]
    # And this worker refuses even the right password: it sees the other's.
    third = Client(REMOTE_ADDR="10.0.0.3")
    right = site_login(third, "target@example.org", PASSWORD)
    assert LIMITED in right.text and not signed_in(third)
    # The other process used up this address's password resets too.
    assert third.post(RESET, {"email": "target@example.org"}).status_code == 429
    assert mail.outbox == []


# Configuration ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PASSWORD_RESET_RATE_LIMIT", "20/m/ip,3/15m/email"),
        ("PROPOSAL_SAVE_RATE_LIMIT", "20/m/ip"),
    ],
)
def test_a_malformed_rate_stops_start_up_naming_the_variable(name, value):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.base", name: value}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {name}=" in result.stderr.strip().splitlines()[-1]
