"""The unsubscribe link of optional mail: no sign-in needed, the signed token is the proof."""

from django.core import signing
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from applications import scheduler


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Confirm (GET), then turn off optional mail for the token's user (POST)."""
    try:
        if request.method == "POST":
            user = scheduler.optional_email_unsubscribe(token=token)
        else:
            user = scheduler.optional_email_user(token=token)
    except signing.BadSignature:
        raise Http404("This unsubscribe link is not valid or has expired.") from None
    return render(
        request,
        "applications/unsubscribed.html",
        {"email": user.email, "done": request.method == "POST"},
    )
