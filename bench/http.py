"""HTTP benchmark of Seasons at ten times GSoC 2024: each URL's throughput as a ratio to a bare
Django view measured in the same run, p50/p99 latency, errors and SQL queries per request.

    .venv/bin/python bench/http.py          # needs wrk (apt-get install wrk), PostgreSQL, Redis

Creates a throw-away PostgreSQL database (127.0.0.1:5432, user postgres), loads bench/generate.py's
dataset (BENCH_SCALE, default 1.0), signs in a mentor and the spike's contributors and gives each
a complete draft (bench/prepare.py), collects static files, starts gunicorn with the production
settings (DEBUG off, Redis cache and sessions, HTTPS as behind a TLS proxy) on a free loopback
port, drives every URL with wrk for BENCH_SECONDS, counts queries in-process with
django.test.Client, checks that the submitted drafts stored equal the successful responses, writes
bench/HTTP.md (bench/RESULTS.md summarises it with the data-path figures) and drops the database
whatever happens.
"""

import os
import sys

# This file is named http.py: drop its own folder from sys.path so that `import http.client`
# finds the standard library, not this script.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import base64
import datetime
import json
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
DURATION = int(os.environ.get("BENCH_SECONDS", 10))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 32))
# gunicorn's advice for a dedicated host: 2 x cores + 1 sync workers.
WORKERS = int(os.environ.get("BENCH_WORKERS", 2 * (os.cpu_count() or 1) + 1))
SCALE = os.environ.get("BENCH_SCALE", "1.0")
THREADS = 2
HTTPS = {"X-Forwarded-Proto": "https"}  # as the TLS proxy in front of gunicorn sends


def scenarios(prep: dict) -> list[dict]:
    """What is measured: name, path, and how the request is signed in."""
    program, mentor = prep["program"], {"Cookie": f"sessionid={prep['mentor_session']}"}
    token = {"Authorization": f"Bearer {prep['manager_token']}"}
    return [
        {"name": "baseline (bare view)", "path": "/bench/baseline/"},
        {"name": "program page, anonymous", "path": f"/programs/{program}/"},
        {"name": "program page, signed in", "path": f"/programs/{program}/", "headers": mentor},
        {"name": "mentor's proposal list", "path": prep["mentor_url"], "headers": mentor},
        {"name": "API projects, anonymous", "path": f"/api/v1/projects/?program={program}"},
        {
            "name": "API payouts, manager token",
            "path": f"/api/v1/payouts/?program={program}",
            "headers": token,
        },
        {"name": "statistics API, live", "path": f"/api/v1/programs/{program}/statistics/"},
        {"name": "statistics snapshot JSON", "path": f"/statistics/{prep['publication']}.json"},
        {"name": "proposal submit (spike)", "path": "/proposals/<id>/", "submit": True},
    ]


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, env, **kw):
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kw)


# --------------------------------------------------------------------------- load


def parse_duration(text):
    if text == "nan":
        return float("nan")
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url, headers=(), script=None, script_args=()):
    cmd = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{DURATION}s",
        "--timeout",
        "30s",
        "--latency",
    ]
    for name, value in {**HTTPS, **dict(headers)}.items():
        cmd += ["-H", f"{name}: {value}"]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    if script_args:
        cmd += ["--", *script_args]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M)) or {"50": "nan", "99": "nan"}
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(g) for g in m.groups())
    statuses, accepted, unanswered = None, set(), 0
    if m := re.search(r"SUBMIT-STATUSES (\{.*\})", out):
        statuses = json.loads(m.group(1))
        accepted = {
            int(pk) for pk in re.search(r"SUBMIT-ACCEPTED ([\d,]*)", out).group(1).split(",") if pk
        }
        unanswered = int(re.search(r"SUBMIT-UNANSWERED (\d+)", out).group(1))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50": parse_duration(pct["50"]),
        "p99": parse_duration(pct["99"]),
        "errors": errors,
        "statuses": statuses,
        "accepted": accepted,
        "unanswered": unanswered,
    }


def drain(port):
    """Wait until requests queued by the previous URL are served: sync workers keep working on
    requests whose client (wrk) already left, which would otherwise slow the next URL."""
    fast = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and fast < 2:
        t0 = time.monotonic()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/bench/baseline/", headers=HTTPS)
        try:
            urllib.request.urlopen(request, timeout=60).read()
        except OSError:
            pass
        fast = fast + 1 if time.monotonic() - t0 < 0.2 else 0


# --------------------------------------------------------------------------- in-process probes

