"""Many contributors submit at the deadline instant, at once, against PostgreSQL: each proposal
is either stored (submitted, one receipt, one mail) or refused with the closing or cap message;
none is lost, none doubled, none fails with an error.

The service takes `now`, so the clock is pinned there: half the submissions land exactly at the
deadline (the window is inclusive) and half one microsecond later. The view reads the clock
itself, so its variant fires real HTTP requests at a live server inside the open window.
"""

import html
import re
import threading
from collections import Counter
from datetime import timedelta

import pytest
import requests
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Proposal, ProposalStatus, Receipt, Registration
from applications.services import proposals
from programs.models import MilestoneKind
from tests.factories import ParticipationFactory, UserFactory, coding_timeline
from tests.support.cast import DEADLINE

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

US = timedelta(microseconds=1)
COMPLETE = {
    "title": "Faster rendering",
    "abstract": "Make it fast.",
    "body": "## Plan\n\nProfile, then fix.",
    "size": 175,
    "length_weeks": 12,
}
# The service-level storm: 32 contributors alone (half at the deadline, half a microsecond
# late), 5 who race two drafts for their last free slot, 3 who double-submit one draft.
SINGLES, CAP_PAIRS, DOUBLE_CLICKS = 32, 5, 3
# The HTTP storm inside the open window: 24 alone, 4 cap races, 4 double clicks.
HTTP_SINGLES, HTTP_CAP_PAIRS, HTTP_DOUBLE_CLICKS = 24, 4, 4
TIMEOUT = 120


def _contributor(program, *, registered_at):
    user = UserFactory()
    Registration.objects.create(user=user, program=program, registered_at=registered_at)
    return user


def _draft(program, user, participation, *, now, **fields):
    proposal = proposals.proposal_create(
        contributor=user, program=program, participation=participation, idea=None, now=now
    )
    for name, value in {**COMPLETE, **fields}.items():
        setattr(proposal, name, value)
    proposal.save()
    return proposal


