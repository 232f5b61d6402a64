"""403, 404, 500 and the CSRF refusal are the site's own pages and give nothing away.

DEBUG is off (pytest-django's default), as in production. The views below fail on purpose with
messages full of internals; none of that may reach the visitor.
"""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.test import Client
from django.urls import include, path

from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

SQL = "SELECT password FROM accounts_user WHERE id = 1"
INTERNALS = ["Traceback", "SECRET_KEY", "DATABASES", "accounts_user", 'File "', ".py", "settings"]


def fail_with_a_secret(request):
    raise RuntimeError(f"boom: SECRET_KEY={settings.SECRET_KEY}")


def fail_in_the_database(request):
    raise DatabaseError(f'relation "accounts_user" does not exist: {SQL}')


def refuse(request):
    raise PermissionDenied("membership row 42 of accounts_user lacks role org_admin")


urlpatterns = [
    path("boom/", fail_with_a_secret),
    path("boom-db/", fail_in_the_database),
    path("refused/", refuse),
    path("", include("portal.urls")),
]


def assert_no_internals(response):
    body = response.text
    for word in INTERNALS:
        assert word not in body, word
    assert settings.SECRET_KEY not in body
    assert "Content-Security-Policy" in response  # the error pages are covered by it too


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", ["/boom/", "/boom-db/"])
def test_a_server_error_shows_the_friendly_page(anonymous, url):
    response = anonymous.get(url)
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "try again in a few minutes" in response.text
    assert_no_internals(response)


def test_a_server_error_on_the_api_shows_no_internals(anonymous, monkeypatch):
    from programs import apis

    def explode(*args, **kwargs):
        raise DatabaseError(SQL)

    monkeypatch.setattr(apis.ProgramListApi, "get", explode)
    response = anonymous.get("/api/v1/programs/")
    assert response.status_code == 500
    assert SQL not in response.text
    assert_no_internals(response)


def test_an_unknown_address_shows_the_friendly_404(anonymous):
    response = anonymous.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert 'href="/programs/"' in response.text  # a way back
    # Not Django's technical page listing the URL patterns.
    assert "Using the URLconf" not in response.text and "boom" not in response.text
    assert_no_internals(response)


def test_a_refusal_shows_the_friendly_403_without_its_reason(anonymous):
    response = anonymous.get("/refused/")
    assert response.status_code == 403
    assert "You can't open this page" in response.text
    assert "membership row 42" not in response.text
    assert_no_internals(response)


def test_a_csrf_failure_shows_the_friendly_page():
    UserFactory(email="someone@example.org")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"login": "someone@example.org", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert "reload the page" in response.text
    # Django's own page and its reason ("CSRF cookie not set.") are not shown.
    assert "CSRF" not in response.text
    assert_no_internals(response)
    # And nobody was signed in.
    assert "_auth_user_id" not in client.session


def test_a_csrf_failure_of_a_signed_in_user_keeps_them_signed_in():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/account/tokens/", {"name": "x", "scope": "read"})
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert user.email in response.text  # the normal header: still signed in
    assert client.get("/dashboard/").status_code == 200
