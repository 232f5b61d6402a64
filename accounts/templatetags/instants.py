"""Instants as every page shows them: in UTC, with the viewer's local time beside it.

It sits in the lowest app so that every app's pages can use it; programs' `seasons` library
offers the same tag to the pages that load it.
"""

from datetime import UTC

from django import template
from django.utils.html import format_html

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
