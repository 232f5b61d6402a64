"""URLs of the docs season: organization applications, writers, hiring, case studies and surveys."""

from django.urls import path

from docs_season.views import organizations, writers
from programs.public_cache import public_cache

urlpatterns = [
    path("profile/writer/", writers.writer_profile, name="writer_profile"),
    # Docs programs: organization applications with a doc-project proposal and budget
    path("programs/<slug:slug>/apply/", organizations.org_apply, name="org_apply"),
    path("docs/proposals/<int:pk>/", organizations.doc_proposal_edit, name="doc_proposal_edit"),
    path(
        "docs/proposals/<int:pk>/check/",
        organizations.doc_proposal_check,
        name="doc_proposal_check",
    ),
    path(
        "programs/<slug:slug>/doc-projects/",
        public_cache(organizations.doc_projects),
        name="doc_projects",
    ),
    path(
        "programs/<slug:slug>/manage/applications/",
        organizations.program_applications,
        name="program_applications",
    ),
    # Docs programs: writers, hiring, case studies, surveys
    path("writers/", public_cache(writers.writer_directory), name="writer_directory"),
    path("writers/<int:pk>/", public_cache(writers.writer_detail), name="writer_detail"),
    path(
        "programs/<slug:program_slug>/organizations/<slug:org_slug>/interest/",
        writers.statement_send,
        name="statement_send",
    ),
    path(
        "programs/<slug:program_slug>/organizations/<slug:org_slug>/writers/",
        writers.org_writers,
        name="org_writers",
    ),
    path(
        "programs/<slug:program_slug>/organizations/<slug:org_slug>/case-study/",
        writers.case_study_edit,
        name="case_study_edit",
    ),
    path(
        "programs/<slug:slug>/manage/case-studies/",
        writers.program_case_studies,
        name="program_case_studies",
    ),
    path("case-studies/", public_cache(writers.case_studies), name="case_studies"),
    path(
        "case-studies/<int:pk>/",
        public_cache(writers.case_study_detail),
        name="case_study_detail",
    ),
    path(
        "programs/<slug:program_slug>/organizations/<slug:org_slug>/surveys/<int:sequence>/",
        writers.survey_answer,
        name="survey_answer",
    ),
]
