"""Personal API tokens: created with a key shown once, stored as a SHA-256 digest, revoked."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.models import ApiToken, TokenScope

# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
NAME_REQUIRED = "Give the token a name, so you can tell it apart later."
ALREADY_REVOKED = "This token was already revoked."


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user, name: str, scope: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw key, which is never stored nor shown again."""
    if not name.strip():
        raise ValidationError({"name": NAME_REQUIRED})
    key = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip(),
        scope=TokenScope(scope),
        key_prefix=key[:8],
        key_hash=key_hash(key),
    )
    token.full_clean()
    token.save()
    return token, key


def token_revoke(*, token: ApiToken, now: datetime) -> ApiToken:
    """Revoke a token for good: requests that carry it are answered 401 from now on."""
    if token.revoked_at is not None:
        raise ValidationError(ALREADY_REVOKED)
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    return token


def tokens_revoke_all(*, user, now: datetime) -> int:
    """Revoke every live token of the user: a new password ends what the old one let out."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)


def token_authenticate(*, key: str, now: datetime) -> ApiToken | None:
    """The live token of an active user that the key belongs to, or None; notes its use."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def tokens_of(*, user):
    """The user's tokens, live ones first."""
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at", "-pk")


def token_of(*, pk: int, user) -> ApiToken:
    """One of the user's own tokens; anyone else's is a 404."""
    token = ApiToken.objects.filter(pk=pk, user=user).first()
    if token is None:
        raise Http404("No such token.")
    return token
