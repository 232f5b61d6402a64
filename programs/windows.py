"""The one window check: whether `now` lies inside a window of the timeline, and if not, why.

Every service that refuses an action outside its window asks here, so the rule (both ends
inclusive, decided at request time against the `now` the caller passes in) and the way instants
are written in the refusal are the same on every page, API call and job.
"""

from datetime import datetime

from programs.models import Milestone, Program

# Refusals name instants in UTC, to the second: "2023-04-04 18:00:00 UTC".
INSTANT_FORMAT = "%Y-%m-%d %H:%M:%S"


def utc_text(instant: datetime) -> str:
    """An instant as refusals write it (the caller adds "UTC")."""
    return instant.strftime(INSTANT_FORMAT)


def milestone_of(program: Program, kind: str, sequence: int = 1) -> Milestone | None:
    """The program's milestone of that kind, read from the database."""
    return program.milestones.filter(kind=kind, sequence=sequence).first()


def window_error(
    *,
    starts_at: datetime | None,
    ends_at: datetime,
    now: datetime,
    closed: str,
    not_open: str | None = None,
) -> str | None:
    """None while `starts_at <= now <= ends_at`; otherwise the refusal, formatted with `opens`,
    `closes` and `deadline` (the same instant as `closes`). Without a start, or without a
    `not_open` message (a deadline, not a window), only the end is checked."""
    if starts_at is not None and not_open is not None and now < starts_at:
        message = not_open
    elif now > ends_at:
        message = closed
    else:
        return None
    closes = utc_text(ends_at)
    return message.format(opens=utc_text(starts_at or ends_at), closes=closes, deadline=closes)


def milestone_error(
    milestone: Milestone | None,
    now: datetime,
    *,
    closed: str,
    not_open: str | None = None,
    missing: str | None = None,
) -> str | None:
    """`window_error` for a milestone of the timeline; `missing` when the program has none."""
    if milestone is None:
        return missing
    return window_error(
        starts_at=milestone.starts_at,
        ends_at=milestone.ends_at,
        now=now,
        not_open=not_open,
        closed=closed,
    )
