"""URLs of evaluations: project pages, filing, the viewer's open evaluations, docs monthly ones and
the unsubscribe link."""

from django.urls import path

from evaluations import views

urlpatterns = [
    # Evaluations: project pages, filing, the viewer's open evaluations, docs monthly ones
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("evaluations/", views.my_evaluations, name="my_evaluations"),
    path("evaluations/<int:period_pk>/", views.evaluation_file, name="evaluation_file"),
    path(
        "programs/<slug:program_slug>/organizations/<slug:org_slug>/evaluations/",
        views.docs_evaluations,
        name="docs_evaluations",
    ),
    # Optional mail: the signed link in heads-up mails
    path(
        "notifications/unsubscribe/<str:token>/",
        views.unsubscribe,
        name="unsubscribe",
    ),
]
