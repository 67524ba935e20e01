"""Webinar emails: who gets which template, in which language, with which calendar file."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event

from communaute.email import Attachment, public_url, queue_email
from communaute.i18n import REGIONAL

#: How long before the start the calendar alarm rings.
ALARM_BEFORE = timedelta(minutes=30)


def build_ics(webinar, signup, *, method: str = "PUBLISH") -> bytes:
    """An iCalendar file for one person: join link and phone inside, an alarm before.

    The UID is stable per webinar and SEQUENCE grows on each change, so a calendar
    replaces the event on reschedule and removes it on cancel (METHOD:CANCEL).
    """
    with force_locale(REGIONAL.get(signup.language, "fr_CA")):
        lines = [webinar.title]
        if signup.state.value == "confirmed" and webinar.join_url:
            lines.append(_("Join link: %(url)s", url=webinar.join_url))
        if webinar.phone_dial_in:
            lines.append(_("By phone: %(phone)s", phone=webinar.phone_dial_in))
        if webinar.captioning:
            lines.append(_("Captions: %(details)s", details=webinar.captioning))
        alarm_text = _("Webinar in 30 minutes: %(title)s", title=webinar.title)
    cal = Calendar()
    cal.add("prodid", "-//Experiences//communaute webinars//FR")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", f"webinar-{webinar.id}@communaute.experiences")
    event.add("sequence", webinar.sequence)
    event.add("dtstamp", datetime.now(tz=webinar.start_at.tzinfo))
    event.add("dtstart", webinar.start_at)
    event.add("dtend", webinar.end_at)
    event.add("summary", webinar.title)
    event.add("description", "\n".join(lines))
    if signup.state.value == "confirmed" and webinar.join_url:
        event.add("location", webinar.join_url)
        event.add("url", webinar.join_url)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if method != "CANCEL":
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", alarm_text)
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
    cal.add_component(event)
    return cal.to_ical()


def _link(endpoint: str, **values) -> str:
    """public_url(), also outside a request (the CLI sends reminders without one).

    communaute.email.public_url needs a request context for url_for; until it binds the
    URL map itself, build the path from the map here and prefix it the same way.
    """
    if has_request_context():
        return public_url(endpoint, **values)
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["COMMUNAUTE_PUBLIC_URL"] + path


def _ics(webinar, signup, method="PUBLISH") -> list[Attachment]:
    return [Attachment("webinaire.ics", "text/calendar", build_ics(webinar, signup, method=method))]


def _queue(kind: str, signup, template: str, attachments=None, **ctx) -> None:
    from communaute.webinars.services import make_cancel_token

    queue_email(
        kind=f"webinars.{kind}",
        to=signup.email,
        user_id=signup.user_id,
        language=signup.language,
        template=f"webinars/emails/{template}",
        attachments=attachments,
        signup=signup,
        webinar=signup.webinar,
        page_link=_link("webinars.detail", webinar_id=signup.webinar_id),
        series_link=_link("webinars.series"),
        cancel_link=_link("webinars.cancel", token=make_cancel_token(signup)),
        **ctx,
    )


def notify_signup_confirmed(signup) -> None:
    """Confirmation: Montreal date and time, join link, .ics, one-click cancellation link."""
    _queue("confirmed", signup, "confirmed", _ics(signup.webinar, signup))


def notify_waitlisted(signup) -> None:
    """The webinar is full: the person is on the waiting list (no join link yet)."""
    _queue("waitlisted", signup, "waitlisted")


def notify_promoted(signup) -> None:
    """A seat was freed: the first on the waiting list now has one (join link and .ics)."""
    _queue("promoted", signup, "promoted", _ics(signup.webinar, signup))


def notify_reminder(signup) -> None:
    """The reminder during the day before, with the join link and the .ics again."""
    _queue("reminder", signup, "reminder", _ics(signup.webinar, signup))


def notify_rescheduled(signup, previous_start) -> None:
    """New date and time, with a new .ics that replaces the old event."""
    _queue(
        "rescheduled", signup, "rescheduled", _ics(signup.webinar, signup), previous=previous_start
    )


def notify_webinar_cancelled(signup) -> None:
    """The webinar is cancelled; the .ics removes it from calendars."""
    _queue("cancelled", signup, "cancelled", _ics(signup.webinar, signup, "CANCEL"))


def notify_thanks(signup) -> None:
    """Thank-you to an attendee, with the recording and resources."""
    _queue("thanks", signup, "thanks")


def notify_missed(signup) -> None:
    """ "Sorry we missed you" to a no-show, with the recording and resources."""
    _queue("missed", signup, "missed")
