"""Widening the Content-Security-Policy for one view: portal/security.py's middleware sets the
policy on every response and adds what the view asked for here. It sits in programs, the lowest
app with pages, so that every app's views can use it."""

from functools import wraps


def csp_update(**directives: list[str]):
    """Add sources to directives for the decorated view's responses (style_src -> style-src)."""
    extra = {name.replace("_", "-"): list(sources) for name, sources in directives.items()}

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response.csp_update = extra
            return response

        return wrapped

    return decorator
