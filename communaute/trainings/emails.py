"""Who gets which training email, in their own language, with a calendar file when useful."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _

from communaute import calendar
from communaute.content import localized_text
from communaute.email import Attachment, public_url, queue_email
from communaute.i18n import REGIONAL

#: Unique across the platform and stable across changes, so calendars update the event.
UID = "training-session-{id}@communaute.experiences"
#: The alarm rings the day before: people may need to arrange transport or care.
ALARM_BEFORE = timedelta(days=1)


def calendar_event(session, *, language: str = "fr", with_link: bool = True):
    """The session as a calendar event. ``with_link``: the online link is in (for a
    confirmed registrant only; the public file of the course page has none)."""
    course = session.course
    with force_locale(REGIONAL.get(language, "fr_CA")):
        title = localized_text(course, "title", language)
        description = localized_text(course, "summary", language)
        reminder = _("Reminder: %(title)s", title=title)
    online = session.online_url if with_link else ""
    location = online if online and not session.place else session.place
    if online:
        description += "\n\n" + online
    description += "\n\n" + public_url("trainings.course", slug=course.slug)
    return calendar.CalendarEvent(
        uid=UID.format(id=session.id),
        sequence=session.sequence,
        start=session.starts_at,
        end=session.ends_at,
        summary=title,
        description=description,
        location=location or "",
        url=online or public_url("trainings.course", slug=course.slug),
        alarm_before=ALARM_BEFORE,
        alarm_text=reminder,
    )


def build_ics(reg, *, cancelled: bool = False) -> bytes:
    """An iCalendar file for the registration's session, with a reminder alarm a day before.

    The online link is included for a confirmed registrant (never the waiting list).
    """
    return calendar.build_ics(
        calendar_event(
            reg.session, language=reg.user.language, with_link=reg.state.value == "confirmed"
        ),
        cancelled=cancelled,
    )


def _ics(reg) -> list[Attachment]:
    return [Attachment("formation.ics", "text/calendar", build_ics(reg))]


def _send(kind: str, reg, template: str, attachments=None, **context) -> None:
    user = reg.user
    queue_email(
        kind=f"trainings.{kind}",
        to=user.email,
        user_id=user.id,
        language=user.language,
        template=f"trainings/emails/{template}",
        attachments=attachments,
        reg=reg,
        session=reg.session,
        course=reg.course,
        name=user.display_name,
        course_url=public_url("trainings.course", slug=reg.course.slug),
        me_url=public_url("main.me"),
        **context,
    )


def notify_registration_confirmed(reg) -> None:
    """Confirmed seat: the details, the online link, a calendar file."""
    _send("confirmed", reg, "confirmed", _ics(reg))


def notify_waitlisted(reg, position: int | None) -> None:
    """On the waiting list, with the position; no link, no calendar file yet."""
    _send("waitlisted", reg, "waitlisted", position=position)


def notify_promoted(reg) -> None:
    """A seat freed up: confirmed, with a calendar file and a link to give the seat back."""
    _send(
        "promoted",
        reg,
        "promoted",
        _ics(reg),
        give_back_url=public_url("trainings.give_back", token=reg.promotion_token),
    )


def _cancel_ics(reg) -> list[Attachment]:
    return [Attachment("annulation.ics", "text/calendar", build_ics(reg, cancelled=True))]


def notify_registration_cancelled(
    reg, *, was_confirmed: bool = False, by_team: bool = False
) -> None:
    """The cancellation is recorded; a confirmed seat also gets a calendar cancellation.
    ``by_team``: a coordinator cancelled it, and the email says so."""
    attachments = _cancel_ics(reg) if was_confirmed and reg.session else None
    _send("cancelled", reg, "cancelled", attachments, by_team=by_team)


def notify_switched(reg, previous_session) -> None:
    """The member moved to another date of the same course: one email, the new date's
    calendar file, and the old date's cancellation."""
    old = calendar.build_ics(
        calendar_event(previous_session, language=reg.user.language), cancelled=True
    )
    attachments = [
        Attachment("annulation.ics", "text/calendar", old),
        *(_ics(reg) if reg.state.value == "confirmed" else []),
    ]
    _send("switched", reg, "switched", attachments, previous=previous_session)


def notify_session_changed(reg) -> None:
    """A coordinator changed the date, time, place or link; confirmed people get a new .ics."""
    attachments = _ics(reg) if reg.state.value == "confirmed" else None
    _send("session_changed", reg, "session_changed", attachments)


def notify_session_cancelled(reg, reason: str = "", *, was_confirmed: bool = False) -> None:
    """The whole session is cancelled by a coordinator; calendars get a cancellation."""
    attachments = _cancel_ics(reg) if was_confirmed else None
    _send("session_cancelled", reg, "session_cancelled", attachments, reason=reason)


def notify_reminder(reg) -> None:
    """The day before: time, place or link."""
    _send("reminder", reg, "reminder", _ics(reg))


def notify_material_access(reg) -> None:
    """Self-paced activity: the material link, at once."""
    _send("material", reg, "material")
