"""Reads of the docs season: public doc projects, applications for managers, statements, the
writer directory and case studies; each decides what its viewer may see (404 otherwise)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from programs.models import Participation, ParticipationStatus, Program, Role


def doc_proposals_public(*, program: Program) -> QuerySet:
    """Submitted doc-project proposals of accepted organizations: public once accepted."""
    from docs_season.models import DocProposal

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
    from docs_season.models import DocProposal
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
    from docs_season.models import StatementOfInterest

    return (
        StatementOfInterest.objects.filter(participation=participation)
        .select_related("writer__writer_profile")
        .order_by("-sent_at")
    )


def writers_directory(*, skill: str = "", query: str = "") -> QuerySet:
    """Public writer profiles, filtered."""
    from docs_season.models import WriterProfile

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
    from docs_season.models import CaseStudy

    return (
        CaseStudy.objects.filter(participation__program=program)
        .select_related("participation__organization", "reviewed_by")
        .prefetch_related("deliverables", "lessons")
        .order_by("participation__organization__name")
    )


def case_studies_published(*, now, program: Program | None = None) -> QuerySet:
    """Accepted case studies whose program's results date has come: decided at request time."""
    from docs_season.models import CaseStudy, CaseStudyStatus
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
