"""Jobs run on a real Celery worker process over Redis, against the real test database."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from portal.celery import app
from programs import services
from programs.models import Invitation, InvitationStatus, Role

ROOT = Path(__file__).resolve().parents[2]


def test_every_scheduled_job_is_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, name


def wait_for(check, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def worker(tmp_path, transactional_db):
    """A `celery worker` subprocess on a private queue, sharing this test's database."""
    db = connection.settings_dict
    queue = f"test-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SEASONS_VAR_DIR": str(tmp_path / "var"),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "-Q",
            queue,
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield mail_dir
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        process.terminate()
        output, _ = process.communicate(timeout=30)
        print(output)


@pytest.mark.redis
@pytest.mark.postgres
def test_invitation_mail_is_sent_by_the_worker(cast, worker):
    _, token = services.invitation_create(
        participation=cast.participation,
        email="worker-test@example.org",
        role=Role.MENTOR,
        by=cast.org_admin,
        now=timezone.now(),
    )
    assert wait_for(lambda: worker.exists() and any(worker.iterdir())), "no mail was written"
    body = "".join(path.read_text() for path in worker.iterdir())
    assert "worker-test@example.org" in body
    assert f"/invitations/{token}/" in body


@pytest.mark.redis
@pytest.mark.postgres
def test_expiry_job_runs_on_the_worker(cast, worker):
    from programs.tasks import expire_invitations

    stale, _ = services.invitation_create(
        participation=cast.participation,
        email="stale@example.org",
        role=Role.MENTOR,
        by=cast.org_admin,
        now=timezone.now() - timedelta(days=60),
    )
    expire_invitations.delay()
    assert wait_for(lambda: Invitation.objects.get(pk=stale.pk).status == InvitationStatus.EXPIRED)
