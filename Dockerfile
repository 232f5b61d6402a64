# syntax=docker/dockerfile:1
# One image for every Seasons process: web (the default CMD), migrate, Celery worker and beat.
# See docker-compose.yml for how they are started.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    SEASONS_VAR_DIR=/app/var

WORKDIR /app

# The code runs from /app rather than from site-packages: settings find templates/ and static/
# through BASE_DIR, the folder above portal/, so the project itself is not pip-installed (that
# would move portal/ into site-packages, away from templates/ and static/). Only its
# dependencies are, listed from pyproject.toml and pinned by requirements.lock; PYTHONPATH=/app
# makes the project's packages importable from any working directory.
# This layer is rebuilt only when the dependencies change, not on every code change.
COPY pyproject.toml requirements.lock ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -c requirements.lock -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The app user's home is writable: gunicorn puts its control socket in ~/.gunicorn/.
RUN groupadd --system --gid 10001 seasons \
    && useradd --system --uid 10001 --gid seasons --create-home --home-dir /home/seasons \
        --shell /usr/sbin/nologin seasons

# Source stays owned by root (read-only to the app); see .dockerignore for what is left out.
COPY . .

# Static files are collected into the image (STATIC_ROOT=/app/staticfiles). Production settings
# refuse to load without SECRET_KEY, ALLOWED_HOSTS, REDIS_URL, SITE_URL and the statistics
# signing key, so this one command gets
# throwaway values; they are not stored in the image, and nothing connects to Redis or a database
# here. Only /app/var (runtime files, e.g. the Celery beat schedule) is writable by the app user.
RUN SECRET_KEY=build-time-only-placeholder-not-used-at-runtime-0123456789abcdef \
    ALLOWED_HOSTS=build.invalid \
    REDIS_URL=redis://build.invalid:6379/0 \
    STATISTICS_SIGNING_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    SITE_URL=https://build.invalid \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media \
    && chown -R seasons:seasons /app/var

USER seasons

EXPOSE 8000

CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
