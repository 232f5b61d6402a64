"""The docs season in a real browser: an org admin applies with a budget that breaks a rule, sees
the specific error, fixes it and submits; a manager accepts; a writer sends a statement of
interest; the org admin hires before the deadline and is refused after it; the case study is
drafted, submitted, accepted and appears publicly on the results date."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from docs_season.models import CaseStudy, DocProposal, Hire, WriterProfile
from programs.models import MilestoneKind
from programs.services import manager_grant
from tests.factories import DocsProgramFactory, UserFactory, docs_timeline
from tests.support.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def click_and_wait(page, locator):
    with page.expect_navigation():
        locator.click()


def fill_budget_row(page, row, kind, description, amount):
    page.select_option(f"select[name=budget-{row}-kind]", kind)
    page.fill(f"input[name=budget-{row}-description]", description)
    page.fill(f"input[name=budget-{row}-amount]", amount)


def test_the_docs_season_journey(live_server, page_in):
    now = timezone.now()
    program = DocsProgramFactory(name="Live Docs Season", slug="live-docs")
    milestones = docs_timeline(
        program, around=MilestoneKind.ORG_APPLICATIONS, at=now + timedelta(days=5)
    )
    admin, manager, writer, second_writer = (UserFactory() for _ in range(4))
    manager_grant(program=program, user=manager)
    for person, name in ((writer, "Wren"), (second_writer, "Sam")):
        WriterProfile.objects.create(user=person, display_name=name, country_of_residence="KE")
    base = live_server.url

    # --- The org admin applies for a new organization and writes the proposal.
    page = page_in("Europe/Berlin")
    sign_in(page, base, admin)
    page.goto(f"{base}/programs/live-docs/apply/")
    page.fill("input[name=name]", "Quillmark Docs")
    page.fill("input[name=website]", "https://quillmark.example.org")
    page.fill("textarea[name=description]", "A documentation toolchain.")
    click_and_wait(page, page.get_by_role("button", name="Apply"))
    assert re.search(r"/docs/proposals/\d+/$", page.url)
    for name, text in {
        "title": "Quillmark getting-started guide",
        "about_organization": "Quillmark turns Markdown into books.",
        "problem": "Newcomers cannot install it.",
        "scope": "Rewrite the install guide; three tutorials.",
        "success_metrics": "Fewer install questions.",
    }.items():
        page.fill(f"[name={name}]", text)
    # 5,000 of 10,000 to the writer: 50%, under the 60% minimum.
    fill_budget_row(page, 0, "technical_writer", "Technical writer", "5000")
    fill_budget_row(page, 1, "other", "Design of the docs site", "5000")
    problems = page.locator("#budget-problems")
    problems.filter(has_text="at least 60%").wait_for()  # checked as typed, before saving
    click_and_wait(page, page.get_by_role("button", name="Submit proposal"))
    assert "at least 60%" in page.content()
    proposal = DocProposal.objects.get(participation__organization__name="Quillmark Docs")
    assert proposal.status == "draft"
    assert page.locator("input[name=budget-1-amount]").input_value() in {"5000", "5000.00"}
    page.fill("input[name=budget-1-amount]", "2000")
    click_and_wait(page, page.get_by_role("button", name="Submit proposal"))
    proposal.refresh_from_db()
    assert proposal.status == "submitted"
    participation = proposal.participation
    participation.refresh_from_db()
    assert participation.budget_requested == 7000

    # --- The manager accepts the application.
    manager_page = page_in("UTC")
    sign_in(manager_page, base, manager)
    manager_page.goto(f"{base}/programs/live-docs/manage/applications/")
    click_and_wait(manager_page, manager_page.get_by_role("button", name="Accept"))
    participation.refresh_from_db()
    assert participation.status == "accepted"
    public = page_in("UTC")
    public.goto(f"{base}/programs/live-docs/doc-projects/")
    assert "Quillmark getting-started guide" in public.content()

    # --- Writers send statements of interest.
    org_slug = participation.organization.slug
    for person in (writer, second_writer):
        writer_page = page_in("Africa/Nairobi")
        sign_in(writer_page, base, person)
        writer_page.goto(f"{base}/programs/live-docs/organizations/{org_slug}/interest/")
        writer_page.fill(
            "textarea[name=message]", f"{person.email} would love to write these docs."
        )
        click_and_wait(writer_page, writer_page.get_by_role("button", name="Send my statement"))
    assert participation.statements.count() == 2

    # --- The org admin hires before the deadline...
    page.goto(f"{base}/programs/live-docs/organizations/{org_slug}/writers/")
    assert f"{writer.email} would love" in page.content()
    prefix = f"hire-{writer.pk}"
    page.fill(f"input[name={prefix}-agreed_hours]", "200")
    page.fill(f"input[name={prefix}-hours_per_week]", "15")
    page.fill(f"input[name={prefix}-compensation]", "5000")
    click_and_wait(
        page, page.locator(f"form:has(input[name={prefix}-agreed_hours]) button[type=submit]")
    )
    assert Hire.objects.filter(writer=writer).exists()
    # ...and is refused once the deadline has passed on the server's clock.
    hiring = milestones[MilestoneKind.HIRING_DEADLINE]
    hiring.ends_at = timezone.now() - timedelta(microseconds=1)
    hiring.save()
    page.goto(f"{base}/programs/live-docs/organizations/{org_slug}/writers/")
    assert page.locator(f"input[name=hire-{second_writer.pk}-agreed_hours]").count() == 0
    response = page.request.post(
        f"{base}/programs/live-docs/organizations/{org_slug}/writers/",
        form={
            "csrfmiddlewaretoken": page.locator(
                "input[name=csrfmiddlewaretoken]"
            ).first.input_value(),
            "writer": str(second_writer.pk),
            f"hire-{second_writer.pk}-agreed_hours": "100",
            f"hire-{second_writer.pk}-hours_per_week": "10",
            f"hire-{second_writer.pk}-compensation": "2000",
        },
        headers={"Referer": page.url},
    )
    assert response.status == 400
    assert "hiring deadline passed" in response.text()
    assert not Hire.objects.filter(writer=second_writer).exists()

    # --- The case study: drafted, submitted in its window, accepted, published on results day.
    window = milestones[MilestoneKind.CASE_STUDY]
    window.starts_at, window.ends_at = now - timedelta(days=1), now + timedelta(days=10)
    window.save()
    results = milestones[MilestoneKind.RESULTS]
    results.ends_at = now + timedelta(days=20)
    results.save()
    page.goto(f"{base}/programs/live-docs/organizations/{org_slug}/case-study/")
    for name, value in {
        "writers_count": "1",
        "project_hours": "210",
        "budget_amount": "7000",
        "percent_complete": "95",
        "problem": "Install pain.",
        "outcomes": "New guide.",
        "went_well": "Weekly calls.",
        "advice": "Review early.",
        "recruitment": "Two statements.",
        "metrics": "Install questions halved.",
        "analysis": "A success.",
        "deliverables-0-title": "Install guide",
        "deliverables-0-percent_complete": "100",
    }.items():
        page.fill(f"[name='{name}']", value)
    click_and_wait(page, page.get_by_role("button", name="Save draft"))
    study = CaseStudy.objects.get(participation=participation)
    assert (study.status, study.outcomes) == ("draft", "New guide.")
    click_and_wait(page, page.get_by_role("button", name="Save and submit for review"))
    study.refresh_from_db()
    assert study.status == "submitted"

    manager_page.goto(f"{base}/programs/live-docs/manage/case-studies/")
    click_and_wait(manager_page, manager_page.get_by_role("button", name="Accept"))
    study.refresh_from_db()
    assert study.status == "accepted"
    public.goto(f"{base}/case-studies/")
    assert "Quillmark" not in public.content()  # not before the results date
    results.ends_at = timezone.now() - timedelta(seconds=1)
    results.save()
    public.goto(f"{base}/case-studies/")
    assert "Quillmark" in public.content()
    public.get_by_role("link", name=re.compile("Quillmark")).first.click()
    public.get_by_text("Install questions halved.").wait_for()
