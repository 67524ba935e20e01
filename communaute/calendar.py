"""Calendar files (.ics) for a seat: one builder for training sessions and webinars.

The UID is stable per event and SEQUENCE grows at each change people are told about, so a
calendar app replaces the event on a change and removes it on a cancellation
(METHOD:CANCEL). Every file but a cancellation carries an alarm, so nobody forgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event

from communaute.db import utcnow

PRODID = "-//Experiences//communaute//FR"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    #: How long before the start the alarm rings, and what it says.
    alarm_before: timedelta = timedelta(minutes=30)
    alarm_text: str = ""


def build_ics(event: CalendarEvent, *, cancelled: bool = False) -> bytes:
    """The iCalendar file of ``event``: PUBLISH with an alarm, or CANCEL without one."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", utcnow())
    vevent.add("dtstart", event.start)
    vevent.add("dtend", event.end)
    vevent.add("summary", event.summary)
    if event.description:
        vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event.alarm_text or event.summary)
        alarm.add("trigger", -event.alarm_before)
        vevent.add_component(alarm)
    cal.add_component(vevent)
    return cal.to_ical()