PROBE_SCRIPT = r"""
import json, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

plan = json.loads(sys.argv[1])
out = {}
for item in plan:
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    headers = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in item.get("headers", {}).items()}
    if "HTTP_COOKIE" in headers:
        name, value = headers.pop("HTTP_COOKIE").split("=", 1)
        client.cookies[name] = value
    if item.get("post"):
        pk, session, csrf = item["post"]["line"].split()
        client.cookies["sessionid"] = session
        client.cookies["csrftoken"] = csrf
        data = {**item["post"]["form"], "csrfmiddlewaretoken": csrf, "action": "submit"}
        send = lambda: client.post(f"/proposals/{pk}/", data, **headers)
    else:
        send = lambda: client.get(item["path"], **headers)
        with CaptureQueriesContext(connection) as first:
            send()  # warm-up: lazy imports; fills the public cache where there is one
    first_queries = len(first.captured_queries) if not item.get("post") else None
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        response = send()
        ms = (time.perf_counter() - t0) * 1000
    out[item["name"]] = {
        "status": response.status_code,
        "queries": len(ctx.captured_queries),
        "bytes": len(response.content),
        "ms": round(ms, 1),
        "cached": response.get("X-Public-Cache", ""),
        "first_queries": first_queries,
    }
print(json.dumps(out))
"""


def probe(env, plan):
    out = run([PY, "-c", PROBE_SCRIPT, json.dumps(plan)], env, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


STORED_SCRIPT = r"""
import json, sys
import django
django.setup()
from django.db.models import Count
from applications.models import Proposal, ProposalStatus
ids = [int(line.split()[0]) for line in open(sys.argv[1])]
rows = Proposal.objects.filter(pk__in=ids, status=ProposalStatus.SUBMITTED).annotate(
    receipts_count=Count("receipts")
)
print(json.dumps({p.pk: p.receipts_count for p in rows}))
"""


def submit_check(env, submits_file, result) -> str:
    """Nothing lost (every 302 is a submitted row), nothing doubled (one receipt each), and no
    row the load generator did not send or could not see answered before it stopped."""
    out = run([PY, "-c", STORED_SCRIPT, submits_file], env, capture_output=True, text=True)
    stored = {int(pk): n for pk, n in json.loads(out.stdout.strip().splitlines()[-1]).items()}
    accepted = result["accepted"]
    lost = accepted - stored.keys()
    doubled = [pk for pk, n in stored.items() if n != 1]
    unseen = len(stored.keys() - accepted)
    verdict = (
        "PASS"
        if not lost
        and not doubled
        and unseen <= result["unanswered"]
        and len(accepted) == result["statuses"].get("302", 0)
        else "FAIL"
    )
    return (
        f"{verdict}: {result['requests']} submits sent, answered by status {result['statuses']}; "
        f"{len(stored)} drafts now submitted, each with {'one receipt' if not doubled else 'NOT one receipt'}; "
        f"{len(lost)} successful responses without a stored row; {unseen} stored rows whose "
        f"response was still in flight when wrk stopped ({result['unanswered']} unanswered)"
    )


# --------------------------------------------------------------------------- report


def machine():
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} CPUs (nproc), {model}, {platform.system()} {platform.release()}"


def report(rows, meta):
    base = rows[0]["rps"]
    table = [
        "| what | path | status | queries | req/s | ratio to baseline | p50 ms | p99 ms | errors |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        cached = (
            f" (cached; {r['probe']['first_queries']} queries when not)"
            if r["probe"]["cached"]
            else ""
        )
        table.append(
            f"| {r['name']} | `{r['path']}` | {r['probe']['status']}{cached} | "
            f"{r['probe']['queries']} | {r['rps']:.1f} | {r['rps'] / base:.3g} | "
            f"{r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} |"
        )
    text = "\n".join(
        [
            "# HTTP benchmark results (written by bench/http.py)",
            "",
            f"- Date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
            f"- Machine: {machine()}",
            "- Command: `.venv/bin/python bench/http.py`"
            + (f" (BENCH_SCALE={SCALE})" if SCALE != "1.0" else ""),
            f"- Server: gunicorn, {WORKERS} sync workers, 127.0.0.1, production settings "
            "(bench/production.py: DEBUG off, Redis cache and sessions, manifest static files; "
            "API throttle rates raised out of reach)",
            f"- Load: wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION}s --latency, every URL in the "
            "same run as the baseline",
            f"- Data: {meta['data']}",
            "- Queries: in-process django.test.Client + CaptureQueriesContext, same database, "
            "second request after a warm-up (the submit: one fresh draft)",
            f"- Submit check: {meta['submit_check']}",
            "",
            *table,
            "",
        ]
    )
    print("\n" + "\n".join(table) + "\n")
    (ROOT / "bench" / "HTTP.md").write_text(text)
    log("wrote bench/HTTP.md")


# --------------------------------------------------------------------------- main


