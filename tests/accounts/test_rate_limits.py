"""Sign-in, password reset, the admin's sign-in and the API refuse floods, and the counts live in
the shared cache, so that every web process sees the same ones. Failed sign-ins slow a guesser
without locking the owner out (accounts/adapter.py): counted per account and client address,
per client address, and per account from everywhere (a generous backstop); over a limit the
sign-in is refused with 429 and Retry-After before the password is checked."""

import json
import os
import subprocess
import sys
import uuid

import pytest
from allauth.account import adapter as allauth_adapter
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient

from accounts import adapter, tokens
from accounts.authentication import TokenRateThrottle
from tests.factories import PASSWORD, UserFactory
from tests.support.config import ROOT
from tests.support.outage import redis_unreachable

pytestmark = pytest.mark.django_db

LIMITED = "Too many failed sign-in attempts"  # templates/accounts/login_limited.html
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
RESET = "/accounts/password/reset/"


def site_login(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password})


def refused(response) -> bool:
    return response.status_code == 429 and LIMITED in response.text


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
    assert refused(right) and 1 <= int(right["Retry-After"]) <= 300
    assert not signed_in(client)
    # Another account is not locked out by them, nor the same one from another address.
    UserFactory(email="other-staff@example.org", is_staff=True)
    assert admin_login(Client(), "other-staff@example.org", PASSWORD).status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert admin_login(elsewhere, "staff@example.org", PASSWORD).status_code == 302


def test_the_admin_and_the_site_login_share_one_count():
    UserFactory(email="staff@example.org", is_staff=True)
    for _ in range(3):
        assert LIMITED not in site_login(Client(), "staff@example.org", "wrong").text
    for _ in range(2):
        assert LIMITED not in admin_login(Client(), "staff@example.org", "wrong").text
    # Five failures across both forms from one address: both refuse it now.
    assert refused(admin_login(Client(), "staff@example.org", PASSWORD))
    assert refused(site_login(Client(), "staff@example.org", PASSWORD))


def test_many_addresses_from_one_address_hit_the_per_ip_limit():
    client = Client()
    responses = [site_login(client, f"guess{n}@example.org", "wrong") for n in range(11)]
    assert [refused(r) for r in responses] == [False] * 10 + [True]
    assert 1 <= int(responses[-1]["Retry-After"]) <= 60
    # Per address: the same addresses from another client address are still tried.
    UserFactory(email="guess0@example.org")
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert site_login(elsewhere, "guess0@example.org", PASSWORD).status_code == 302


# Failed sign-ins: the guesser is slowed, the owner is not locked out ------------------------

ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"
# A moment 10 s into a window of every length the limits use (5 minutes, 1 minute, 1 hour).
START = 1_800_000_000 + 10


@pytest.fixture
def clock(monkeypatch):
    """The limits' clock, at START; set .now to move it."""

    class Clock:
        now = START

    monkeypatch.setattr(adapter, "clock", lambda: Clock.now)
    return Clock


@pytest.fixture
def backstop(settings):
    settings.LOGIN_FAILED_RATE_LIMITS = {"account_ip": "5/5m", "ip": "10/m", "account": "8/h"}


def test_the_owner_signs_in_from_elsewhere_while_the_attackers_address_is_refused(clock, backstop):
    UserFactory(email="owner@example.org")
    attacker = Client(REMOTE_ADDR=ATTACKER)
    failures = [site_login(attacker, "owner@example.org", "wrong") for _ in range(5)]
    assert [r.status_code for r in failures] == [200] * 5  # a form error each
    # The attacker keeps trying: each try is refused with 429 and the end of the window.
    for _ in range(20):
        response = site_login(attacker, "owner@example.org", "wrong")
        assert refused(response)
        assert response["Retry-After"] == "290"
    # The owner, at home, signs in with the right password: the refused tries used up nothing.
    owner = Client(REMOTE_ADDR=OWNER)
    assert site_login(owner, "owner@example.org", PASSWORD).status_code == 302
    assert signed_in(owner)


