"""The benchmark's data generator at a tiny scale: the states it writes are the ones the services
would have reached by `now`, and the spike's accounts can really register and submit."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count

from applications.models import ContributorProfile, Project, Proposal, ProposalStatus
from applications.services import proposals
from applications.services.eligibility import eligibility_problems
from bench.generate import generate
from evaluations.models import Evaluation, EvaluationPeriod, PeriodStatus
from evaluations.services import schedule
from payments import services as payments
from payments.models import Milestone, Payout
from programs.models import Membership, Participation, Program, ProjectSize

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 10, 9, 30, tzinfo=UTC)


@pytest.fixture
def data(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        return generate(scale=0.002, now=NOW)


def test_counts_are_in_proportion(data):
    program = Program.objects.get(slug=data["coding_program"])
    assert Participation.objects.filter(program=program).count() == 4
    submitted = Proposal.objects.filter(program=program)
    assert submitted.count() == 200
    assert Project.objects.filter(participation__program=program).count() == data["projects"]
    assert 20 <= data["projects"] <= 24
    sizes = Counter(submitted.values_list("size", flat=True))
    assert sizes[ProjectSize.MEDIUM] > sizes[ProjectSize.SMALL]
    countries = Counter(
        ContributorProfile.objects.filter(user__proposals__program=program).values_list(
            "country_of_residence", flat=True
        )
    )
    assert countries.most_common(1)[0][0] == "IN"
    # One accepted proposal at most per contributor, three submitted at most.
    assert submitted.values("contributor").distinct().count() <= 130
    assert not submitted.filter(submission_slot__gt=3).exists()
    assert (
        submitted.filter(status=ProposalStatus.ACCEPTED)
        .values("contributor")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
        == 0
    )


def test_every_project_has_its_periods_and_the_jobs_find_nothing_but_reminders(data):
    for project in Project.objects.all():
        assert project.periods.count() == 4
        if project.status != "active":
            assert project.ended_at is not None and project.end_reason
    # Submitted periods have their evaluation; no evaluation sits in a missed period.
    assert not EvaluationPeriod.objects.filter(
        status=PeriodStatus.SUBMITTED, evaluation__isnull=True
    ).exists()
    assert not Evaluation.objects.exclude(period__status=PeriodStatus.SUBMITTED).exists()
    result = schedule.advance_schedule(now=NOW)
    assert (result["periods_created"], result["periods_opened"], result["periods_missed"]) == (
        0,
        0,
        0,
    )
    assert result["phases_changed"] == 0
    assert payments.payouts_create_due(now=NOW) == []
    # A payout for every passed midterm; none for a project that never passed one.
    midterms = set(
        Payout.objects.filter(milestone=Milestone.CODING_MIDTERM).values_list("project", flat=True)
    )
    for project in Project.objects.filter(status="passed"):
        assert project.pk in midterms
        assert project.payouts.filter(milestone=Milestone.CODING_FINAL).exists()


def test_the_spike_contributors_are_eligible_and_can_submit(data):
    spike = data["spike"]
    program = Program.objects.get(slug=spike["program"])
    assert datetime.fromisoformat(spike["closes_at"]) >= NOW + timedelta(days=1)
    users = get_user_model().objects.filter(email__in=spike["emails"])
    assert users.count() == spike["contributors"] == 10
    for user in users:
        assert user.check_password(data["password"])
        profile = ContributorProfile.objects.get(user=user)
        assert eligibility_problems(user=user, program=program, profile=profile, now=NOW) == []
        assert not Proposal.objects.filter(program=program, contributor=user).exists()
    user = users.first()
    participation = Participation.objects.filter(program=program).first()
    idea = participation.ideas.first()
    draft = proposals.proposal_create(
        contributor=user, program=program, participation=participation, idea=idea, now=NOW
    )
    proposals.proposal_save(
        proposal=draft,
        by=user,
        data={"title": "Spike", "abstract": "A plan.", "body": "Steps.", "size": idea.size},
        now=NOW,
    )
    receipt = proposals.proposal_submit(proposal=draft, by=user, now=NOW)
    assert receipt.proposal.status == ProposalStatus.SUBMITTED


def test_the_reviewing_mentor_has_a_load(data):
    mentor = data["mentor"]
    user = get_user_model().objects.get(email=mentor["email"])
    assert Membership.objects.filter(
        user=user, participation__organization__slug=mentor["org"]
    ).exists()
    assert mentor["proposals_in_org"] >= 20
