"""A visitor signs up, verifies the e-mail address and lands on the dashboard."""

import re

import pytest
from django.core import mail

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_verify_and_land_on_dashboard(live_server, page_in):
    page = page_in("Europe/Berlin")
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=re.compile("sign up", re.I)).first.click()
    page.fill("input[name=email]", "ada@example.org")
    page.fill("input[name=password1]", "correct-horse-battery-staple")
    page.fill("input[name=password2]", "correct-horse-battery-staple")
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert "ada@example.org" in page.content() or "verif" in page.content().lower()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page.goto(live_server.url + path)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    assert page.locator("h1").first.inner_text().strip() == "Dashboard"
    assert User.objects.get(email="ada@example.org").emailaddress_set.get().verified
