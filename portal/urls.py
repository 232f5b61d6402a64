from django.contrib import admin
from django.urls import include, path

from portal import views
from portal.privacy import views as privacy_views
from programs.public_cache import public_cache

admin.site.site_header = "Seasons administration"
admin.site.site_title = "Seasons"
# The API answers JSON even for addresses that match no pattern.
handler404 = views.not_found

# The public pages come first: Django tries the patterns in order, and at a deadline most
# requests are for programs, ideas, statistics and the API, not sign-in or the admin.
urlpatterns = [
    path("", public_cache(views.home), name="home"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", views.favicon),
    path("", include("programs.urls")),
    path("", include("applications.urls")),
    path("", include("docs_season.urls")),
    path("", include("evaluations.urls")),
    path("", include("reports.urls")),
    path("api/v1/", include("portal.api")),
    path("", include("payments.urls")),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("", include("accounts.urls")),
    path("account/data/", privacy_views.account_data, name="account_data"),
    path("account/data/export.json", privacy_views.account_data_export, name="account_data_export"),
    path("account/delete/", privacy_views.account_delete, name="account_delete"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
