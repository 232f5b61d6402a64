from django.urls import path

from applications import views

urlpatterns = [
    path("profile/contributor/", views.contributor_profile, name="contributor_profile"),
    path("profile/writer/", views.writer_profile, name="writer_profile"),
]
