"""Site-wide pages: home and the dashboard."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views import defaults

from portal.dashboard import dashboard_sections
from programs import selectors
from programs.models import MilestoneKind


def home(request):
    """What is open now and what comes next across public programs."""
    now = timezone.now()
    context = {
        "open_applications": selectors.milestones_open(
            kind=MilestoneKind.CONTRIBUTOR_APPLICATIONS, now=now
        ),
        "upcoming": selectors.milestones_upcoming(now=now),
        "programs": selectors.program_list(viewer=request.user)[:6],
        "now": now,
    }
    return render(request, "home.html", context)


@login_required
def dashboard(request):
    """Every role the user holds, with what to do next and by when."""
    now = timezone.now()
    sections = dashboard_sections(viewer=request.user, now=now)
    return render(request, "dashboard.html", {"sections": sections, "now": now})


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; resolved per request because the
    hashed static name exists only after collectstatic."""
    return redirect(static("favicon.svg"), permanent=True)


def not_found(request, exception):
    """A 404: JSON under the API, whatever matched nothing (a negative id, a slug its converter
    refuses), like the API views' own 404s; the site's page everywhere else."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
