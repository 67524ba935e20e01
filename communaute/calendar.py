"""Calendar files (.ics) for a seat: one builder for training sessions and webinars.

The UID is stable per event and SEQUENCE grows at each change people are told about, so a
calendar app replaces the event on a change and removes it on a cancellation
(METHOD:CANCEL). Every file but a cancellation carries an alarm, so nobody forgets.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

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


def _vevent(event: CalendarEvent, *, cancelled: bool, stamp: datetime) -> Event:
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", stamp)
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
    return vevent


def build_ics(
    event: CalendarEvent | None = None,
    *,
    cancelled: bool = False,
    events: Iterable[tuple[CalendarEvent, bool]] | None = None,
    name: str = "",
) -> bytes:
    """The iCalendar file of ``event``: PUBLISH with an alarm, or CANCEL without one.

    With ``events`` instead, a feed (a calendar app subscribes to it): every
    (event, cancelled) pair, the cancelled ones kept and marked STATUS:CANCELLED so the
    apps remove them, under the calendar ``name``."""
    if events is None:
        if event is None:
            raise TypeError("build_ics needs an event or events")
        return _single(event, cancelled)
    cal = _calendar()
    stamp = utcnow()
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    for one, one_cancelled in events:
        cal.add_component(_vevent(one, cancelled=one_cancelled, stamp=stamp))
    return cal.to_ical()


def _utc_stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def google_link(event: CalendarEvent) -> str:
    """ "Add to Google Calendar": the event in Google's form, nothing stored anywhere."""
    query = {
        "action": "TEMPLATE",
        "text": event.summary,
        "dates": f"{_utc_stamp(event.start)}/{_utc_stamp(event.end)}",
        "details": event.description[:1500],
        "location": event.location,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_link(event: CalendarEvent) -> str:
    """ "Add to Outlook.com": the same, in Outlook on the web's form."""
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.summary,
        "startdt": event.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": event.end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": event.description[:1500],
        "location": event.location,
    }
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(query)


def _calendar() -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    return cal


#: The files of single events built in the last REUSE_SECONDS, by (event, cancelled): the
#: people who sign up to the same webinar at noon get the same file, built once. Any change
#: to the event (a new sequence, time, link, language...) is another key; only DTSTAMP, the
#: moment the file was made, is up to REUSE_SECONDS old.
_built: dict[tuple[CalendarEvent, bool], tuple[float, bytes]] = {}
_built_lock = threading.Lock()
REUSE_SECONDS = 60.0
REUSE_MAX = 256


def _single(event: CalendarEvent, cancelled: bool) -> bytes:
    key, now = (event, cancelled), time.monotonic()
    with _built_lock:
        kept = _built.get(key)
    if kept is not None and now - kept[0] < REUSE_SECONDS:
        return kept[1]
    cal = _calendar()
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    cal.add_component(_vevent(event, cancelled=cancelled, stamp=utcnow()))
    body = cal.to_ical()
    with _built_lock:
        if len(_built) >= REUSE_MAX:
            _built.clear()
        _built[key] = (now, body)
    return body
