"""Every kind of page works in Chromium under the Content-Security-Policy, with no violation:
public pages, the proposal editor saving as one types, the Django admin, Swagger UI and ReDoc.

The policy is the one in settings (every environment sends it). Production adds only
`upgrade-insecure-requests`, which would send the http:// live server's own files to https.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Registration
from applications.services import proposals
from programs.models import MilestoneKind
from tests.factories import (
    PASSWORD,
    ParticipationFactory,
    ProgramFactory,
    UserFactory,
    coding_timeline,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium reports each blocked load or inline script on the console and as a DOM event.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def world():
    program = ProgramFactory(name="CSP Season", slug="csp-season")
    coding_timeline(
        program,
        around=MilestoneKind.CONTRIBUTOR_APPLICATIONS,
        at=timezone.now() + timedelta(days=3),
    )
    participation = ParticipationFactory(program=program)
    contributor = UserFactory(email="ada@example.org")
    Registration.objects.create(user=contributor, program=program, registered_at=timezone.now())
    proposal = proposals.proposal_create(
        contributor=contributor,
        program=program,
        participation=participation,
        idea=None,
        now=timezone.now(),
    )
    manager = UserFactory(email="boss@example.org", is_staff=True, is_superuser=True)
    return program, proposal, contributor, manager


@pytest.fixture
def watched(page_in):
    """A page that records CSP violations from the console and from the DOM event."""
    page = page_in()
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: console.append(f"page error: {error}"))
    page.console = console
    return page


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    # The page really is under the policy: without it no violation could ever be reported.
    assert "script-src 'self';" in response.headers["content-security-policy"], url
    page.wait_for_load_state("networkidle")
    return response


def violations(page) -> list[str]:
    return page.console + page.evaluate("window.__violations")


def sign_in(page, base, user, path="/accounts/login/"):
    page.goto(f"{base}{path}")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/dashboard/$"))


def test_public_pages_and_the_api_docs_run_without_violations(live_server, watched, world):
    program, *_ = world
    base = live_server.url
    for path in [
        "/",
        "/programs/",
        f"/programs/{program.slug}/",
        "/accounts/login/",
        "/api/v1/programs/",
    ]:
        visit(watched, base + path)
        assert violations(watched) == [], path

    visit(watched, f"{base}/api/v1/docs/")
    # Swagger UI started from its script file and drew the schema it fetched.
    watched.wait_for_selector(".swagger-ui .info .title")
    assert "Seasons API" in watched.inner_text(".swagger-ui .info .title")
    watched.wait_for_selector(".opblock-tag")
    assert violations(watched) == []

    visit(watched, f"{base}/api/v1/redoc/")
    watched.wait_for_selector("h1")
    assert "Seasons API" in watched.inner_text("h1")
    # ReDoc's bundle always asks its CDN for a menu logo, hidden when it fails to load: the
    # policy (images from the portal only) blocks it before any request leaves the browser.
    # That one refusal is expected; anything else is a violation.
    redoc_logo = "https://cdn.redoc.ly/redoc/logo-mini.svg"
    assert [v for v in violations(watched) if redoc_logo not in v] == []


def test_the_proposal_editor_saves_as_one_types_without_violations(live_server, watched, world):
    _, proposal, contributor, _ = world
    base = live_server.url
    sign_in(watched, base, contributor)
    visit(watched, f"{base}/proposals/{proposal.pk}/")
    watched.fill("textarea[name=body]", "Typed under a strict policy.")
    status = watched.locator("#autosave-status")
    status.filter(has_text=re.compile("Saved")).wait_for()
    proposal.refresh_from_db()
    assert proposal.body == "Typed under a strict policy."
    for path in ["/dashboard/", "/account/tokens/"]:
        visit(watched, base + path)
    assert violations(watched) == []


def test_the_django_admin_runs_without_violations(live_server, watched, world):
    program, _, _, manager = world
    base = live_server.url
    watched.goto(f"{base}/admin/login/?next=/admin/")
    watched.fill("input[name=username]", manager.email)
    watched.fill("input[name=password]", PASSWORD)
    watched.locator("input[type=submit]").click()
    watched.wait_for_url(re.compile(r"/admin/$"))
    for path in [
        "/admin/",
        "/admin/programs/program/",
        f"/admin/programs/program/{program.pk}/change/",
        "/admin/accounts/user/add/",
    ]:
        visit(watched, base + path)
        assert violations(watched) == [], path
