"""API views of ideas, proposals, projects, doc projects and evaluations: thin, through
selectors, so that each role sees exactly what the pages show it."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from applications import selectors, selectors_evaluations
from applications.serializers import (
    AcceptedProjectSerializer,
    DocProjectSerializer,
    IdeaFilterSerializer,
    IdeaSerializer,
    MyProjectSerializer,
    OrgProposalFilterSerializer,
    OrgProposalSerializer,
    ProgramQuerySerializer,
    ProjectEvaluationsSerializer,
    ProposalDetailSerializer,
    ProposalFilterSerializer,
    ProposalSerializer,
)
from programs.apis import answers, query_filters
from programs.selectors import program_get

PASS_FAIL = {"pass": True, "fail": False}


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
    parameters=[ProgramQuerySerializer],
    tags=["projects"],
    responses=answers(DocProjectSerializer, 400, 404),
)
class DocProjectListApi(generics.ListAPIView):
    """Public: a docs program's submitted doc-project proposals with budgets (?program=)."""

    permission_classes = [permissions.AllowAny]
    serializer_class = DocProjectSerializer
    ordering_fields = ["title", "submitted_at"]

    def get_queryset(self):
        filters = query_filters(self.request, ProgramQuerySerializer)
        program = program_get(slug=filters["program"], viewer=self.request.user)
        if not program.is_docs:
            raise Http404("Only docs programs have doc projects.")
        return selectors.doc_proposals_public(program=program).order_by(
            "participation__organization__name"
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
        participation, _roles = selectors.participation_for_member(
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


@extend_schema(tags=["evaluations"], responses=answers(MyProjectSerializer, 400))
class MyProjectListApi(generics.ListAPIView):
    """Projects the caller works on: as contributor, assigned mentor or org admin."""

    serializer_class = MyProjectSerializer
    ordering_fields = ["title", "coding_starts_at"]

    def get_queryset(self):
        return selectors_evaluations.projects_for_viewer(viewer=self.request.user).order_by("pk")


def _period_summary(row) -> dict:
    answers = row.answers or {}
    return {
        "period": row.period,
        "state": row.state,
        "filed": row.evaluation is not None,
        "submitted_at": row.evaluation.submitted_at if row.evaluation is not None else None,
        # The grade only where visible_answers lets the viewer read it.
        "passed": PASS_FAIL.get(answers.get("grade")),
        "can_file": row.can_file,
    }


class ProjectEvaluationsApi(APIView):
    """A project's evaluation periods: whether each is filed and, where the caller may read it,
    the mentor's pass or fail; 404 for anyone outside the project's team."""

    @extend_schema(responses=answers(ProjectEvaluationsSerializer, 404), tags=["evaluations"])
    def get(self, request, pk: int):
        project, role = selectors_evaluations.project_for_viewer(pk=pk, viewer=request.user)
        rows = selectors_evaluations.period_rows(
            selectors_evaluations.periods_for_project(project),
            viewer=request.user,
            now=timezone.now(),
            project=project,
        )
        data = {"project": project, "role": role, "periods": [_period_summary(r) for r in rows]}
        return Response(ProjectEvaluationsSerializer(data).data)
