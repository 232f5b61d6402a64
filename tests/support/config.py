"""The repository's root, and a valid production configuration for tests that start Django in
a fresh interpreter."""

import base64
import os
import secrets
import string
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def random_secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(60))


def production_env() -> dict[str, str]:
    """A complete, valid production configuration (SQLite stands in for PostgreSQL)."""
    return {
        "SECRET_KEY": random_secret_key(),
        "ALLOWED_HOSTS": "example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "DATABASE_URL": "sqlite:////tmp/x.sqlite3",
        "SITE_URL": "https://example.org",
        "STATISTICS_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
