"""Told without looking: coordinators emailed for what needs them, each as they chose."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from communaute.auth.models import User
from communaute.coordination.alerts import PendingAlert, send_digests
from communaute.email import OutboxMessage, deliver_due
from communaute.extensions import db
from communaute.magazine import services as magazine
from communaute.magazine.models import SubmissionState
from communaute.trainings import services as trainings
from communaute.webinars import services as webinars
from tests.factories import login, make_coordinator, make_member, post
from tests.magazine.conftest import make_submission
from tests.trainings.conftest import make_course, make_session
from tests.webinars.conftest import make_webinar


def _alerts(to=None):
    query = select(OutboxMessage).where(OutboxMessage.kind.like("coordination.%"))
    if to:
        query = query.where(OutboxMessage.recipient == to)
    return db.session.scalars(query.order_by(OutboxMessage.id)).all()


def test_each_event_reaches_each_coordinator_in_their_language(app, rctx, mailbox, coordinator):
    english = make_coordinator("anglo@exemple.ca", language="en")
    quiet = make_coordinator("quiet@exemple.ca", coordinator_alerts="none")
    author = make_member("auteure@exemple.ca")
    sub = make_submission(author, coordinator, SubmissionState.in_review, title="Mon récit")
    magazine.post_message(sub, "Une réponse.", sender=author)
    db.session.commit()
    assert [m.kind for m in _alerts("coordo@exemple.ca")] == [
        "coordination.alert.text_submitted",
        "coordination.alert.author_replied",
    ]
    assert _alerts(quiet.email) == []
    deliver_due()
    got = {(m["To"], m["Subject"]) for m in mailbox.wait_for(5)}
    assert ("anglo@exemple.ca", "Coordination: a text is waiting") in got
    assert ("coordo@exemple.ca", "Coordination : un texte attend") in got
    en = [m for m in mailbox.messages if m["To"] == english.email][0]
    text = en.get_body(preferencelist=("plain",)).get_content()
    assert "A new text arrived: « Mon récit »." in text
    assert f"https://communaute.example/magazine/review/{sub.id}" in text


def test_a_session_or_webinar_that_becomes_full(app, rctx, coordinator):
    session = make_session(make_course(title="Savoir-faire"), capacity=1)
    trainings.register_for_session(session, member=make_member())
    webinar = make_webinar(capacity=1)
    webinars.sign_up_guest(webinar, email="g@exemple.ca", name="G")
    db.session.commit()
    assert [m.kind for m in _alerts()] == [
        "coordination.alert.session_full",
        "coordination.alert.webinar_full",
    ]


def test_only_the_sign_up_that_takes_the_last_seat_tells_the_coordinators(app, rctx, coordinator):
    webinar = make_webinar(capacity=2)
    webinars.sign_up_guest(webinar, email="a@exemple.ca", name="A")
    db.session.commit()
    assert _alerts() == [], "one seat is still free"
    webinars.sign_up_guest(webinar, email="b@exemple.ca", name="B")
    webinars.sign_up_guest(webinar, email="b@exemple.ca", name="B")  # again: nothing new
    webinars.sign_up_guest(webinar, email="c@exemple.ca", name="C")  # the waiting list
    db.session.commit()
    assert [m.kind for m in _alerts()] == ["coordination.alert.webinar_full"]


def test_the_daily_digest_at_8_montreal(app, rctx, mailbox):
    digest = make_coordinator("digest@exemple.ca", coordinator_alerts="digest")
    author = make_member("auteure@exemple.ca")
    make_submission(author, digest, SubmissionState.submitted, title="Premier")
    make_submission(author, digest, SubmissionState.submitted, title="Second")
    assert _alerts(digest.email) == []
    assert len(db.session.scalars(select(PendingAlert)).all()) == 2
    assert send_digests(now=datetime(2026, 12, 2, 12, tzinfo=UTC)) == 0  # 7:00 in Montreal
    assert send_digests(now=datetime(2026, 12, 2, 13, 5, tzinfo=UTC)) == 1  # 8:05
    assert send_digests(now=datetime(2026, 12, 2, 13, 30, tzinfo=UTC)) == 0  # nothing left
    db.session.commit()
    deliver_due()
    mailbox.wait_for(3)  # the digest and the two receipts to the author
    [msg] = mailbox.to("digest@exemple.ca")
    assert msg["Subject"] == "Coordination : 2 choses depuis hier"
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "« Premier »" in text and "« Second »" in text


def test_a_coordinator_chooses_in_the_profile(app, client, coordinator):
    login(client, coordinator)
    page = client.get("/auth/profile").get_data(as_text=True)
    assert 'name="coordinator_alerts"' in page
    response = post(
        client,
        "/auth/profile",
        {
            "display_name": "Marie",
            "language": "fr",
            "participation": "patient_partner",
            "coordinator_alerts": "digest",
        },
    )
    assert response.status_code == 302
    assert db.session.get(User, coordinator.id).coordinator_alerts == "digest"


def test_members_never_see_the_choice(app, client):
    member = make_member()
    login(client, member)
    assert 'name="coordinator_alerts"' not in client.get("/auth/profile").get_data(as_text=True)
    post(
        client,
        "/auth/profile",
        {
            "display_name": "M",
            "language": "fr",
            "participation": "patient_partner",
            "coordinator_alerts": "none",
        },
    )
    assert db.session.get(User, member.id).coordinator_alerts == "each"


def test_failed_emails_are_told_once(app, rctx, coordinator):
    from communaute.coordination.alerts import alert_failed_emails
    from communaute.email import OutboxState

    for n in range(2):
        db.session.add(
            OutboxMessage(
                kind="webinars.confirmed",
                recipient=f"x{n}@exemple.ca",
                language="fr",
                subject="s",
                text_body="t",
                html_body="h",
                state=OutboxState.failed,
            )
        )
    db.session.commit()
    assert alert_failed_emails() == 2
    db.session.commit()
    assert alert_failed_emails() == 0
    [notice] = _alerts(coordinator.email)
    assert notice.kind == "coordination.alert.emails_failed"
    assert "Des courriels n’ont pas pu être livrés : 2." in notice.text_body
    assert "/outbox/?state=failed" in notice.text_body
