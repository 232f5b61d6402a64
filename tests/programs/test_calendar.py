"""The .ics feed parses back, with every milestone at its UTC instant and stable UIDs."""

from datetime import timedelta

import icalendar
import pytest
from django.urls import reverse

from programs.models import MilestoneKind
from tests.factories import ProgramFactory, coding_timeline
from tests.support.cast import DEADLINE

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    program = ProgramFactory(name="GSoC 2023", slug="gsoc-2023")
    coding_timeline(program, around=MilestoneKind.CONTRIBUTOR_APPLICATIONS, at=DEADLINE)
    return program


def fetch(client, program):
    response = client.get(reverse("program_ics", args=[program.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def test_feed_holds_every_milestone_in_utc(client, program):
    calendar = fetch(client, program)
    assert str(calendar["VERSION"]) == "2.0"
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == program.milestones.count()
    applications = events["GSoC 2023: Contributor applications"]
    assert applications.decoded("DTSTART") == DEADLINE - timedelta(days=15)
    assert applications.decoded("DTEND") == DEADLINE
    assert applications.decoded("DTEND").utcoffset() == timedelta(0)
    ranking = events["GSoC 2023: Proposal rankings and slot requests due"]
    assert ranking.decoded("DTSTART") == ranking.decoded("DTEND") == DEADLINE + timedelta(days=23)
    assert "/programs/gsoc-2023/" in str(applications["URL"])


def test_uids_are_stable_and_unique(client, program):
    first = [str(e["UID"]) for e in fetch(client, program).walk("VEVENT")]
    second = [str(e["UID"]) for e in fetch(client, program).walk("VEVENT")]
    assert first == second
    assert len(set(first)) == len(first)
    assert "gsoc-2023-contributor_applications-1@" in " ".join(first)


def test_hidden_program_has_no_feed(client, program):
    program.is_public = False
    program.save()
    assert client.get(reverse("program_ics", args=[program.slug])).status_code == 404
