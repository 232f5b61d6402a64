"""API views of programs, organizations and the caller's roles: thin, reads through selectors."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken
from programs import selectors
from programs.serializers import (
    ErrorSerializer,
    MeSerializer,
    OrganizationDetailSerializer,
    OrganizationFilterSerializer,
    OrganizationSerializer,
    ProgramDetailSerializer,
    ProgramFilterSerializer,
    ProgramSerializer,
)

_ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid parameters, with messages."),
    401: OpenApiResponse(ErrorSerializer, description="No credentials, or an unknown token."),
    403: OpenApiResponse(ErrorSerializer, description="Signed in but not allowed."),
    404: OpenApiResponse(ErrorSerializer, description="No such object, or not yours to see."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests; try again later."),
}


def answers(ok, *errors: int) -> dict:
    """The responses of an operation for the schema: its body and the errors it can answer.
    Every operation can answer 401 (an unknown or revoked token, even on a public endpoint),
    404 (an unknown ?format=, a page past the end) and 429 (throttled)."""
    codes = sorted({*errors, 401, 404, 429})
    return {200: ok, **{code: _ERRORS[code] for code in codes}}


def query_filters(request: Request, serializer_class) -> dict:
    """The request's query filters, validated (an unknown value is a 400), empty ones dropped."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return {k: v for k, v in serializer.validated_data.items() if v not in ("", None)}


@extend_schema(
    parameters=[ProgramFilterSerializer],
    tags=["programs"],
    responses=answers(ProgramSerializer, 400, 404),
)
class ProgramListApi(generics.ListAPIView):
    """Public: the programs the caller may see, with ?kind=, ?year= and ?series= filters."""

    permission_classes = [permissions.AllowAny]
    serializer_class = ProgramSerializer
    ordering_fields = ["year", "name", "slug"]

    def get_queryset(self):
        filters = query_filters(self.request, ProgramFilterSerializer)
        return selectors.program_list(viewer=self.request.user).filter(**filters)


@extend_schema(tags=["programs"], responses=answers(ProgramDetailSerializer, 404))
class ProgramDetailApi(generics.RetrieveAPIView):
    """Public: one program with its timeline."""

    permission_classes = [permissions.AllowAny]
    serializer_class = ProgramDetailSerializer
    lookup_field = "slug"

    def get_object(self):
        return selectors.program_get(slug=self.kwargs["slug"], viewer=self.request.user)


@extend_schema(
    parameters=[OrganizationFilterSerializer],
    tags=["organizations"],
    responses=answers(OrganizationSerializer, 400, 404),
)
class OrganizationListApi(generics.ListAPIView):
    """Public: accepted organizations, of one program with ?program=<slug>."""

    permission_classes = [permissions.AllowAny]
    serializer_class = OrganizationSerializer
    ordering_fields = ["name", "slug"]

    def get_queryset(self):
        filters = query_filters(self.request, OrganizationFilterSerializer)
        program = None
        if "program" in filters:
            program = selectors.program_get(slug=filters["program"], viewer=self.request.user)
        return selectors.organizations_listed(viewer=self.request.user, program=program).order_by(
            "name"
        )


@extend_schema(tags=["organizations"], responses=answers(OrganizationDetailSerializer, 404))
class OrganizationDetailApi(generics.RetrieveAPIView):
    """Public: one organization and the participations the caller may see."""

    permission_classes = [permissions.AllowAny]
    serializer_class = OrganizationDetailSerializer
    lookup_field = "slug"

    def get_object(self):
        organization, participations = selectors.organization_get(
            slug=self.kwargs["slug"], viewer=self.request.user
        )
        # The selector decided which participations the caller sees; the serializer shows those.
        organization.visible_participations = participations
        return organization


class MeApi(APIView):
    """The caller and the roles they hold (authenticated)."""

    @extend_schema(responses=answers(MeSerializer), tags=["me"])
    def get(self, request):
        token = request.auth if isinstance(request.auth, ApiToken) else None
        return Response(MeSerializer(selectors.roles_of(user=request.user, token=token)).data)
