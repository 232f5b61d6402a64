"""Accounts react to allauth: a reset or changed password revokes the account's API tokens, so
whoever had the old password (or a token it made) loses the API with it."""

from allauth.account.signals import password_changed, password_reset
from django.dispatch import receiver
from django.utils import timezone

from accounts.tokens import tokens_revoke_all


@receiver(password_reset, dispatch_uid="accounts.revoke_tokens_on_reset")
@receiver(password_changed, dispatch_uid="accounts.revoke_tokens_on_change")
def revoke_tokens(sender, request, user, **kwargs):
    tokens_revoke_all(user=user, now=timezone.now())
