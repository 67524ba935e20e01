"""Webinar emails: who gets which template, in which language, with which calendar file."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _

from communaute import calendar, subscriptions
from communaute.content import localized_text
from communaute.email import Attachment, public_url, queue_email
from communaute.i18n import REGIONAL
from communaute.webinars.tokens import make_cancel_token

#: How long before the start the calendar alarm rings.
ALARM_BEFORE = timedelta(minutes=30)


def calendar_event(webinar, signup=None, *, language: str | None = None):
    """The webinar as a calendar event, for one person (``signup``) or for everyone.

    The join link only goes to a confirmed person, never to the waiting list nor to the
    public series feed. The UID is the webinar's, the same in every file and feed; a
    person's SEQUENCE adds their own changes (cancelled, back) to the webinar's."""
    confirmed = signup is not None and signup.state.value == "confirmed" and bool(webinar.join_url)
    language = language or (signup.language if signup is not None else "fr")
    with force_locale(REGIONAL.get(language, "fr_CA")):
        title = localized_text(webinar, "title", language)
        lines = [title]
        if confirmed:
            lines.append(_("Join link: %(url)s", url=webinar.join_url))
        if webinar.phone_dial_in and signup is not None:
            lines.append(_("By phone: %(phone)s", phone=webinar.phone_dial_in))
        if webinar.captioning:
            lines.append(_("Captions: %(details)s", details=webinar.captioning))
        page = public_url("webinars.detail", webinar_id=webinar.id)
        alarm_text = _("Webinar in 30 minutes: %(title)s", title=title)
    lines.append(page)
    return calendar.CalendarEvent(
        uid=f"webinar-{webinar.id}@communaute.experiences",
        sequence=webinar.sequence + (signup.ics_sequence or 0 if signup is not None else 0),
        start=webinar.start_at,
        end=webinar.end_at,
        summary=title,
        description="\n".join(lines),
        location=webinar.join_url if confirmed else "",
        url=webinar.join_url if confirmed else page,
        alarm_before=ALARM_BEFORE,
        alarm_text=alarm_text,
    )


def build_ics(webinar, signup, *, cancelled: bool = False) -> bytes:
    """An iCalendar file for one person: join link and phone inside, an alarm before."""
    return calendar.build_ics(calendar_event(webinar, signup), cancelled=cancelled)


def _ics(webinar, signup, *, cancelled: bool = False) -> list[Attachment]:
    ics = build_ics(webinar, signup, cancelled=cancelled)
    return [Attachment("webinaire.ics", "text/calendar", ics)]


def _queue(kind: str, signup, template: str, attachments=None, **ctx) -> None:
    token = make_cancel_token(signup)
    queue_email(
        kind=f"webinars.{kind}",
        to=signup.email,
        user_id=signup.user_id,
        language=signup.language,
        template=f"webinars/emails/{template}",
        attachments=attachments,
        signup=signup,
        webinar=signup.webinar,
        page_link=public_url("webinars.detail", webinar_id=signup.webinar_id),
        series_link=public_url("webinars.series"),
        cancel_link=public_url("webinars.cancel", token=token),
        manage_link=public_url("webinars.my_signup", token=token),
        **ctx,
    )


def notify_signup_confirmed(signup) -> None:
    """Confirmation: Montreal date and time, join link, .ics, one-click cancellation link."""
    _queue("confirmed", signup, "confirmed", _ics(signup.webinar, signup))


def notify_signup_cancelled(signup) -> None:
    """The person cancelled (from the email's link, or /me): a receipt, and a CANCEL .ics
    that removes the webinar from their calendar."""
    _queue(
        "signup_cancelled", signup, "signup_cancelled", _ics(signup.webinar, signup, cancelled=True)
    )


def notify_waitlisted(signup, position: int | None) -> None:
    """The webinar is full: the person is on the waiting list, in ``position`` (no join
    link yet)."""
    _queue("waitlisted", signup, "waitlisted", position=position)


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
    _queue("cancelled", signup, "cancelled", _ics(signup.webinar, signup, cancelled=True))


def notify_thanks(signup) -> None:
    """Thank-you to an attendee, with the recording and resources."""
    _queue("thanks", signup, "thanks")


def notify_missed(signup) -> None:
    """ "Sorry we missed you" to a no-show, with the recording and resources."""
    _queue("missed", signup, "missed")


def notify_announcement(webinar, subscription) -> None:
    """A new webinar, to someone who asked for the news of the series: not transactional, so
    it carries the one-click unsubscribe link and the List-Unsubscribe headers (RFC 8058)."""
    queue_email(
        kind="webinars.announcement",
        to=subscription.email,
        user_id=subscription.user_id,
        language=subscription.language,
        template="webinars/emails/announcement",
        headers=subscriptions.list_headers(subscription),
        webinar=webinar,
        page_link=public_url("webinars.detail", webinar_id=webinar.id),
        unsubscribe_link=subscriptions.unsubscribe_url(subscription),
        preferences_link=public_url("auth.mail_preferences"),
    )