def test_a_blocked_address_is_refused_before_the_password_is_checked(clock, monkeypatch):
    UserFactory(email="owner@example.org")
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(5):
        site_login(attacker, "owner@example.org", "wrong")
    checked = []
    real_authenticate = allauth_adapter.authenticate

    def authenticate(request, **credentials):
        checked.append(credentials)
        return real_authenticate(request, **credentials)

    monkeypatch.setattr(allauth_adapter, "authenticate", authenticate)
    # The right password, from the blocked address for the blocked account: refused unchecked.
    right = site_login(attacker, "owner@example.org", PASSWORD)
    assert refused(right) and right["Retry-After"] == "290"
    assert checked == [] and not signed_in(attacker)
    # From another address it is checked and lets the owner in.
    assert site_login(Client(REMOTE_ADDR=OWNER), "owner@example.org", PASSWORD).status_code == 302
    assert len(checked) == 1


def test_the_window_ends_and_sign_in_works_again(clock):
    UserFactory(email="owner@example.org")
    client = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(5):
        site_login(client, "owner@example.org", "wrong")
    clock.now = START + 200
    right = site_login(client, "owner@example.org", PASSWORD)
    assert refused(right) and right["Retry-After"] == "90"  # refusals do not prolong it
    clock.now = START + 290  # the next five-minute window
    assert site_login(client, "owner@example.org", PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_is_not_counted_as_a_failure(clock):
    UserFactory(email="owner@example.org")
    client = Client(REMOTE_ADDR=OWNER)
    for _ in range(4):
        assert site_login(client, "owner@example.org", "wrong").status_code == 200
    for _ in range(3):
        response = site_login(Client(REMOTE_ADDR=OWNER), "owner@example.org", PASSWORD)
        assert response.status_code == 302
    # Still one failure to go from here.
    assert site_login(client, "owner@example.org", "wrong").status_code == 200
    assert refused(site_login(client, "owner@example.org", PASSWORD))


def test_the_per_address_limit_counts_every_account_tried_from_it(clock):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    statuses = [
        site_login(attacker, f"user{n}@example.org", "wrong").status_code for n in range(11)
    ]
    assert statuses == [200] * 10 + [429]
    refusal = site_login(attacker, "someone-else@example.org", "wrong")
    assert refused(refusal) and refusal["Retry-After"] == "50"  # the one-minute window
    assert site_login(Client(REMOTE_ADDR=OWNER), "user0@example.org", "wrong").status_code == 200


def test_the_per_account_backstop_slows_a_guesser_spread_over_many_addresses(clock, backstop):
    UserFactory(email="owner@example.org")
    UserFactory(email="other@example.org")
    # Eight failures from eight addresses, each far below its own limit ...
    for n in range(8):
        response = site_login(Client(REMOTE_ADDR=f"192.0.2.{n}"), "owner@example.org", "wrong")
        assert response.status_code == 200
    # ... and the account refuses everyone for the rest of the hour, the password unchecked.
    fresh = site_login(Client(REMOTE_ADDR="192.0.2.99"), "owner@example.org", PASSWORD)
    assert refused(fresh) and fresh["Retry-After"] == str(3600 - 10)
    # Only that account: another one signs in from the same addresses.
    other = site_login(Client(REMOTE_ADDR="192.0.2.0"), "other@example.org", PASSWORD)
    assert other.status_code == 302
    clock.now = START + 3600
    assert site_login(Client(REMOTE_ADDR=OWNER), "owner@example.org", PASSWORD).status_code == 302


def test_the_client_address_is_taken_behind_the_trusted_proxies(clock, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    UserFactory(email="owner@example.org")
    proxy = "10.0.0.1"  # every request arrives through it
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
    for _ in range(5):
        site_login(attacker, "owner@example.org", "wrong")
    assert refused(site_login(attacker, "owner@example.org", PASSWORD))
    owner = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=OWNER)
    assert site_login(owner, "owner@example.org", PASSWORD).status_code == 302


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
from allauth.core.exceptions import ImmediateHttpResponse
from django.test import RequestFactory, override_settings

from accounts import adapter

adapter.clock = lambda: float(os.environ["LIMITS_CLOCK"])  # the test's moment: one window
caches = json.loads(os.environ["SHARED_CACHES"])
email, addresses = sys.argv[1], sys.argv[2].split(",")
results = []
with override_settings(CACHES=caches):
    for address in addresses:  # one sign-in from each
        request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=address)
        # What allauth does at each sign-in before it checks the password; a failure keeps it.
        try:
            get_adapter(request).pre_authenticate(request, email=email)
            results.append("counted")
        except ImmediateHttpResponse as refusal:
            results.append(refusal.response.status_code)
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


