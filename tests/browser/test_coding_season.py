"""The whole coding season in a real browser: a contributor registers, drafts, loses the network,
submits with a receipt and is refused a 4th and a late proposal; a mentor reviews and is refused
another organization's proposal; an org admin ranks and requests slots; a manager allocates and
accepts."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Project, Proposal, ProposalStatus, Receipt, Registration
from applications.services import proposals
from programs.models import MilestoneKind, Role
from programs.services import manager_grant
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    ParticipationFactory,
    ProgramFactory,
    UserFactory,
    coding_timeline,
)
from tests.support.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def season():
    now = timezone.now()
    program = ProgramFactory(name="Live Code Season", slug="live-code", sizes_offered=[175, 350])
    milestones = coding_timeline(
        program, around=MilestoneKind.CONTRIBUTOR_APPLICATIONS, at=now + timedelta(days=3)
    )
    orgs = [ParticipationFactory(program=program, slots_requested=None) for _ in range(4)]
    people = {
        "admin": MembershipFactory(participation=orgs[0], role=Role.ORG_ADMIN).user,
        "mentor": MembershipFactory(participation=orgs[0], role=Role.MENTOR).user,
        "other_mentor": MembershipFactory(participation=orgs[1], role=Role.MENTOR).user,
        "manager": UserFactory(),
        "contributor": UserFactory(email="ada@example.org"),
    }
    manager_grant(program=program, user=people["manager"])
    return program, milestones, orgs, people


def submit_directly(program, participation, user, title):
    proposal = proposals.proposal_create(
        contributor=user,
        program=program,
        participation=participation,
        idea=None,
        now=timezone.now(),
    )
    proposals.proposal_save(
        proposal=proposal,
        by=user,
        now=timezone.now(),
        data={"title": title, "abstract": "a", "body": "b", "size": 175, "length_weeks": 12},
    )
    proposals.proposal_submit(proposal=proposal, by=user, now=timezone.now())
    return proposal


def test_the_coding_season_journey(live_server, page_in, season):
    program, milestones, orgs, people = season
    base = live_server.url
    ada = people["contributor"]

    # --- The contributor registers: eligibility is checked on the server.
    page = page_in("Asia/Kolkata")
    sign_in(page, base, ada)
    page.goto(f"{base}/programs/live-code/register/")
    page.fill("input[name=country_of_residence]", "IN")
    page.fill("input[name=date_of_birth]", "2001-05-17")
    page.check("input[name=is_student]")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/programs/live-code/proposals/$"))
    assert Registration.objects.filter(user=ada, program=program).exists()
    countdown = page.locator("[data-countdown]").first
    assert re.search(r"closes in|\d", countdown.inner_text())

    # --- Drafts: autosaved while typing.
    page.select_option("select[name=participation]", str(orgs[0].pk))
    page.get_by_role("button", name="Start a draft").click()
    page.wait_for_url(re.compile(r"/proposals/\d+/$"))
    proposal = Proposal.objects.get(contributor=ada)
    page.fill("input[name=title]", "Faster previews")
    page.fill("textarea[name=abstract]", "Render previews at 60 fps.")
    page.select_option("select[name=size]", "350")
    page.select_option("select[name=length_weeks]", "12")
    page.fill("textarea[name=body]", "## Plan\n\nProfile first.")
    status = page.locator("#autosave-status")
    status.filter(has_text="Saved at").wait_for()
    proposal.refresh_from_db()
    assert proposal.body == "## Plan\n\nProfile first."

    # --- The network drops mid-edit: the text stays in the browser and reaches the server later.
    page.context.set_offline(True)
    page.fill("textarea[name=body]", "## Plan\n\nProfile first.\n\nTyped while offline.")
    status.filter(has_text=re.compile("offline", re.I)).wait_for()
    proposal.refresh_from_db()
    assert "offline" not in proposal.body
    context = page.context
    page.close()  # the tab is closed before the connection returns
    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{base}/proposals/{proposal.pk}/")
    body = page.locator("textarea[name=body]")
    assert "Typed while offline." in body.input_value()
    page.locator("#autosave-status").filter(has_text="Saved at").wait_for()
    proposal.refresh_from_db()
    assert proposal.body.endswith("Typed while offline.")

    # --- Submit: a receipt with the server's time and a SHA-256 digest.
    page.get_by_role("button", name="Submit proposal").click()
    page.locator(".receipt-card").wait_for()
    receipt = Receipt.objects.get(proposal=proposal)
    assert page.locator(".receipt-card code.digest").inner_text().strip() == receipt.digest
    assert receipt.content["body"].endswith("Typed while offline.")

    # --- The cap: two more submitted elsewhere, a 4th is refused and kept as a draft.
    submit_directly(program, orgs[1], ada, "Second")
    submit_directly(program, orgs[2], ada, "Third")
    page.goto(f"{base}/programs/live-code/proposals/")
    page.select_option("select[name=participation]", str(orgs[3].pk))
    page.get_by_role("button", name="Start a draft").click()
    page.wait_for_url(re.compile(r"/proposals/\d+/$"))
    page.fill("input[name=title]", "Fourth")
    page.fill("textarea[name=abstract]", "One too many.")
    page.select_option("select[name=size]", "175")
    page.select_option("select[name=length_weeks]", "12")
    page.fill("textarea[name=body]", "Fourth body")
    page.get_by_role("button", name="Submit proposal").click()
    alert = page.locator("[role=alert]").first
    alert.wait_for()
    assert "already submitted 3 proposals" in alert.inner_text()
    fourth = Proposal.objects.get(contributor=ada, participation=orgs[3])
    assert (fourth.status, fourth.body) == (ProposalStatus.DRAFT, "Fourth body")

    # --- Late: the window closes on the server; the next submit is refused, the draft stays.
    window = milestones[MilestoneKind.CONTRIBUTOR_APPLICATIONS]
    window.ends_at = timezone.now() - timedelta(microseconds=1)
    window.save()
    page.fill("textarea[name=body]", "Fourth body, last words")
    page.get_by_role("button", name="Submit proposal").click()
    alert = page.locator("[role=alert]").first
    alert.wait_for()
    assert "closed at" in alert.inner_text()
    assert "your time" in page.locator(".local-time").first.inner_text()
    fourth.refresh_from_db()
    assert (fourth.status, fourth.body) == (ProposalStatus.DRAFT, "Fourth body, last words")

    # --- A mentor reviews their organization's proposal and is refused another's.
    mentor_page = page_in("Europe/Berlin")
    sign_in(mentor_page, base, people["mentor"])
    mentor_page.goto(
        f"{base}/programs/live-code/organizations/{orgs[0].organization.slug}/proposals/"
    )
    mentor_page.get_by_role("link", name="Faster previews").click()
    mentor_page.wait_for_url(re.compile(rf"/review/proposals/{proposal.pk}/$"))
    mentor_page.get_by_role("button", name="Assign me as mentor").click()
    mentor_page.fill("textarea[name=body]", "Strong plan; ask about the GPU budget.")
    mentor_page.locator("form:has(input[value=comment]) button[type=submit]").click()
    mentor_page.get_by_text("ask about the GPU budget").wait_for()
    other = Proposal.objects.get(contributor=ada, participation=orgs[1])
    response = mentor_page.goto(f"{base}/review/proposals/{other.pk}/")
    assert response.status == 404
    assert proposal.mentorships.filter(mentor=people["mentor"]).exists()

    # --- The org admin ranks it and requests slots.
    admin_page = page_in("UTC")
    sign_in(admin_page, base, people["admin"])
    admin_page.goto(
        f"{base}/programs/live-code/organizations/{orgs[0].organization.slug}/proposals/"
    )
    admin_page.fill(f"input[name=rank_{proposal.pk}]", "1")
    with admin_page.expect_navigation():
        admin_page.locator("form:has(input[value=rank]) button[type=submit]").click()
    admin_page.get_by_text("The ranking was saved.").wait_for()
    admin_page.fill("input[name=slots-slots]", "2")
    with admin_page.expect_navigation():
        admin_page.get_by_role("button", name="Request slots").click()
    admin_page.get_by_text("2 slots requested.").wait_for()
    proposal.refresh_from_db()
    orgs[0].refresh_from_db()
    assert (proposal.rank, orgs[0].slots_requested) == (1, 2)

    # --- The manager allocates slots and announces the accepted contributor.
    manager_page = page_in("America/Sao_Paulo")
    sign_in(manager_page, base, people["manager"])
    manager_page.goto(f"{base}/programs/live-code/manage/slots/")
    manager_page.fill("input[name=total]", "1")
    with manager_page.expect_navigation():
        manager_page.get_by_role("button", name="Preview").click()
    with manager_page.expect_navigation():
        manager_page.get_by_role("button", name="Apply this allocation").click()
    orgs[0].refresh_from_db()
    assert orgs[0].slots_allocated == 1
    manager_page.goto(f"{base}/programs/live-code/manage/selection/")
    assert "Faster previews" in manager_page.content()
    with manager_page.expect_navigation():
        manager_page.get_by_role("button", name="Announce accepted contributors").click()
    project = Project.objects.get()
    assert project.proposal_id == proposal.pk
    public = page_in("UTC")
    public.goto(f"{base}/programs/live-code/")
    assert "Faster previews" in public.content()


def test_an_expired_session_loses_nothing(live_server, page_in, season):
    program, _, orgs, people = season
    ada = people["contributor"]
    from applications.models import ContributorProfile

    ContributorProfile.objects.create(
        user=ada, country_of_residence="IN", attests_minimum_age=True, is_beginner=True
    )
    Registration.objects.create(user=ada, program=program, registered_at=timezone.now())
    proposal = proposals.proposal_create(
        contributor=ada, program=program, participation=orgs[0], idea=None, now=timezone.now()
    )
    page = page_in("UTC")
    sign_in(page, live_server.url, ada)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    page.context.clear_cookies(name="sessionid")  # the session expires while typing
    page.fill("textarea[name=body]", "Written after the session expired.")
    status = page.locator("#autosave-status")
    status.filter(has_text=re.compile("signed out", re.I)).wait_for()
    with page.expect_navigation():
        status.get_by_role("link").click()
    page.fill("input[name=login]", ada.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/$"))
    assert page.locator("textarea[name=body]").input_value() == "Written after the session expired."
    page.locator("#autosave-status").filter(has_text="Saved at").wait_for()
    proposal.refresh_from_db()
    assert proposal.body == "Written after the session expired."
