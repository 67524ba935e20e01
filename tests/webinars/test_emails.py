from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from communaute import calendar
from communaute.email import deliver_due
from communaute.extensions import db
from communaute.webinars import services
from communaute.webinars.models import Signup
from tests.webinars.conftest import make_webinar

JOIN = "https://zoom.example/j/123456"


def deliver(mailbox, n):
    db.session.commit()
    deliver_due()
    return mailbox.wait_for(n)


def text_of(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def ics_of(msg) -> Calendar:
    [part] = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_payload(decode=True))


def test_confirmation_in_french_with_montreal_time_join_link_ics_and_cancel_link(app, mailbox):
    webinar = make_webinar(start_at=datetime(2027, 1, 12, 17, 0, tzinfo=UTC))
    services.sign_up_guest(webinar, email="josee@exemple.ca", name="Josée")
    [msg] = deliver(mailbox, 1)
    assert msg["To"] == "josee@exemple.ca"
    assert "Inscription confirmée" in msg["Subject"]
    body = text_of(msg)
    assert "mardi 12 janvier 2027, 12\u00a0h (heure de Montréal)" in body  # not « 12 h 00 »
    assert JOIN in body and "+1 438 555-0100" in body
    assert "https://communaute.example/webinars/cancel/" in body
    cal = ics_of(msg)
    [event] = cal.walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2027, 1, 12, 17, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2027, 1, 12, 18, 0, tzinfo=UTC)
    assert str(event["summary"]) == webinar.title
    assert JOIN in str(event["description"])
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("trigger") == -timedelta(minutes=30)


def test_the_calendar_file_built_once_for_many_still_follows_each_change(app, mailbox, monkeypatch):
    """Two people who sign up a moment apart get the same file (built once); a change to
    the webinar in between gives the next person a file with the change, never the old one."""
    monkeypatch.setattr(calendar, "_built", {})  # nothing kept from another test
    built = []
    real_vevent = calendar._vevent
    monkeypatch.setattr(
        calendar, "_vevent", lambda event, **kw: built.append(event) or real_vevent(event, **kw)
    )
    webinar = make_webinar(start_at=datetime(2027, 1, 12, 17, 0, tzinfo=UTC))
    services.sign_up_guest(webinar, email="a@exemple.ca", name="A")
    services.sign_up_guest(webinar, email="b@exemple.ca", name="B")
    webinar.title = "Un titre corrigé"
    webinar.join_url = "https://zoom.example/j/999"
    services.sign_up_guest(webinar, email="c@exemple.ca", name="C")
    deliver(mailbox, 3)
    first, second, third = (
        ics_of(mailbox.to(f"{who}@exemple.ca")[0]).walk("VEVENT")[0] for who in "abc"
    )
    assert first.to_ical() == second.to_ical()
    # Built once for A and B, once again for C after the change:
    assert [event.summary for event in built] == [str(first["summary"]), "Un titre corrigé"]
    assert str(first["summary"]) != "Un titre corrigé"
    assert str(third["summary"]) == "Un titre corrigé"
    assert "https://zoom.example/j/999" in str(third["description"])
    assert JOIN not in str(third["description"])


def test_english_guest_gets_english_email(app, mailbox):
    webinar = make_webinar(start_at=datetime(2027, 1, 12, 17, 0, tzinfo=UTC))
    services.sign_up_guest(webinar, email="jo@exemple.ca", name="Jo", language="en")
    [msg] = deliver(mailbox, 1)
    assert msg["Subject"].startswith("Sign-up confirmed")
    body = text_of(msg)
    assert "Tuesday, January 12, 2027, 12:00" in body
    assert "Inscription" not in body


def test_cancel_link_from_email_works(app, mailbox, client):
    webinar = make_webinar()
    services.sign_up_guest(webinar, email="a@exemple.ca", name="A")
    [msg] = deliver(mailbox, 1)
    link = next(w for w in text_of(msg).split() if "/webinars/cancel/" in w)
    path = link.replace("https://communaute.example", "")
    assert client.get(path).status_code == 200


def test_waiting_list_email_has_no_join_link(app, mailbox):
    webinar = make_webinar(capacity=1)
    services.sign_up_guest(webinar, email="a@exemple.ca", name="A")
    services.sign_up_guest(webinar, email="b@exemple.ca", name="B")
    messages = deliver(mailbox, 2)
    waiting = mailbox.to("b@exemple.ca")[0]
    assert "attente" in waiting["Subject"]
    assert JOIN not in text_of(waiting)
    assert len(messages) == 2


def test_reminder_and_reschedule_and_cancel_emails(app, mailbox):
    webinar = make_webinar(days=0.5)
    signup, _ = services.sign_up_guest(webinar, email="a@exemple.ca", name="A")
    services.send_reminders()
    deliver(mailbox, 2)
    reminder = mailbox.messages[1]
    assert reminder["Subject"].startswith("Rappel") and JOIN in text_of(reminder)
    assert ics_of(reminder).walk("VEVENT")
    mailbox.clear()

    services.reschedule_webinar(
        webinar, start_at=datetime(2030, 3, 5, 17, 0, tzinfo=UTC), duration_minutes=60
    )
    [moved] = deliver(mailbox, 1)
    assert "Nouvelle date" in moved["Subject"]
    [event] = ics_of(moved).walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2030, 3, 5, 17, 0, tzinfo=UTC)
    assert int(event["sequence"]) == 1
    mailbox.clear()

    services.cancel_webinar(webinar)
    [cancelled] = deliver(mailbox, 1)
    assert "Annulé" in cancelled["Subject"]
    cal = ics_of(cancelled)
    assert str(cal["method"]) == "CANCEL"


def test_thanks_and_missed_emails_carry_the_recording(app, mailbox):
    webinar = make_webinar(
        days=-2, recording_url="https://video.example/r/1", resources="Guide PDF"
    )
    came = Signup(webinar_id=webinar.id, email="a@exemple.ca", name="A", attended=True)
    away = Signup(webinar_id=webinar.id, email="b@exemple.ca", name="B", language="en")
    db.session.add_all([came, away])
    db.session.commit()
    db.session.refresh(webinar)
    services.send_follow_up(webinar)
    deliver(mailbox, 2)
    [thanks] = mailbox.to("a@exemple.ca")
    [missed] = mailbox.to("b@exemple.ca")
    assert "Merci" in thanks["Subject"] and "https://video.example/r/1" in text_of(thanks)
    assert "Guide PDF" in text_of(thanks)
    assert "missed you" in missed["Subject"] and "https://video.example/r/1" in text_of(missed)
