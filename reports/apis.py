"""API views of statistics: the live public view of a program, and signed publications."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from programs import selectors as program_selectors
from programs.apis import answers
from reports.disclosure import public_view
from reports.models import Publication
from reports.statistics import program_statistics


@extend_schema(
    tags=["statistics"],
    responses=answers(
        OpenApiResponse(description="The program's statistics, small cells suppressed."), 404
    ),
)
class ProgramStatisticsApi(APIView):
    """Public: a program's statistics as anyone may see them (cells under 5 people are "<5")."""

    permission_classes = [permissions.AllowAny]

    def get(self, request: Request, slug: str) -> Response:
        program = program_selectors.program_get(slug=slug, viewer=request.user)
        return Response(
            {
                "program": program.slug,
                "statistics": public_view(program_statistics(program=program)),
            }
        )


@extend_schema(
    tags=["statistics"],
    responses=answers(OpenApiResponse(description="Current publications with their signatures.")),
)
class PublicationListApi(APIView):
    """Public: the current (not superseded) publications, each with its digest and signature."""

    permission_classes = [permissions.AllowAny]

    def get(self, request: Request) -> Response:
        publications = (
            Publication.objects.filter(superseded_by__isnull=True, program__is_public=True)
            .select_related("program")
            .order_by("-published_at")
        )
        return Response(
            [
                {
                    "id": p.pk,
                    "program": p.program.slug,
                    "published_at": p.published_at,
                    "sha256": p.sha256,
                    "signature": p.signature,
                    "public_key": p.public_key,
                    "data": p.data,
                }
                for p in publications
            ]
        )
