from django.urls import path

from programs.public_cache import public_cache
from reports import views

urlpatterns = [
    path("statistics/", public_cache(views.statistics_index), name="statistics_index"),
    path("statistics/key/", public_cache(views.statistics_key), name="statistics_key"),
    path("statistics/verify/", views.statistics_verify, name="statistics_verify"),
    path("statistics/<int:pk>/", public_cache(views.statistics_detail), name="statistics_detail"),
    path("statistics/<int:pk>.json", public_cache(views.statistics_json), name="statistics_json"),
    path("statistics/<int:pk>.csv", public_cache(views.statistics_csv), name="statistics_csv"),
    path(
        "programs/<slug:slug>/manage/statistics/",
        views.program_statistics_manage,
        name="program_statistics_manage",
    ),
    path("programs/<slug:slug>/manage/audit/", views.program_audit, name="program_audit"),
]
