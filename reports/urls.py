from django.urls import path

from reports import views

urlpatterns = [
    path("statistics/", views.statistics_index, name="statistics_index"),
    path("statistics/key/", views.statistics_key, name="statistics_key"),
    path("statistics/verify/", views.statistics_verify, name="statistics_verify"),
    path("statistics/<int:pk>/", views.statistics_detail, name="statistics_detail"),
    path("statistics/<int:pk>.json", views.statistics_json, name="statistics_json"),
    path("statistics/<int:pk>.csv", views.statistics_csv, name="statistics_csv"),
    path(
        "programs/<slug:slug>/manage/statistics/",
        views.program_statistics_manage,
        name="program_statistics_manage",
    ),
]
