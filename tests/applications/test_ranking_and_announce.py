"""From ranked proposals to announced projects, through the services."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from applications.models import Project, Proposal, ProposalStatus
from applications.services import review, selection
from programs.models import MilestoneKind
from tests.factories import UserFactory
from tests.support.selection import BEFORE_RANKING, submitted

pytestmark = pytest.mark.django_db


def test_ranking_needs_a_mentor_and_an_org_admin(cast):
    with_mentor = submitted(cast, cast.participation)
    without = submitted(cast, cast.participation, mentor=False)
    with pytest.raises(ValidationError, match="no mentor assigned"):
        review.proposals_rank(
            participation=cast.participation,
            by=cast.org_admin,
            ordering=[with_mentor.pk, without.pk],
            now=BEFORE_RANKING,
        )
    with pytest.raises(PermissionDenied):
        review.proposals_rank(
            participation=cast.participation,
            by=cast.mentor,
            ordering=[with_mentor.pk],
            now=BEFORE_RANKING,
        )
    review.proposals_rank(
        participation=cast.participation,
        by=cast.org_admin,
        ordering=[with_mentor.pk],
        now=BEFORE_RANKING,
    )
    assert Proposal.objects.get(pk=with_mentor.pk).rank == 1


def test_ranking_and_slot_requests_close_at_the_ranking_deadline(cast):
    proposal = submitted(cast, cast.participation)
    due = cast.program.milestone(MilestoneKind.RANKING_DUE).ends_at
    review.proposals_rank(
        participation=cast.participation, by=cast.org_admin, ordering=[proposal.pk], now=due
    )
    review.participation_request_slots(
        participation=cast.participation, by=cast.org_admin, slots=2, now=due
    )
    late = due + timedelta(microseconds=1)
    with pytest.raises(ValidationError, match="read-only"):
        review.proposals_rank(
            participation=cast.participation, by=cast.org_admin, ordering=[], now=late
        )
    with pytest.raises(ValidationError, match="read-only"):
        review.participation_request_slots(
            participation=cast.participation, by=cast.org_admin, slots=3, now=late
        )


def test_other_orgs_cannot_rank_or_review(cast):
    proposal = submitted(cast, cast.participation)
    with pytest.raises(PermissionDenied):
        review.proposal_comment(proposal=proposal, by=cast.other_mentor, body="hi")
    with pytest.raises(PermissionDenied):
        review.proposal_score(proposal=proposal, by=cast.other_org_admin, value=5)
    with pytest.raises(PermissionDenied):
        review.proposals_rank(
            participation=cast.participation,
            by=cast.other_org_admin,
            ordering=[proposal.pk],
            now=BEFORE_RANKING,
        )


def test_the_whole_selection(cast, django_capture_on_commit_callbacks):
    shared = UserFactory(email="shared@example.org")
    a1 = submitted(cast, cast.participation, contributor=shared, preference=2)
    a2 = submitted(cast, cast.participation)
    b1 = submitted(cast, cast.other_participation, contributor=shared, preference=1)
    b2 = submitted(cast, cast.other_participation)
    for participation, admin, order in (
        (cast.participation, cast.org_admin, [a1.pk, a2.pk]),
        (cast.other_participation, cast.other_org_admin, [b1.pk, b2.pk]),
    ):
        review.proposals_rank(
            participation=participation, by=admin, ordering=order, now=BEFORE_RANKING
        )
        review.participation_request_slots(
            participation=participation, by=admin, slots=1, now=BEFORE_RANKING
        )

    with pytest.raises(PermissionDenied):
        selection.slots_apply(program=cast.program, by=cast.org_admin, total=2, now=BEFORE_RANKING)
    selection.slots_apply(program=cast.program, by=cast.manager, total=2, now=BEFORE_RANKING)
    preview = selection.selection_preview(program=cast.program)
    # Both orgs ranked the shared contributor first: the tie goes to their own preference (B).
    picked = {p.organization_id: [x.pk for x in chosen] for p, chosen in preview.items()}
    assert picked[cast.other_participation.organization_id] == [b1.pk]
    assert picked[cast.participation.organization_id] == [a2.pk]

    with django_capture_on_commit_callbacks(execute=True):
        projects = selection.program_announce(
            program=cast.program, by=cast.manager, now=BEFORE_RANKING
        )
    assert {p.proposal_id for p in projects} == {a2.pk, b1.pk}
    coding = cast.program.milestone(MilestoneKind.CODING)
    project = Project.objects.get(proposal=a2)
    assert project.coding_starts_at == coding.starts_at
    assert project.coding_ends_at == coding.starts_at + timedelta(weeks=14)
    assert project.midterm_at == coding.starts_at + timedelta(weeks=7)
    assert list(project.mentors.all()) == [cast.mentor]
    statuses = dict(Proposal.objects.values_list("pk", "status"))
    assert statuses[a1.pk] == statuses[b2.pk] == ProposalStatus.REJECTED
    assert statuses[a2.pk] == statuses[b1.pk] == ProposalStatus.ACCEPTED
    assert len(mail.outbox) == 2
    assert any(cast.mentor.email in m.to for m in mail.outbox)
    with pytest.raises(ValidationError, match="already announced"):
        selection.program_announce(program=cast.program, by=cast.manager, now=BEFORE_RANKING)


def test_announcing_needs_allocated_slots(cast):
    with pytest.raises(ValidationError, match="Allocate slots"):
        selection.program_announce(
            program=cast.program, by=cast.manager, now=datetime(2023, 5, 1, tzinfo=UTC)
        )
