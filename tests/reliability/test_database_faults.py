"""The database goes away in the middle of work: the request ends in the plain 500 page, what was
stored is either all of a step or none of it, and the next request works on a fresh connection.

The portal runs here as a gunicorn sync worker runs it: Django's WSGI handler on one thread, so
one persistent database connection (CONN_MAX_AGE) serves request after request. A test-only
wrapper around a service terminates that connection's backend from another connection
(pg_terminate_backend, as a failover or an administrator would), then lets the service go on.
"""

import html
import re
import threading
import time
from datetime import timedelta
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

import psycopg
import pytest
import requests
from django.conf import settings
from django.core import mail
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Project, Proposal, ProposalStatus
from applications.services import proposals
from evaluations.models import EvaluationPeriod, PeriodStatus
from evaluations.services import filing, periods
from tests.support.evaluations import project_midterm_closing

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TIMEOUT = 30
FORM = {
    "title": "Faster builds",
    "idea": "",
    "abstract": "Cache everything.",
    "body": "# Plan\n\nWeek 1: measure.",
    "size": "175",
    "length_weeks": "12",
    "preference": "1",
}
INTERNALS = ("Traceback", "OperationalError", "psycopg", "terminating connection", "SELECT")


def _admin():
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True
    )


def terminate(pid: int) -> None:
    """End one backend from another connection and wait until it is gone."""
    with _admin() as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
        deadline = time.monotonic() + TIMEOUT
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, f"backend {pid} did not end"
            time.sleep(0.02)


def terminate_own_backend() -> None:
    """Called inside the server's thread: its own connection dies under it."""
    terminate(connection.connection.info.backend_pid)


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class OneThreadServer:
    """Django on one thread with persistent connections, as in production (CONN_MAX_AGE=60,
    CONN_HEALTH_CHECKS on); records the backend that served each request."""

    def __init__(self):
        self.backends = []  # per finished request: the backend it leaves open, or None
        self.finished = threading.Condition()
        handler = WSGIHandler()

        def app(environ, start_response):
            response = handler(environ, start_response)
            try:
                yield from response
            finally:
                response.close()  # request_finished, as every WSGI server sends it
                open_ = connection.connection
                backend = open_.info.backend_pid if open_ is not None and not open_.closed else None
                with self.finished:
                    self.backends.append(backend)
                    self.finished.notify_all()

        self.httpd = WSGIServer(("127.0.0.1", 0), _Quiet)
        self.httpd.set_app(app)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def served(self, count):
        """The backends of the first `count` requests, once they have finished: the client has
        its response a moment before the server is done with the request."""
        with self.finished:
            assert self.finished.wait_for(lambda: len(self.backends) >= count, TIMEOUT)
            return self.backends[:count]

    def _serve(self):
        try:
            self.httpd.serve_forever(poll_interval=0.05)
        finally:
            connections.close_all()  # this thread's connection, before the test database goes

    def browser(self, user):
        """A signed-in HTTP session, as a browser holds it."""
        client = Client()
        client.force_login(user)
        session = requests.Session()
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        session.cookies.set(settings.SESSION_COOKIE_NAME, cookie)
        return session

    def open_form(self, session, proposal):
        """GET the edit page: the form's CSRF token."""
        url = self.url + reverse("proposal_edit", args=[proposal.pk])
        page = session.get(url, timeout=TIMEOUT)
        assert page.status_code == 200, page.text
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    def send(self, session, proposal, token, *, action, **fields):
        url = self.url + reverse("proposal_edit", args=[proposal.pk])
        data = {**FORM, **fields, "action": action, "csrfmiddlewaretoken": token}
        return session.post(
            url, data=data, headers={"Referer": url}, allow_redirects=False, timeout=TIMEOUT
        )


