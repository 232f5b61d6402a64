"""docker-compose.yml, the Dockerfile and .env.example agree with each other and with the settings.

No Docker engine is needed: the files are read and parsed, nothing is built or started.
"""

import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"postgres", "redis", "migrate", "web", "worker", "beat"}
APP_SERVICES = ("migrate", "web", "worker", "beat")
ENV_CALL = re.compile(r"""\benv_(?:str|bool|int|list)\(\s*["']([A-Z][A-Z0-9_]*)["']""")
ENV_EXAMPLE_LINE = re.compile(r"^\s*(?:#\s*)?([A-Z][A-Z0-9_]*)=", re.MULTILINE)
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")


def settings_env_names() -> set[str]:
    """Every variable portal/settings/*.py reads, plus the one that chooses the settings."""
    names = {"DJANGO_SETTINGS_MODULE"}
    for path in (ROOT / "portal" / "settings").glob("*.py"):
        names.update(ENV_CALL.findall(path.read_text()))
    return names


def env_example_names() -> set[str]:
    return set(ENV_EXAMPLE_LINE.findall((ROOT / ".env.example").read_text()))


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command(service: dict) -> list[str]:
    value = service.get("command", [])
    return shlex.split(value) if isinstance(value, str) else [str(part) for part in value]


def environment(service: dict) -> dict[str, str | None]:
    value = service.get("environment") or {}
    if isinstance(value, dict):
        return value
    pairs = (item.partition("=") for item in value)
    return {name: (val if sep else None) for name, sep, val in pairs}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def test_the_settings_scan_finds_the_settings_variables():
    # Guards the regex: if it silently matched nothing, the checks below would prove nothing.
    assert {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"} <= (
        settings_env_names()
    )
    assert {"EMAIL_PORT", "EMAIL_USE_TLS", "SECURE_HSTS_SECONDS"} <= settings_env_names()


def test_compose_has_exactly_the_expected_services(compose):
    assert "version" not in compose
    assert set(compose["services"]) == SERVICES


def test_web_runs_gunicorn_with_the_wsgi_application(compose):
    web = compose["services"]["web"]
    argv = command(web)
    assert argv[0] == "gunicorn"
    assert "portal.wsgi:application" in argv
    assert "--bind=0.0.0.0:8000" in argv or ["--bind", "0.0.0.0:8000"] in [
        argv[i : i + 2] for i in range(len(argv))
    ]
    assert any(str(port).endswith("8000:8000") for port in web["ports"])


def test_worker_runs_a_celery_worker(compose):
    assert command(compose["services"]["worker"])[:4] == ["celery", "-A", "portal", "worker"]


def test_beat_runs_celery_beat_and_is_the_only_beat(compose):
    services = compose["services"]
    beat = services["beat"]
    assert command(beat)[:4] == ["celery", "-A", "portal", "beat"]
    assert beat["deploy"]["replicas"] == 1
    for name, service in services.items():
        if name != "beat":
            assert not any("beat" in part for part in command(service)), name


def test_beat_keeps_its_schedule_on_a_named_volume(compose):
    beat = compose["services"]["beat"]
    schedule = next(
        part.split("=", 1)[1] for part in command(beat) if part.startswith("--schedule=")
    )
    mounts = dict(volume.split(":", 1) for volume in beat["volumes"])
    assert str(Path(schedule).parent) in mounts.values()
    assert set(mounts) <= set(compose["volumes"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_use_production_settings_and_the_shared_services(compose, name):
    env = environment(compose["services"][name])
    assert env["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
    for required in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS"):
        assert env.get(required), f"{name} lacks {required}"
    assert env["DATABASE_URL"].startswith("postgres://seasons:")
    assert env["DATABASE_URL"].endswith("@postgres:5432/seasons")
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    # The secret comes from .env and compose refuses to start without it.
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_pass_only_variables_the_settings_read(compose, name):
    names = set(environment(compose["services"][name]))
    assert names - settings_env_names() == set(), "not read by portal/settings"
    assert names - env_example_names() == set(), "missing from .env.example"


def test_every_variable_the_settings_read_is_in_env_example():
    assert settings_env_names() - env_example_names() == set()


def strings(node) -> list[str]:
    if isinstance(node, dict):
        return [text for key, value in node.items() for text in strings(key) + strings(value)]
    if isinstance(node, list):
        return [text for item in node for text in strings(item)]
    return [node] if isinstance(node, str) else []


def test_every_compose_substitution_is_in_env_example(compose):
    used = {name for text in strings(compose) for name in INTERPOLATION.findall(text)}
    assert used, "expected ${...} references (SECRET_KEY, POSTGRES_PASSWORD, ...)"
    assert used - env_example_names() == set()


def test_app_services_start_in_order(compose):
    services = compose["services"]
    assert services["migrate"]["restart"] == "no"
    assert command(services["migrate"])[-3:] == ["manage.py", "migrate", "--noinput"]
    healthy = {"condition": "service_healthy"}
    for name in ("web", "worker", "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["postgres"] == healthy
        assert depends_on["redis"] == healthy
        assert depends_on["migrate"] == {"condition": "service_completed_successfully"}
    assert services["migrate"]["depends_on"]["postgres"] == healthy


def test_postgres_and_redis_have_healthchecks_and_volumes(compose):
    postgres = compose["services"]["postgres"]
    redis = compose["services"]["redis"]
    assert postgres["image"] == "postgres:16"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert redis["image"] == "redis:7"
    assert "redis-cli" in redis["healthcheck"]["test"]
    assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"]
    assert "postgres-data" in compose["volumes"]
    assert environment(postgres)["POSTGRES_USER"] == "seasons"
    assert environment(postgres)["POSTGRES_DB"] == "seasons"


def test_dockerfile_builds_a_production_image():
    instructions = dockerfile_instructions()
    froms = [arguments for keyword, arguments in instructions if keyword == "FROM"]
    assert froms and all(image.startswith("python:3.11") for image in froms)
    env = {}
    for keyword, arguments in instructions:
        if keyword == "ENV":
            env.update(pair.split("=", 1) for pair in shlex.split(arguments))
    assert env["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    assert users and users[-1] not in {"root", "0"}
    assert ("EXPOSE", "8000") in instructions
    runs = " ".join(arguments for keyword, arguments in instructions if keyword == "RUN")
    assert "-c requirements.lock" in runs
    assert "collectstatic --noinput" in runs
    cmd = [arguments for keyword, arguments in instructions if keyword == "CMD"][-1]
    assert "gunicorn" in cmd and "portal.wsgi:application" in cmd


def test_dockerignore_keeps_what_the_image_needs():
    ignored = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    needed = {"pyproject.toml", "requirements.lock", "manage.py", "templates", "static", "portal"}
    assert needed & ignored == set()
    assert {".env", ".git", ".venv", "var", "staticfiles"} <= ignored


def test_the_dockerfile_build_time_values_satisfy_production_settings(tmp_path):
    """collectstatic runs at build with throwaway values: they must still load the production
    settings, or the image fails to build whenever production gains a required variable."""
    import os
    import subprocess
    import sys

    text = (ROOT / "Dockerfile").read_text()
    run = text[text.index("RUN SECRET_KEY=") : text.index("collectstatic")]
    values = dict(re.findall(r"([A-Z_]+)=(\S+)", run))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "SITE_", "STATISTICS_"))
    }
    env |= values | {
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SEASONS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
