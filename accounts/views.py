"""The account's API tokens page: create (the key is shown once), list and revoke."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import tokens
from accounts.models import TokenScope


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'stats script'.")
    scope = forms.ChoiceField(
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        help_text="Read-only tokens are refused any change, whatever the endpoint.",
    )


@login_required
def token_list(request):
    """The user's tokens and a form for a new one; the new key appears on this answer only."""
    form = TokenForm(request.POST or None)
    new_key, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, new_key = tokens.token_create(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                form = TokenForm()
        if new_key is None:
            status = 400
    context = {"form": form, "tokens": tokens.tokens_of(user=request.user), "new_key": new_key}
    response = render(request, "accounts/tokens.html", context, status=status)
    # The key must not linger in a shared cache or the browser's.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, pk):
    """Revoke one of the user's own tokens (anyone else's is a 404)."""
    token = tokens.token_of(pk=pk, user=request.user)
    try:
        tokens.token_revoke(token=token, now=timezone.now())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The token “{token.name}” was revoked.")
    return redirect("account_tokens")
