"""A program's timeline as an iCalendar (RFC 5545) feed for calendar apps to subscribe to."""

from datetime import datetime

import icalendar

from programs.models import Program


def program_calendar(*, program: Program, site_url: str, now: datetime) -> bytes:
    """Every milestone as one event; UIDs are stable so subscribed calendars update in place."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Seasons//Program timeline//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{program.name} timeline")
    calendar.add("x-wr-timezone", "UTC")
    host = site_url.split("://", 1)[-1]
    page = f"{site_url}/programs/{program.slug}/"
    for milestone in program.milestones.all():
        event = icalendar.Event()
        event.add("uid", f"{program.slug}-{milestone.kind}-{milestone.sequence}@{host}")
        event.add("dtstamp", now)
        event.add("summary", f"{program.name}: {milestone.label}")
        if milestone.is_window:
            event.add("dtstart", milestone.starts_at)
            event.add("dtend", milestone.ends_at)
        else:
            # An instant: a zero-length event at the deadline itself.
            event.add("dtstart", milestone.ends_at)
            event.add("dtend", milestone.ends_at)
        description = milestone.description or milestone.label
        event.add("description", f"{description}\n\nAll times UTC. {page}")
        event.add("url", page)
        calendar.add_component(event)
    return calendar.to_ical()
