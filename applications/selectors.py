"""Reads of proposals, ideas and projects; each decides what its viewer may see (404 otherwise)."""

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.http import Http404

from applications.models import Idea, Project, Proposal, ProposalStatus, Registration
from programs.models import Participation, ParticipationStatus, Program


def registration_of(*, user, program: Program) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(user=user, program=program).first()


def proposals_of_contributor(*, user, program: Program) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(contributor=user, program=program)
        .exclude(status=ProposalStatus.WITHDRAWN)
        .select_related("participation__organization", "idea")
        .order_by("preference", "created_at")
    )


def proposal_for_contributor(*, pk: int, user) -> Proposal:
    """The contributor's own proposal; anyone else's is a 404, never a 403."""
    proposal = (
        Proposal.objects.select_related("program", "participation__organization", "idea")
        .filter(pk=pk, contributor_id=user.pk)
        .first()
    )
    if proposal is None:
        raise Http404("No such proposal.")
    return proposal


def _member_filter(user) -> Q:
    """Proposals of organizations the user mentors or administers, or programs they manage."""
    return Q(participation__memberships__user=user) | Q(program__managers__user=user)


def proposal_for_reviewer(*, pk: int, user) -> Proposal:
    """A proposal as its organization's mentors and admins (and managers) see it; 404 otherwise."""
    if not user.is_authenticated:
        raise Http404
    proposal = (
        Proposal.objects.filter(_member_filter(user), pk=pk)
        .exclude(status=ProposalStatus.DRAFT)
        .select_related("program", "participation__organization", "contributor", "idea")
        .distinct()
        .first()
    )
    if proposal is None:
        raise Http404("No such proposal.")
    return proposal


def proposals_for_org(*, participation: Participation) -> QuerySet[Proposal]:
    """Submitted (and decided) proposals of one organization, with review figures, in a constant
    number of queries whatever their count."""
    return (
        participation.proposals.exclude(status__in=[ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN])
        .select_related("contributor", "idea", "duplicate_of")
        .prefetch_related(Prefetch("mentors"))
        .annotate(
            average_score=Avg("scores__value"),
            score_count=Count("scores", distinct=True),
            comment_count=Count("comments", distinct=True),
        )
        .order_by("rank", "-submitted_at")
    )


def ideas_of_program(
    *, program: Program, organization: str = "", size: str = "", skill: str = "", query: str = ""
) -> QuerySet[Idea]:
    """Ideas of the program's accepted organizations, filtered as a contributor asks."""
    ideas = (
        Idea.objects.filter(
            participation__program=program,
            participation__status=ParticipationStatus.ACCEPTED,
        )
        .select_related("participation__organization")
        .prefetch_related("mentors")
    )
    if organization:
        ideas = ideas.filter(participation__organization__slug=organization)
    if size.isdigit():
        ideas = ideas.filter(size=int(size))
    if skill:
        ideas = ideas.filter(skills__icontains=skill)
    if query:
        ideas = ideas.filter(Q(title__icontains=query) | Q(description__icontains=query))
    return ideas


def accepted_projects(*, program: Program) -> QuerySet[Project]:
    """Public: the accepted projects of a program once announced."""
    return (
        Project.objects.filter(participation__program=program, announced_at__isnull=False)
        .select_related("participation__organization", "contributor")
        .prefetch_related("mentors")
    )
