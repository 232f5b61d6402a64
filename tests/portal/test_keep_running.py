"""`make run` keeps serving when the worker crashes: Procfile.dev runs it under
scripts/keep-running, which starts a command again whenever it exits."""

import os
import signal
import subprocess

from tests.support.config import ROOT
from tests.support.workers import wait_for

SCRIPT = ROOT / "scripts" / "keep-running"


def _pids(path):
    return path.read_text().split() if path.exists() else []


def _alive(pid):
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    return True


def test_the_procfile_runs_the_worker_under_keep_running():
    lines = (ROOT / "Procfile.dev").read_text().splitlines()
    worker = next(line for line in lines if line.startswith("worker:"))
    assert worker.startswith("worker: sh scripts/keep-running celery ")


def test_a_killed_command_is_started_again_and_stopped_with_the_script(tmp_path):
    pids = tmp_path / "pids"
    # The dummy worker records its pid and waits (exec: the pid is the process we kill).
    dummy = f"echo $$ >> {pids}; exec sleep 300"
    runner = subprocess.Popen(
        ["sh", str(SCRIPT), "sh", "-c", dummy],
        env={**os.environ, "KEEP_RUNNING_DELAY": "0.1"},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_for(lambda: len(_pids(pids)) == 1, 10)
        first = _pids(pids)[0]
        os.kill(int(first), signal.SIGKILL)  # the worker crashes
        assert wait_for(lambda: len(_pids(pids)) == 2, 10)
        second = _pids(pids)[1]
        assert second != first and _alive(second)
        assert runner.poll() is None

        # Stopping the script (honcho sends TERM) stops the command too, and nothing restarts.
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=10) == 0
        assert wait_for(lambda: not _alive(second), 10)
        assert len(_pids(pids)) == 2
        assert "exited with status 137; starting it again" in runner.stderr.read()
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
