"""Each audited service writes exactly one entry per object it changes, with what changed from
what to what; a refused change writes none."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from applications.models import ProposalStatus
from applications.services import proposals, review, selection
from audit.models import AuditEntry
from docs_season.models import CaseStudy, CaseStudyStatus
from docs_season.services import case_studies, hiring, organizations
from evaluations.models import EvaluationKind, Side
from evaluations.services import filing, periods
from payments import services as payments
from payments.models import PayoutStatus
from programs import services as programs
from programs.models import Invitation, InvitationStatus, ParticipationStatus, Role
from reports import publishing
from tests.factories import ParticipationFactory, ProgramFactory, UserFactory
from tests.support.cast import DEADLINE
from tests.support.docs import fund_writers
from tests.support.evaluations import FAIL_ANSWERS, make_project, period_of
from tests.support.payouts import make_payout
from tests.support.proposals import COMPLETE, allocate, open_ranking, submitted
from tests.support.statistics import raw_key

pytestmark = pytest.mark.django_db


def only(action):
    """The one entry of `action`; fails if there are none or several."""
    (entry,) = AuditEntry.objects.filter(action=action)
    return entry


def changes(entry):
    return entry.before, entry.after


def assert_none():
    assert list(AuditEntry.objects.exclude(action="manager.grant").values_list("action")) == []


@pytest.fixture
def quiet(cast):
    """The cast, with the entries of its own making (manager grants) left aside."""
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {"manager.grant"}
    return cast


# Proposals --------------------------------------------------------------------------------


def _draft(cast):
    from applications.models import Registration

    Registration.objects.create(user=cast.contributor, program=cast.program, registered_at=DEADLINE)
    proposal = proposals.proposal_create(
        contributor=cast.contributor,
        program=cast.program,
        participation=cast.participation,
        idea=None,
        now=DEADLINE - timedelta(days=1),
    )
    for name, value in COMPLETE.items():
        setattr(proposal, name, value)
    proposal.save()
    return proposal


def test_submit_and_withdraw(quiet):
    cast = quiet
    proposal = _draft(cast)
    with pytest.raises(ValidationError):
        proposals.proposal_submit(
            proposal=proposal, by=cast.contributor, now=DEADLINE + timedelta(seconds=1)
        )
    assert_none()
    proposals.proposal_submit(proposal=proposal, by=cast.contributor, now=DEADLINE)
    submit = only("proposal.submit")
    assert (submit.actor, submit.at, submit.program_id) == (
        cast.contributor,
        DEADLINE,
        cast.program.pk,
    )
    assert (submit.object_type, submit.object_id) == ("applications.proposal", str(proposal.pk))
    assert changes(submit) == ({"status": "draft"}, {"status": "submitted", "submission_slot": 1})
    # Submitting again changes nothing and records nothing.
    proposals.proposal_submit(proposal=proposal, by=cast.contributor, now=DEADLINE)
    assert AuditEntry.objects.filter(action="proposal.submit").count() == 1

    with pytest.raises(PermissionDenied):
        proposals.proposal_withdraw(proposal=proposal, by=cast.outsider, now=DEADLINE)
    assert not AuditEntry.objects.filter(action="proposal.withdraw").exists()
    proposals.proposal_withdraw(proposal=proposal, by=cast.contributor, now=DEADLINE)
    assert changes(only("proposal.withdraw")) == (
        {"status": "submitted", "submission_slot": 1, "rank": None},
        {"status": "withdrawn", "submission_slot": None, "rank": None},
    )


def test_ranking_records_each_proposal_whose_place_changed(quiet):
    cast = quiet
    open_ranking(cast.program)
    now = timezone.now()
    first = submitted(cast.participation, rank=1, mentors=[cast.mentor])
    second = submitted(cast.participation, mentors=[cast.mentor])
    unmentored = submitted(cast.participation)
    with pytest.raises(ValidationError):
        review.proposals_rank(
            participation=cast.participation, by=cast.org_admin, ordering=[unmentored.pk], now=now
        )
    with pytest.raises(PermissionDenied):
        review.proposals_rank(
            participation=cast.participation, by=cast.mentor, ordering=[second.pk], now=now
        )
    assert_none()
    review.proposals_rank(
        participation=cast.participation, by=cast.org_admin, ordering=[second.pk, first.pk], now=now
    )
    entries = {e.object_id: changes(e) for e in AuditEntry.objects.filter(action="proposal.rank")}
    assert entries == {
        str(first.pk): ({"rank": 1}, {"rank": 2}),
        str(second.pk): ({"rank": None}, {"rank": 1}),
    }
    assert {e.actor for e in AuditEntry.objects.filter(action="proposal.rank")} == {cast.org_admin}

    review.proposal_mark_duplicate(proposal=first, of=second, by=cast.org_admin, now=now)
    assert changes(only("proposal.mark_duplicate")) == (
        {"duplicate_of": None, "rank": 2},
        {"duplicate_of": second.pk, "rank": None},
    )


def test_announcing_records_every_accepted_and_rejected_proposal(quiet):
    cast = quiet
    chosen = submitted(cast.participation, rank=1, mentors=[cast.mentor])
    left = submitted(cast.participation, rank=2, mentors=[cast.mentor])
    allocate(cast.participation, 1)
    with pytest.raises(PermissionDenied):
        selection.program_announce(program=cast.program, by=cast.org_admin, now=DEADLINE)
    assert_none()
    selection.program_announce(program=cast.program, by=cast.manager, now=DEADLINE)
    accepted, rejected = only("proposal.accept"), only("proposal.reject")
    assert (accepted.object_id, rejected.object_id) == (str(chosen.pk), str(left.pk))
    assert changes(accepted) == ({"status": "submitted"}, {"status": ProposalStatus.ACCEPTED})
    assert changes(rejected) == ({"status": "submitted"}, {"status": ProposalStatus.REJECTED})
    assert accepted.actor == rejected.actor == cast.manager


# Evaluations ------------------------------------------------------------------------------


def test_a_failing_evaluation_records_itself_and_the_end_of_the_project(quiet):
    cast = quiet
    project = make_project(cast)
    period = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    with pytest.raises(ValidationError):
        filing.evaluation_submit(
            period=period, by=cast.mentor, answers=FAIL_ANSWERS, now=period.closes_at + timedelta(1)
        )
    with pytest.raises(PermissionDenied):
        filing.evaluation_submit(
            period=period, by=cast.outsider, answers=FAIL_ANSWERS, now=period.opens_at
        )
    assert_none()
    was = period.status
    evaluation = filing.evaluation_submit(
        period=period, by=cast.mentor, answers=FAIL_ANSWERS, now=period.opens_at
    )
    filed = only("evaluation.submit")
    assert (filed.object_id, filed.actor, filed.program_id) == (
        str(evaluation.pk),
        cast.mentor,
        cast.program.pk,
    )
    assert changes(filed) == (
        {"period_status": was},
        {"period": period.pk, "period_status": "submitted", "passed": False, "status": ""},
    )
    ended = only("project.end")
    assert (ended.object_id, ended.actor) == (str(project.pk), cast.mentor)
    assert ended.before == {"status": "active"}
    assert ended.after["status"] == "failed"
    assert ended.after["end_reason"] == "failed the midterm"
    # Ending it again changes nothing and records nothing.
    assert not filing.project_end(project=project, passed=True, reason="x", now=DEADLINE)
    assert AuditEntry.objects.filter(action="project.end").count() == 1


def test_the_scheduler_records_missed_periods(quiet):
    from evaluations.services import periods

    cast = quiet
    project = make_project(cast)
    period = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    before = period.status
    periods.periods_mark_missed(now=period.closes_at + timedelta(days=3))
    missed = AuditEntry.objects.filter(action="evaluation_period.miss", object_id=str(period.pk))
    (entry,) = missed
    assert (entry.actor, entry.program_id) == (None, cast.program.pk)
    assert changes(entry) == ({"status": before}, {"status": "missed"})
    assert only("project.end").actor is None


# Payouts ----------------------------------------------------------------------------------


def test_payout_moves_are_recorded_and_refused_ones_are_not(quiet):
    cast = quiet
    payout = make_payout(cast, status=PayoutStatus.PENDING)
    with pytest.raises(ValidationError):
        payments.payout_transition(
            payout=payout, to=PayoutStatus.PAID, by=cast.manager, now=DEADLINE
        )
    with pytest.raises(PermissionDenied):
        payments.payout_transition(
            payout=payout, to=PayoutStatus.APPROVED, by=cast.org_admin, now=DEADLINE
        )
    assert_none()
    payments.payout_transition(
        payout=payout, to=PayoutStatus.APPROVED, by=cast.manager, now=DEADLINE, reason="Checked"
    )
    moved = only("payout.transition")
    assert (moved.object_type, moved.object_id, moved.actor, moved.program_id) == (
        "payments.payout",
        str(payout.pk),
        cast.manager,
        cast.program.pk,
    )
    assert changes(moved) == ({"status": "pending"}, {"status": "approved", "reason": "Checked"})


def test_a_payout_created_by_the_scheduler_is_recorded_once(quiet):
    from docs_season.models import Hire

    cast = quiet
    Hire.objects.create(
        participation=cast.docs_participation,
        writer=cast.writer,
        agreed_hours=120,
        hours_per_week=10,
        compensation=Decimal("6000.00"),
        hired_at=DEADLINE,
        hired_by=cast.org_admin,
    )
    cast.docs_participation.budget_requested = Decimal("10000")
    cast.docs_participation.save()
    (payout,) = payments.payouts_create_due(now=DEADLINE)
    created = only("payout.create")
    assert (created.object_id, created.actor, created.program_id) == (
        str(payout.pk),
        None,
        cast.docs_program.pk,
    )
    assert created.after["status"] == "draft"
    assert Decimal(created.after["amount"]) == payout.amount
    assert payments.payouts_create_due(now=DEADLINE) == []
    assert AuditEntry.objects.filter(action="payout.create").count() == 1


# Roles ------------------------------------------------------------------------------------


def test_a_manager_grant_is_recorded_once(quiet):
    cast = quiet
    programs.manager_grant(program=cast.program, user=cast.org_admin, by=cast.manager)
    (granted,) = AuditEntry.objects.filter(action="manager.grant", actor=cast.manager)
    assert (granted.program_id, granted.after) == (cast.program.pk, {"user": cast.org_admin.pk})
    programs.manager_grant(program=cast.program, user=cast.org_admin, by=cast.manager)
    assert AuditEntry.objects.filter(action="manager.grant", actor=cast.manager).count() == 1


def test_a_manager_revoke_is_recorded_once_and_a_refused_grant_not_at_all(quiet):
    cast = quiet
    other = ProgramFactory()
    with pytest.raises(PermissionDenied):
        programs.manager_grant(program=other, user=cast.manager, by=cast.manager)
    assert not AuditEntry.objects.filter(program_id=other.pk).exists()
    programs.manager_grant(program=cast.program, user=cast.org_admin, by=cast.manager)
    for _ in range(2):
        programs.manager_revoke(program=cast.program, user=cast.org_admin, by=cast.manager)
    revoked = only("manager.revoke")
    assert (revoked.actor, revoked.program_id) == (cast.manager, cast.program.pk)
    assert changes(revoked) == ({"user": cast.org_admin.pk}, {})


def test_a_membership_removal_is_recorded_and_a_refused_one_not(quiet):
    cast = quiet
    membership = cast.participation.memberships.get(user=cast.mentor)
    with pytest.raises(PermissionDenied):
        programs.membership_remove(membership=membership, by=cast.other_org_admin)
    assert_none()
    pk = membership.pk
    programs.membership_remove(membership=membership, by=cast.org_admin)
    removed = only("membership.remove")
    assert (removed.actor, removed.program_id, removed.object_id) == (
        cast.org_admin,
        cast.program.pk,
        str(pk),
    )
    before = {"user": cast.mentor.pk, "role": Role.MENTOR, "participation": cast.participation.pk}
    assert changes(removed) == (before, {})


def _invite(cast, email="new-mentor@example.org", by=None):
    invitation, _ = programs.invitation_create(
        participation=cast.participation,
        email=email,
        role=Role.MENTOR,
        by=by or cast.org_admin,
        now=DEADLINE,
    )
    return invitation


def test_invitations_and_the_membership_they_give(quiet):
    cast = quiet
    with pytest.raises(PermissionDenied):
        _invite(cast, by=cast.mentor)
    assert_none()
    first = _invite(cast)
    created = only("invitation.create")
    assert (created.object_id, created.actor, created.program_id) == (
        str(first.pk),
        cast.org_admin,
        cast.program.pk,
    )
    assert created.after["status"] == InvitationStatus.PENDING
    second = _invite(cast)  # replaces the first
    replaced = only("invitation.replace")
    assert (replaced.object_id, changes(replaced)) == (
        str(first.pk),
        ({"status": "pending"}, {"status": "revoked"}),
    )

    newcomer = UserFactory(email="new-mentor@example.org")
    with pytest.raises(ValidationError):
        programs.invitation_accept(invitation=first, user=newcomer, now=DEADLINE)
    assert not AuditEntry.objects.filter(action__in=["invitation.accept", "membership.add"])
    programs.invitation_accept(invitation=second, user=newcomer, now=DEADLINE)
    accepted, added = only("invitation.accept"), only("membership.add")
    assert (accepted.object_id, accepted.actor) == (str(second.pk), newcomer)
    assert changes(accepted) == (
        {"status": "pending"},
        {"status": "accepted", "accepted_by": newcomer.pk},
    )
    assert added.after == {
        "user": newcomer.pk,
        "role": Role.MENTOR,
        "participation": cast.participation.pk,
    }
    assert (added.actor, added.program_id) == (newcomer, cast.program.pk)


def test_revoke_decline_and_expire(quiet):
    cast = quiet
    revoked = _invite(cast, email="a@example.org")
    declined = _invite(cast, email="b@example.org")
    expired = _invite(cast, email="c@example.org")
    with pytest.raises(PermissionDenied):
        programs.invitation_revoke(invitation=revoked, by=cast.mentor, now=DEADLINE)
    assert not AuditEntry.objects.filter(action="invitation.revoke").exists()
    programs.invitation_revoke(invitation=revoked, by=cast.org_admin, now=DEADLINE)
    assert (only("invitation.revoke").object_id, only("invitation.revoke").actor) == (
        str(revoked.pk),
        cast.org_admin,
    )
    programs.invitation_decline(invitation=declined, now=DEADLINE)
    declined_entry = only("invitation.decline")
    assert (declined_entry.object_id, declined_entry.actor, declined_entry.actor_label) == (
        str(declined.pk),
        None,
        "",
    )
    assert programs.invitations_expire(now=expired.expires_at + timedelta(seconds=1)) == 1
    expired_entry = only("invitation.expire")
    assert (expired_entry.object_id, expired_entry.program_id) == (str(expired.pk), cast.program.pk)
    assert changes(expired_entry) == ({"status": "pending"}, {"status": "expired"})
    assert Invitation.objects.get(pk=expired.pk).status == InvitationStatus.EXPIRED


# Docs -------------------------------------------------------------------------------------


def test_org_decision_hire_and_case_study_review(quiet):
    cast = quiet
    applied = ParticipationFactory(program=cast.docs_program, status=ParticipationStatus.APPLIED)
    with pytest.raises(PermissionDenied):
        organizations.participation_decide(
            participation=applied, by=cast.org_admin, accept=True, now=DEADLINE
        )
    assert_none()
    organizations.participation_decide(
        participation=applied, by=cast.manager, accept=True, now=DEADLINE
    )
    assert changes(only("participation.decide")) == ({"status": "applied"}, {"status": "accepted"})

    fund_writers(cast.docs_participation)
    hire = hiring.writer_hire(
        participation=cast.docs_participation,
        by=cast.org_admin,
        writer=cast.writer,
        agreed_hours=200,
        hours_per_week=20,
        compensation=Decimal("6000"),
        now=DEADLINE,
    )
    with pytest.raises(ValidationError):  # hired already
        hiring.writer_hire(
            participation=cast.docs_participation,
            by=cast.org_admin,
            writer=cast.writer,
            agreed_hours=200,
            hours_per_week=20,
            compensation=Decimal("6000"),
            now=DEADLINE,
        )
    hired = only("hire.create")
    assert (hired.object_id, hired.actor, hired.program_id) == (
        str(hire.pk),
        cast.org_admin,
        cast.docs_program.pk,
    )
    assert hired.after["writer"] == cast.writer.pk

    study = CaseStudy.objects.create(
        participation=cast.docs_participation, status=CaseStudyStatus.SUBMITTED
    )
    with pytest.raises(PermissionDenied):
        case_studies.case_study_review(
            case_study=study, by=cast.org_admin, accept=True, note="", now=DEADLINE
        )
    assert not AuditEntry.objects.filter(action="case_study.review").exists()
    case_studies.case_study_review(
        case_study=study, by=cast.manager, accept=False, note="Add metrics.", now=DEADLINE
    )
    assert changes(only("case_study.review")) == (
        {"status": "submitted"},
        {"status": "returned", "review_note": "Add metrics."},
    )


# Publications -----------------------------------------------------------------------------


def test_publishing_records_the_publication_and_what_it_superseded(quiet, settings):
    cast = quiet
    settings.STATISTICS_SIGNING_KEY = raw_key()
    with pytest.raises(PermissionDenied):
        publishing.statistics_publish(program=cast.program, by=cast.org_admin, now=DEADLINE)
    assert_none()
    first = publishing.statistics_publish(program=cast.program, by=cast.manager, now=DEADLINE)
    second = publishing.statistics_publish(program=cast.program, by=cast.manager, now=DEADLINE)
    entries = list(AuditEntry.objects.filter(action="publication.publish").order_by("pk"))
    assert [(e.object_id, e.actor, e.program_id) for e in entries] == [
        (str(first.pk), cast.manager, cast.program.pk),
        (str(second.pk), cast.manager, cast.program.pk),
    ]
    assert entries[0].before == {"current": []}
    assert changes(entries[1]) == (
        {"current": [first.pk]},
        {"current": [second.pk], "sha256": second.sha256},
    )


def test_a_length_change_is_recorded_and_a_locked_one_is_not(quiet):
    cast = quiet
    project = make_project(cast, weeks=12)
    opens = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR).opens_at
    with pytest.raises(ValidationError):
        periods.project_change_length(project=project, by=cast.manager, weeks=16, now=opens)
    assert_none()
    old_end = project.coding_ends_at
    periods.project_change_length(
        project=project, by=cast.org_admin, weeks=16, now=opens - timedelta(days=1)
    )
    changed = only("project.change_length")
    assert (changed.object_id, changed.actor, changed.program_id) == (
        str(project.pk),
        cast.org_admin,
        cast.program.pk,
    )
    assert changed.before["length_weeks"] == 12 and changed.after["length_weeks"] == 16
    assert (changed.before["coding_ends_at"], changed.after["coding_ends_at"]) == (
        old_end.isoformat().replace("+00:00", "Z"),
        (old_end + timedelta(weeks=4)).isoformat().replace("+00:00", "Z"),
    )


def test_unassigning_the_last_mentor_records_the_lost_rank(quiet):
    cast = quiet
    open_ranking(cast.program)
    proposal = submitted(cast.participation, rank=1, mentors=[cast.mentor])
    review.proposal_unassign_mentor(
        proposal=proposal, by=cast.mentor, mentor=cast.mentor, now=timezone.now()
    )
    unranked = only("proposal.unrank")
    assert (unranked.object_id, unranked.actor) == (str(proposal.pk), cast.mentor)
    assert changes(unranked) == ({"rank": 1}, {"rank": None})


def test_a_change_rolled_back_by_its_caller_leaves_no_entry(quiet):
    from django.db import transaction

    from payments.models import Payout

    cast = quiet
    payout = make_payout(cast, status=PayoutStatus.PENDING)

    class Later(Exception):
        """Something after the move fails: the request's transaction is rolled back."""

    with pytest.raises(Later), transaction.atomic():
        payments.payout_transition(
            payout=payout, to=PayoutStatus.APPROVED, by=cast.manager, now=DEADLINE
        )
        assert AuditEntry.objects.filter(action="payout.transition").count() == 1
        raise Later
    assert Payout.objects.get(pk=payout.pk).status == PayoutStatus.PENDING
    assert_none()
