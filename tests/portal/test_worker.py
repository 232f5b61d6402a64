"""Jobs run on a real Celery worker process over Redis, against the real test database."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.celery import app
from programs import services
from programs.models import Invitation, InvitationStatus, Role
from tests.support.workers import running_workers, wait_for


def test_every_scheduled_job_is_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, name


@pytest.fixture
def worker(tmp_path, transactional_db):
    """A `celery worker` subprocess on a private queue, sharing this test's database; the
    folder its mail is written to."""
    with running_workers(tmp_path) as pool:
        pool.start("--pool=solo")
        yield pool.mail_dir


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

    def written():
        # The file backend creates the file before it writes the message: wait for the text.
        return worker.exists() and "".join(path.read_text() for path in worker.iterdir())

    assert wait_for(lambda: "worker-test@example.org" in (written() or ""), seconds=30), (
        "no mail was written"
    )
    body = written()
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
    assert wait_for(
        lambda: Invitation.objects.get(pk=stale.pk).status == InvitationStatus.EXPIRED, seconds=30
    )
