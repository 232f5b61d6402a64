from django.http import HttpResponse
from django.urls import path

import portal.urls


def baseline(request):
    """The bare Django view: routing + middleware, no database, no template."""
    return HttpResponse("ok")


urlpatterns = [path("bench/baseline/", baseline), *portal.urls.urlpatterns]
