"""Emails through the outbox and a real SMTP server: content, language, calendar files."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from communaute.db import utcnow
from communaute.email import deliver_due
from communaute.extensions import db
from communaute.trainings import services
from tests.factories import make_member
from tests.trainings.conftest import make_course, make_session

pytestmark = pytest.mark.usefixtures("request_context")


def ics_of(message) -> Calendar:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return Calendar.from_ical(
        parts[0].get_content()
        if isinstance(parts[0].get_content(), bytes)
        else parts[0].get_content().encode()
    )


def test_confirmed_email_in_french_with_valid_ics(mailbox):
    session = make_session(
        make_course(title="Partenariat 101"),
        capacity=5,
        place="Salle 3, CHUM",
        online_url="https://zoom.example/j/42",
    )
    member = make_member(language="fr")
    services.register_for_session(session, member=member)
    db.session.commit()
    deliver_due()
    (msg,) = mailbox.wait_for(1)
    assert msg["Subject"] == "Inscription confirmée : Partenariat 101"
    body = msg.get_body(("plain",)).get_content()
    assert "Bonjour" in body and "https://zoom.example/j/42" in body
    assert "heure de Montréal" in body
    cal = ics_of(msg)
    event = next(iter(cal.walk("VEVENT")))
    assert str(event["summary"]) == "Partenariat 101"
    assert event.decoded("dtstart") == session.starts_at
    assert event.decoded("dtend") == session.ends_at
    assert "zoom.example/j/42" in str(event["description"])
    alarm = next(iter(event.walk("VALARM")))
    assert alarm.decoded("trigger") == timedelta(days=-1)


def test_waitlist_email_in_english_without_link(mailbox):
    session = make_session(capacity=1, online_url="https://zoom.example/secret")
    services.register_for_session(session, member=make_member())
    services.register_for_session(session, member=make_member(language="en", email="en@x.ca"))
    db.session.commit()
    deliver_due()
    messages = mailbox.wait_for(2)
    (msg,) = [m for m in messages if "en@x.ca" in m["To"]]
    assert msg["Subject"].startswith("Waiting list:")
    body = msg.get_body(("plain",)).get_content()
    assert "position 1" in body
    assert "zoom.example/secret" not in body
    assert not [p for p in msg.iter_attachments()]


def test_promoted_email_has_ics_and_give_back_link(mailbox):
    session = make_session(capacity=1)
    first = make_member()
    reg, _ = services.register_for_session(session, member=first)
    second = make_member(email="second@x.ca")
    services.register_for_session(session, member=second)
    db.session.commit()
    services.cancel_registration(reg, actor=first)
    db.session.commit()
    deliver_due()
    messages = mailbox.wait_for(4)
    promoted = [m for m in messages if "second@x.ca" in m["To"] and "place" in m["Subject"]]
    assert promoted, [m["Subject"] for m in messages]
    body = promoted[-1].get_body(("plain",)).get_content()
    assert "https://communaute.example/trainings/give-back/" in body
    ics_of(promoted[-1])


def test_session_cancelled_email(mailbox):
    from tests.factories import make_coordinator

    session = make_session()
    services.register_for_session(session, member=make_member())
    db.session.commit()
    mailbox.clear()
    services.cancel_session(session, actor=make_coordinator(), reason="Formatrice malade")
    db.session.commit()
    deliver_due()
    msgs = mailbox.wait_for(2)
    cancelled = [m for m in msgs if m["Subject"].startswith("Séance annulée")]
    assert cancelled and "Formatrice malade" in cancelled[0].get_body(("plain",)).get_content()
    cal = ics_of(cancelled[0])
    assert str(cal["method"]) == "CANCEL"
    event = next(iter(cal.walk("VEVENT")))
    assert str(event["status"]) == "CANCELLED" and event.decoded("sequence") == 1


def test_send_reminders_command_never_twice(app, mailbox):
    soon = utcnow() + timedelta(hours=10)
    session = make_session(starts_at=soon, ends_at=soon + timedelta(hours=2), capacity=None)
    services.register_for_session(session, member=make_member(language="en"))
    db.session.commit()
    deliver_due()
    mailbox.wait_for(1)
    mailbox.clear()
    runner = app.test_cli_runner()
    assert "1 rappel" in runner.invoke(args=["trainings", "send-reminders"]).output
    assert "0 rappel" in runner.invoke(args=["trainings", "send-reminders"]).output
    deliver_due()
    (msg,) = mailbox.wait_for(1)
    assert msg["Subject"].startswith("Reminder:")
    ics_of(msg)
