"""Content-Security-Policy on every response, and the friendly page of a CSRF refusal.

Django 5.2 has no CSP support of its own. The policy lives in settings.CONTENT_SECURITY_POLICY
(directive -> sources); a view that needs more (ReDoc's worker) widens it for its own responses
with `csp_update`. The middleware sits right below SecurityMiddleware, so static files and
pages replayed from the public cache get the header like every rendered page.
"""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

HEADER = "Content-Security-Policy"
# The API's HTML pages (DRF's browsable API, Swagger UI, ReDoc) are other projects' UIs that set
# styles inline; their scripts stay limited to our static files. Decided from the request and
# the content type, so a page replayed from the public cache gets the same policy.
API_PATH = "/api/"
API_PAGES = {"style-src": ["'unsafe-inline'"]}


def policy_header(policy: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([name, *sources]) for name, sources in policy.items())


REQUEST_TOO_LARGE = "This request is larger than the {limit} MB the portal accepts."


class RequestSizeLimitMiddleware:
    """Refuses a body declared larger than settings.REQUEST_MAX_MB with 413, before reading it.

    A body sent without a length (chunked) is left to the proxy's limit and to Django's own
    DATA_UPLOAD_MAX_MEMORY_SIZE for form fields.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_MAX_MB
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit * 1024 * 1024:
            return HttpResponse(
                REQUEST_TOO_LARGE.format(limit=limit),
                status=413,
                content_type="text/plain; charset=utf-8",
                headers={"Connection": "close"},
            )
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Sets the policy on every response that does not carry one already."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Django's technical 404/500 pages (DEBUG only) are built from inline CSS and JS.
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        policy = {name: list(sources) for name, sources in settings.CONTENT_SECURITY_POLICY.items()}
        updates = [getattr(response, "csp_update", {})]
        if request.path.startswith(API_PATH) and response.get("Content-Type", "").startswith(
            "text/html"
        ):
            updates.append(API_PAGES)
        for update in updates:
            for name, sources in update.items():
                policy[name] = [*policy.get(name, policy.get("default-src", [])), *sources]
        response.headers.setdefault(HEADER, policy_header(policy))
        return response


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the 403 page in the site's words; Django's reason goes to no one."""
    return render(request, "403_csrf.html", status=403)
