from django.urls import path

from payments import views

urlpatterns = [
    path("payouts/", views.my_payouts, name="my_payouts"),
    path("payouts/<int:pk>/", views.payout_detail, name="payout_detail"),
    path("programs/<slug:slug>/manage/payouts/", views.program_ledger, name="program_ledger"),
    path(
        "programs/<slug:slug>/manage/opencollective/",
        views.program_opencollective,
        name="program_opencollective",
    ),
    path(
        "programs/<slug:program_slug>/organizations/<slug:org_slug>/payouts/",
        views.org_payouts,
        name="org_payouts",
    ),
]
