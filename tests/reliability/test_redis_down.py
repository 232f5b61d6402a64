"""Redis unreachable (REDIS_URL at a closed port): the portal degrades instead of answering 500.

Sessions are read from and written to the database, public pages are rendered for every visitor,
every rate limit lets the request through (and the cache backend logs a warning once a minute,
not once a request), and a submission is stored and answered as received: only its receipt mail
cannot be queued, which is logged.
"""

from logging import WARNING, LogRecord

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import tokens
from applications.models import Proposal, ProposalStatus
from tests.factories import PASSWORD
from tests.support.outage import redis_unreachable
from tests.support.proposals import FULL

# Transactions commit for real, so that the mail is enqueued (on commit) as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_down():
    with redis_unreachable() as url:
        yield url


def cache_warnings(caplog) -> list[LogRecord]:
    return [r for r in caplog.records if r.name == "portal.redis_cache" and r.levelno == WARNING]


def test_public_pages_and_the_api_answer_without_redis(open_cast, redis_down, caplog):
    program = open_cast.program
    _, key = tokens.token_create(user=open_cast.contributor, name="cli", scope="read")
    visitor = Client()
    pages = ["/", "/programs/", reverse("program_detail", args=[program.slug]), "/statistics/"]

    # Twice each: nothing is stored, so the second visit is rendered again, not a 500.
    for url in pages * 2:
        response = visitor.get(url)
        assert response.status_code == 200, url
        assert "X-Public-Cache" not in response
    for headers in [{}, {"HTTP_AUTHORIZATION": f"Bearer {key}"}] * 2:
        response = visitor.get("/api/v1/programs/", **headers)
        assert response.status_code == 200, headers
        assert program.slug in response.content.decode()

    assert len(cache_warnings(caplog)) == 1, caplog.text


def test_sign_in_save_and_submit_without_redis(open_cast, redis_down, caplog, settings):
    cast = open_cast
    # One save a minute: were the saves counted, the submit (the second) would be refused (429).
    settings.PROPOSAL_SAVE_RATE_LIMIT = settings.PROPOSAL_AUTOSAVE_RATE_LIMIT = "1/m"
    browser = Client()

    response = browser.post(
        reverse("account_login"), {"login": cast.contributor.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response.url == reverse("dashboard")
    session_key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.get(session_key=session_key).get_decoded()["_auth_user_id"] == str(
        cast.contributor.pk
    )
    assert browser.get(reverse("dashboard")).status_code == 200

    response = browser.post(
        reverse("proposal_new", args=[cast.program.slug]),
        {"participation": cast.participation.pk, "idea": ""},
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get(contributor=cast.contributor)
    edit_url = reverse("proposal_edit", args=[proposal.pk])

    response = browser.post(
        reverse("proposal_autosave", args=[proposal.pk]),
        {**FULL, "title": "Autosaved", "revision": str(proposal.revision)},
    )
    assert response.status_code == 200 and response.json()["ok"]
    assert Proposal.objects.get(pk=proposal.pk).title == "Autosaved"

    response = browser.post(edit_url, {**FULL, "action": "save"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.title, proposal.status) == (FULL["title"], ProposalStatus.DRAFT)

    response = browser.post(edit_url, {**FULL, "action": "submit"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    receipt = proposal.receipts.get()
    assert proposal.status == ProposalStatus.SUBMITTED
    assert receipt.submitted_at == proposal.submitted_at
    # The page answers with the receipt; its mail could not be queued (logged), none was sent.
    assert receipt.number in browser.get(edit_url).content.decode()
    assert mail.outbox == []
    assert any(
        r.name == "django.db.backends.base" and "in on_commit()" in r.getMessage()
        for r in caplog.records
    ), caplog.text

    assert browser.get(reverse("dashboard")).status_code == 200
    assert len(cache_warnings(caplog)) == 1, caplog.text
