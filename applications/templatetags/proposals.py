from django import template

from applications.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Render Markdown typed by a user as sanitised HTML."""
    return render_markdown(text)
