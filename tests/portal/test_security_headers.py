"""Under production settings every kind of response carries the security headers and cookies.

The settings are production.py's own values, read by running the module with a complete
production environment, so a change there shows up here; requests arrive as through the TLS
proxy (X-Forwarded-Proto: https).
"""

import json
import os
import re
import subprocess
import sys

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from tests.support.config import ROOT, production_env

pytestmark = pytest.mark.django_db

HOST = "example.org"
# What production.py decides about HTTP security; the rest (storages, cache) stays the test's.
SECURITY_SETTINGS = [
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_FAILURE_VIEW",
    "CONTENT_SECURITY_POLICY",
    "SILENCED_SYSTEM_CHECKS",
]


@pytest.fixture(scope="module")
def production_settings():
    """production.py's values, imported in a fresh interpreter as gunicorn would."""
    script = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{name: getattr(s, name) for name in {SECURITY_SETTINGS!r}}}))"
    )
    env = {**os.environ, **production_env(), "ALLOWED_HOSTS": HOST}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.production"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture
def production(production_settings):
    with override_settings(**production_settings):
        yield production_settings


@pytest.fixture
def https():
    """A client whose requests come through the TLS proxy to the production host."""
    return Client(HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")


def csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


def assert_secure_headers(response):
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = csp(response)
    for directive in ("script-src", "default-src"):
        assert policy[directive] == ["'self'"], response["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "upgrade-insecure-requests" in policy


def test_production_settings_are_the_hardened_ones(production):
    # Guards the fixture: if production.py stopped setting these, every test below would still
    # pass on the test settings' values.
    assert production["DEBUG"] is False
    assert production["ALLOWED_HOSTS"] == [HOST]
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    # `check --deploy` passes (tests/portal/test_settings.py) with no warning silenced.
    assert production["SILENCED_SYSTEM_CHECKS"] == []


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/programs/",
        "/accounts/login/",
        "/admin/login/",
        "/api/v1/programs/",
        "/api/v1/schema/",
        "/static/css/seasons.css",
        "/static/js/proposal.js",
        "/no-such-page/",
    ],
)
def test_every_kind_of_response_carries_the_headers(production, https, url):
    response = https.get(url)
    assert response.status_code in (200, 404), url
    assert_secure_headers(response)


def test_a_page_replayed_from_the_public_cache_carries_the_headers(production, https, settings):
    settings.PUBLIC_CACHE_SECONDS = 60
    first = https.get("/programs/")
    second = https.get("/programs/")
    assert "X-Public-Cache" not in first
    assert second["X-Public-Cache"] == "hit"
    assert_secure_headers(second)
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"


def test_site_pages_and_api_data_allow_no_inline_style(production, https):
    for url in ["/programs/", "/api/v1/programs/"]:
        assert csp(https.get(url))["style-src"] == ["'self'"], url


@pytest.mark.parametrize("name", ["api_docs", "api_redoc"])
def test_the_api_docs_allow_inline_styles_but_no_inline_script(production, https, name):
    response = https.get(reverse(name))
    assert response.status_code == 200
    assert_secure_headers(response)
    assert csp(response)["style-src"] == ["'self'", "'unsafe-inline'"]
    if name == "api_redoc":  # its search runs in a worker made from a blob
        assert csp(response)["worker-src"] == ["'self'", "blob:"]
    else:
        assert "worker-src" not in csp(response)
    html = response.text
    assert "fonts.googleapis.com" not in html
    # Every script is a file of our own origin: Swagger UI's set-up comes from ?script.
    assert inline_scripts(html) == []
    for src in re.findall(r'<script[^>]*\bsrc="([^"]+)"', html):
        assert src.startswith("/"), src


def test_the_browsable_api_allows_inline_styles_but_no_inline_script(production, https):
    page = https.get("/api/v1/programs/", HTTP_ACCEPT="text/html")
    assert page["Content-Type"].startswith("text/html")
    assert_secure_headers(page)
    assert csp(page)["style-src"] == ["'self'", "'unsafe-inline'"]
    assert inline_scripts(page.text) == []


def test_the_swagger_setup_script_is_served_from_its_own_url(production, https):
    response = https.get(reverse("api_docs") + "?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in response.text


def inline_scripts(html: str) -> list[str]:
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.DOTALL)
    # JSON data blocks (json_script, DRF's CSRF token) are not executed.
    return [body for attrs, body in scripts if "src=" not in attrs and "json" not in attrs]


@pytest.mark.parametrize("role", [None, "contributor", "manager"])
def test_pages_hold_no_inline_script_or_event_handler(cast, production, https, role):
    if role:
        https.force_login(getattr(cast, role))
    urls = ["/", "/programs/", f"/programs/{cast.program.slug}/"]
    urls += ["/dashboard/", "/account/tokens/"] if role else ["/accounts/login/"]
    if role == "manager":
        urls += ["/admin/", "/admin/programs/program/"]
    for url in urls:
        response = https.get(url)
        assert response.status_code == 200, url
        assert inline_scripts(response.text) == [], url
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", response.text), url
        assert not re.search(r"""\shref\s*=\s*["']\s*javascript:""", response.text), url


def test_plain_http_is_redirected_to_https(production):
    response = Client(HTTP_HOST=HOST).get("/programs/?page=2")
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/programs/?page=2"


@pytest.mark.parametrize("host", ["evil.example", f"{HOST}.evil.example", "localhost"])
def test_other_host_names_are_refused(production, host):
    response = Client(HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https").get("/")
    assert response.status_code == 400


def test_session_csrf_and_message_cookies_are_secure(production, https):
    UserFactory(email="someone@example.org")
    https.get("/accounts/login/")
    response = https.post(
        "/accounts/login/",
        {"login": "someone@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    csrf = https.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    # Sign-in stores a "signed in" message; an overflow to the cookie storage is secure too.
    messages = response.cookies.get("messages")
    if messages is not None and messages.value:
        assert messages["secure"] and messages["httponly"]
