"""Template helpers of programs: instants (the tag lives in accounts, below every app), Markdown
typed by users rendered safely, and who the viewer is in a program or organization."""

from django import template

from accounts.templatetags.instants import when
from programs import selectors, services
from programs.markdown import render_markdown
from programs.models import Membership, Role

register = template.Library()


# The instants of every page, shared with the apps below programs (accounts/templatetags).
register.simple_tag(when)


@register.filter
def markdown(text):
    """Render Markdown typed by a user as sanitised HTML."""
    return render_markdown(text)


@register.simple_tag
def is_program_manager(program, user):
    """`{% is_program_manager program user as can_manage %}`."""
    return services.is_program_manager(user=user, program=program)


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
    return selectors.team_participation_ids(user=user)
