"""The outbox: each mail stored once with what it tells about, sent once however often its task
runs, and enqueued again by the catch-up job when its task was lost."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from programs import outbox, services
from programs.models import OutboxMail, Role
from programs.tasks import resend_outbox_mail, send_outbox_mail

pytestmark = pytest.mark.django_db


def _store(now, key="receipt:1"):
    return OutboxMail.objects.create(
        key=key,
        recipients=["c@example.org", "m@example.org"],
        subject="Subject",
        body="Body\n",
        created_at=now,
        queued_at=now,
    )


def test_a_mail_is_sent_once_however_often_its_task_runs(db):
    stored = _store(timezone.now())

    assert send_outbox_mail(stored.pk) is True
    assert send_outbox_mail(stored.pk) is False

    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["c@example.org", "m@example.org"], "Subject", "Body\n")
    ]
    stored.refresh_from_db()
    assert stored.sent_at is not None


def test_a_key_is_stored_and_enqueued_once(db, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(2):
            outbox.outbox_add(key="receipt:7", recipients=["c@example.org"], subject="S",
                              body="B", now=now)  # fmt: skip
    enqueued = [c for c in callbacks if c.__qualname__.startswith("_enqueue")]
    assert len(enqueued) == 1
    assert OutboxMail.objects.count() == len(mail.outbox) == 1


def test_the_catch_up_job_is_idempotent(db, django_capture_on_commit_callbacks):
    now = timezone.now()
    stored = _store(now)
    later = now + outbox.RESEND_AFTER + timedelta(seconds=1)

    # A fresh mail is left to its own task; a lost one is enqueued once per RESEND_AFTER, by
    # however many runs.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert outbox.outbox_resend(now=now) == 0
        assert outbox.outbox_resend(now=later) == 1
        assert outbox.outbox_resend(now=later) == 0
        assert outbox.outbox_resend(now=later + timedelta(minutes=1)) == 0
    assert len(callbacks) == 1
    stored.refresh_from_db()
    assert (stored.queued_at, stored.sent_at) == (later, None)

    # Both enqueued tasks run (the lost one turned up after all): one mail.
    even_later = later + outbox.RESEND_AFTER + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=False) as again:
        assert outbox.outbox_resend(now=even_later) == 1
    for callback in callbacks + again:
        callback()
    assert len(mail.outbox) == 1

    # Once sent, nothing is enqueued again; nor is a mail older than RESEND_WITHIN.
    assert outbox.outbox_resend(now=even_later + timedelta(hours=1)) == 0
    _store(now - outbox.RESEND_WITHIN - timedelta(seconds=1), key="receipt:2")
    assert outbox.outbox_resend(now=even_later + timedelta(hours=1)) == 0
    assert resend_outbox_mail() == 0
    assert len(mail.outbox) == 1


def test_an_invitation_mail_keeps_no_working_link_once_sent(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(
            participation=cast.participation, email="new@example.org", role=Role.MENTOR,
            by=cast.org_admin, now=timezone.now(),
        )  # fmt: skip
    assert token in mail.outbox[0].body
    stored = OutboxMail.objects.get(key=f"invitation:{invitation.pk}")
    assert (stored.recipients, stored.body) == (["new@example.org"], "")


def test_a_revoked_invitation_is_not_mailed(cast, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation, _ = services.invitation_create(
            participation=cast.participation, email="new@example.org", role=Role.MENTOR,
            by=cast.org_admin, now=now,
        )  # fmt: skip
        services.invitation_revoke(invitation=invitation, by=cast.org_admin, now=now)
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    assert not OutboxMail.objects.exists()


def test_sent_mail_is_kept_thirty_days_then_pruned(db):
    now = timezone.now()
    old, recent, unsent = _store(now, "a:1"), _store(now, "a:2"), _store(now, "a:3")
    OutboxMail.objects.filter(pk=old.pk).update(sent_at=now - timedelta(days=30, seconds=1))
    OutboxMail.objects.filter(pk=recent.pk).update(sent_at=now - timedelta(days=30))
    OutboxMail.objects.filter(pk=unsent.pk).update(created_at=now - timedelta(days=90))
    assert outbox.outbox_prune(now=now) == 1
    assert set(OutboxMail.objects.values_list("key", flat=True)) == {"a:2", "a:3"}


def test_forgetting_a_person_deletes_every_mail_to_them_and_only_those(db):
    now = timezone.now()
    _store(now, "to:both")  # c@ and m@
    OutboxMail.objects.create(
        key="to:other", recipients=["xc@example.org"], subject="S", body="B", created_at=now,
        queued_at=now,
    )  # fmt: skip
    assert outbox.outbox_forget(addresses={"m@example.org"}) == 1
    assert list(OutboxMail.objects.values_list("key", flat=True)) == ["to:other"]
    assert outbox.outbox_forget(addresses={"c@example.org"}) == 0  # xc@ is someone else
