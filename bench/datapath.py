"""Data-path benchmarks: the jobs and reports that touch every row, at ten times GSoC 2024.

    .venv/bin/python -m bench.datapath [--scales 0.1,1.0] [--out bench/DATAPATH.md]

For each scale: a throw-away PostgreSQL database (bench/db.py), migrate, generate the dataset
(bench/generate.py), then measure in-process, with the query count of each step:
  1. the statistics of the 10x coding program (reports/statistics.py);
  2. the periodic job (evaluations.services.schedule.advance_schedule, as the advance-schedule beat
     runs it) at the generator's `now`, twice: the second run must change nothing; then the
     create-due-payouts job, twice;
  3. (largest scale) the import of the 2022 GSoC archive into a new program, and again;
  4. (largest scale) the payout sync of every linked, unsettled payout against the local fake
     OpenCollective server (tests/payments/fake_opencollective.py), twice.
Prints a markdown table and writes bench/DATAPATH.md. Each database is dropped in a finally block.
"""

import argparse
import collections
import contextlib
import datetime
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = ROOT.parent / "shared" / "data" / "gsoc-archive-2022.json"
REDIS_DB = "13"


def log(msg):
    print(f"[datapath {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def machine():
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pg = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "show server_version"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return (
        f"{os.cpu_count()} CPUs (nproc), {model}, {platform.system()} {platform.release()}, "
        f"PostgreSQL {pg or '?'}, Python {platform.python_version()}"
    )


def measure(fn):
    """(result, seconds, queries, top query shapes) of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    shapes = {}
    for q in ctx.captured_queries:
        key = q["sql"][:80]
        shapes[key] = shapes.get(key, 0) + 1
    top = sorted(shapes.items(), key=lambda kv: -kv[1])[:3]
    return result, seconds, len(ctx.captured_queries), top


STATE_SQL = {
    "periods": "SELECT count(*), md5(string_agg(id || status, ',' ORDER BY id)) "
    "FROM applications_evaluationperiod",
    "projects": "SELECT count(*), md5(string_agg(id || status || coalesce(ended_at::text, ''), "
    "',' ORDER BY id)) FROM applications_project",
    "evaluations": "SELECT count(*), max(id) FROM applications_evaluation",
    "reminders": "SELECT count(*), max(id) FROM applications_reminderlog",
    "payouts": "SELECT count(*), md5(string_agg(id || status || coalesce(oc_expense_id, ''), "
    "',' ORDER BY id)) FROM payments_payout",
    "payout history": "SELECT count(*), max(id) FROM payments_payoutstatuschange",
    "phases": "SELECT count(*), md5(string_agg(slug || phase, ',' ORDER BY id)) "
    "FROM programs_program",
}


def state():
    from django.db import connection

    with connection.cursor() as cursor:
        out = {}
        for name, sql in STATE_SQL.items():
            cursor.execute(sql)
            out[name] = cursor.fetchone()
    return out


def changed(before, after):
    return [name for name in before if before[name] != after[name]]


class Rows(list):
    def add(self, scale, what, seconds, queries, target="", note=""):
        self.append((scale, what, seconds, queries, target, note))
        log(f"{what} (scale {scale}): {seconds:.2f} s, {queries} queries {note}")


def run_scale(scale, rows, *, full):
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import generate
    from evaluations.services import schedule
    from payments import services
    from programs.models import Program
    from reports.disclosure import public_view
    from reports.statistics import program_statistics

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rows.add(scale, "migrate (empty database)", time.perf_counter() - started, 0)
    started = time.perf_counter()
    data = generate(scale=scale)
    rows.add(
        scale,
        "generate the dataset",
        time.perf_counter() - started,
        0,
        "< 120 s" if scale == 1 else "",
        f"{data['counts']['applications.Proposal']:,} proposals, {data['projects']:,} projects, "
        f"{sum(data['counts'].values()):,} rows",
    )
    now = datetime.datetime.fromisoformat(data["now"])
    connection.close()  # a fresh connection, as a worker has

    program = Program.objects.get(slug=data["coding_program"])
    measure(lambda: program_statistics(program=program))  # warm the caches of the database
    stats, seconds, queries, top = measure(lambda: public_view(program_statistics(program=program)))
    rows.add(
        scale,
        f"statistics of {program.slug} ({stats['coding']['proposals']['total']:,} proposals)",
        seconds,
        queries,
        "< 1 s",
    )

    before = state()
    result, seconds, queries, top = measure(lambda: schedule.advance_schedule(now=now))
    after = state()
    rows.add(
        scale,
        f"advance-schedule job, first run over {data['projects']:,} projects",
        seconds,
        queries,
        "< 10 s, queries flat",
        f"{result}; top: {top[0][1]}x `{top[0][0][:50]}`",
    )
    _result2, seconds, queries, top = measure(lambda: schedule.advance_schedule(now=now))
    again = state()
    rows.add(
        scale,
        "advance-schedule job, second run",
        seconds,
        queries,
        "changes nothing",
        f"changed: {changed(after, again) or 'nothing'}; first run changed "
        f"{changed(before, after) or 'nothing'}",
    )
    created, seconds, queries, top = measure(lambda: services.payouts_create_due(now=now))
    rows.add(scale, "create-due-payouts job", seconds, queries, "", f"{len(created)} created")
    created, seconds, queries, top = measure(lambda: services.payouts_create_due(now=now))
    rows.add(
        scale, "create-due-payouts job, second run", seconds, queries, "", f"{len(created)} created"
    )

    if full:
        archive(rows, scale)
        sync(rows, scale, now)
    return data


def archive(rows, scale):
    from programs.models import Program, ProgramKind
    from reports.archive import archive_import, archive_load

    program = Program.objects.create(
        kind=ProgramKind.CODING, name="GSoC 2022", slug="gsoc-2022", series="gsoc", year=2022
    )
    started = time.perf_counter()
    data = archive_load(path=ARCHIVE)
    load = time.perf_counter() - started
    result, seconds, queries, _top = measure(lambda: archive_import(program=program, data=data))
    rows.add(
        scale,
        f"archive import of {ARCHIVE.name}",
        seconds + load,
        queries,
        "< 15 s",
        f"{result.organizations.created} orgs, {result.projects.created} projects "
        f"(reading the file {load:.2f} s)",
    )
    result, seconds, queries, _top = measure(lambda: archive_import(program=program, data=data))
    rows.add(
        scale,
        "archive import again (nothing changes)",
        seconds,
        queries,
        "",
        f"{result.projects.unchanged} projects unchanged",
    )


def sync(rows, scale, now):
    from payments import sync as payments_sync
    from payments.models import Payout
    from payments.opencollective import OpenCollectiveClient
    from tests.payments.fake_opencollective import TOKEN

    rng = random.Random(8)
    linked = Payout.objects.exclude(payments_sync.UNLINKED).exclude(
        status__in=payments_sync.SETTLED
    )
    expenses = {}
    # The host has paid about half of the approved expenses since the last sync, rejected a
    # few; the rest are still waiting.
    for payout in linked.values("oc_expense_id", "oc_legacy_id", "collective_slug",
                                "reference", "description"):  # fmt: skip
        r = rng.random()
        status = "PAID" if r < 0.45 else "REJECTED" if r < 0.47 else "APPROVED"
        expenses[payout["oc_expense_id"]] = {
            "id": payout["oc_expense_id"],
            "legacyId": payout["oc_legacy_id"],
            "status": status,
            "account": payout["collective_slug"],
            "description": payout["description"],
            "customData": {"reference": payout["reference"]},
        }
    count = len(expenses)
    with fake_server(expenses) as url:
        client = OpenCollectiveClient(url, TOKEN, 10)
        later = now + datetime.timedelta(minutes=15)
        counts, seconds, queries, top = measure(
            lambda: payments_sync.payouts_sync(client=client, now=later)
        )
        rows.add(
            scale,
            f"payout sync of {count:,} linked payouts (fake OpenCollective)",
            seconds,
            queries,
            "",
            f"{counts}; top: {top[0][1]}x `{top[0][0][:50]}`",
        )
        counts, seconds, queries, top = measure(
            lambda: payments_sync.payouts_sync(client=client, now=later)
        )
        rows.add(scale, "payout sync, second run", seconds, queries, "", f"{counts}")


# The fake runs in its own process, as OpenCollective would: in this one it would compete with
# the sync for the interpreter lock.
FAKE_SERVER = """
import json, sys, time
from tests.payments.fake_opencollective import FakeServer
with FakeServer() as server:
    server.fake.expenses.update(json.load(open(sys.argv[1])))
    print(server.url, flush=True)
    sys.stdin.read()
"""


@contextlib.contextmanager
def fake_server(expenses):
    with tempfile.NamedTemporaryFile("w", suffix=".json") as file:
        json.dump(expenses, file)
        file.flush()
        process = subprocess.Popen(
            [sys.executable, "-c", FAKE_SERVER, file.name],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            yield process.stdout.readline().strip()
        finally:
            process.stdin.close()
            process.wait(timeout=30)


def table(rows):
    lines = [
        "| scale | step | seconds | queries | target | notes |",
        "|---:|---|---:|---:|---|---|",
    ]
    for scale, what, seconds, queries, target, note in rows:
        note = note.replace("|", "\\|")
        lines.append(f"| {scale} | {what} | {seconds:.2f} | {queries:,} | {target} | {note} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Data-path benchmarks at ten times GSoC 2024.")
    parser.add_argument("--scales", default="0.1,1.0", help="comma-separated; the last is full")
    parser.add_argument("--out", default=str(ROOT / "bench" / "DATAPATH.md"))
    args = parser.parse_args(argv)
    scales = [float(s) for s in args.scales.split(",")]

    from bench import db

    name = f"seasons_datapath_{os.getpid()}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": db.url(name),
            "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
            "SECRET_KEY": "bench-secret-key-not-for-production-" + "x" * 30,
            "DEBUG": "False",
            "CELERY_TASK_ALWAYS_EAGER": "False",
        }
    )
    import django

    django.setup()
    from django.db import connection

    # CaptureQueriesContext counts from the connection's log, which keeps 9,000 queries.
    connection.queries_log = collections.deque(maxlen=5_000_000)
    rows = Rows()
    total = time.monotonic()
    for index, scale in enumerate(scales):
        subprocess.run(["redis-cli", "-n", REDIS_DB, "flushdb"], capture_output=True)
        log(f"scale {scale}: creating database {name}")
        db.drop(name)
        db.create(name)
        try:
            run_scale(scale, rows, full=index == len(scales) - 1)
        finally:
            connection.close()
            db.drop(name)
            subprocess.run(["redis-cli", "-n", REDIS_DB, "flushdb"], capture_output=True)
            log(f"dropped database {name}")
    text = "\n".join(
        [
            "# Data-path benchmark results",
            "",
            f"- Date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
            f"- Machine: {machine()}",
            f"- Command: `.venv/bin/python -m bench.datapath --scales {args.scales}`",
            "- Settings: bench.settings (DEBUG off), PostgreSQL on 127.0.0.1, Redis as broker "
            "and cache; everything in one process, queries counted with CaptureQueriesContext.",
            "- Scale 1.0 = ten times GSoC 2024 (bench/generate.py): 2,000 organizations, "
            "30,000 mentors, 65,000 contributors, 100,000 proposals, 12,000 projects.",
            f"- Total run time: {time.monotonic() - total:.0f} s",
            "",
            table(rows),
            "",
        ]
    )
    print("\n" + table(rows) + "\n")
    Path(args.out).write_text(text)
    log(f"wrote {args.out}")
    print(json.dumps({"ok": True}))


if __name__ == "__main__":
    sys.exit(main())
