"""Reads of proposals, ideas and projects; each decides what its viewer may see (404 otherwise)."""

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.http import Http404

from applications.models import Idea, Project, Proposal, ProposalStatus, Registration
from programs.models import Participation, ParticipationStatus, Program, Role


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


def participation_for_member(
    *, program_slug: str, org_slug: str, user
) -> tuple[Participation, set]:
    """The participation and the viewer's roles in it (managers get {"manager"}); 404 otherwise."""
    if not user.is_authenticated:
        raise Http404
    participation = (
        Participation.objects.select_related("program", "organization")
        .filter(program__slug=program_slug, organization__slug=org_slug)
        .first()
    )
    if participation is None:
        raise Http404
    roles = set(participation.memberships.filter(user=user).values_list("role", flat=True))
    if participation.program.managers.filter(user=user).exists():
        roles.add("manager")
    if not roles:
        raise Http404("No such organization in this program, or you are not one of its team.")
    return participation, roles


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


def is_org_admin_roles(roles: set) -> bool:
    return Role.ORG_ADMIN in roles or "manager" in roles


# Docs season ------------------------------------------------------------------------------


def doc_proposals_public(*, program: Program) -> QuerySet:
    """Submitted doc-project proposals of accepted organizations: public once accepted."""
    from applications.models import DocProposal

    return (
        DocProposal.objects.filter(
            participation__program=program,
            participation__status=ParticipationStatus.ACCEPTED,
            status="submitted",
        )
        .select_related("participation__organization")
        .prefetch_related("budget_items")
    )


def doc_proposal_for(*, pk: int, viewer):
    """The doc proposal and whether the viewer may edit it: its org admins edit, the program's
    managers read; anyone else gets 404."""
    from applications.models import DocProposal
    from programs.services import is_program_manager

    proposal = (
        DocProposal.objects.select_related("participation__program", "participation__organization")
        .filter(pk=pk)
        .first()
    )
    if proposal is None or not viewer.is_authenticated:
        raise Http404("No such proposal.")
    participation = proposal.participation
    if participation.memberships.filter(user=viewer, role=Role.ORG_ADMIN).exists():
        return proposal, True
    if is_program_manager(user=viewer, program=participation.program):
        return proposal, False
    raise Http404("No such proposal, or you are not an org admin of its organization.")


def organizations_administered(*, user):
    """Organizations the user is an org admin of, in any program."""
    from programs.models import Organization

    return Organization.objects.filter(
        participations__memberships__user=user,
        participations__memberships__role=Role.ORG_ADMIN,
    ).distinct()


def doc_applications_for_manager(*, program: Program) -> dict:
    """Every organization's application with its proposal, and the accepted total against the
    program's funding."""
    from django.db.models import Sum

    participations = list(
        program.participations.select_related("organization", "doc_proposal")
        .prefetch_related("doc_proposal__budget_items")
        .order_by("status", "organization__name")
    )
    accepted_total = program.participations.filter(status=ParticipationStatus.ACCEPTED).aggregate(
        total=Sum("budget_requested")
    )["total"]
    return {
        "participations": participations,
        "accepted_total": accepted_total or 0,
        "funding": program.funding_total,
    }


def statements_for_org(*, participation: Participation) -> QuerySet:
    """Statements of interest addressed to one organization (callers check the viewer's role)."""
    from applications.models import StatementOfInterest

    return (
        StatementOfInterest.objects.filter(participation=participation)
        .select_related("writer__writer_profile")
        .order_by("-sent_at")
    )


def writers_directory(*, skill: str = "", query: str = "") -> QuerySet:
    """Public writer profiles, filtered."""
    from applications.models import WriterProfile

    writers = WriterProfile.objects.filter(is_public=True).select_related("user")
    if skill:
        writers = writers.filter(skills__icontains=skill)
    if query:
        writers = writers.filter(
            Q(display_name__icontains=query)
            | Q(headline__icontains=query)
            | Q(bio__icontains=query)
        )
    return writers


def case_studies_for_manager(*, program: Program) -> QuerySet:
    """Every case study of the program with what its rendering needs (callers check the
    viewer manages the program)."""
    from applications.models import CaseStudy

    return (
        CaseStudy.objects.filter(participation__program=program)
        .select_related("participation__organization", "reviewed_by")
        .prefetch_related("deliverables", "lessons")
        .order_by("participation__organization__name")
    )


def case_studies_published(*, now, program: Program | None = None) -> QuerySet:
    """Accepted case studies whose program's results date has come: decided at request time."""
    from applications.models import CaseStudy, CaseStudyStatus
    from programs.models import MilestoneKind

    studies = CaseStudy.objects.filter(
        status=CaseStudyStatus.ACCEPTED,
        participation__program__is_public=True,
        participation__program__milestones__kind=MilestoneKind.RESULTS,
        participation__program__milestones__ends_at__lte=now,
    )
    if program is not None:
        studies = studies.filter(participation__program=program)
    return (
        studies.select_related("participation__organization", "participation__program")
        .prefetch_related("deliverables", "lessons")
        .distinct()
        .order_by("-participation__program__year", "participation__organization__name")
    )
