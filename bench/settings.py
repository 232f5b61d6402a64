"""Settings for the HTTP benchmark (bench/http.py): base settings, production-like switches.

Read from the environment like base.py (DATABASE_URL, REDIS_URL, SECRET_KEY).
"""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import REST_FRAMEWORK as _BASE_REST_FRAMEWORK

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
# CACHES as in base (Redis when REDIS_URL is set).

# The only deviation from base: the anonymous API throttle (60/min) would turn almost every
# benchmarked API request into a 429. Keep the throttle classes (their cache round trips are
# part of the cost) but raise the rates out of reach.
REST_FRAMEWORK = {
    **_BASE_REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        "anon": "10000000/min",
        "user": "10000000/min",
        "token": "10000000/min",
    },
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
# Production-like static handling: base ties these to DEBUG read from the environment.
WHITENOISE_AUTOREFRESH = False
WHITENOISE_USE_FINDERS = True  # no collectstatic in the bench; only static URLs are affected
