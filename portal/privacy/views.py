"""The account's data pages: download my data, delete my account.

They sit in portal, not in accounts: they read and change every app's rows, and accounts is
below all of them.
"""

import json

from allauth.core import ratelimit
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from portal.privacy import deletion, export

ACCOUNT_DELETED = "Your account was deleted. Payout records were kept without your name."


class AccountDeleteForm(forms.Form):
    # render_value=False: a refused attempt never sends the password back in the page.
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "current-password"}),
    )


def _no_store(response):
    # Personal data must not linger in a shared cache or the browser's.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def account_data(request):
    """What the portal keeps about the user, with the download and deletion links."""
    context = {"refusals": deletion.account_delete_refusals(user=request.user)}
    return _no_store(render(request, "accounts/data.html", context))


@login_required
@require_safe
def account_data_export(request):
    """The user's own data as a JSON attachment."""
    data = export.user_data_export(user=request.user)
    data["exported_at"] = timezone.now().isoformat()
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="seasons-my-data-{stamp}.json"'
    return _no_store(response)


@login_required
def account_delete(request):
    """Confirm with the password, then delete the account (refused to managers and sole admins)."""
    refusals = deletion.account_delete_refusals(user=request.user)
    form = AccountDeleteForm(request.POST or None)
    status = 200
    if request.method == "POST" and not refusals:
        # The password form must not become a way to guess the password of a borrowed session:
        # it counts against allauth's re-authentication limit (per user, in the shared cache).
        limited = ratelimit.consume_or_429(request, action="reauthenticate", user=request.user)
        if limited is not None:
            return limited
    if request.method == "POST" and not refusals and form.is_valid():
        try:
            deletion.account_delete(
                user=request.user, password=form.cleaned_data["password"], now=timezone.now()
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form.add_error("password", error.message_dict["password"])
            else:
                refusals = error.messages
        else:
            logout(request)
            messages.success(request, ACCOUNT_DELETED)
            return redirect("home")
    if request.method == "POST":
        status = 400
    context = {"form": form, "refusals": refusals}
    return _no_store(render(request, "accounts/delete.html", context, status=status))
