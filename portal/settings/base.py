"""Settings for every environment, read from the environment with defaults that run on one laptop.

test.py and production.py only override what differs. Every variable is listed in .env.example.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Runtime files of the embedded defaults (SQLite, broker queue, cache, mail) live here.
VAR_DIR = Path(env_str("SEASONS_VAR_DIR", str(BASE_DIR / "var")))

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if urlsplit(SITE_URL).scheme not in {"http", "https"}:
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} must start with http:// or https://.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "allauth",
    "allauth.account",
    "accounts",
    "audit",
    "programs",
    "applications",
    "docs_season",
    "evaluations",
    "payments",
    "reports",
    "portal",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "portal.security.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

# Scripts and styles come only from our own static files: no inline script, no event-handler
# attribute, no CDN (portal/security.py; the API docs widen style-src for themselves). Images
# come from the portal only, so Markdown cannot make a reader's browser call another site; an
# organization's page alone widens img-src for the logo it gives as a URL.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# proposal.js and budget.js read the CSRF cookie: signing in again in another tab rotates the
# token the page was given. Django's docs: an HttpOnly CSRF cookie adds no real protection.
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "portal.security.csrf_failure"

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite in VAR_DIR unless DATABASE_URL names another (postgres://user@host/db).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'seasons.sqlite3'}")
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a usable database URL: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: wait on locks instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis, when REDIS_URL is set, carries the Celery broker and the shared cache; otherwise both
# use files in VAR_DIR so that one machine needs no server at all.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL and urlsplit(REDIS_URL).scheme not in {"redis", "rediss"}:
    # The value may hold a password: name the variable, not its value.
    raise ImproperlyConfigured("REDIS_URL must start with redis:// or rediss://.")
if REDIS_URL:
    # Without Redis the portal carries on (portal/redis_cache.py); the timeouts make a server that
    # does not answer at all fail as fast as one that refuses, instead of holding each request.
    CACHES = {
        "default": {
            "BACKEND": "portal.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "control_folder": str(VAR_DIR / "broker" / "control"),
    }
    # The filesystem transport expects its folders to exist before the first message.
    for _folder in CELERY_BROKER_TRANSPORT_OPTIONS.values():
        Path(_folder).mkdir(parents=True, exist_ok=True)

CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged after it ran, so a worker killed mid-task hands it to the next one.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Sessions are read from the shared cache and written through to the database: a signed-in page
# costs no session query, and a cache flush or restart logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Seasons] "


def _rate_limit(name: str, value: str, *, per: bool) -> str:
    """Refuse at start a rate the limiter would only reject at the first request."""
    part = r"\d+/\d*[smhd]" + (r"(/(ip|key|user))?" if per else "")
    if not all(re.fullmatch(part, rate.strip()) for rate in value.split(",")):
        example = "10/m/ip,5/5m/key" if per else "20/m"
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate limit such as {example}.")
    return value


def _login_failed_limits(value: str) -> dict[str, str]:
    """'5/5m/account_ip,10/m/ip,100/h/account' -> {"account_ip": "5/5m", ...}."""
    limits = {}
    for part in value.split(","):
        match = re.fullmatch(r"(\d+/\d*[smhd])/(account_ip|ip|account)", part.strip())
        if match is None or match[2] in limits:
            raise ImproperlyConfigured(
                f"LOGIN_FAILED_RATE_LIMIT={value!r} is not a rate limit such as "
                "5/5m/account_ip,10/m/ip,100/h/account (per is account_ip, ip or account, each "
                "at most once; the former per key locked the owner out and is gone)."
            )
        limits[match[2]] = match[1]
    return limits


# Counted in the shared cache, so the limits hold across web processes when REDIS_URL is set.
# Failed sign-ins (accounts/adapter.py, which replaces allauth's "login_failed" limit) count per
# typed address from one client address, per client address, and per typed address from all of
# them (a generous backstop): the site's and the admin's sign-in alike (accounts/admin.py).
# Password reset answers alike for known and unknown addresses (ACCOUNT_PREVENT_ENUMERATION)
# and mails both, so the per-address limit also caps mail sent to someone else's inbox.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
LOGIN_FAILED_RATE_LIMITS = _login_failed_limits(
    env_str("LOGIN_FAILED_RATE_LIMIT", "5/5m/account_ip,10/m/ip,100/h/account")
)
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": None,  # accounts/adapter.py counts failed sign-ins instead
    "signup": "20/m/ip",
    "reset_password": _rate_limit(
        "PASSWORD_RESET_RATE_LIMIT",
        env_str("PASSWORD_RESET_RATE_LIMIT", "20/m/ip,3/15m/key"),
        per=True,
    ),
    "confirm_email": "1/3m/key",
}

# Rate limits count per client address. Behind proxies, the number of them that append to
# X-Forwarded-For (0: the connection's own address; production defaults to 1).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# The largest request body the portal reads (a proposal's PDF with its form is the largest
# honest one): a declared larger body is refused with 413 before a byte of it is read. Put the
# same cap on the reverse proxy (nginx: client_max_body_size) so it never reaches gunicorn.
# Form fields without files stay under Django's 2.5 MB (DATA_UPLOAD_MAX_MEMORY_SIZE).
REQUEST_MAX_MB = env_int("REQUEST_MAX_MB", 25, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A hanging SMTP server must not hold a worker forever; the task retries instead.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Seasons <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Uploads (proposal attachments) are private: served only through permission-checking views.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"
# In development WhiteNoise serves straight from the app and project static folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Tokens first: an unauthenticated request then gets 401 with `WWW-Authenticate: Bearer`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "portal.renderers.CSVRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.renderers.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["rest_framework.filters.OrderingFilter"],
    "EXCEPTION_HANDLER": "portal.exception_handlers.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "accounts.authentication.SessionUserRateThrottle",
        "accounts.authentication.TokenRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "600/min", "token": "1200/min"},
    # Anonymous clients are told apart by address: without this DRF keys them on the whole
    # X-Forwarded-For header, which a client can vary at will.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Seasons API",
    "DESCRIPTION": "Programs, organizations, projects, evaluations, payouts and statistics.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc are served from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Anonymous visitors get public pages and API lists from the shared cache for at most this many
# seconds (programs/public_cache.py: any saved change shows at once; 0 turns the cache off).
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 60, minimum=0)

# Proposal writes per user (accounts/ratelimit.py): the editor's autosaves, and presses of Save or
# Submit (each save of a submitted proposal mails a receipt). Far above what a person types;
# beyond them the request is refused with 429 and nothing typed is lost.
PROPOSAL_AUTOSAVE_RATE_LIMIT = _rate_limit(
    "PROPOSAL_AUTOSAVE_RATE_LIMIT", env_str("PROPOSAL_AUTOSAVE_RATE_LIMIT", "120/m"), per=False
)
PROPOSAL_SAVE_RATE_LIMIT = _rate_limit(
    "PROPOSAL_SAVE_RATE_LIMIT", env_str("PROPOSAL_SAVE_RATE_LIMIT", "20/m"), per=False
)

# Mentor and org-admin invitations stay valid this many days.
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14, minimum=1)

# OpenCollective's GraphQL API. Without a token the portal still works: payouts then travel
# as CSV files a manager enters and exports by hand.
OPENCOLLECTIVE_API_URL = env_str(
    "OPENCOLLECTIVE_API_URL", "https://api.opencollective.com/graphql/v2"
)
if urlsplit(OPENCOLLECTIVE_API_URL).scheme not in {"http", "https"}:
    raise ImproperlyConfigured("OPENCOLLECTIVE_API_URL must start with http:// or https://.")
OPENCOLLECTIVE_TOKEN = env_str("OPENCOLLECTIVE_TOKEN", "")
# Seconds before an unanswered API call gives up (the job then retries).
OPENCOLLECTIVE_TIMEOUT = env_int("OPENCOLLECTIVE_TIMEOUT", 10, minimum=1)

# Ed25519 key that signs published statistics: base64 of the 32 raw private-key bytes. Empty in
# development: a key is generated on first use and kept in VAR_DIR/statistics-signing.key.
STATISTICS_SIGNING_KEY = env_str("STATISTICS_SIGNING_KEY", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
