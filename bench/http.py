"""First HTTP benchmark of Seasons: throughput/latency as ratios to a bare Django view, plus
SQL queries per request.

    .venv/bin/python bench/http.py

Creates a throw-away PostgreSQL database (127.0.0.1:5432, user postgres), loads the demo data plus
BENCH_ORGS/BENCH_IDEAS bulk rows, runs gunicorn (2 workers) on a free loopback port, drives it
with wrk (or a Python keep-alive load generator when wrk is missing), counts queries in-process
with django.test.Client, writes bench/RESULTS.md, and cleans up in a finally block.
"""

import os
import sys

# This file is named http.py: drop its own folder from sys.path so that `import http.client`
# finds the standard library, not this script.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import concurrent.futures
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
DURATION = int(os.environ.get("BENCH_SECONDS", 10))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 16))
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))

URLS = [
    ("baseline", "/bench/baseline/"),
    ("home", "/"),
    ("program page", "/programs/summer-of-code-live/"),
    ("idea list", "/programs/summer-of-code-live/ideas/"),
    ("API programs", "/api/v1/programs/"),
    ("API ideas", "/api/v1/ideas/?program=summer-of-code-live"),
    ("statistics", "/statistics/"),
]


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, env, **kw):
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kw)


# --------------------------------------------------------------------------- load generators


def parse_wrk_duration(text):
    if text == "nan":
        return float("nan")
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def load_wrk(url):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--timeout", "30s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M)) or {"50": "nan", "99": "nan"}
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(g) for g in m.groups())
    return {
        "rps": rps,
        "p50": parse_wrk_duration(pct["50"]),
        "p99": parse_wrk_duration(pct["99"]),
        "errors": errors,
        "requests": total,
    }


