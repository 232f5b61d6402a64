"""Program managers' pages: slot allocation, selection and announcement; the public project list."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from applications.models import Project, Proposal, ProposalMentor, ProposalStatus
from applications.services import selection
from programs.models import MilestoneKind, ParticipationStatus, Role
from programs.services import manager_grant
from tests.factories import MembershipFactory, ParticipationFactory, ProgramFactory, UserFactory
from tests.support.matrix import assert_matrix, roles_expect
from tests.support.proposals import allocate, open_ranking, org_url, submitted

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["program_slots", "program_selection"])
def test_manager_pages_are_for_the_programs_managers_only(cast, client, name):
    expected = roles_expect(cast, manager=200)
    assert_matrix(client, reverse(name, args=[cast.program.slug]), expected)


def test_managers_of_another_program_get_404(cast, client):
    elsewhere = ProgramFactory()
    other_manager = UserFactory()
    manager_grant(program=elsewhere, user=other_manager)
    client.force_login(other_manager)
    assert client.get(reverse("program_slots", args=[cast.program.slug])).status_code == 404


def test_slots_preview_then_apply(cast, client):
    cast.participation.slots_requested = 3
    cast.participation.save()
    cast.other_participation.slots_requested = 1
    cast.other_participation.save()
    silent = ParticipationFactory(program=cast.program)  # accepted, asked for nothing
    url = reverse("program_slots", args=[cast.program.slug])
    client.force_login(cast.manager)

    preview = client.post(url, {"total": "3", "action": "preview"})
    assert preview.status_code == 200
    assert "Preview for 3 slots" in preview.text
    assert silent.organization.name in preview.text and "No request" in preview.text
    assert "1 organization has requested no slots" in preview.text
    assert "Apply this allocation" in preview.text
    cast.participation.refresh_from_db()
    assert cast.participation.slots_allocated is None  # a preview changes nothing

    too_few = client.post(url, {"total": "1", "action": "preview"})
    assert too_few.status_code == 400
    assert selection.TOO_FEW_SLOTS.format(count=2) in too_few.text

    applied = client.post(url, {"total": "3", "action": "apply"})
    assert applied.status_code == 302
    cast.program.refresh_from_db()
    assert cast.program.total_slots == 3
    allocated = {
        p.pk: p.slots_allocated
        for p in cast.program.participations.filter(status=ParticipationStatus.ACCEPTED)
    }
    assert allocated == {cast.participation.pk: 2, cast.other_participation.pk: 1, silent.pk: None}


def test_selection_needs_an_allocation_first(cast, client):
    client.force_login(cast.manager)
    page = client.get(reverse("program_selection", args=[cast.program.slug]))
    assert page.status_code == 200
    assert selection.NOT_ALLOCATED in page.text
    assert "Announce accepted contributors" not in page.text


def test_preview_and_announce_create_projects_and_send_mail(
    cast, client, django_capture_on_commit_callbacks
):
    allocate(cast.participation, 1)
    allocate(cast.other_participation, 1)
    chosen = submitted(cast.participation, cast.contributor, title="Chosen", rank=1)
    ProposalMentor.objects.create(proposal=chosen, mentor=cast.mentor)
    runner_up = submitted(cast.participation, title="Runner-up", rank=2, mentors=[cast.mentor])
    other = submitted(
        cast.other_participation, title="Other org's", rank=1, mentors=[cast.other_mentor]
    )
    url = reverse("program_selection", args=[cast.program.slug])
    client.force_login(cast.manager)

    page = client.get(url)
    assert page.status_code == 200
    assert "Chosen" in page.text and "Other org&#x27;s" in page.text
    assert "Runner-up" not in page.text
    assert "Preview: 2 contributors" in page.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302

    coding = cast.program.milestone(MilestoneKind.CODING)
    project = Project.objects.get(proposal=chosen)
    assert project.contributor == cast.contributor
    assert list(project.mentors.all()) == [cast.mentor]
    assert (project.size, project.length_weeks) == (175, 12)
    assert project.coding_starts_at == coding.starts_at
    assert project.coding_ends_at == coding.starts_at + timedelta(weeks=12)
    assert Project.objects.count() == 2
    statuses = dict(
        Proposal.objects.filter(pk__in=[chosen.pk, runner_up.pk, other.pk]).values_list(
            "pk", "status"
        )
    )
    assert statuses == {
        chosen.pk: ProposalStatus.ACCEPTED,
        runner_up.pk: ProposalStatus.REJECTED,
        other.pk: ProposalStatus.ACCEPTED,
    }

    assert len(mail.outbox) == 2
    to_chosen = next(m for m in mail.outbox if "Chosen" in m.subject)
    assert set(to_chosen.to) == {cast.contributor.email, cast.mentor.email, cast.org_admin.email}

    after = client.get(url)
    assert "Announced: 2 accepted projects" in after.text
    assert "Announce accepted contributors" not in after.text
    again = client.post(url)
    assert again.status_code == 400
    assert selection.ALREADY_ANNOUNCED in again.text

    # The public pages show the projects, without any e-mail address.
    client.logout()
    for public in (
        reverse("program_projects", args=[cast.program.slug]),
        reverse("program_detail", args=[cast.program.slug]),
    ):
        text = client.get(public).text
        assert 'id="projects-heading"' in text and "Chosen" in text
        assert cast.contributor.name in text
        assert cast.contributor.email not in text


def test_program_page_has_manager_links_only_for_managers(cast, client):
    detail = reverse("program_detail", args=[cast.program.slug])
    slots = reverse("program_slots", args=[cast.program.slug])
    client.force_login(cast.manager)
    assert slots in client.get(detail).text
    client.force_login(cast.org_admin)
    text = client.get(detail).text
    assert slots not in text
    assert 'id="projects-heading"' not in text  # nothing announced yet
    assert reverse("idea_list", args=[cast.program.slug]) in text


def test_a_contributor_chosen_twice_goes_to_the_higher_rank_through_the_pages(cast, client):
    open_ranking(cast.program)
    a, b = cast.participation, cast.other_participation
    wanted = UserFactory(name="Wanted Person")
    x = submitted(a, title="A first")
    c_at_a = submitted(a, wanted, title="Wanted at A")
    z = submitted(a, title="A third")
    c_at_b = submitted(b, wanted, title="Wanted at B")
    y = submitted(b, title="B second")

    # Mentors assign themselves through the review page.
    for mentor, proposals in ((cast.mentor, (x, c_at_a, z)), (cast.other_mentor, (c_at_b, y))):
        client.force_login(mentor)
        for proposal in proposals:
            url = reverse("proposal_review", args=[proposal.pk])
            assert client.post(url, {"action": "assign_me"}).status_code == 302

    # A ranks Wanted second; B ranks Wanted first. A asks for 2 slots, B for 1.
    client.force_login(cast.org_admin)
    ranks = {"action": "rank", f"rank_{x.pk}": 1, f"rank_{c_at_a.pk}": 2, f"rank_{z.pk}": 3}
    assert client.post(org_url(cast, a), ranks).status_code == 302
    assert client.post(org_url(cast, a), {"action": "slots", "slots-slots": 2}).status_code == 302
    client.force_login(cast.other_org_admin)
    ranks = {"action": "rank", f"rank_{c_at_b.pk}": 1, f"rank_{y.pk}": 2}
    assert client.post(org_url(cast, b), ranks).status_code == 302
    assert client.post(org_url(cast, b), {"action": "slots", "slots-slots": 1}).status_code == 302

    client.force_login(cast.manager)
    slots = reverse("program_slots", args=[cast.program.slug])
    assert client.post(slots, {"total": 3, "action": "apply"}).status_code == 302
    page = client.get(reverse("program_selection", args=[cast.program.slug]))
    assert "Wanted at B" in page.text and "Wanted at A" not in page.text
    assert "A third" in page.text

    assert client.post(reverse("program_selection", args=[cast.program.slug])).status_code == 302
    accepted = set(Project.objects.values_list("proposal_id", flat=True))
    assert accepted == {x.pk, z.pk, c_at_b.pk}


def test_an_organization_without_a_mentor_gets_no_slot(cast, client):
    cast.participation.slots_requested = 2
    cast.participation.save()
    alone = ParticipationFactory(program=cast.program, slots_requested=4)
    MembershipFactory(participation=alone, role=Role.ORG_ADMIN)  # an admin, but no mentor
    client.force_login(cast.manager)
    url = reverse("program_slots", args=[cast.program.slug])
    preview = client.post(url, {"total": "6", "action": "preview"})
    assert preview.status_code == 200 and "No mentor" in preview.text
    rows = {p.pk: (mentors, slots) for p, mentors, slots in selection.slots_preview(
        program=cast.program, total=6
    )}  # fmt: skip
    assert rows[alone.pk] == (0, 0)
    assert rows[cast.participation.pk] == (1, 2)
    MembershipFactory(participation=alone, role=Role.MENTOR)
    rows = {p.pk: slots for p, _, slots in selection.slots_preview(program=cast.program, total=6)}
    assert rows[alone.pk] == 4
