"""REST API v1: the routes of every app's API views, and the OpenAPI schema and its docs."""

from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from applications import apis as application_apis
from docs_season import apis as docs_apis
from evaluations import apis as evaluation_apis
from payments import apis as payment_apis
from programs import apis as program_apis
from programs.csp import csp_update
from programs.public_cache import public_cache
from reports import apis as report_apis

# ReDoc runs its search in a worker it builds from a blob (portal/security.py: its styles).
REDOC_CSP = csp_update(worker_src=["blob:"])


urlpatterns = [
    # Public.
    path("programs/", public_cache(program_apis.ProgramListApi.as_view()), name="api_programs"),
    path(
        "programs/<slug:slug>/",
        public_cache(program_apis.ProgramDetailApi.as_view()),
        name="api_program",
    ),
    path(
        "organizations/",
        public_cache(program_apis.OrganizationListApi.as_view()),
        name="api_organizations",
    ),
    path(
        "organizations/<slug:slug>/",
        public_cache(program_apis.OrganizationDetailApi.as_view()),
        name="api_organization",
    ),
    path("ideas/", public_cache(application_apis.IdeaListApi.as_view()), name="api_ideas"),
    path(
        "projects/",
        public_cache(application_apis.AcceptedProjectListApi.as_view()),
        name="api_projects",
    ),
    path(
        "doc-projects/",
        public_cache(docs_apis.DocProjectListApi.as_view()),
        name="api_doc_projects",
    ),
    # Signed in (session or token).
    path("me/", program_apis.MeApi.as_view(), name="api_me"),
    path("me/projects/", evaluation_apis.MyProjectListApi.as_view(), name="api_my_projects"),
    path("proposals/", application_apis.MyProposalListApi.as_view(), name="api_proposals"),
    path("proposals/<int:pk>/", application_apis.ProposalDetailApi.as_view(), name="api_proposal"),
    path(
        "programs/<slug:program_slug>/organizations/<slug:org_slug>/proposals/",
        application_apis.OrgProposalListApi.as_view(),
        name="api_org_proposals",
    ),
    path(
        "projects/<int:pk>/evaluations/",
        evaluation_apis.ProjectEvaluationsApi.as_view(),
        name="api_project_evaluations",
    ),
    path("payouts/", payment_apis.PayoutListApi.as_view(), name="api_payouts"),
    path(
        "programs/<slug:slug>/statistics/",
        public_cache(report_apis.ProgramStatisticsApi.as_view()),
        name="api_program_statistics",
    ),
    path(
        "publications/",
        public_cache(report_apis.PublicationListApi.as_view()),
        name="api_publications",
    ),
    # The schema and its docs, served from the sidecar's static files (no CDN). Swagger UI's
    # start-up script comes from its own URL (the split view): the CSP allows no inline script.
    path(
        "schema/",
        SpectacularAPIView.as_view(
            custom_settings={
                # drf-spectacular's default hook, then ours.
                "POSTPROCESSING_HOOKS": [
                    "drf_spectacular.hooks.postprocess_schema_enums",
                    "portal.schema.allow_empty_query_values",
                ]
            }
        ),
        name="api_schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema"),
        name="api_docs",
    ),
    path(
        "redoc/",
        REDOC_CSP(
            SpectacularRedocView.as_view(url_name="api_schema", template_name="portal/redoc.html")
        ),
        name="api_redoc",
    ),
]
