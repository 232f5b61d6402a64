"""Proposal saves and submits are limited per user; a refused one answers 429 and loses nothing."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import ratelimit
from applications.models import Proposal, ProposalStatus, Registration
from applications.views.proposals import AUTOSAVES_LIMITED, SAVES_LIMITED
from programs.models import ProjectSize
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FULL = {
    "title": "Faster builds",
    "idea": "",
    "abstract": "Cache everything.",
    "body": "# Plan\n\nWeek 1: *measure*.",
    "size": str(ProjectSize.MEDIUM),
    "length_weeks": "12",
    "preference": "1",
}


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.PROPOSAL_SAVE_RATE_LIMIT = "3/m"
    settings.PROPOSAL_AUTOSAVE_RATE_LIMIT = "4/m"


@pytest.fixture
def draft(open_cast):
    """A saved draft of the cast's contributor, the window closing in three days."""
    cast = open_cast
    return Proposal.objects.create(
        program=cast.program,
        contributor=cast.contributor,
        participation=cast.participation,
        title="My first words",
        body="What I wrote yesterday.",
        length_weeks=12,
    )


@pytest.fixture
def contributor(client, cast):
    client.force_login(cast.contributor)
    return client


def edit(client, proposal, **fields):
    return client.post(reverse("proposal_edit", args=[proposal.pk]), {**FULL, **fields})


def autosave(client, proposal, **fields):
    data = {**FULL, "revision": str(proposal.revision), **fields}
    return client.post(reverse("proposal_autosave", args=[proposal.pk]), data)


def test_saves_beyond_the_limit_get_429_and_the_typed_text_back(contributor, draft):
    for n in range(3):
        assert edit(contributor, draft, action="save", body=f"Version {n}").status_code == 302
    draft.refresh_from_db()
    stored = (draft.body, draft.revision, draft.updated_at)

    response = edit(contributor, draft, action="submit", body="Typed just before the deadline")
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    page = html.unescape(response.content.decode())
    assert SAVES_LIMITED.format(seconds=retry_after) in page
    # The typed text is in the form to send again, and the browser is told to keep it.
    assert "Typed just before the deadline" in page
    assert "in this browser until it can be saved" in page
    # Nothing was stored half-way: the draft is the one saved before, still a draft.
    draft.refresh_from_db()
    assert (draft.body, draft.revision, draft.updated_at) == stored
    assert draft.status == ProposalStatus.DRAFT and not draft.receipts.exists()


def test_after_the_window_the_same_submit_goes_through(contributor, draft, monkeypatch):
    for _ in range(3):
        edit(contributor, draft, action="save")
    assert edit(contributor, draft, action="submit").status_code == 429
    # A minute later (the limiter's clock moved on), the same press submits.
    real_consume = ratelimit.consume
    later = timezone.now().timestamp() + 61
    monkeypatch.setattr(ratelimit, "consume", lambda **kwargs: real_consume(**kwargs, now=later))
    assert edit(contributor, draft, action="submit").status_code == 302
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.SUBMITTED and draft.receipts.count() == 1


def test_autosaves_beyond_the_limit_get_json_429_and_keep_the_draft(contributor, draft):
    for n in range(4):
        response = autosave(contributor, draft, body=f"Autosaved {n}")
        assert response.status_code == 200 and response.json()["ok"]
        draft.refresh_from_db()
    response = autosave(contributor, draft, body="One keystroke too many")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    data = response.json()
    retry_after = int(response["Retry-After"])
    assert data == {
        "ok": False,
        "error": "rate_limited",
        "message": AUTOSAVES_LIMITED.format(seconds=retry_after),
        "retry_after": retry_after,
    }
    draft.refresh_from_db()
    assert draft.body == "Autosaved 3"


def test_the_limits_count_per_user_and_apart(contributor, draft, client, cast):
    for _ in range(3):
        edit(contributor, draft, action="save")
    assert edit(contributor, draft, action="save").status_code == 429
    # Autosaves have their own count: the editor still saves what is typed.
    draft.refresh_from_db()
    assert autosave(contributor, draft, body="Still saved").status_code == 200
    # Another contributor is not held back.
    other = UserFactory()
    Registration.objects.create(user=other, program=cast.program, registered_at=timezone.now())
    theirs = Proposal.objects.create(
        program=cast.program, contributor=other, participation=cast.participation, length_weeks=12
    )
    client.force_login(other)
    assert edit(client, theirs, action="save").status_code == 302


def test_the_counter_is_atomic_and_tells_how_long_to_wait():
    now = 60 * 16_666_667 + 20.0  # 20 s into a one-minute window
    results = [ratelimit.consume(scope="t", ident="1", rate="2/m", now=now) for _ in range(3)]
    assert results == [None, None, 40]
    assert ratelimit.consume(scope="t", ident="1", rate="2/m", now=now + 40) is None
    assert ratelimit.parse_rate("100/10m") == (100, 600)
    with pytest.raises(ValueError, match="not a rate"):
        ratelimit.parse_rate("10/minute")