def wait_for(port):
    for _ in range(150):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/bench/baseline/", headers=HTTPS)
        try:
            with urllib.request.urlopen(request, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer")


def main():
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    t_start = time.monotonic()
    db = f"seasons_bench_{os.getpid()}"
    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="seasons-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        "DJANGO_SETTINGS_MODULE": "bench.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://127.0.0.1",
        "STATISTICS_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "STATIC_ROOT": str(work / "static"),
        "SEASONS_VAR_DIR": str(work / "var"),
        "PYTHONPATH": str(ROOT),
    }
    server = None
    created = False
    try:
        log(f"creating database {db}")
        run(["createdb", *PG, db], env)
        created = True
        subprocess.run(["redis-cli", "-n", "14", "flushdb"], capture_output=True, check=False)
        run([PY, "manage.py", "migrate", "-v0"], env)
        run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
        log(f"generating the dataset (scale {SCALE})")
        t0 = time.monotonic()
        generated_file = str(work / "generated.json")
        run(
            [PY, "-m", "bench.generate", "--scale", SCALE, "--json", generated_file],
            {**env, "DJANGO_SETTINGS_MODULE": "bench.settings"},
            stdout=subprocess.DEVNULL,
        )
        generated = json.loads(Path(generated_file).read_text())
        gen_seconds = time.monotonic() - t0
        log(f"generated in {gen_seconds:.0f} s: {generated['counts']}")
        prep_file, submits_file = str(work / "prep.json"), str(work / "submits.txt")
        run([PY, "-m", "bench.prepare", generated_file, prep_file, submits_file], env)
        prep = json.loads(Path(prep_file).read_text())
        lines = Path(submits_file).read_text().splitlines()
        # One draft for the in-process query count; wrk gets the rest.
        Path(submits_file).write_text("\n".join(lines[1:]) + "\n")
        form = {k: str(v) for k, v in prep["draft_form"].items()}

        plan = []
        for s in scenarios(prep):
            item = {"name": s["name"], "path": s["path"], "headers": s.get("headers", {})}
            if s.get("submit"):
                item["post"] = {"line": lines[0], "form": form}
            plan.append(item)
        log("query counts")
        probes = probe(env, plan)
        for name, p in probes.items():
            log(
                f"{name:28} {p['status']} {p['queries']:3d} queries {p['ms']:7.1f} ms {p['cached']}"
            )

        log(f"starting gunicorn ({WORKERS} workers) on 127.0.0.1:{port}")
        server = subprocess.Popen(
            [GUNICORN, "portal.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(WORKERS)],
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        wait_for(port)
        origin = f"https://127.0.0.1:{port}"
        rows = []
        # BENCH_ONLY=submit,payouts measures the baseline and those scenarios only.
        only = [w for w in os.environ.get("BENCH_ONLY", "").split(",") if w]
        for n, s in enumerate(scenarios(prep)):
            if only and n and not any(w in s["name"] for w in only):
                continue
            url = f"http://127.0.0.1:{port}{s['path']}"
            if s.get("submit"):
                url = f"http://127.0.0.1:{port}/"
                script_args = [submits_file, urllib.parse.urlencode(form), origin, str(THREADS)]
                result = wrk(
                    url, script=str(ROOT / "bench" / "submit.lua"), script_args=script_args
                )
            else:
                for _ in range(WORKERS * 2):  # warm every worker
                    req = urllib.request.Request(url, headers={**HTTPS, **s.get("headers", {})})
                    urllib.request.urlopen(req, timeout=60).read()
                result = wrk(url, headers=s.get("headers", {}))
            drain(port)
            row = {**s, **result, "probe": probes[s["name"]]}
            rows.append(row)
            log(
                f"{s['name']:28} {row['rps']:8.1f} req/s  p50 {row['p50']:7.1f} ms  "
                f"p99 {row['p99']:7.1f} ms  errors {row['errors']}"
            )
        submits = [r for r in rows if r.get("submit")]
        check = submit_check(env, submits_file, submits[0]) if submits else "not run"
        log(check)
        data = (
            f"bench/generate.py at scale {SCALE} in {gen_seconds:.0f} s: "
            + ", ".join(f"{v:,} {k}" for k, v in generated["counts"].items())
            + f"; {prep['drafts']:,} spike drafts ready to submit"
        )
        report(rows, {"data": data, "submit_check": check})
        log(f"total {time.monotonic() - t_start:.0f} s")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        if created and os.environ.get("BENCH_KEEP_DB"):
            log(
                f"kept database {db} (BENCH_KEEP_DB); drop it with: dropdb -h 127.0.0.1 -U postgres {db}"
            )
        elif created:
            subprocess.run(["dropdb", *PG, "--if-exists", "--force", db], env=env, check=False)
            log(f"dropped database {db}")
        subprocess.run(["redis-cli", "-n", "14", "flushdb"], capture_output=True, check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
