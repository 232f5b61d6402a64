"""What the coding season adds to pages of lower apps (see programs/hooks.py)."""

from applications import selectors
from programs.models import Program

# The program page shows this many; the rest are paged on the program's projects page.
PROJECTS_PREVIEW = 10


def accepted_projects_section(*, program: Program, viewer) -> dict | None:
    """The first announced projects and the count of all, so the program page costs the same
    with 12 projects or 12,000; None before any is announced."""
    announced = selectors.accepted_projects(program=program)
    # The first announced, then sorted like the full list: ordering all 12,000 by organization
    # name to keep ten took 57 ms of every signed-in visit.
    first = announced.order_by("pk")[:PROJECTS_PREVIEW]
    projects = sorted(first, key=lambda p: (p.participation.organization.name, p.title))
    if not projects:
        return None
    return {
        "template": "applications/_program_projects_section.html",
        "projects": projects,
        "count": announced.count(),
    }
