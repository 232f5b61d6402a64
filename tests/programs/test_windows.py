"""The one window check every service uses (programs/windows.py), pinned at both ends to the
microsecond, with and without a start, and the way it writes instants."""

from datetime import UTC, datetime, timedelta

import pytest

from programs.models import Milestone
from programs.windows import milestone_error, utc_text, window_error

US = timedelta(microseconds=1)
OPENS = datetime(2023, 3, 20, 18, 0, tzinfo=UTC)
CLOSES = datetime(2023, 4, 4, 18, 0, tzinfo=UTC)
NOT_OPEN = "Opens {opens} UTC (until {closes})."
CLOSED = "Closed {deadline} UTC (opened {opens})."


def check(now, *, starts_at=OPENS, not_open=NOT_OPEN):
    return window_error(
        starts_at=starts_at, ends_at=CLOSES, now=now, not_open=not_open, closed=CLOSED
    )


@pytest.mark.parametrize("now", [OPENS, OPENS + US, CLOSES - US, CLOSES])
def test_open_from_the_first_to_the_last_instant(now):
    assert check(now) is None


def test_a_microsecond_early_is_not_open_yet_and_names_both_ends():
    assert check(OPENS - US) == "Opens 2023-03-20 18:00:00 UTC (until 2023-04-04 18:00:00)."


def test_a_microsecond_late_is_closed_and_names_the_deadline():
    assert check(CLOSES + US) == "Closed 2023-04-04 18:00:00 UTC (opened 2023-03-20 18:00:00)."


def test_without_a_start_only_the_end_counts():
    long_before = OPENS - timedelta(days=400)
    assert check(long_before, starts_at=None) is None
    assert check(CLOSES + US, starts_at=None) == (
        "Closed 2023-04-04 18:00:00 UTC (opened 2023-04-04 18:00:00)."
    )


def test_a_deadline_without_a_not_open_message_ignores_the_start():
    assert check(OPENS - US, not_open=None) is None
    assert check(CLOSES + US, not_open=None).startswith("Closed")


def test_a_milestone_is_checked_by_its_own_window():
    window = Milestone(starts_at=OPENS, ends_at=CLOSES)
    assert milestone_error(window, CLOSES, not_open=NOT_OPEN, closed=CLOSED) is None
    assert milestone_error(window, CLOSES + US, closed=CLOSED).startswith("Closed")
    assert milestone_error(window, OPENS - US, not_open=NOT_OPEN, closed=CLOSED).startswith("Opens")


def test_a_missing_milestone_gives_the_missing_message_or_nothing():
    assert milestone_error(None, CLOSES, closed=CLOSED) is None
    assert milestone_error(None, CLOSES, closed=CLOSED, missing="No window.") == "No window."


def test_instants_are_written_in_utc_to_the_second():
    berlin = datetime(2023, 4, 4, 18, 0, 7, 999_999, tzinfo=UTC)
    assert utc_text(berlin) == "2023-04-04 18:00:07"
