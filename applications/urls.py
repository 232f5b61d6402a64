"""URLs of the coding season: profiles, registration, proposals, ideas, review, ranking and
selection."""

from django.urls import path

from applications.views import ideas, profiles, proposals, review, selection
from programs.public_cache import public_cache

urlpatterns = [
    path("profile/contributor/", profiles.contributor_profile, name="contributor_profile"),
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
]
