"""Evaluations in a real browser: a mentor files a midterm evaluation, the contributor evaluates
the mentor and later submits the final work URL, an org admin files a monthly docs evaluation;
each sees the state change on the page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Project, Proposal, ProposalStatus
from evaluations.models import Evaluation, EvaluationKind, EvaluationPeriod, Side
from evaluations.services import periods
from programs.models import MilestoneKind, Role
from tests.factories import (
    DocsProgramFactory,
    MembershipFactory,
    ParticipationFactory,
    ProgramFactory,
    UserFactory,
    docs_timeline,
)
from tests.support.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def accepted_project(participation, contributor, mentor, *, starts_at, weeks, title):
    """An announced project with its periods, as program_announce leaves it."""
    slot = Proposal.objects.filter(contributor=contributor).count() + 1
    proposal = Proposal.objects.create(
        program=participation.program,
        contributor=contributor,
        participation=participation,
        title=title,
        size=175,
        length_weeks=weeks,
        status=ProposalStatus.ACCEPTED,
        submission_slot=slot,
        submitted_at=starts_at - timedelta(days=60),
    )
    project = Project.objects.create(
        proposal=proposal,
        participation=participation,
        contributor=contributor,
        title=title,
        size=175,
        length_weeks=weeks,
        coding_starts_at=starts_at,
        coding_ends_at=starts_at + timedelta(weeks=weeks),
        accepted_at=starts_at,
        announced_at=starts_at,
    )
    project.mentors.set([mentor])
    periods.periods_ensure_for_project(project)
    return project


def row(page, period):
    return page.locator(f'tr[data-period="{period.pk}"]')


def submit(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Submit evaluation").click()


def test_a_mentor_and_the_contributor_evaluate_a_project(live_server, page_in):
    now = timezone.now()
    base = live_server.url
    program = ProgramFactory(name="Live Code Season", slug="live-evals")
    participation = ParticipationFactory(program=program)
    mentor = MembershipFactory(participation=participation, role=Role.MENTOR).user
    MembershipFactory(participation=participation, role=Role.ORG_ADMIN)
    ada = UserFactory(email="ada@example.org", name="Ada")
    # Half-way through its 12 weeks an hour ago: the midterm is open now.
    midway = accepted_project(
        participation,
        ada,
        mentor,
        starts_at=now - timedelta(weeks=6, hours=1),
        weeks=12,
        title="Faster previews",
    )
    # Coding ends tomorrow: the contributor's final window (work URL) is open now.
    ending = accepted_project(
        participation,
        ada,
        mentor,
        starts_at=now - timedelta(weeks=10) + timedelta(days=1),
        weeks=10,
        title="Offline sync",
    )
    mentor_midterm = midway.periods.get(kind=EvaluationKind.MIDTERM, side=Side.MENTOR)
    ada_midterm = midway.periods.get(kind=EvaluationKind.MIDTERM, side=Side.CONTRIBUTOR)
    ada_final = ending.periods.get(kind=EvaluationKind.FINAL, side=Side.CONTRIBUTOR)

    # --- The mentor finds the open midterm among their evaluations and files it.
    page = page_in("America/New_York")
    sign_in(page, base, mentor)
    page.goto(f"{base}/evaluations/")
    page.get_by_role("link", name=re.compile("Midterm evaluation: Faster previews")).click()
    page.wait_for_url(re.compile(rf"/evaluations/{mentor_midterm.pk}/$"))
    assert page.locator("header .badge").inner_text() == "Open"
    page.get_by_label("Pass", exact=True).check()
    page.fill("textarea[name=progress]", "Two features merged, tests green.")
    page.fill("textarea[name=private_notes]", "Needs nudging to ask questions.")
    submit(page)
    assert page.url.endswith(f"/projects/{midway.pk}/")
    assert "was submitted" in page.locator(".messages").inner_text()
    assert row(page, mentor_midterm).locator(".badge").inner_text() == "Submitted"
    assert "Two features merged" in row(page, mentor_midterm).inner_text()
    assert "Needs nudging" not in page.content()  # private: org admins and managers only
    assert Evaluation.objects.get(period=mentor_midterm).passed is True
    # Immutable: the evaluation's page now shows the answers read-only.
    page.goto(f"{base}/evaluations/{mentor_midterm.pk}/")
    assert page.locator("textarea[name=progress]").count() == 0
    assert page.locator("header .badge").inner_text() == "Submitted"

    # --- The contributor sees only the grade, and evaluates the mentor.
    page = page_in("Asia/Kolkata")
    sign_in(page, base, ada)
    page.goto(f"{base}/projects/{midway.pk}/")
    mentor_row = row(page, mentor_midterm)
    assert "Pass" in mentor_row.inner_text()
    assert "Two features merged" not in page.content()
    assert row(page, ada_midterm).locator(".badge").inner_text() == "Open"
    row(page, ada_midterm).get_by_role("link", name="File now").click()
    page.wait_for_url(re.compile(rf"/evaluations/{ada_midterm.pk}/$"))
    page.get_by_label("5 / 5").check()
    page.fill("textarea[name=feedback]", "Weekly calls helped a lot.")
    submit(page)
    assert row(page, ada_midterm).locator(".badge").inner_text() == "Submitted"
    assert "Weekly calls helped a lot." in row(page, ada_midterm).inner_text()

    # --- Later, at the end of coding: the final work product.
    page.goto(f"{base}/evaluations/")
    page.get_by_role("link", name=re.compile("Final evaluation: Offline sync")).click()
    page.wait_for_url(re.compile(rf"/evaluations/{ada_final.pk}/$"))
    page.fill("input[name=work_url]", "https://example.org/ada/offline-sync/pull/7")
    page.get_by_label("4 / 5").check()
    page.fill("textarea[name=feedback]", "Reviews came fast.")
    submit(page)
    assert page.url.endswith(f"/projects/{ending.pk}/")
    final_row = row(page, ada_final)
    assert final_row.locator(".badge").inner_text() == "Submitted"
    link = final_row.get_by_role("link", name="https://example.org/ada/offline-sync/pull/7")
    assert link.get_attribute("href") == "https://example.org/ada/offline-sync/pull/7"
    assert Evaluation.objects.get(period=ada_final).work_url.endswith("/pull/7")
    # The mentor's final comes after coding ends: still upcoming.
    mentor_final = ending.periods.get(kind=EvaluationKind.FINAL, side=Side.MENTOR)
    assert row(page, mentor_final).locator(".badge").inner_text() == "Upcoming"
    # Local time is shown beside the UTC deadline.
    assert page.locator(".when").first.inner_text() != ""


def test_an_org_admin_files_a_monthly_docs_evaluation(live_server, page_in):
    base = live_server.url
    program = DocsProgramFactory(name="Live Docs Season", slug="live-docs-evals")
    # The first monthly window closes in three days: open now.
    docs_timeline(
        program, around=MilestoneKind.MONTHLY_EVALUATION, at=timezone.now() + timedelta(days=3)
    )
    participation = ParticipationFactory(program=program)
    admin = MembershipFactory(participation=participation, role=Role.ORG_ADMIN).user
    org = participation.organization

    page = page_in("Europe/Berlin")
    sign_in(page, base, admin)
    url = f"{base}/programs/live-docs-evals/organizations/{org.slug}/evaluations/"
    page.goto(url)
    period = EvaluationPeriod.objects.get(participation=participation)
    assert row(page, period).locator(".badge").inner_text() == "Open"
    row(page, period).get_by_role("link", name="File now").click()
    page.wait_for_url(re.compile(rf"/evaluations/{period.pk}/$"))
    page.get_by_label("On track").check()
    page.fill("textarea[name=summary]", "The install guide is drafted.")
    submit(page)
    assert page.url == url
    assert row(page, period).locator(".badge").inner_text() == "Submitted"
    assert "On track" in row(page, period).inner_text()
    assert Evaluation.objects.get(period=period).status == "on_track"
    # My evaluations has nothing left to do.
    page.goto(f"{base}/evaluations/")
    assert "No evaluation is open for you right now." in page.content()
