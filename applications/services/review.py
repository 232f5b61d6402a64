"""Business rules of review inside an organization: comments, scores, mentor assignment, ranking,
duplicates and slot requests.

Every deadline is decided here, at request time, against the `now` the caller passes in.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from applications.models import Comment, Proposal, ProposalMentor, ProposalStatus, Score
from audit.services import audit_record
from programs.guards import NOT_ORG_ADMIN, org_roles, require_org_admin, require_org_member
from programs.models import (
    MilestoneKind,
    Participation,
    Role,
)
from programs.windows import milestone_error, milestone_of

RANKING_CLOSED = "Rankings and slot requests were due at {deadline} UTC; they are now read-only."
RANK_NEEDS_MENTOR = "“{title}” has no mentor assigned yet: assign one before ranking it."
RANK_NOT_SUBMITTED = "Only submitted proposals of your organization can be ranked."
DUPLICATE_SELF = "A proposal cannot duplicate itself."
MENTOR_NOT_IN_ORG = "{user} is not a mentor of this organization."


def ranking_error(participation: Participation, now: datetime) -> str | None:
    """Why rankings and slot requests are read-only at `now`, or None while they are open."""
    due = milestone_of(participation.program, MilestoneKind.RANKING_DUE)
    return milestone_error(due, now, closed=RANKING_CLOSED)


def _check_ranking_open(participation: Participation, now: datetime) -> None:
    if error := ranking_error(participation, now):
        raise ValidationError(error)


def proposal_comment(*, proposal: Proposal, by, body: str) -> Comment:
    """Add a private note for the organization's mentors and admins."""
    require_org_member(proposal.participation, by)
    comment = Comment(proposal=proposal, author=by, body=body.strip())
    comment.full_clean()
    comment.save()
    return comment


def proposal_score(*, proposal: Proposal, by, value: int) -> Score:
    """Set the reviewer's own 1-5 score of the proposal."""
    require_org_member(proposal.participation, by)
    score = Score.objects.filter(proposal=proposal, reviewer=by).first() or Score(
        proposal=proposal, reviewer=by
    )
    score.value = value
    score.full_clean()
    score.save()
    return score


def proposal_assign_mentor(*, proposal: Proposal, by, mentor, now: datetime) -> None:
    """Mentors assign themselves; org admins assign any mentor of the organization."""
    roles = require_org_member(proposal.participation, by)
    if mentor.pk != by.pk and Role.ORG_ADMIN not in roles:
        raise PermissionDenied(NOT_ORG_ADMIN)
    if not org_roles(user=mentor, participation=proposal.participation):
        raise ValidationError(MENTOR_NOT_IN_ORG.format(user=mentor))
    ProposalMentor.objects.get_or_create(proposal=proposal, mentor=mentor)


def proposal_unassign_mentor(*, proposal: Proposal, by, mentor, now: datetime) -> None:
    roles = require_org_member(proposal.participation, by)
    if mentor.pk != by.pk and Role.ORG_ADMIN not in roles:
        raise PermissionDenied(NOT_ORG_ADMIN)
    _check_ranking_open(proposal.participation, now)
    with transaction.atomic():
        ProposalMentor.objects.filter(proposal=proposal, mentor=mentor).delete()
        # A ranked proposal must keep a mentor: without one it leaves the ranking.
        if not proposal.mentorships.exists():
            rank = Proposal.objects.filter(pk=proposal.pk).values_list("rank", flat=True).get()
            if rank is not None:
                Proposal.objects.filter(pk=proposal.pk).update(rank=None)
                audit_record(
                    actor=by,
                    action="proposal.unrank",
                    obj=proposal,
                    before={"rank": rank},
                    after={"rank": None},
                    at=now,
                )


def proposals_rank(
    *, participation: Participation, by, ordering: list[int], now: datetime
) -> list[Proposal]:
    """Replace the organization's ranking with `ordering` (proposal ids, best first)."""
    require_org_admin(participation, by)
    _check_ranking_open(participation, now)
    proposals = {
        p.pk: p
        for p in participation.proposals.filter(pk__in=ordering).prefetch_related("mentorships")
    }
    ranked = []
    for pk in ordering:
        proposal = proposals.get(pk)
        if proposal is None or proposal.status != ProposalStatus.SUBMITTED:
            raise ValidationError(RANK_NOT_SUBMITTED)
        if not proposal.mentorships.all():
            raise ValidationError(RANK_NEEDS_MENTOR.format(title=proposal))
        ranked.append(proposal)
    with transaction.atomic():
        was_ranked = participation.proposals.filter(rank__isnull=False)
        before = {pk: {"rank": rank} for pk, rank in was_ranked.values_list("pk", "rank")}
        was_ranked.update(rank=None)
        after = {pk: {"rank": None} for pk in before}
        for position, proposal in enumerate(ranked, start=1):
            before.setdefault(proposal.pk, {"rank": None})
            if proposal.duplicate_of_id is not None:
                before[proposal.pk]["duplicate_of"] = proposal.duplicate_of_id
            proposal.rank = position
            proposal.duplicate_of = None
            proposal.save(update_fields=["rank", "duplicate_of"])
            after[proposal.pk] = {"rank": position, "duplicate_of": None}
        # One entry per proposal whose place changed; the others' rows stay as they were.
        for pk, old in before.items():
            new = {key: after[pk].get(key) for key in old}
            if new != old:
                audit_record(
                    actor=by,
                    action="proposal.rank",
                    obj=Proposal(pk=pk),
                    before=old,
                    after=new,
                    program=participation.program_id,
                    at=now,
                )
    return ranked


def proposal_mark_duplicate(
    *, proposal: Proposal, of: Proposal | None, by, now: datetime
) -> Proposal:
    """Mark a proposal as a duplicate of another of the same organization (None clears it)."""
    require_org_admin(proposal.participation, by)
    _check_ranking_open(proposal.participation, now)
    if of is not None:
        if of.pk == proposal.pk:
            raise ValidationError(DUPLICATE_SELF)
        if of.participation_id != proposal.participation_id:
            raise ValidationError(RANK_NOT_SUBMITTED)
    with transaction.atomic():
        before = (
            Proposal.objects.select_for_update()
            .filter(pk=proposal.pk)
            .values("duplicate_of", "rank")
            .get()
        )
        after = {
            "duplicate_of": of.pk if of is not None else None,
            "rank": None if of is not None else before["rank"],
        }
        Proposal.objects.filter(pk=proposal.pk).update(**after)
        if after != before:
            audit_record(
                actor=by,
                action="proposal.mark_duplicate",
                obj=proposal,
                before=before,
                after=after,
                at=now,
            )
    proposal.refresh_from_db()
    return proposal


def participation_request_slots(
    *, participation: Participation, by, slots: int, now: datetime
) -> Participation:
    """The org admin's slot request, until the ranking deadline."""
    require_org_admin(participation, by)
    _check_ranking_open(participation, now)
    if slots < 1:
        raise ValidationError({"slots_requested": "Request at least one slot."})
    participation.slots_requested = slots
    if participation.slots_allocated and participation.slots_allocated > slots:
        participation.slots_allocated = None
    participation.save(update_fields=["slots_requested", "slots_allocated"])
    return participation
