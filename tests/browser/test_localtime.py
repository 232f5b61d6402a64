"""Every instant shows in UTC and, beside it, in the visitor's own time zone."""

import pytest

from programs.models import MilestoneKind
from tests.factories import ProgramFactory, coding_timeline
from tests.support.cast import DEADLINE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("zone", "local"),
    [
        ("Asia/Kolkata", "23:30"),  # UTC+5:30
        ("America/Los_Angeles", "11:00"),  # UTC-7 in April (daylight saving)
        ("UTC", "18:00"),
    ],
)
def test_deadline_in_utc_and_local_time(live_server, page_in, zone, local):
    program = ProgramFactory(slug="gsoc-2023", name="GSoC 2023")
    coding_timeline(program, around=MilestoneKind.CONTRIBUTOR_APPLICATIONS, at=DEADLINE)
    page = page_in(zone)
    page.goto(f"{live_server.url}/programs/gsoc-2023/")
    deadline = page.locator('time[datetime="2023-04-04T18:00:00Z"]').first
    assert "18:00 UTC" in deadline.inner_text()
    local_time = deadline.locator("xpath=following-sibling::*[contains(@class,'local-time')]")
    local_time.wait_for()
    assert local in local_time.inner_text()
    # The browser names the zone it used (Chromium may use an older alias, Asia/Calcutta).
    assert zone.split("/")[0] in local_time.get_attribute("title")
