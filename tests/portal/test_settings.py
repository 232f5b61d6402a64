"""Bad configuration stops start-up with a message naming the variable; good production config runs.

The start-up tests run Django in a fresh interpreter, the way gunicorn, celery and manage.py
start it, with an environment built from scratch for each case.
"""

import os
import re
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list, env_str
from tests.support.config import ROOT, production_env

BASE = "portal.settings.base"
PRODUCTION = "portal.settings.production"
SETUP = [sys.executable, "-c", "import django; django.setup()"]
ENV_CALL = re.compile(r"""\benv_(?:str|bool|int|list)\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def settings_env_names() -> set[str]:
    names = set()
    for path in (ROOT / "portal" / "settings").glob("*.py"):
        names.update(ENV_CALL.findall(path.read_text()))
    return names


@pytest.fixture
def start(tmp_path):
    """Run a command in a new interpreter with only the given configuration variables set."""

    def run(settings: str, variables: dict[str, str], argv=SETUP):
        env = dict(os.environ)
        # Nothing the settings read leaks in from the outer environment (the test run's own
        # DATABASE_URL/REDIS_URL included): each case sets exactly what it tests.
        for name in settings_env_names() | {"DJANGO_SETTINGS_MODULE"}:
            env.pop(name, None)
        env.update(
            DJANGO_SETTINGS_MODULE=settings,
            SEASONS_VAR_DIR=str(tmp_path / "var"),
            STATIC_ROOT=str(tmp_path / "static"),
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.update(variables)
        return subprocess.run(
            argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
        )

    return run


def assert_refused(result: subprocess.CompletedProcess, name: str):
    assert result.returncode != 0, result.stderr
    assert "ImproperlyConfigured" in result.stderr, result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert name in last_line, result.stderr


@pytest.mark.parametrize("settings", [BASE, PRODUCTION])
@pytest.mark.parametrize(
    ("name", "bad_value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "nonsense://x"),
        ("REDIS_URL", "http://x"),
        ("EMAIL_PORT", "abc"),
        ("EMAIL_PORT", "0"),
        ("EMAIL_USE_TLS", "sometimes"),
        ("INVITATION_VALID_DAYS", "0"),
        ("SITE_URL", "seasons.example.org"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(start, settings, name, bad_value):
    # Under production everything else is valid, so the bad value is the only possible cause.
    variables = production_env() if settings == PRODUCTION else {}
    variables[name] = bad_value
    assert_refused(start(settings, variables), name)


@pytest.mark.parametrize(
    ("name", "bad_value"),
    [("SECURE_HSTS_SECONDS", "a year"), ("SECURE_SSL_REDIRECT", "perhaps")],
)
def test_a_bad_production_only_value_stops_start_up(start, name, bad_value):
    assert_refused(start(PRODUCTION, {**production_env(), name: bad_value}), name)


def test_production_needs_a_secret_key(start):
    variables = production_env()
    del variables["SECRET_KEY"]
    assert_refused(start(PRODUCTION, variables), "SECRET_KEY")


@pytest.mark.parametrize(
    "secret_key", ["too-short", "dev-only-insecure-key-do-not-use-in-production"]
)
def test_production_refuses_a_weak_secret_key(start, secret_key):
    assert_refused(start(PRODUCTION, {**production_env(), "SECRET_KEY": secret_key}), "SECRET_KEY")


@pytest.mark.parametrize("hosts", ["*", "example.org,*", ""])
def test_production_needs_explicit_allowed_hosts(start, hosts):
    assert_refused(start(PRODUCTION, {**production_env(), "ALLOWED_HOSTS": hosts}), "ALLOWED_HOSTS")


def test_production_needs_allowed_hosts_to_be_set(start):
    variables = production_env()
    del variables["ALLOWED_HOSTS"]
    assert_refused(start(PRODUCTION, variables), "ALLOWED_HOSTS")


def test_production_needs_redis(start):
    variables = production_env()
    del variables["REDIS_URL"]
    assert_refused(start(PRODUCTION, variables), "REDIS_URL")


@pytest.mark.parametrize("site_url", [None, "http://example.org"])
def test_production_needs_an_https_site_url(start, site_url):
    variables = production_env()
    del variables["SITE_URL"]
    if site_url:
        variables["SITE_URL"] = site_url
    assert_refused(start(PRODUCTION, variables), "SITE_URL")


def test_development_starts_with_no_configuration(start):
    result = start(BASE, {})
    assert result.returncode == 0, result.stderr


def test_production_starts_with_a_complete_configuration(start):
    result = start(PRODUCTION, production_env())
    assert result.returncode == 0, result.stderr


def test_production_passes_the_deployment_checklist(start):
    argv = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    result = start(PRODUCTION, production_env(), argv=argv)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


def test_start_up_writes_runtime_files_only_to_the_var_dir(start, tmp_path):
    result = start(BASE, {})
    assert result.returncode == 0, result.stderr
    # The embedded defaults (SQLite folder, file broker) live under SEASONS_VAR_DIR.
    assert (tmp_path / "var" / "broker" / "queue").is_dir()


# Unit tests of the readers in portal/env.py.


def test_env_str_returns_the_value_or_the_default(monkeypatch):
    monkeypatch.setenv("SEASONS_TEST_STR", "value")
    assert env_str("SEASONS_TEST_STR") == "value"
    monkeypatch.setenv("SEASONS_TEST_STR", "")
    assert env_str("SEASONS_TEST_STR", "default") == ""
    monkeypatch.delenv("SEASONS_TEST_STR")
    assert env_str("SEASONS_TEST_STR", "default") == "default"


def test_env_str_without_a_default_requires_the_variable(monkeypatch):
    monkeypatch.delenv("SEASONS_TEST_STR", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SEASONS_TEST_STR"):
        env_str("SEASONS_TEST_STR")


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on", " true "])
def test_env_bool_true(monkeypatch, value):
    monkeypatch.setenv("SEASONS_TEST_BOOL", value)
    assert env_bool("SEASONS_TEST_BOOL", False) is True


@pytest.mark.parametrize("value", ["0", "false", "FALSE", "no", "off", "", "  "])
def test_env_bool_false(monkeypatch, value):
    monkeypatch.setenv("SEASONS_TEST_BOOL", value)
    assert env_bool("SEASONS_TEST_BOOL", True) is False


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_unset_gives_the_default(monkeypatch, default):
    monkeypatch.delenv("SEASONS_TEST_BOOL", raising=False)
    assert env_bool("SEASONS_TEST_BOOL", default) is default


@pytest.mark.parametrize("value", ["maybe", "2", "y", "enabled"])
def test_env_bool_rejects_other_values_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("SEASONS_TEST_BOOL", value)
    with pytest.raises(ImproperlyConfigured, match=r"SEASONS_TEST_BOOL=.*not a boolean"):
        env_bool("SEASONS_TEST_BOOL", False)


def test_env_int_parses_and_defaults(monkeypatch):
    monkeypatch.setenv("SEASONS_TEST_INT", "587")
    assert env_int("SEASONS_TEST_INT", 25) == 587
    monkeypatch.setenv("SEASONS_TEST_INT", "-3")
    assert env_int("SEASONS_TEST_INT", 25) == -3
    monkeypatch.delenv("SEASONS_TEST_INT")
    assert env_int("SEASONS_TEST_INT", 25) == 25


@pytest.mark.parametrize("value", ["abc", "", "1.5", "25 ports"])
def test_env_int_rejects_non_integers_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("SEASONS_TEST_INT", value)
    with pytest.raises(ImproperlyConfigured, match=r"SEASONS_TEST_INT=.*not an integer"):
        env_int("SEASONS_TEST_INT", 25)


def test_env_int_enforces_the_minimum(monkeypatch):
    monkeypatch.setenv("SEASONS_TEST_INT", "1")
    assert env_int("SEASONS_TEST_INT", 14, minimum=1) == 1
    monkeypatch.setenv("SEASONS_TEST_INT", "0")
    with pytest.raises(ImproperlyConfigured, match=r"SEASONS_TEST_INT=0 is below its minimum of 1"):
        env_int("SEASONS_TEST_INT", 14, minimum=1)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("SEASONS_TEST_LIST", " example.org, www.example.org ,,")
    assert env_list("SEASONS_TEST_LIST", ["localhost"]) == ["example.org", "www.example.org"]
    monkeypatch.setenv("SEASONS_TEST_LIST", "")
    assert env_list("SEASONS_TEST_LIST", ["localhost"]) == []


def test_env_list_unset_gives_a_copy_of_the_default(monkeypatch):
    monkeypatch.delenv("SEASONS_TEST_LIST", raising=False)
    default = ["localhost"]
    value = env_list("SEASONS_TEST_LIST", default)
    assert value == ["localhost"]
    value.append("example.org")
    assert default == ["localhost"]
