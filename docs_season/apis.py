"""REST API of the docs season."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions

from docs_season import selectors
from docs_season.serializers import DocProjectSerializer
from programs.apis import answers, query_filters
from programs.selectors import program_get
from programs.serializers import ProgramQuerySerializer


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
