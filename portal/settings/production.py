"""Production settings: no defaults for secrets or hosts, HTTPS everywhere, SMTP mail."""

import base64
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list, env_str

from .base import *  # noqa: F403
from .base import DEV_SECRET_KEY, REDIS_URL, STATISTICS_SIGNING_KEY

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's host names, without '*'.")
# Links in e-mails are built from SITE_URL: production must name its real https address.
SITE_URL = env_str("SITE_URL").rstrip("/")
if urlsplit(SITE_URL).scheme != "https":
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} must start with https:// in production.")
if not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL is required in production (broker and shared cache).")

# Published statistics are signed with this key; a generated file key would change per host.
try:
    _statistics_key_length = len(base64.b64decode(STATISTICS_SIGNING_KEY, validate=True))
except ValueError:
    _statistics_key_length = 0
if _statistics_key_length != 32:
    raise ImproperlyConfigured(
        "STATISTICS_SIGNING_KEY is required in production: the base64 of a raw 32-byte Ed25519 "
        "private key (see .env.example)."
    )

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Every page is https: a stray http:// logo URL is fetched over https rather than blocked.
CONTENT_SECURITY_POLICY = {**CONTENT_SECURITY_POLICY, "upgrade-insecure-requests": []}  # noqa: F405

# The TLS proxy in front (see SECURE_PROXY_SSL_HEADER) appends the client's address to
# X-Forwarded-For: without trusting it, every visitor would share the proxy's address and one
# busy minute of failed logins would lock everyone out.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1, minimum=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": TRUSTED_PROXY_COUNT}  # noqa: F405

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
