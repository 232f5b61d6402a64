"""Settings of the server bench/http.py measures: production settings, as deployed.

The environment supplies what production requires (bench/http.py sets throw-away values). Only
the API throttle rates are raised out of reach, as in bench.settings, and the bare baseline view
is routed: everything else (middleware, HTTPS redirect, manifest static files, Redis cache and
sessions) is what a real deployment runs.
"""

from bench import settings as _bench
from portal.settings.production import *  # noqa: F403

ROOT_URLCONF = _bench.ROOT_URLCONF
REST_FRAMEWORK = _bench.REST_FRAMEWORK
LOGGING = _bench.LOGGING