def other_worker(caches, email, addresses) -> list:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    env["ALLOWED_HOSTS"] = "testserver"  # the host the test clients use
    env["SHARED_CACHES"] = json.dumps(caches)
    env["LIMITS_CLOCK"] = str(START)
    result = subprocess.run(
        [sys.executable, "-c", OTHER_WORKER, email, ",".join(addresses)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.redis
def test_login_and_reset_limits_hold_across_processes(shared_cache, clock):
    UserFactory(email="target@example.org")
    # Two browsers at one address on this worker fail three times between them ...
    first, second = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.1")
    for client in (first, second, first):
        assert site_login(client, "target@example.org", "wrong").status_code == 200
    # ... another worker process counts two more failures from that address and then refuses
    # a third: it saw ours.
    assert other_worker(shared_cache, "target@example.org", ["10.0.0.1"] * 3) == [
        "counted",
        "counted",
        429,
    ]
    # And this worker refuses even the right password from there: it sees the other's.
    third = Client(REMOTE_ADDR="10.0.0.1")
    right = site_login(third, "target@example.org", PASSWORD)
    assert refused(right) and not signed_in(third)
    # The other process used up this address's password resets too.
    assert third.post(RESET, {"email": "target@example.org"}).status_code == 429
    # From another address the owner signs in.
    home = Client(REMOTE_ADDR="10.0.0.2")
    assert site_login(home, "target@example.org", PASSWORD).status_code == 302
    # The per-account backstop (100/h) is shared as well: with the five failures above, the other
    # worker's 95 from 95 more addresses (one each, far below their own limits) shut the account
    # for every address on this worker.
    spread = [f"10.1.{n}.1" for n in range(95)]
    assert other_worker(shared_cache, "target@example.org", spread) == ["counted"] * 95
    fresh = Client(REMOTE_ADDR="10.2.0.1")
    assert refused(site_login(fresh, "target@example.org", PASSWORD)) and not signed_in(fresh)

    assert mail.outbox == []


# Configuration ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PASSWORD_RESET_RATE_LIMIT", "20/m/ip,3/15m/email"),
        ("LOGIN_FAILED_RATE_LIMIT", "10/m/ip,5/5m/key"),  # the former form, per key
        ("LOGIN_FAILED_RATE_LIMIT", "5/5m/account_ip,10/m/account_ip"),
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


def test_the_failed_sign_in_limits_come_from_the_environment():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "LOGIN_FAILED_RATE_LIMIT": " 3/10m/account_ip , 200/d/account",
    }
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.LOGIN_FAILED_RATE_LIMITS, s.ACCOUNT_RATE_LIMITS['login_failed'])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["{'account_ip':", "'3/10m',", "'account':", "'200/d'}", "None"]


def test_the_failed_sign_in_limits_fail_open_while_redis_is_unreachable():
    UserFactory(email="owner@example.org")
    with redis_unreachable():
        client = Client(REMOTE_ADDR=ATTACKER)
        statuses = [site_login(client, "owner@example.org", "wrong").status_code for _ in range(7)]
        assert statuses == [200] * 7  # each counted as the first of its window: none refused
        assert site_login(client, "owner@example.org", PASSWORD).status_code == 302