@pytest.fixture
def server():
    db = connection.settings_dict
    previous = db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]
    # The production values (portal/settings/base.py); tests close connections by default.
    db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"] = 60, True
    running = OneThreadServer()
    running.thread.start()
    try:
        yield running
    finally:
        running.httpd.shutdown()
        running.thread.join(timeout=TIMEOUT)
        running.httpd.server_close()
        db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"] = previous


@pytest.fixture
def writing(open_cast):
    """The contributor, registered, with a complete draft; the window closes in three days."""
    cast = open_cast
    proposal = proposals.proposal_create(
        contributor=cast.contributor,
        program=cast.program,
        participation=cast.participation,
        idea=None,
        now=timezone.now(),
    )
    return cast, proposal


def _once(function, before):
    """`function`, with `before()` run ahead of its first call only."""
    calls = []

    def wrapper(*args, **kwargs):
        if not calls:
            calls.append(1)
            before()
        return function(*args, **kwargs)

    return wrapper


def _assert_clean_500(response):
    assert response.status_code == 500
    page = html.unescape(response.text)
    assert "Something went wrong" in page
    for internal in INTERNALS:
        assert internal not in page


def _state(proposal):
    proposal = Proposal.objects.get(pk=proposal.pk)
    receipts = list(proposal.receipts.values_list("digest", flat=True))
    return {
        "status": proposal.status,
        "slot": proposal.submission_slot,
        "submitted_at": proposal.submitted_at,
        "body": proposal.body,
        "revision": proposal.revision,
        "digest": proposal.content_digest,
        "receipts": receipts,
    }


def test_connection_lost_between_saving_and_submitting(writing, server, monkeypatch):
    cast, proposal = writing
    browser = server.browser(cast.contributor)
    token = server.open_form(browser, proposal)
    monkeypatch.setattr(
        proposals, "proposal_submit", _once(proposals.proposal_submit, terminate_own_backend)
    )
    mail.outbox.clear()

    response = server.send(browser, proposal, token, action="submit", body="Typed at 17:59")

    _assert_clean_500(response)
    # The save step is complete (the text is kept), the submission step did not start.
    state = _state(proposal)
    assert state["body"] == "Typed at 17:59"
    assert (state["status"], state["slot"], state["receipts"]) == (ProposalStatus.DRAFT, None, [])
    assert mail.outbox == []
    # The contributor presses Submit again: a fresh connection serves it, the proposal is stored.
    response = server.send(browser, proposal, token, action="submit", body="Typed at 17:59")
    assert response.status_code == 302, response.text
    state = _state(proposal)
    assert (state["status"], state["slot"], len(state["receipts"])) == ("submitted", 1, 1)
    assert len(mail.outbox) == 1
    first, failed, retried = server.served(3)
    # The dead backend was closed with the failed request and replaced by the next.
    assert failed is None and None not in (first, retried) and first != retried


def test_connection_lost_inside_the_submission_rolls_the_claim_back(writing, server, monkeypatch):
    cast, proposal = writing
    browser = server.browser(cast.contributor)
    token = server.open_form(browser, proposal)
    # Dies after the claim (status, slot, submitted_at) was written, before the receipt is.
    monkeypatch.setattr(
        proposals, "_issue_receipt", _once(proposals._issue_receipt, terminate_own_backend)
    )
    mail.outbox.clear()

    response = server.send(browser, proposal, token, action="submit", body="Final")

    _assert_clean_500(response)
    state = _state(proposal)
    assert state["body"] == "Final"  # saved by the step before, which committed
    # The claim is gone with its transaction: not submitted, no slot taken, no receipt.
    assert (state["status"], state["slot"], state["submitted_at"]) == ("draft", None, None)
    assert state["receipts"] == []
    assert mail.outbox == []
    response = server.send(browser, proposal, token, action="submit", body="Final")
    assert response.status_code == 302, response.text
    state = _state(proposal)
    assert (state["status"], state["slot"], len(state["receipts"])) == ("submitted", 1, 1)
    assert len(mail.outbox) == 1


