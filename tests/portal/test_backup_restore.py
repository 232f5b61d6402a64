"""The restore drill of docs/operations.md, for real: pg_dump -Fc of a database with data in every
corner of the portal, pg_restore into a fresh database, and every table holds the same rows,
byte for byte, with its sequences where they were."""

import os
import shutil
import subprocess
import uuid
from io import StringIO

import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from applications.models import Proposal, Receipt
from evaluations.models import Evaluation
from payments.models import Payout, PayoutStatusChange
from tests.support.privacy import coding_season

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TABLES = """
    SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename
"""
SEQUENCES = """
    SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'
    ORDER BY sequencename
"""


def _client_env(settings_dict) -> tuple[dict, list[str]]:
    """Environment and connection options for the PostgreSQL client tools, from Django's own."""
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    options = [
        f"--host={settings_dict.get('HOST') or '127.0.0.1'}",
        f"--port={settings_dict.get('PORT') or 5432}",
        f"--username={settings_dict['USER']}",
    ]
    return env, options


def _connect(settings_dict, dbname):
    return psycopg.connect(
        dbname=dbname,
        host=settings_dict.get("HOST") or "127.0.0.1",
        port=settings_dict.get("PORT") or 5432,
        user=settings_dict["USER"],
        password=settings_dict.get("PASSWORD") or None,
        autocommit=True,
    )


def snapshot(settings_dict, dbname) -> dict:
    """Per table: its row count and an MD5 of all its rows (as text, sorted); per sequence: its
    last value. Every table of the public schema, not only the models'."""
    with _connect(settings_dict, dbname) as conn:
        tables = [row[0] for row in conn.execute(TABLES)]
        result = {}
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            result[table] = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"  # noqa: S608
                f" FROM {quoted} AS t"
            ).fetchone()
        result["sequences"] = list(conn.execute(SEQUENCES))
    return result


def _run(command, env):
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, (command, completed.stderr)


@pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs the PostgreSQL client tools")
def test_a_dump_restores_every_row_of_every_table(cast, tmp_path):
    call_command("load_demo_data", "--quiet-accounts", stdout=StringIO())
    coding_season(cast)
    settings_dict = connection.settings_dict
    source = settings_dict["NAME"]
    restored = f"{source}_restore_{uuid.uuid4().hex[:8]}"
    env, options = _client_env(settings_dict)
    dump = tmp_path / "seasons.dump"

    _run(["pg_dump", *options, "--format=custom", f"--file={dump}", source], env)
    _run(["createdb", *options, restored], env)
    try:
        _run(
            ["pg_restore", *options, "--no-owner", "--exit-on-error", f"--dbname={restored}", dump],
            env,
        )
        before, after = snapshot(settings_dict, source), snapshot(settings_dict, restored)
    finally:
        _run(["dropdb", *options, "--if-exists", restored], env)

    # The data is there to be lost: every model table of ours, auth and allauth is in the dump,
    # and the tables that matter most are not empty.
    model_tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    assert model_tables <= set(before)
    for model in (Proposal, Receipt, Evaluation, Payout, PayoutStatusChange):
        assert before[model._meta.db_table][0] > 0, model
    assert before["accounts_user"][0] >= 9 and before["account_emailaddress"][0] >= 9
    assert before["django_migrations"][0] > 0
    assert after == before
