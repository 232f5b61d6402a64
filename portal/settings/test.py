"""Test settings: fast hashing, mail kept in memory, a per-process cache."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Each test starts from an empty cache (see tests/conftest.py); the Redis-backed cache is
# exercised by the tests marked `redis`, which talk to REDIS_URL themselves.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Unit tests run tasks inline; tests marked `redis` start a real worker and turn this off.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Persistent connections would keep the live server's sessions open past the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Tests see every write at once; tests/programs/test_public_cache.py turns the cache on.
PUBLIC_CACHE_SECONDS = 0
