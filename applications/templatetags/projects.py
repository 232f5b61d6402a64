"""Template tags that let program and organization pages show what applications adds to them,
without their views (in programs, which knows nothing of applications) having to change."""

from django import template

from applications import selectors
from applications.services.ideas import team_participation_ids
from programs.models import Membership, Role
from programs.services import is_program_manager as _is_program_manager

register = template.Library()


@register.simple_tag
def accepted_projects(program):
    """`{% accepted_projects program as projects %}`: the announced projects, or an empty list."""
    return list(selectors.accepted_projects(program=program))


# The program page shows this many; the rest are paged on the program's projects page.
PROJECTS_PREVIEW = 10


@register.simple_tag
def accepted_projects_preview(program):
    """`{% accepted_projects_preview program as preview %}`: the first announced projects and the
    count of all, so the page costs the same with 12 projects or 12,000."""
    announced = selectors.accepted_projects(program=program)
    # The first announced, then sorted like the full list: ordering all 12,000 by organization
    # name to keep ten took 57 ms of every signed-in visit.
    first = announced.order_by("pk")[:PROJECTS_PREVIEW]
    projects = sorted(first, key=lambda p: (p.participation.organization.name, p.title))
    return {"projects": projects, "count": announced.count()}


@register.simple_tag
def is_program_manager(program, user):
    """`{% is_program_manager program user as can_manage %}`."""
    return _is_program_manager(user=user, program=program)


@register.simple_tag
def admin_of(user):
    """`{% admin_of user as admin_ids %}`: ids of the participations the user is org admin of."""
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=user, role=Role.ORG_ADMIN).values_list(
            "participation_id", flat=True
        )
    )


@register.simple_tag
def team_of(user):
    """`{% team_of user as team %}`: ids of the participations the user mentors or administers."""
    return team_participation_ids(user=user)
