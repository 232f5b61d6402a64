"""The periodic job: everything due at `now`, in order."""

from datetime import datetime

from evaluations.services.periods import periods_ensure, periods_mark_missed, periods_open
from evaluations.services.reminders import reminders_due, reminders_resend
from programs.services import program_phases_advance


def advance_schedule(*, now: datetime) -> dict:
    """Run everything due at `now`, in order; returns what each step did."""
    ensured = periods_ensure(now=now)
    opened = periods_open(now=now)
    missed = periods_mark_missed(now=now)
    return {
        "periods_created": ensured,
        "periods_opened": opened,
        "periods_missed": len(missed),
        "reminders": reminders_due(now=now),
        "reminders_resent": reminders_resend(now=now),
        "phases_changed": program_phases_advance(now=now),
    }
