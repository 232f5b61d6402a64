"""API authentication by personal token (`Authorization: Bearer <key>`) and its throttles."""

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions, throttling
from rest_framework.permissions import SAFE_METHODS

from accounts.models import ApiToken, TokenScope
from accounts.tokens import token_authenticate

READ_ONLY = "This token is read-only: create a write token to change anything."


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Personal API tokens. Listed first so that unauthenticated requests get a 401 with
    `WWW-Authenticate: Bearer` rather than a 403."""

    keyword = "Bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Give the header as 'Bearer <key>'.")
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = token_authenticate(key=key, now=timezone.now())
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        # Decided here, before any view runs, so that no endpoint can forget it.
        if token.scope != TokenScope.WRITE and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(READ_ONLY)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


def _token(request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class SessionUserRateThrottle(throttling.UserRateThrottle):
    """The per-user rate for signed-in browsers; token requests have their own rate."""

    def get_cache_key(self, request, view):
        if _token(request) is not None:
            return None
        return super().get_cache_key(request, view)


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """The rate of each API token, counted per token."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = _token(request)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token in the OpenAPI schema."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=ApiTokenAuthentication.keyword
        )
