"""The cast every permission test uses, the markers that need real services, and the fixtures
tests of several folders share."""

import os
import shutil

import pytest
from django.core.cache import cache
from django.db import connection, connections

from tests.support.api_world import api_world
from tests.support.cast import CHROMIUM, build_cast
from tests.support.proposals import open_window

# Set by .ci/run's second pass: a test that needs a service fails instead of skipping.
REQUIRE_SERVICES = bool(os.environ.get("SEASONS_REQUIRE_SERVICES"))


def _skip_or_fail(reason):
    if REQUIRE_SERVICES:
        pytest.fail(f"SEASONS_REQUIRE_SERVICES is set but this test {reason}")
    pytest.skip(reason)


def pytest_runtest_setup(item):
    if item.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        _skip_or_fail("needs Redis: set REDIS_URL (the second pass of .ci/run does)")
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        _skip_or_fail(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(autouse=True)
def _postgres_only(request):
    if request.node.get_closest_marker("postgres"):
        # Evaluated lazily: the database fixture has configured the connection by now.
        request.getfixturevalue("db")
        if connection.vendor != "postgresql":
            _skip_or_fail("needs PostgreSQL: set DATABASE_URL (the second pass of .ci/run does)")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cast(db):
    return build_cast()


@pytest.fixture
def open_cast(cast):
    """The cast, with the contributor registered and the window closing in three days."""
    return open_window(cast)


@pytest.fixture
def world(cast):
    """Proposals, a project with a filed midterm, payouts, ideas and a doc project around the
    cast, and three tokens of the contributor: what the API matrix and the security tests run
    against."""
    return api_world(cast)


# A headless Debian Chromium driven by Playwright against pytest-django's live server.


@pytest.fixture
def browser(monkeypatch, live_server):
    """Chromium for one test. Playwright's sync API runs an event loop in this thread, and Django
    refuses ORM calls beside a running loop unless told so: both last only as long as the test,
    so the rest of the suite keeps Django's async-safety check."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        # ORM calls made beside the running loop got their own connection: close it here, in
        # the same context, or it outlives the test database.
        connections.close_all()
        browser.close()


@pytest.fixture
def page_in(browser):
    """page_in(timezone_id) opens a fresh context, as a visitor in that time zone."""

    def open_page(timezone_id="UTC"):
        context = browser.new_context(timezone_id=timezone_id, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    return open_page