def test_connection_lost_while_editing_a_submitted_proposal_keeps_the_old_version(
    writing, server, monkeypatch
):
    cast, proposal = writing
    browser = server.browser(cast.contributor)
    token = server.open_form(browser, proposal)
    response = server.send(browser, proposal, token, action="submit", body="Version 1")
    assert response.status_code == 302, response.text
    before = _state(proposal)
    assert len(before["receipts"]) == 1
    # Dies after the new text was written, before its receipt: both or neither must stay.
    monkeypatch.setattr(
        proposals, "_issue_receipt", _once(proposals._issue_receipt, terminate_own_backend)
    )
    mail.outbox.clear()

    response = server.send(browser, proposal, token, action="save", body="Version 2")

    _assert_clean_500(response)
    assert _state(proposal) == before  # the complete previous version, its receipt its digest
    assert mail.outbox == []
    response = server.send(browser, proposal, token, action="save", body="Version 2")
    assert response.status_code == 302, response.text
    after = _state(proposal)
    assert (after["body"], after["revision"], len(after["receipts"])) == (
        "Version 2",
        before["revision"] + 1,
        2,
    )
    assert after["digest"] == after["receipts"][0] != before["digest"]
    assert len(mail.outbox) == 1


def test_a_connection_that_died_while_idle_is_replaced_before_the_next_request(writing, server):
    """A database restart or failover between two requests costs the contributor nothing:
    CONN_HEALTH_CHECKS finds the dead persistent connection and opens a new one."""
    cast, proposal = writing
    browser = server.browser(cast.contributor)
    token = server.open_form(browser, proposal)
    (idle,) = server.served(1)
    terminate(idle)

    response = server.send(browser, proposal, token, action="submit", body="After the restart")

    assert response.status_code == 302, response.text
    state = _state(proposal)
    assert (state["status"], state["body"], len(state["receipts"])) == (
        "submitted",
        "After the restart",
        1,
    )
    assert None not in server.served(2) and server.served(2)[1] != idle


def test_the_periodic_job_losing_its_connection_leaves_the_missed_period_for_the_next_run(
    cast, monkeypatch
):
    """The job's claim of a missed midterm and the project's failure are one transaction: a
    connection lost between them leaves neither, and the next run (Celery closes an unusable
    connection before each task) does both."""
    project = _project_with_missed_midterm(cast)
    monkeypatch.setattr(filing, "project_end", _once(filing.project_end, terminate_own_backend))
    outcomes = []

    def worker():
        # A Celery worker's thread: one connection, recycled between tasks as Celery's Django
        # fixup does (close_if_unusable_or_obsolete before and after each task).
        try:
            for _ in range(2):
                connection.close_if_unusable_or_obsolete()
                try:
                    outcomes.append(periods.periods_mark_missed(now=timezone.now()))
                except OperationalError as error:
                    outcomes.append(error)
                    outcomes.append(_missed_state(project))
                connection.close_if_unusable_or_obsolete()
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=TIMEOUT)

    failure, between, claimed = outcomes
    assert isinstance(failure, OperationalError)
    # Between the runs: nothing claimed, the project still active.
    assert between == {"project": "active", "periods": {PeriodStatus.UPCOMING}}
    assert len(claimed) == 2  # both sides of the midterm
    assert _missed_state(project) == {"project": "failed", "periods": {PeriodStatus.MISSED}}


def _missed_state(project):
    midterm = EvaluationPeriod.objects.filter(project=project, kind="midterm")
    return {
        "project": Project.objects.get(pk=project.pk).status,
        "periods": set(midterm.values_list("status", flat=True)),
    }


def _project_with_missed_midterm(cast):
    """An active 12-week project whose midterm closed a day ago with no evaluation."""
    return project_midterm_closing(
        cast,
        title="Missed",
        contributor=cast.contributor,
        midterm_closes=timezone.now() - timedelta(days=1),
    )