def _run_at_once(jobs):
    """Run every (key, callable) in its own thread, all released together by one barrier; each
    thread has its own database connection. Returns {key: outcome} for every job."""
    barrier = threading.Barrier(len(jobs))
    outcomes = {}
    lock = threading.Lock()

    def run(key, job):
        try:
            barrier.wait(timeout=TIMEOUT)
            outcome = job()
        except BaseException as error:
            outcome = error
        finally:
            connection.close()
        with lock:
            outcomes[key] = outcome

    threads = [threading.Thread(target=run, args=item, daemon=True) for item in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a submission hung"
    assert len(outcomes) == len(jobs)
    return outcomes


def test_submissions_at_the_deadline_instant_are_stored_or_refused_never_lost(cast):
    program = cast.program
    cap = program.proposal_cap
    before = DEADLINE - timedelta(days=1)
    orgs = [cast.participation, cast.other_participation] + [
        ParticipationFactory(program=program) for _ in range(cap - 1)
    ]
    jobs, expected = [], {}

    def submit(proposal, user, now, body):
        def job():
            # What the edit page does on "Submit": save the draft, then submit it.
            saved = proposals.proposal_save(
                proposal=proposal, by=user, data={"body": body}, now=now
            )
            try:
                receipt = proposals.proposal_submit(proposal=saved, by=user, now=now)
            except ValidationError as error:
                return ("refused", error.messages)
            return ("stored", receipt.number)

        return job

    for n in range(SINGLES):
        user = _contributor(program, registered_at=before)
        proposal = _draft(program, user, orgs[n % 2], now=before)
        now = DEADLINE if n % 2 == 0 else DEADLINE + US
        key = ("single", n)
        jobs.append((key, submit(proposal, user, now, f"Final text {n}")))
        expected[key] = (proposal.pk, now)
    for n in range(CAP_PAIRS):
        user = _contributor(program, registered_at=before)
        for org in orgs[: cap - 1]:
            earlier = _draft(program, user, org, now=before)
            proposals.proposal_submit(proposal=earlier, by=user, now=before)
        for side, org in enumerate(orgs[cap - 1 : cap + 1]):
            proposal = _draft(program, user, org, now=before)
            key = ("cap", n, side)
            jobs.append((key, submit(proposal, user, DEADLINE, f"Last slot {n}/{side}")))
            expected[key] = (proposal.pk, DEADLINE)
    for n in range(DOUBLE_CLICKS):
        user = _contributor(program, registered_at=before)
        proposal = _draft(program, user, orgs[0], now=before)
        for side in range(2):
            key = ("double", n, side)
            # Both clicks send the same text, as one form submitted twice does.
            jobs.append((key, submit(proposal, user, DEADLINE, f"Clicked twice {n}")))
            expected[key] = (proposal.pk, DEADLINE)
    receipts_before = Receipt.objects.count()
    mail.outbox.clear()

    outcomes = _run_at_once(jobs)
    print(f"{len(jobs)} concurrent submissions at {DEADLINE} and {DEADLINE + US}")

    errors = {key: o for key, o in outcomes.items() if isinstance(o, BaseException)}
    assert errors == {}
    closed = [proposals.WINDOW_CLOSED.format(deadline="2023-04-04 18:00:00")]
    cap_reached = [proposals.CAP_REACHED.format(cap=cap)]
    stored_pks = set()
    for key, (verdict, detail) in outcomes.items():
        pk, now = expected[key]
        proposal = Proposal.objects.get(pk=pk)
        receipts = list(proposal.receipts.all())
        if verdict == "stored":
            assert now == DEADLINE, key  # the inclusive end: never a late one
            assert proposal.status == ProposalStatus.SUBMITTED, key
            assert proposal.submitted_at == DEADLINE
            assert [r.number for r in receipts] == [detail], key  # one receipt, the one returned
            assert receipts[0].submitted_at == DEADLINE
            assert receipts[0].digest == proposals.digest_of(proposals.content_of(proposal))
            stored_pks.add(pk)
        else:
            assert detail == (closed if now > DEADLINE else cap_reached), key
            # Refused: still a draft, no slot, no receipt, and the text typed last is kept.
            assert (proposal.status, proposal.submission_slot) == (ProposalStatus.DRAFT, None)
            assert receipts == []
        assert proposal.body.startswith(("Final text", "Last slot", "Clicked twice")), key

    verdicts = Counter((key[0], verdict) for key, (verdict, _) in outcomes.items())
    assert verdicts == {
        ("single", "stored"): SINGLES // 2,
        ("single", "refused"): SINGLES // 2,
        ("cap", "stored"): CAP_PAIRS,  # exactly one of each pair took the last slot
        ("cap", "refused"): CAP_PAIRS,
        ("double", "stored"): 2 * DOUBLE_CLICKS,  # both clicks answered with the one receipt
    }
    for n in range(CAP_PAIRS):
        sides = {outcomes[("cap", n, side)][0] for side in range(2)}
        assert sides == {"stored", "refused"}
    # Nobody over the cap, every slot used once.
    for user_id, slots in _slots_by_contributor(program).items():
        assert sorted(slots) == list(range(1, len(slots) + 1)), user_id
        assert len(slots) <= cap
    # One receipt and one receipt mail per stored proposal: nothing doubled, nothing lost.
    new_receipts = Receipt.objects.count() - receipts_before
    assert new_receipts == len(stored_pks) == SINGLES // 2 + CAP_PAIRS + DOUBLE_CLICKS
    mailed = Counter(re.search(r"Receipt (\S+):", m.subject).group(1) for m in mail.outbox)
    numbers = set(Receipt.objects.filter(proposal__in=stored_pks).values_list("number", flat=True))
    assert mailed == Counter(dict.fromkeys(numbers, 1))


def _slots_by_contributor(program):
    slots = {}
    for user_id, slot in Proposal.objects.filter(
        program=program, submission_slot__isnull=False
    ).values_list("contributor_id", "submission_slot"):
        slots.setdefault(user_id, []).append(slot)
    return slots


# The same storm through the edit page's "Submit" button, as real HTTP requests ---------------

FORM = {
    "title": "Faster builds",
    "idea": "",
    "abstract": "Cache everything.",
    "body": "# Plan\n\nWeek 1: measure.",
    "size": "175",
    "length_weeks": "12",
    "preference": "1",
    "action": "submit",
}


def _browser(live_server, user, proposal):
    """A signed-in HTTP session that has opened the proposal's edit page: its cookies and the
    form's CSRF token, as a browser tab holds them."""
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    url = live_server.url + reverse("proposal_edit", args=[proposal.pk])
    page = session.get(url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session, url, token


def test_submissions_through_the_live_server_are_stored_or_refused_never_lost(cast, live_server):
    program = cast.program
    cap = program.proposal_cap
    program.milestones.all().delete()
    coding_timeline(
        program,
        around=MilestoneKind.CONTRIBUTOR_APPLICATIONS,
        at=timezone.now() + timedelta(days=3),
    )
    now = timezone.now()
    orgs = [cast.participation, cast.other_participation] + [
        ParticipationFactory(program=program) for _ in range(cap - 1)
    ]
    jobs, expected = [], {}

    def post(session, url, token, body):
        return lambda: session.post(
            url,
            data={**FORM, "body": body, "csrfmiddlewaretoken": token},
            headers={"Referer": url},
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    for n in range(HTTP_SINGLES):
        user = _contributor(program, registered_at=now)
        proposal = _draft(program, user, orgs[n % 2], now=now)
        session, url, token = _browser(live_server, user, proposal)
        jobs.append((("single", n), post(session, url, token, f"Final text {n}")))
        expected[("single", n)] = proposal.pk
    for n in range(HTTP_CAP_PAIRS):
        user = _contributor(program, registered_at=now)
        for org in orgs[: cap - 1]:
            proposals.proposal_submit(
                proposal=_draft(program, user, org, now=now), by=user, now=now
            )
        for side, org in enumerate(orgs[cap - 1 : cap + 1]):
            proposal = _draft(program, user, org, now=now)
            session, url, token = _browser(live_server, user, proposal)
            jobs.append((("cap", n, side), post(session, url, token, f"Last slot {n}/{side}")))
            expected[("cap", n, side)] = proposal.pk
    for n in range(HTTP_DOUBLE_CLICKS):
        user = _contributor(program, registered_at=now)
        proposal = _draft(program, user, orgs[0], now=now)
        session, url, token = _browser(live_server, user, proposal)
        for side in range(2):  # one tab, its form sent twice
            jobs.append((("double", n, side), post(session, url, token, f"Clicked twice {n}")))
            expected[("double", n, side)] = proposal.pk
    receipts_before = Receipt.objects.count()
    mail.outbox.clear()

    responses = _run_at_once(jobs)
    print(f"{len(jobs)} concurrent submissions through {live_server.url}")

    errors = {key: r for key, r in responses.items() if isinstance(r, BaseException)}
    assert errors == {}
    statuses = Counter(r.status_code for r in responses.values())
    assert set(statuses) <= {302, 400}, statuses  # no 500, nothing else
    cap_reached = proposals.CAP_REACHED.format(cap=cap)
    stored = set()
    for key, response in responses.items():
        proposal = Proposal.objects.get(pk=expected[key])
        receipts = proposal.receipts.count()
        assert proposal.body.startswith(("Final text", "Last slot", "Clicked twice")), key
        if response.status_code == 302:
            # Every success has its row: submitted, with exactly one receipt.
            assert response.headers["Location"] == reverse("proposal_edit", args=[proposal.pk])
            assert (proposal.status, receipts) == (ProposalStatus.SUBMITTED, 1), key
            stored.add(proposal.pk)
        else:
            assert key[0] == "cap", (key, response.text[:2000])
            assert cap_reached in html.unescape(response.text)
            assert (proposal.status, proposal.submission_slot, receipts) == ("draft", None, 0)
    verdicts = Counter((key[0], r.status_code) for key, r in responses.items())
    assert verdicts == {
        ("single", 302): HTTP_SINGLES,
        ("cap", 302): HTTP_CAP_PAIRS,
        ("cap", 400): HTTP_CAP_PAIRS,
        ("double", 302): 2 * HTTP_DOUBLE_CLICKS,
    }
    for user_id, slots in _slots_by_contributor(program).items():
        assert sorted(slots) == list(range(1, len(slots) + 1)) and len(slots) <= cap, user_id
    new_receipts = Receipt.objects.count() - receipts_before
    assert new_receipts == len(stored) == HTTP_SINGLES + HTTP_CAP_PAIRS + HTTP_DOUBLE_CLICKS
    assert len(mail.outbox) == new_receipts
