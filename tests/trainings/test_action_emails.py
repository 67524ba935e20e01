"""An email for every action on a registration, through the real SMTP server, in the
person's language: the member's own cancellation, a coordinator's changes."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from communaute.email import deliver_due
from communaute.extensions import db
from communaute.trainings import services
from communaute.trainings.models import RegistrationState
from tests.factories import login, make_coordinator, make_member, post
from tests.trainings.conftest import make_course, make_session


def body(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def ics_methods(msg) -> list[str]:
    return [
        str(Calendar.from_ical(p.get_payload(decode=True))["method"])
        for p in msg.iter_attachments()
        if p.get_content_type() == "text/calendar"
    ]


def fresh(mailbox):
    db.session.commit()
    deliver_due()
    mailbox.wait_for(1)
    mailbox.clear()


@pytest.mark.parametrize(
    ("language", "subject"),
    [("fr", "Inscription annulée : Cours A"), ("en", "Registration cancelled: Cours A")],
)
def test_self_cancel_email_in_the_members_language(client, mailbox, language, subject):
    session = make_session(make_course(title="Cours A"))
    member = make_member(language=language)
    reg, _ = services.register_for_session(session, member=member)
    fresh(mailbox)
    login(client, member)
    post(client, f"/trainings/registrations/{reg.id}/cancel", form_page="/me")
    deliver_due()
    [msg] = mailbox.wait_for(1)
    assert msg["To"] == member.email and msg["Subject"] == subject
    assert ics_methods(msg) == ["CANCEL"]
    assert "training team changed" not in body(msg) and "quipe des formations" not in body(msg)


def test_coordinator_changes_reach_the_person_in_their_language(app, mailbox):
    with app.test_request_context("/"):
        session = make_session(make_course(title="Cours B"), capacity=5)
        member = make_member(language="en")
        coordinator = make_coordinator()
        reg, _ = services.register_for_session(session, member=member)
        fresh(mailbox)
        services.move_registration(
            reg, to_state=RegistrationState.waiting, actor=coordinator, reason="Places réservées"
        )
        db.session.commit()
        deliver_due()
        [waiting] = mailbox.wait_for(1)
        assert waiting["Subject"].startswith("Waiting list")
        mailbox.clear()
        services.move_registration(
            reg, to_state=RegistrationState.confirmed, actor=coordinator, reason="Place libre"
        )
        db.session.commit()
        deliver_due()
        [confirmed] = mailbox.wait_for(1)
        assert confirmed["Subject"].startswith("Registration confirmed")
        mailbox.clear()
        services.move_registration(
            reg, to_state=RegistrationState.cancelled, actor=coordinator, reason="Doublon"
        )
        db.session.commit()
        deliver_due()
        [cancelled] = mailbox.wait_for(1)
        assert cancelled["Subject"] == "Registration cancelled: Cours B"
        assert "The training team changed your registration." in body(cancelled)
        assert ics_methods(cancelled) == ["CANCEL"]
