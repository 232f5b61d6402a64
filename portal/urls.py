from django.contrib import admin
from django.urls import include, path

from portal import views
from programs.public_cache import public_cache

admin.site.site_header = "Seasons administration"
admin.site.site_title = "Seasons"

urlpatterns = [
    path("", public_cache(views.home), name="home"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", views.favicon),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("programs.urls")),
    path("", include("applications.urls")),
    path("", include("payments.urls")),
    path("", include("reports.urls")),
    path("api/v1/", include("portal.api")),
]
