from django.urls import path

from programs import views
from programs.public_cache import public_cache

urlpatterns = [
    path("programs/", public_cache(views.program_list), name="program_list"),
    path("programs/<slug:slug>/", public_cache(views.program_detail), name="program_detail"),
    path(
        "programs/<slug:slug>/organizations/",
        public_cache(views.program_organizations),
        name="program_organizations",
    ),
    path("programs/<slug:slug>/timeline.ics", public_cache(views.program_ics), name="program_ics"),
    path(
        "programs/<slug:program_slug>/organizations/<slug:org_slug>/team/",
        views.participation_team,
        name="participation_team",
    ),
    path(
        "programs/<slug:program_slug>/organizations/<slug:org_slug>/team/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organizations/<slug:slug>/",
        public_cache(views.organization_detail),
        name="organization_detail",
    ),
    path("invitations/<str:token>/", views.invitation_detail, name="invitation"),
    path("invitations/mine/<int:pk>/", views.invitation_answer, name="invitation_answer"),
]
