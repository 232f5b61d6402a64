"""A headless Debian Chromium driven by Playwright against pytest-django's live server."""

import pytest
from django.db import connections

from tests.conftest import CHROMIUM


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
