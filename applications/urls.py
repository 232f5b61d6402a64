from django.urls import path

from applications.views import (
    docs_orgs,
    docs_writers,
    evaluations,
    ideas,
    notifications,
    profiles,
    proposals,
    review,
    selection,
)
from programs.public_cache import public_cache

urlpatterns = [
    path("profile/contributor/", profiles.contributor_profile, name="contributor_profile"),
    path("profile/writer/", profiles.writer_profile, name="writer_profile"),
    # Contributors
    path("programs/<slug:slug>/register/", proposals.register, name="program_register"),
    path("programs/<slug:slug>/proposals/", proposals.my_proposals, name="my_proposals"),
    path("programs/<slug:slug>/proposals/new/", proposals.proposal_new, name="proposal_new"),
    path("proposals/<int:pk>/", proposals.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/autosave/", proposals.proposal_autosave, name="proposal_autosave"),
    path("proposals/<int:pk>/withdraw/", proposals.proposal_withdraw, name="proposal_withdraw"),
    path(
        "proposals/<int:pk>/attachment/", proposals.proposal_attachment, name="proposal_attachment"
    ),
    # Ideas
    path("programs/<slug:slug>/ideas/", public_cache(ideas.idea_list), name="idea_list"),
    path(
        "programs/<slug:program_slug>/organizations/<slug:org_slug>/ideas/new/",
        ideas.idea_new,
        name="idea_new",
    ),
    path("ideas/<int:pk>/edit/", ideas.idea_edit, name="idea_edit"),
    # Organizations: review, ranking, slot requests
    path(
        "programs/<slug:program_slug>/organizations/<slug:org_slug>/proposals/",
        review.org_proposals,
        name="org_proposals",
    ),
    path("review/proposals/<int:pk>/", review.proposal_review, name="proposal_review"),
    # Managers: slots and acceptance
    path("programs/<slug:slug>/manage/slots/", selection.program_slots, name="program_slots"),
    path(
        "programs/<slug:slug>/manage/selection/",
        selection.program_selection,
        name="program_selection",
    ),
    path(
        "programs/<slug:slug>/projects/",
        public_cache(selection.program_projects),
        name="program_projects",
    ),
    # Docs programs: organization applications with a doc-project proposal and budget
    path("programs/<slug:slug>/apply/", docs_orgs.org_apply, name="org_apply"),
    path("docs/proposals/<int:pk>/", docs_orgs.doc_proposal_edit, name="doc_proposal_edit"),
    path("docs/proposals/<int:pk>/check/", docs_orgs.doc_proposal_check, name="doc_proposal_check"),
    path(
        "programs/<slug:slug>/doc-projects/",
        public_cache(docs_orgs.doc_projects),
        name="doc_projects",
    ),
    path(
        "programs/<slug:slug>/manage/applications/",
        docs_orgs.program_applications,
        name="program_applications",
    ),
    # Docs programs: writers, hiring, case studies, surveys
    path("writers/", public_cache(docs_writers.writer_directory), name="writer_directory"),
    path("writers/<int:pk>/", public_cache(docs_writers.writer_detail), name="writer_detail"),
    path(
        "programs/<slug:program_slug>/organizations/<slug:org_slug>/interest/",
        docs_writers.statement_send,
        name="statement_send",
    ),
    path(
        "programs/<slug:program_slug>/organizations/<slug:org_slug>/writers/",
        docs_writers.org_writers,
        name="org_writers",
    ),
    path(
        "programs/<slug:program_slug>/organizations/<slug:org_slug>/case-study/",
        docs_writers.case_study_edit,
        name="case_study_edit",
    ),
    path(
        "programs/<slug:slug>/manage/case-studies/",
        docs_writers.program_case_studies,
        name="program_case_studies",
    ),
    path("case-studies/", public_cache(docs_writers.case_studies), name="case_studies"),
    path(
        "case-studies/<int:pk>/",
        public_cache(docs_writers.case_study_detail),
        name="case_study_detail",
    ),
    path(
        "programs/<slug:program_slug>/organizations/<slug:org_slug>/surveys/<int:sequence>/",
        docs_writers.survey_answer,
        name="survey_answer",
    ),
    # Evaluations: project pages, filing, the viewer's open evaluations, docs monthly ones
    path("projects/<int:pk>/", evaluations.project_detail, name="project_detail"),
    path("evaluations/", evaluations.my_evaluations, name="my_evaluations"),
    path("evaluations/<int:period_pk>/", evaluations.evaluation_file, name="evaluation_file"),
    path(
        "programs/<slug:program_slug>/organizations/<slug:org_slug>/evaluations/",
        evaluations.docs_evaluations,
        name="docs_evaluations",
    ),
    # Optional mail: the signed link in heads-up mails
    path(
        "notifications/unsubscribe/<str:token>/",
        notifications.unsubscribe,
        name="unsubscribe",
    ),
]
