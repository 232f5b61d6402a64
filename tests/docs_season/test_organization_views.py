"""Docs programs, the organization's side: applying, the doc-project proposal with its budget
checked against the program's rules, the public doc projects and the managers' decisions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from docs_season.models import BudgetItem, DocProposal, DocProposalStatus
from docs_season.services import budget, organizations
from programs.models import Membership, MilestoneKind, Participation, ParticipationStatus, Role
from programs.services import manager_grant
from programs.windows import utc_text
from tests.factories import (
    DocsProgramFactory,
    ProgramFactory,
    UserFactory,
    coding_timeline,
    docs_timeline,
)
from tests.support.browser import sign_in
from tests.support.matrix import assert_matrix, roles_expect

pytestmark = pytest.mark.django_db

WRITER = "technical_writer"
OTHER = "other"
STIPEND = "volunteer_stipend"
TEXT = {
    "title": "Rewrite the Contributor Guide",
    "about_organization": "We make pickles.",
    "problem": "Nobody can find how to add an ingredient.",
    "scope": "Audit and rewrite the guide.",
    "success_metrics": "Fewer questions in the chat.",
    "timeline": "",
    "participants": "",
    "additional_information": "",
    "budget_justification": "",
}


def open_docs_program(**kwargs):
    """A docs program whose organization applications close in five days."""
    program = DocsProgramFactory(**kwargs)
    docs_timeline(program, around=MilestoneKind.ORG_APPLICATIONS, at=timezone.now() + timedelta(5))
    return program


def applied(program, user, name="Pickle Docs"):
    participation = organizations.org_apply(program=program, by=user, now=timezone.now(), name=name)
    return participation.doc_proposal


def form_data(lines, action="save", **fields):
    """The editor's POST: the proposal's text and the budget lines, plus one blank row."""
    data = {**TEXT, **fields, "action": action}
    data.update(
        {
            "budget-TOTAL_FORMS": str(len(lines) + 1),
            "budget-INITIAL_FORMS": "0",
            "budget-MIN_NUM_FORMS": "0",
            "budget-MAX_NUM_FORMS": "1000",
        }
    )
    for n, (kind, description, amount) in enumerate(lines):
        data[f"budget-{n}-kind"] = kind
        data[f"budget-{n}-description"] = description
        data[f"budget-{n}-amount"] = amount
    n = len(lines)
    data.update({f"budget-{n}-kind": "", f"budget-{n}-description": "", f"budget-{n}-amount": ""})
    return data


HALF_WRITERS = [(WRITER, "Technical writer", "5000"), (OTHER, "Design of the site", "5000")]
GOOD = [(WRITER, "Technical writer", "8000"), (OTHER, "Design of the site", "2000")]
HALF_WRITERS_MESSAGE = budget.WRITER_SHARE_TOO_LOW.format(
    share="50.0", writers="5,000.00", total="10,000.00", minimum="60"
)


def edit_url(proposal):
    return reverse("doc_proposal_edit", args=[proposal.pk])


def check_url(proposal):
    return reverse("doc_proposal_check", args=[proposal.pk])


# Applying ------------------------------------------------------------------------------------


def test_apply_with_a_new_organization(cast, client):
    program = open_docs_program()
    client.force_login(cast.outsider)
    url = reverse("org_apply", args=[program.slug])
    assert client.get(url).status_code == 200

    response = client.post(
        url, {"name": "Glorious Pickle", "website": "https://pickle.example", "description": "Yum"}
    )

    participation = Participation.objects.get(program=program, organization__name="Glorious Pickle")
    assert participation.status == ParticipationStatus.APPLIED
    assert Membership.objects.filter(
        participation=participation, user=cast.outsider, role=Role.ORG_ADMIN
    ).exists()
    proposal = DocProposal.objects.get(participation=participation)
    assert response.status_code == 302 and response.url == edit_url(proposal)
    assert participation.organization.website == "https://pickle.example"


def test_apply_with_an_organization_one_administers(cast, client):
    program = open_docs_program()
    org = cast.docs_participation.organization
    client.force_login(cast.org_admin)
    url = reverse("org_apply", args=[program.slug])
    assert org.name in client.get(url).text  # offered as one of their organizations

    response = client.post(url, {"organization": org.pk})

    participation = Participation.objects.get(program=program, organization=org)
    assert response.status_code == 302
    assert response.url == edit_url(participation.doc_proposal)


def test_applying_twice_is_refused(cast, client):
    program = open_docs_program()
    org = cast.docs_participation.organization
    client.force_login(cast.org_admin)
    url = reverse("org_apply", args=[program.slug])
    client.post(url, {"organization": org.pk})

    response = client.post(url, {"organization": org.pk})

    assert response.status_code == 400
    assert organizations.ALREADY_APPLIED.format(org=org) in response.text
    assert Participation.objects.filter(program=program, organization=org).count() == 1


def test_an_organization_one_does_not_administer_is_not_offered(cast, client):
    program = open_docs_program()
    client.force_login(cast.outsider)
    response = client.post(
        reverse("org_apply", args=[program.slug]),
        {"organization": cast.docs_participation.organization.pk},
    )
    assert response.status_code == 400
    assert not Participation.objects.filter(program=program).exists()


def test_applying_after_the_window_closed_is_refused_and_keeps_the_fields(cast, client):
    client.force_login(cast.outsider)
    response = client.post(
        reverse("org_apply", args=[cast.docs_program.slug]),
        {"name": "Late Pickle", "website": "https://late.example", "description": "Too late"},
    )
    window = cast.docs_program.milestone(MilestoneKind.ORG_APPLICATIONS)
    assert response.status_code == 400
    assert (
        organizations.APPLICATIONS_CLOSED.format(deadline=utc_text(window.ends_at)) in response.text
    )
    assert 'value="Late Pickle"' in response.text and "Too late" in response.text
    assert not Participation.objects.filter(organization__name="Late Pickle").exists()


def test_applying_to_a_coding_program_leads_to_the_team_page(cast, client):
    program = ProgramFactory()
    coding_timeline(
        program, around=MilestoneKind.ORG_APPLICATIONS, at=timezone.now() + timedelta(days=3)
    )
    client.force_login(cast.outsider)
    response = client.post(reverse("org_apply", args=[program.slug]), {"name": "Code Pickle"})
    participation = Participation.objects.get(program=program)
    assert response.status_code == 302
    assert response.url == reverse(
        "participation_team", args=[program.slug, participation.organization.slug]
    )
    assert not DocProposal.objects.filter(participation=participation).exists()


def test_applying_needs_a_signed_in_user(client):
    program = open_docs_program()
    response = client.get(reverse("org_apply", args=[program.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


# The proposal and its budget ------------------------------------------------------------------


def test_a_budget_breaking_a_rule_is_saved_with_the_problem_shown(cast, client):
    proposal = applied(open_docs_program(), cast.org_admin)
    client.force_login(cast.org_admin)

    response = client.post(edit_url(proposal), form_data(HALF_WRITERS))

    assert response.status_code == 200
    assert HALF_WRITERS_MESSAGE in response.text
    assert "10,000.00" in response.text and "50.0" in response.text  # the running totals
    proposal.refresh_from_db()
    assert proposal.title == TEXT["title"] and proposal.status == DocProposalStatus.DRAFT
    assert [(i.kind, i.amount) for i in proposal.budget_items.all()] == [
        (WRITER, Decimal("5000")),
        (OTHER, Decimal("5000")),
    ]


def test_the_check_endpoint_returns_the_same_problems_and_saves_nothing(cast, client):
    proposal = applied(open_docs_program(), cast.org_admin)
    client.force_login(cast.org_admin)

    response = client.post(check_url(proposal), form_data(HALF_WRITERS))

    assert response.status_code == 200
    data = response.json()
    assert data["total"] == "10,000.00"
    assert data["totals"]["writer_share"] == "50.0"
    assert data["problems"] == [
        {"rule": "writer_share", "message": HALF_WRITERS_MESSAGE, "line": None, "row": None}
    ]
    assert not BudgetItem.objects.filter(proposal=proposal).exists()
    proposal.refresh_from_db()
    assert proposal.title == ""


def test_a_line_problem_is_placed_on_its_row(cast, client):
    proposal = applied(open_docs_program(), cast.org_admin)
    client.force_login(cast.org_admin)
    data = form_data([(WRITER, "Technical writer", "8000"), (STIPEND, "Mentor stipend", "900")])
    # A blank row between the lines: line 2 of the budget is row 2 of the table.
    data.update({"budget-1-kind": "", "budget-1-description": "", "budget-1-amount": ""})
    data.update(
        {
            "budget-2-kind": STIPEND,
            "budget-2-description": "Mentor stipend",
            "budget-2-amount": "900",
            "budget-TOTAL_FORMS": "3",
        }
    )

    problems = client.post(check_url(proposal), data).json()["problems"]

    message = budget.STIPEND_TOO_HIGH.format(line=2, amount="900.00", cap="500.00")
    assert {"rule": "volunteer_stipend", "message": message, "line": 2, "row": 2} in problems
    page = client.post(edit_url(proposal), data)
    assert page.status_code == 200 and message in page.text


def test_fixing_the_budget_then_submitting(cast, client):
    proposal = applied(open_docs_program(), cast.org_admin)
    client.force_login(cast.org_admin)
    client.post(edit_url(proposal), form_data(HALF_WRITERS))

    response = client.post(edit_url(proposal), form_data(GOOD, action="submit"))

    assert response.status_code == 302 and response.url == edit_url(proposal)
    proposal.refresh_from_db()
    assert proposal.status == DocProposalStatus.SUBMITTED and proposal.submitted_at
    assert proposal.participation.budget_requested == Decimal("10000")
    assert client.get(edit_url(proposal)).status_code == 200


def test_submitting_a_broken_budget_is_refused_but_the_draft_is_kept(cast, client):
    proposal = applied(open_docs_program(), cast.org_admin)
    client.force_login(cast.org_admin)

    response = client.post(
        edit_url(proposal), form_data(HALF_WRITERS, action="submit", scope="Everything typed")
    )

    assert response.status_code == 400
    assert HALF_WRITERS_MESSAGE in response.text and "Everything typed" in response.text
    proposal.refresh_from_db()
    assert proposal.status == DocProposalStatus.DRAFT and proposal.scope == "Everything typed"
    assert proposal.participation.budget_requested is None


def test_submitting_without_the_required_sections_is_refused(cast, client):
    proposal = applied(open_docs_program(), cast.org_admin)
    client.force_login(cast.org_admin)

    response = client.post(edit_url(proposal), form_data(GOOD, action="submit", problem=""))

    assert response.status_code == 400
    assert organizations.REQUIRED in response.text
    assert TEXT["scope"] in response.text  # every typed value is kept
    proposal.refresh_from_db()
    assert proposal.status == DocProposalStatus.DRAFT


def test_submitting_after_the_window_closed_is_refused(cast, client):
    proposal = DocProposal.objects.create(participation=cast.docs_participation)
    client.force_login(cast.org_admin)

    response = client.post(edit_url(proposal), form_data(GOOD, action="submit"))

    window = cast.docs_program.milestone(MilestoneKind.ORG_APPLICATIONS)
    assert response.status_code == 400
    assert (
        organizations.APPLICATIONS_CLOSED.format(deadline=utc_text(window.ends_at)) in response.text
    )
    proposal.refresh_from_db()
    assert proposal.status == DocProposalStatus.DRAFT
    assert proposal.title == TEXT["title"]  # the draft was still saved


def test_a_submitted_proposal_is_read_only_once_the_window_closed(cast, client):
    window = cast.docs_program.milestone(MilestoneKind.ORG_APPLICATIONS)
    proposal = DocProposal.objects.create(participation=cast.docs_participation, **TEXT)
    inside = window.ends_at - timedelta(days=1)
    organizations.doc_proposal_save(
        proposal=proposal,
        by=cast.org_admin,
        data={},
        items=[{"kind": WRITER, "description": "Writer", "amount": Decimal("6000")}],
        now=inside,
    )
    organizations.doc_proposal_submit(proposal=proposal, by=cast.org_admin, now=inside)
    client.force_login(cast.org_admin)

    page = client.get(edit_url(proposal))
    assert page.status_code == 200
    assert "read-only" in page.text and 'name="action"' not in page.text

    refused = client.post(edit_url(proposal), form_data(GOOD, title="Changed"))
    assert refused.status_code == 400 and organizations.NOT_EDITABLE in refused.text
    proposal.refresh_from_db()
    assert proposal.title == TEXT["title"]


def test_the_proposal_is_for_its_org_admins_and_managers_only(cast, client):
    program = open_docs_program()
    manager_grant(program=program, user=cast.manager)
    proposal = applied(program, cast.org_admin)
    expected = roles_expect(cast, org_admin=200, manager=200)
    assert_matrix(client, edit_url(proposal), expected)

    client.force_login(cast.manager)
    page = client.get(edit_url(proposal))
    assert "read-only" in page.text and 'name="action"' not in page.text
    assert client.post(edit_url(proposal), form_data(GOOD)).status_code == 403


def test_the_check_endpoint_is_for_its_org_admins_only(cast, client):
    program = open_docs_program()
    manager_grant(program=program, user=cast.manager)
    proposal = applied(program, cast.org_admin)
    assert client.post(check_url(proposal), form_data(GOOD)).status_code == 401
    got = {}
    for role in ["org_admin", "manager", "other_org_admin", "mentor", "writer", "outsider"]:
        client.force_login(getattr(cast, role))
        got[role] = client.post(check_url(proposal), form_data(GOOD)).status_code
    assert got == {
        "org_admin": 200,
        "manager": 403,
        "other_org_admin": 404,
        "mentor": 404,
        "writer": 404,
        "outsider": 404,
    }


# Decisions and the public doc projects -------------------------------------------------------


def submitted(program, user, name, lines=GOOD):
    proposal = applied(program, user, name=name)
    items = [
        {"kind": kind, "description": description, "amount": Decimal(amount)}
        for kind, description, amount in lines
    ]
    data = {**TEXT, "title": f"Docs of {name}"}
    organizations.doc_proposal_save(
        proposal=proposal, by=user, data=data, items=items, now=timezone.now()
    )
    organizations.doc_proposal_submit(proposal=proposal, by=user, now=timezone.now())
    return proposal


def test_managers_accept_and_reject_applications(cast, client):
    program = open_docs_program(funding_total=Decimal("25000"))
    manager_grant(program=program, user=cast.manager)
    accepted = submitted(program, cast.org_admin, "Accepted Pickle")
    rejected = submitted(program, cast.outsider, "Rejected Pickle")
    url = reverse("program_applications", args=[program.slug])
    client.force_login(cast.manager)

    page = client.get(url)
    assert page.status_code == 200
    assert "Docs of Accepted Pickle" in page.text and edit_url(accepted) in page.text

    for proposal, decision in [(accepted, "accept"), (rejected, "reject")]:
        response = client.post(
            url, {"participation": proposal.participation.pk, "decision": decision}
        )
        assert response.status_code == 302
    accepted.participation.refresh_from_db()
    rejected.participation.refresh_from_db()
    assert accepted.participation.status == ParticipationStatus.ACCEPTED
    assert rejected.participation.status == ParticipationStatus.REJECTED

    page = client.get(url)
    assert "US$<span data-accepted-total>10,000.00</span>" in page.text
    assert "US$<span data-remaining>15,000.00</span>" in page.text

    client.logout()
    projects = client.get(reverse("doc_projects", args=[program.slug]))
    assert projects.status_code == 200
    assert "Docs of Accepted Pickle" in projects.text and "Design of the site" in projects.text
    assert "Rejected Pickle" not in projects.text


def test_pending_proposals_are_not_public(cast, client):
    program = open_docs_program()
    submitted(program, cast.org_admin, "Waiting Pickle")
    response = client.get(reverse("doc_projects", args=[program.slug]))
    assert response.status_code == 200 and "Waiting Pickle" not in response.text


def test_program_applications_is_for_managers_only(cast, client):
    expected = roles_expect(cast, manager=200)
    assert_matrix(client, reverse("program_applications", args=[cast.docs_program.slug]), expected)
    for person in [cast.org_admin, cast.outsider]:
        client.force_login(person)
        response = client.post(
            reverse("program_applications", args=[cast.docs_program.slug]),
            {"participation": cast.docs_participation.pk, "decision": "reject"},
        )
        assert response.status_code == 404
    cast.docs_participation.refresh_from_db()
    assert cast.docs_participation.status == ParticipationStatus.ACCEPTED


def test_program_applications_works_for_coding_programs(cast, client):
    client.force_login(cast.manager)
    response = client.get(reverse("program_applications", args=[cast.program.slug]))
    assert response.status_code == 200
    assert cast.participation.organization.name in response.text
    assert "Funding" not in response.text


def test_the_program_page_links_to_applying_and_the_doc_projects(cast, client):
    program = open_docs_program()
    manager_grant(program=program, user=cast.manager)
    url = reverse("program_detail", args=[program.slug])
    page = client.get(url).text
    assert reverse("org_apply", args=[program.slug]) in page
    assert reverse("doc_projects", args=[program.slug]) in page
    assert reverse("program_applications", args=[program.slug]) not in page
    client.force_login(cast.manager)
    assert reverse("program_applications", args=[program.slug]) in client.get(url).text
    closed = client.get(reverse("program_detail", args=[cast.docs_program.slug])).text
    assert reverse("org_apply", args=[cast.docs_program.slug]) not in closed


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_budget_is_checked_as_it_is_typed_and_kept_in_the_browser(page_in, live_server):
    admin = UserFactory()
    proposal = applied(open_docs_program(), admin)
    page = page_in()
    sign_in(page, live_server.url, admin)
    page.goto(live_server.url + edit_url(proposal))
    assert page.locator("[data-budget-row]").count() == 3
    page.click("[data-budget-add]")
    assert page.locator("[data-budget-row]").count() == 4
    assert page.input_value("#id_budget-TOTAL_FORMS") == "4"

    page.select_option("#id_budget-0-kind", WRITER)
    page.fill("#id_budget-0-description", "Technical writer")
    page.fill("#id_budget-0-amount", "5000")
    page.select_option("#id_budget-3-kind", OTHER)
    page.fill("#id_budget-3-description", "Design")
    page.fill("#id_budget-3-amount", "5000")
    page.locator("#budget-problems", has_text=HALF_WRITERS_MESSAGE).wait_for()
    assert page.text_content("[data-total=total]") == "10,000.00"

    page.fill("#id_budget-0-amount", "8000")
    page.locator("#budget-problems", has_text="meets the program's rules").wait_for()
    assert page.text_content("[data-total=writer_share]") == "61.5"

    page.fill("#id_budget-3-amount", "-1")
    page.locator("[data-budget-row].budget-row-invalid", has_text="more than zero").wait_for()

    page.reload()  # never saved: this browser's copy is put back
    assert page.input_value("#id_budget-3-description") == "Design"
    assert page.input_value("#id_budget-0-amount") == "8000"
    assert not BudgetItem.objects.filter(proposal=proposal).exists()
