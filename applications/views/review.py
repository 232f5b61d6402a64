"""The organization's side of proposals: the list with ranking and slot request, and the review
page with private comments, scores and mentor assignment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg
from django.shortcuts import redirect, render
from django.utils import timezone

from applications import selectors
from applications.forms import (
    AssignMentorForm,
    CommentForm,
    RankingForm,
    ScoreForm,
    SlotRequestForm,
)
from applications.models import Score
from applications.services import ideas, review
from programs import selectors as program_selectors
from programs.forms import add_service_errors
from programs.guards import org_roles
from programs.models import MilestoneKind, Role


@login_required
def org_proposals(request, program_slug, org_slug):
    """An organization's proposals with review figures; org admins rank them and request slots."""
    participation, roles = program_selectors.participation_for_member(
        program_slug=program_slug, org_slug=org_slug, user=request.user
    )
    program = participation.program
    now = timezone.now()
    closed = review.ranking_error(participation, now)
    # The services let only org admins rank, mark duplicates and request slots.
    can_rank = Role.ORG_ADMIN in roles
    proposals = list(selectors.proposals_for_org(participation=participation))
    action = request.POST.get("action") if request.method == "POST" else None

    ranking = RankingForm(
        request.POST if action == "rank" else None,
        proposals=proposals,
        read_only=bool(closed),
    )
    slots = SlotRequestForm(
        request.POST if action == "slots" else None,
        prefix="slots",
        initial={"slots": participation.slots_requested},
    )
    if closed:
        slots.show_read_only()

    if action == "rank" and ranking.is_valid():
        try:
            with transaction.atomic():
                for proposal, of in ranking.duplicate_changes():
                    review.proposal_mark_duplicate(
                        proposal=proposal, of=of, by=request.user, now=now
                    )
                review.proposals_rank(
                    participation=participation,
                    by=request.user,
                    ordering=ranking.ordering(),
                    now=now,
                )
        except ValidationError as error:
            add_service_errors(ranking, error)
        else:
            messages.success(request, "The ranking was saved.")
            return redirect(request.path)
    elif action == "slots" and slots.is_valid():
        try:
            review.participation_request_slots(
                participation=participation,
                by=request.user,
                slots=slots.cleaned_data["slots"],
                now=now,
            )
        except ValidationError as error:
            add_service_errors(slots, error)
        else:
            messages.success(request, f"{participation.slots_requested} slots requested.")
            return redirect(request.path)

    context = {
        "participation": participation,
        "program": program,
        "organization": participation.organization,
        "roles": roles,
        "can_rank": can_rank,
        "closed": closed,
        "ranking_due": program.milestone(MilestoneKind.RANKING_DUE),
        "proposals": proposals,
        "ranking": ranking,
        "slots_form": slots,
    }
    status = 400 if action else 200
    return render(request, "applications/org_proposals.html", context, status=status)


@login_required
def proposal_review(request, pk):
    """One proposal as its organization sees it, with private comments, scores and mentors."""
    proposal = selectors.proposal_for_reviewer(pk=pk, user=request.user)
    participation = proposal.participation
    roles = org_roles(user=request.user, participation=participation)
    team = ideas.team_members(participation=participation)
    now = timezone.now()
    action = request.POST.get("action") if request.method == "POST" else None
    comment_form = CommentForm(request.POST if action == "comment" else None)
    my_score = Score.objects.filter(proposal=proposal, reviewer=request.user).first()
    score_form = ScoreForm(
        request.POST if action == "score" else None,
        initial={"value": my_score.value if my_score else None},
    )
    assign_form = AssignMentorForm(request.POST if action == "assign" else None, team=team)
    error = None

    # Non-members (managers) reach the services too: they refuse with 403, as for anyone.
    if action:
        try:
            if action == "comment" and comment_form.is_valid():
                review.proposal_comment(
                    proposal=proposal, by=request.user, body=comment_form.cleaned_data["body"]
                )
                messages.success(request, "Your comment was added.")
                return redirect(request.path)
            if action == "score" and score_form.is_valid():
                review.proposal_score(
                    proposal=proposal, by=request.user, value=score_form.cleaned_data["value"]
                )
                messages.success(request, "Your score was saved.")
                return redirect(request.path)
            if action == "assign_me":
                review.proposal_assign_mentor(
                    proposal=proposal, by=request.user, mentor=request.user, now=now
                )
                messages.success(request, "You are now a mentor of this proposal.")
                return redirect(request.path)
            if action == "assign" and assign_form.is_valid():
                mentor = assign_form.cleaned_data["mentor"]
                review.proposal_assign_mentor(
                    proposal=proposal, by=request.user, mentor=mentor, now=now
                )
                messages.success(request, f"{mentor.name or mentor.email} is assigned.")
                return redirect(request.path)
            if action == "unassign":
                mentor = team.filter(pk=request.POST.get("mentor") or 0).first()
                if mentor is not None:
                    review.proposal_unassign_mentor(
                        proposal=proposal, by=request.user, mentor=mentor, now=now
                    )
                    messages.success(request, f"{mentor.name or mentor.email} is unassigned.")
                    return redirect(request.path)
                error = "Choose a mentor of this organization."
        except ValidationError as exc:
            error = " ".join(exc.messages)

    mentors = list(proposal.mentors.all())
    context = {
        "proposal": proposal,
        "participation": participation,
        "program": proposal.program,
        "organization": participation.organization,
        "is_member": bool(roles),
        "is_org_admin": Role.ORG_ADMIN in roles,
        "mentors": mentors,
        "i_mentor": any(m.pk == request.user.pk for m in mentors),
        "comments": proposal.comments.select_related("author"),
        "average": proposal.scores.aggregate(average=Avg("value"))["average"],
        "score_count": proposal.scores.count(),
        "my_score": my_score,
        "comment_form": comment_form,
        "score_form": score_form,
        "assign_form": assign_form,
        "error": error,
    }
    status = 400 if action else 200
    return render(request, "applications/proposal_review.html", context, status=status)
