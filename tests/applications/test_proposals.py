"""Proposal rules at their boundaries: the deadline to the microsecond, the cap under races,
receipts that prove what was received, drafts that are never lost."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from applications.models import Proposal, ProposalStatus, Receipt, Registration
from applications.services import proposals as proposals_services
from tests.factories import ParticipationFactory
from tests.support.cast import DEADLINE
from tests.support.proposals import COMPLETE

pytestmark = pytest.mark.django_db
US = timedelta(microseconds=1)


@pytest.fixture
def registered(cast):
    Registration.objects.create(user=cast.contributor, program=cast.program, registered_at=DEADLINE)
    return cast


def draft(cast, participation=None, **fields):
    proposal = proposals_services.proposal_create(
        contributor=cast.contributor,
        program=cast.program,
        participation=participation or cast.participation,
        idea=None,
        now=DEADLINE - timedelta(days=1),
    )
    for name, value in {**COMPLETE, **fields}.items():
        setattr(proposal, name, value)
    proposal.save()
    return proposal


@pytest.mark.parametrize(
    ("moment", "accepted"), [(DEADLINE - US, True), (DEADLINE, True), (DEADLINE + US, False)]
)
def test_submission_window_closes_after_its_last_microsecond(registered, moment, accepted):
    proposal = draft(registered)
    if accepted:
        receipt = proposals_services.proposal_submit(
            proposal=proposal, by=registered.contributor, now=moment
        )
        assert receipt.submitted_at == moment
    else:
        with pytest.raises(ValidationError) as error:
            proposals_services.proposal_submit(
                proposal=proposal, by=registered.contributor, now=moment
            )
        assert "closed at 2023-04-04 18:00:00 UTC" in error.value.messages[0]
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.DRAFT
        assert proposal.body == COMPLETE["body"]


def test_a_late_submit_attempt_keeps_what_was_typed(registered):
    proposal = draft(registered)
    late = DEADLINE + US
    saved = proposals_services.proposal_save(
        proposal=proposal,
        by=registered.contributor,
        data={"body": "typed at the last second"},
        now=late,
    )
    assert saved.body == "typed at the last second"
    with pytest.raises(ValidationError, match="closed at"):
        proposals_services.proposal_submit(proposal=saved, by=registered.contributor, now=late)
    assert Proposal.objects.get().body == "typed at the last second"


def test_submission_needs_the_window_to_have_opened(registered):
    proposal = draft(registered)
    opens = registered.program.milestones.get(kind="contributor_applications").starts_at
    with pytest.raises(ValidationError, match="open at"):
        proposals_services.proposal_submit(
            proposal=proposal, by=registered.contributor, now=opens - US
        )
    proposals_services.proposal_submit(proposal=proposal, by=registered.contributor, now=opens)


def test_receipt_digest_is_sha256_of_the_received_content(registered):
    import hashlib
    import json

    proposal = draft(registered)
    receipt = proposals_services.proposal_submit(
        proposal=proposal, by=registered.contributor, now=DEADLINE
    )
    canonical = json.dumps(
        receipt.content, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    assert receipt.digest == hashlib.sha256(canonical.encode()).hexdigest()
    assert receipt.content["body"] == COMPLETE["body"]
    proposal.refresh_from_db()
    assert proposal.content_digest == receipt.digest


def test_receipt_is_mailed(registered, django_capture_on_commit_callbacks):
    proposal = draft(registered)
    with django_capture_on_commit_callbacks(execute=True):
        receipt = proposals_services.proposal_submit(
            proposal=proposal, by=registered.contributor, now=DEADLINE
        )
    assert len(mail.outbox) == 1
    assert receipt.digest in mail.outbox[0].body
    assert receipt.number in mail.outbox[0].subject


def test_submitted_proposals_can_be_edited_until_the_deadline_then_not(registered):
    proposal = draft(registered)
    proposals_services.proposal_submit(
        proposal=proposal, by=registered.contributor, now=DEADLINE - timedelta(hours=1)
    )
    edited = proposals_services.proposal_save(
        proposal=proposal,
        by=registered.contributor,
        data={"abstract": "Better abstract."},
        now=DEADLINE,
    )
    assert edited.receipts.count() == 2
    assert edited.receipts.first().content["abstract"] == "Better abstract."
    with pytest.raises(ValidationError, match="can no longer be changed"):
        proposals_services.proposal_save(
            proposal=edited,
            by=registered.contributor,
            data={"abstract": "Too late."},
            now=DEADLINE + US,
        )
    assert Proposal.objects.get().abstract == "Better abstract."


def test_submitted_edits_are_checked_in_full(registered):
    proposal = draft(registered)
    proposals_services.proposal_submit(proposal=proposal, by=registered.contributor, now=DEADLINE)
    with pytest.raises(ValidationError) as error:
        proposals_services.proposal_save(
            proposal=proposal, by=registered.contributor, data={"title": ""}, now=DEADLINE
        )
    assert error.value.message_dict["title"] == [proposals_services.REQUIRED]


def test_the_cap_counts_submitted_proposals_only(registered):
    orgs = [ParticipationFactory(program=registered.program) for _ in range(4)]
    proposals = [draft(registered, participation=org) for org in orgs]
    for proposal in proposals[:3]:
        proposals_services.proposal_submit(
            proposal=proposal, by=registered.contributor, now=DEADLINE
        )
    with pytest.raises(ValidationError, match="already submitted 3 proposals"):
        proposals_services.proposal_submit(
            proposal=proposals[3], by=registered.contributor, now=DEADLINE
        )
    proposals_services.proposal_withdraw(
        proposal=proposals[0], by=registered.contributor, now=DEADLINE
    )
    proposals_services.proposal_submit(
        proposal=proposals[3], by=registered.contributor, now=DEADLINE
    )
    assert Proposal.objects.filter(status="submitted").count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_cap_holds_under_concurrent_submits(registered):
    """Two requests race for the last free slot: one wins, the other gets the cap message."""
    orgs = [ParticipationFactory(program=registered.program) for _ in range(4)]
    proposals = [draft(registered, participation=org) for org in orgs]
    for proposal in proposals[:2]:
        proposals_services.proposal_submit(
            proposal=proposal, by=registered.contributor, now=DEADLINE
        )
    barrier = threading.Barrier(2)
    outcomes = []

    def submit(proposal):
        try:
            barrier.wait()
            proposals_services.proposal_submit(
                proposal=proposal, by=registered.contributor, now=DEADLINE
            )
            outcomes.append("stored")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(p,)) for p in proposals[2:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "stored"
    assert outcomes.count("stored") == 1
    assert any("already submitted 3" in o for o in outcomes)
    assert Proposal.objects.filter(status="submitted").count() == 3
    assert Receipt.objects.count() == 3


def test_submission_needs_every_field(registered):
    proposal = draft(registered, abstract="", size=None)
    with pytest.raises(ValidationError) as error:
        proposals_services.proposal_submit(
            proposal=proposal, by=registered.contributor, now=DEADLINE
        )
    assert set(error.value.message_dict) == {"abstract", "size"}


def test_only_offered_sizes_and_allowed_lengths(registered):
    registered.program.sizes_offered = [175, 350]
    registered.program.save()
    proposal = draft(registered, size=None)
    with pytest.raises(ValidationError) as error:
        proposals_services.proposal_save(
            proposal=proposal, by=registered.contributor, data={"size": 90}, now=DEADLINE
        )
    assert "175, 350" in error.value.message_dict["size"][0]
    with pytest.raises(ValidationError) as error:
        proposals_services.proposal_save(
            proposal=proposal,
            by=registered.contributor,
            data={"size": 350, "length_weeks": 11},
            now=DEADLINE,
        )
    assert "length_weeks" in error.value.message_dict
    proposals_services.proposal_save(
        proposal=proposal,
        by=registered.contributor,
        data={"size": 350, "length_weeks": 22},
        now=DEADLINE,
    )


def test_body_length_is_bounded_on_submit_but_drafts_keep_everything(registered):
    registered.program.proposal_body_max_chars = 100
    registered.program.save()
    proposal = draft(registered)
    proposals_services.proposal_save(
        proposal=proposal, by=registered.contributor, data={"body": "x" * 150}, now=DEADLINE
    )
    with pytest.raises(ValidationError) as error:
        proposals_services.proposal_submit(
            proposal=proposal, by=registered.contributor, now=DEADLINE
        )
    assert "150 characters long; the limit is 100" in error.value.message_dict["body"][0]
    assert Proposal.objects.get().body == "x" * 150


def test_stale_autosave_does_not_overwrite_newer_text(registered):
    proposal = draft(registered)
    base = proposal.revision
    proposals_services.proposal_save(
        proposal=proposal,
        by=registered.contributor,
        data={"body": "tab A"},
        now=DEADLINE,
        base_revision=base,
    )
    with pytest.raises(ValidationError) as error:
        proposals_services.proposal_save(
            proposal=proposal,
            by=registered.contributor,
            data={"body": "tab B"},
            now=DEADLINE,
            base_revision=base,
        )
    assert error.value.code == "stale"
    assert Proposal.objects.get().body == "tab A"


def test_only_the_author_changes_a_proposal(registered):
    proposal = draft(registered)
    for person in (registered.mentor, registered.org_admin, registered.outsider):
        with pytest.raises(PermissionDenied):
            proposals_services.proposal_save(
                proposal=proposal, by=person, data={"body": "x"}, now=DEADLINE
            )
        with pytest.raises(PermissionDenied):
            proposals_services.proposal_submit(proposal=proposal, by=person, now=DEADLINE)


def test_proposals_need_registration_and_an_accepted_org(cast):
    with pytest.raises(ValidationError, match="Register"):
        draft(cast)
    Registration.objects.create(user=cast.contributor, program=cast.program, registered_at=DEADLINE)
    rejected = ParticipationFactory(program=cast.program, status="rejected")
    with pytest.raises(ValidationError, match="not an accepted organization"):
        draft(cast, participation=rejected)
