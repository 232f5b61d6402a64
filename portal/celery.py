"""The Celery application and its one beat schedule."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job, in UTC. Jobs are idempotent: a missed or repeated run changes nothing more.
app.conf.beat_schedule = {
    # Every 15 minutes: pending invitations past their expiry become "expired".
    "expire-invitations": {
        "task": "programs.tasks.expire_invitations",
        "schedule": crontab(minute="*/15"),
    },
    # Every 5 minutes: enqueue again each stored mail (receipts, acceptances, invitations) still
    # unsent 5 minutes after its task was enqueued, as a killed worker or the embedded broker
    # (which deletes a message when a worker takes it) loses that task. A repeat finds the mail
    # queued again or sent, so it enqueues nothing twice. Sent mail older than 30 days goes.
    "resend-outbox-mail": {
        "task": "programs.tasks.resend_outbox_mail",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 290},
    },
    # Every 5 minutes: create, open and mark missed evaluation periods (failing the projects
    # that missed one), claim and send due reminders, move program phases. A run that expired
    # unconsumed (worker down) is dropped: the next one catches up on everything.
    "advance-schedule": {
        "task": "evaluations.tasks.advance_schedule_task",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 290},
    },
    # Every 5 minutes: payout records for milestones reached (also enqueued right after an
    # evaluation or a project's end); one per (project or grant, milestone), so repeats are no-ops.
    "create-due-payouts": {
        "task": "payments.tasks.create_due_payouts",
        "schedule": crontab(minute="*/5"),
    },
    # Every 15 minutes: send approved payouts to OpenCollective as expenses and mirror the
    # expenses' statuses back (paid, rejected…). Does nothing without OPENCOLLECTIVE_TOKEN.
    # Expenses are found by our reference before one is created, so repeats create nothing.
    "sync-payouts": {
        "task": "payments.tasks.sync_payouts",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 840},
    },
}
