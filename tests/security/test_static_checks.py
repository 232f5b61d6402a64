"""The offline dependency review (tests/security/advisories.py) passes on the lock and would
catch a vulnerable or loose pin; bandit finds nothing of high severity in the project code."""

import subprocess
import sys
from pathlib import Path

from tests.security.advisories import LOCK, main, problems

ROOT = Path(__file__).resolve().parents[2]


def test_the_lock_has_no_known_vulnerable_pin():
    assert problems(LOCK.read_text()) == []


def test_a_vulnerable_pin_is_reported_with_its_advisory(tmp_path, capsys):
    lock = tmp_path / "requirements.lock"
    lock.write_text("Django==5.2.5\nrequests==2.34.2\n")
    assert main([str(lock)]) == 1
    out = capsys.readouterr().out
    assert "django==5.2.5: CVE-2025-57833" in out
    assert "CVE-2025-32873" not in out  # fixed in 5.2.1
    assert "requests" not in out.split("\n")[0]


def test_a_loose_pin_is_reported():
    assert problems("celery>=5\nDjango==5.2.19\n") == ["not an exact pin: celery>=5"]


def test_bandit_finds_no_high_severity_issue():
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-c", "pyproject.toml", "-r", ".", "-lll"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
