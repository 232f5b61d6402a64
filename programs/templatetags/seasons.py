"""Template helpers: every instant shown in UTC with the viewer's local time beside it, and
Markdown typed by users rendered safely."""

from datetime import UTC

from django import template
from django.utils.html import format_html

from programs import selectors, services
from programs.markdown import render_markdown
from programs.models import Membership, Role

register = template.Library()


@register.simple_tag
def when(value, style="datetime"):
    """`<time>` in UTC; static/js/localtime.js adds the viewer's local time next to it."""
    if value is None:
        return ""
    utc = value.astimezone(UTC)
    text = (
        utc.strftime("%a %d %b %Y") if style == "date" else utc.strftime("%a %d %b %Y, %H:%M UTC")
    )
    return format_html(
        '<span class="when"><time datetime="{}" data-local="{}">{}</time></span>',
        utc.isoformat().replace("+00:00", "Z"),
        style,
        text,
    )


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