def load_python(port, path):
    """CONNECTIONS threads, each with one keep-alive connection, for DURATION seconds."""
    deadline = time.monotonic() + DURATION
    lock = threading.Lock()
    latencies, errors = [], [0]

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local, errs = [], 0
        for _ in range(10_000_000):  # bounded; the deadline ends it
            if time.monotonic() >= deadline:
                break
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Host": "127.0.0.1"})
                resp = conn.getresponse()
                resp.read()
                if resp.status >= 400:
                    errs += 1
            except (OSError, http.client.HTTPException):
                errs += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            local.append((time.perf_counter() - t0) * 1000)
        conn.close()
        with lock:
            latencies.extend(local)
            errors[0] += errs

    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(CONNECTIONS) as pool:
        list(pool.map(lambda _: client(), range(CONNECTIONS)))
    elapsed = time.monotonic() - start
    latencies.sort()
    n = len(latencies)
    return {
        "rps": n / elapsed,
        "p50": latencies[n // 2] if n else float("nan"),
        "p99": latencies[min(n - 1, int(n * 0.99))] if n else float("nan"),
        "errors": errors[0],
        "requests": n,
    }


def drain(port):
    """Wait until requests queued by the previous URL are served: sync workers keep working on
    requests whose client (wrk) already left, which would otherwise slow the next URL."""
    fast = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and fast < 2:
        t0 = time.monotonic()
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/baseline/", timeout=60).read()
        except OSError:
            pass
        fast = fast + 1 if time.monotonic() - t0 < 0.2 else 0
    return fast >= 2


# --------------------------------------------------------------------------- query counts

QUERY_COUNT_SCRIPT = r"""
import json, sys
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
urls = json.loads(sys.argv[1])
import time
client = Client(HTTP_HOST="127.0.0.1")  # ALLOWED_HOSTS has no "testserver"
out = {}
for path in urls:
    client.get(path)  # warm-up (caches, lazy imports)
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        resp = client.get(path)
        ms = (time.perf_counter() - t0) * 1000
    sql = {}
    for q in ctx.captured_queries:
        key = q["sql"][:90]
        sql[key] = sql.get(key, 0) + 1
    top = sorted(sql.items(), key=lambda kv: -kv[1])[:3]
    out[path] = {"status": resp.status_code, "queries": len(ctx.captured_queries),
                 "bytes": len(resp.content), "ms": ms, "top": top}
print(json.dumps(out))
"""


def query_counts(env):
    out = subprocess.run(
        [PY, "-c", QUERY_COUNT_SCRIPT, json.dumps([p for _, p in URLS])],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# --------------------------------------------------------------------------- report


def machine():
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc), {model}, {platform.system()} {platform.release()}"


def report(results, counts, tool, extra):
    base = results["/bench/baseline/"]["rps"]
    lines = [
        "| URL | what | status | queries | bytes | req/s | ratio to baseline | p50 ms | p99 ms | errors |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, path in URLS:
        r, c = results[path], counts[path]
        lines.append(
            f"| `{path}` | {name} | {c['status']} | {c['queries']} | {c['bytes']:,} | {r['rps']:.1f} | "
            f"{r['rps'] / base:.3g} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} |"
        )
    table = "\n".join(lines)
    header = [
        "# HTTP benchmark results",
        "",
        f"- Date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {machine()}",
        "- Command: `.venv/bin/python bench/http.py`",
        f"- Server: gunicorn, {WORKERS} sync workers, 127.0.0.1, DEBUG=False "
        "(bench.settings = base settings + bench.urls; API throttle rates raised)",
        f"- Load: {tool}, {CONNECTIONS} connections, {DURATION} s per URL, same run as baseline",
        f"- Data: {extra}",
        "- Queries: in-process django.test.Client + CaptureQueriesContext, anonymous, "
        "second request (after one warm-up), same database",
        "- Ratio = req/s of the URL / req/s of `/bench/baseline/` (bare `HttpResponse('ok')`). "
        "Errors = non-2xx/3xx responses + socket errors (wrk timeout 30 s). Between URLs the "
        "script waits until the server has served requests still queued from the previous URL.",
        "",
        table,
        "",
    ]
    text = "\n".join(header)
    print("\n" + table + "\n")
    (ROOT / "bench" / "RESULTS.md").write_text(text)
    log("wrote bench/RESULTS.md")


# --------------------------------------------------------------------------- main


def main():
    t_start = time.monotonic()
    db = f"seasons_bench_{os.getpid()}"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": "bench-secret-key-not-for-production-" + "x" * 30,
        "DEBUG": "False",
        "PYTHONPATH": str(ROOT),
    }
    server = None
    created = False
    try:
        log(f"creating database {db}")
        run(["createdb", *PG, db], env)
        created = True
        subprocess.run(["redis-cli", "-n", "14", "flushdb"], capture_output=True)  # bench's own db
        log("migrate")
        run([PY, "manage.py", "migrate", "-v0"], env)
        log("load_demo_data")
        run([PY, "manage.py", "load_demo_data", "--quiet-accounts"], env, stdout=subprocess.DEVNULL)
        log("bulk seed")
        seeded = subprocess.run(
            [PY, "-m", "bench.seed"], env=env, cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        log(seeded)

        log("query counts")
        counts = query_counts(env)
        for name, path in URLS:
            c = counts[path]
            log(
                f"{name:13} status {c['status']} queries {c['queries']:4d} "
                f"{c['bytes']:8d} bytes  {c['ms']:7.1f} ms in-process"
            )
        if os.environ.get("BENCH_QUERIES_ONLY"):
            print(json.dumps(counts, indent=1))
            return

        log(f"starting gunicorn on 127.0.0.1:{port}")
        server = subprocess.Popen(
            [
                GUNICORN,
                "portal.wsgi:application",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(WORKERS),
                "--log-level",
                "warning",
                "--env",
                "DJANGO_SETTINGS_MODULE=bench.settings",
            ],
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        for _ in range(100):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/bench/baseline/", timeout=2
                ) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not answer")
        # Warm every worker/URL once (template loading, connection setup).
        for _, path in URLS:
            for _ in range(WORKERS * 2):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read()
                except OSError as exc:
                    log(f"warm-up {path}: {exc}")

        tool = (
            "wrk -t2 -c%d -d%ds --latency" % (CONNECTIONS, DURATION)
            if shutil.which("wrk")
            else "Python threads + http.client keep-alive"
        )
        results = {}
        for name, path in URLS:
            url = f"http://127.0.0.1:{port}{path}"
            results[path] = load_wrk(url) if shutil.which("wrk") else load_python(port, path)
            r = results[path]
            t0 = time.monotonic()
            drained = drain(port)
            r["drain_s"] = time.monotonic() - t0
            if not drained:
                log(f"warning: server still busy after {path}")
            log(
                f"{name:13} {r['rps']:8.1f} req/s  p50 {r['p50']:7.1f} ms  p99 {r['p99']:7.1f} ms"
                f"  errors {r['errors']}  queries {counts[path]['queries']}  drain {r['drain_s']:.1f} s"
            )
        report(results, counts, tool, seeded + " on top of load_demo_data")
        log(f"total {time.monotonic() - t_start:.0f} s")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        if created:
            subprocess.run(["dropdb", *PG, "--if-exists", "--force", db], env=env, check=False)
            log(f"dropped database {db}")


if __name__ == "__main__":
    sys.exit(main())
