"""Template helpers: every instant shown in UTC with the viewer's local time beside it, and
Markdown typed by users rendered safely."""

from datetime import UTC

from django import template
from django.utils.html import format_html

from programs.markdown import render_markdown

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
