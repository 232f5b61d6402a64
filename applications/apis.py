"""API views of ideas, proposals and accepted projects: thin, through selectors, so that each
role sees exactly what the pages show it."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions

from applications import selectors
from applications.serializers import (
    AcceptedProjectSerializer,
    IdeaFilterSerializer,
    IdeaSerializer,
    OrgProposalFilterSerializer,
    OrgProposalSerializer,
    ProposalDetailSerializer,
    ProposalFilterSerializer,
    ProposalSerializer,
)
from programs import selectors as program_selectors
from programs.apis import answers, query_filters
from programs.selectors import program_get
from programs.serializers import ProgramQuerySerializer


def _coding_program(request, slug):
    program = program_get(slug=slug, viewer=request.user)
    if not program.is_coding:
        raise Http404("Only coding programs have ideas, proposals and projects.")
    return program


@extend_schema(
    parameters=[IdeaFilterSerializer],
    tags=["ideas"],
    responses=answers(IdeaSerializer, 400, 404),
)
class IdeaListApi(generics.ListAPIView):
    """Public: a coding program's ideas (?program= required), filtered as on the ideas page."""

    permission_classes = [permissions.AllowAny]
    serializer_class = IdeaSerializer
    ordering_fields = ["title", "size", "created_at"]

    def get_queryset(self):
        filters = query_filters(self.request, IdeaFilterSerializer)
        return selectors.ideas_of_program(
            program=_coding_program(self.request, filters["program"]),
            organization=filters.get("organization", ""),
            size=str(filters.get("size", "")),
            skill=filters.get("skill", ""),
            query=filters.get("q", ""),
        )


@extend_schema(
    parameters=[ProgramQuerySerializer],
    tags=["projects"],
    responses=answers(AcceptedProjectSerializer, 400, 404),
)
class AcceptedProjectListApi(generics.ListAPIView):
    """Public: a coding program's accepted projects once announced (?program= required)."""

    permission_classes = [permissions.AllowAny]
    serializer_class = AcceptedProjectSerializer
    ordering_fields = ["title", "coding_starts_at"]

    def get_queryset(self):
        filters = query_filters(self.request, ProgramQuerySerializer)
        return selectors.accepted_projects(
            program=_coding_program(self.request, filters["program"])
        )


@extend_schema(
    parameters=[ProposalFilterSerializer],
    tags=["proposals"],
    responses=answers(ProposalSerializer, 400, 404),
)
class MyProposalListApi(generics.ListAPIView):
    """The caller's own proposals in a coding program (?program= required), withdrawn ones
    left out as on "My proposals"."""

    serializer_class = ProposalSerializer
    ordering_fields = ["preference", "created_at", "updated_at", "submitted_at"]

    def get_queryset(self):
        filters = query_filters(self.request, ProposalFilterSerializer)
        program = _coding_program(self.request, filters.pop("program"))
        proposals = selectors.proposals_of_contributor(user=self.request.user, program=program)
        # The rows name their program; one join rather than a query per row.
        return proposals.select_related("program").filter(**filters)


@extend_schema(
    parameters=[OrgProposalFilterSerializer],
    tags=["proposals"],
    responses=answers(OrgProposalSerializer, 400, 404),
)
class OrgProposalListApi(generics.ListAPIView):
    """An organization's submitted proposals with review figures, for its mentors and admins
    and the program's managers; anyone else gets 404."""

    serializer_class = OrgProposalSerializer
    ordering_fields = ["rank", "submitted_at", "average_score"]

    def get_queryset(self):
        filters = query_filters(self.request, OrgProposalFilterSerializer)
        participation, _roles = program_selectors.participation_for_member(
            program_slug=self.kwargs["program_slug"],
            org_slug=self.kwargs["org_slug"],
            user=self.request.user,
        )
        proposals = selectors.proposals_for_org(participation=participation)
        return proposals.select_related("program").filter(**filters)


@extend_schema(tags=["proposals"], responses=answers(ProposalDetailSerializer, 404))
class ProposalDetailApi(generics.RetrieveAPIView):
    """One proposal: its contributor's own, or a submitted one of an organization the caller
    mentors, administers or whose program they manage; 404 for anyone else."""

    serializer_class = ProposalDetailSerializer

    def get_object(self):
        user, pk = self.request.user, self.kwargs["pk"]
        try:
            return selectors.proposal_for_contributor(pk=pk, user=user)
        except Http404:
            return selectors.proposal_for_reviewer(pk=pk, user=user)
