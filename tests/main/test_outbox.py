"""Email is never lost: queued with the action, delivered after commit, retried, visible."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from communaute.db import utcnow
from communaute.email import OutboxMessage, OutboxState, deliver, deliver_due, queue_email
from communaute.extensions import db
from tests.factories import login, make_coordinator, make_member, post

pytestmark = pytest.mark.usefixtures("app")


def queue(n=1, to="quelqu.un@exemple.ca"):
    for _ in range(n):
        queue_email(kind="test", to=to, language="fr", template="auth/emails/deleted")
    db.session.commit()


def test_a_rollback_drops_the_email_with_the_rest():
    queue_email(kind="test", to="a@exemple.ca", language="fr", template="auth/emails/deleted")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_refused_delivery_is_retried_later_and_never_lost(mailbox):
    queue()
    mailbox.refuse = True
    assert deliver_due() == (0, 1, None)
    msg = db.session.scalar(select(OutboxMessage))
    assert msg.state == OutboxState.pending
    assert msg.attempts == 1
    assert "451" in msg.last_error
    assert msg.next_attempt_at > utcnow() + timedelta(seconds=30), "backoff"
    assert deliver_due() == (0, 0, None), "not due yet"
    mailbox.refuse = False
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert deliver_due() == (1, 0, None)
    assert len(mailbox.wait_for(1)) == 1
    db.session.expire_all()
    assert db.session.scalar(select(OutboxMessage.state)) == OutboxState.sent


def test_a_server_that_is_down_does_not_fail_the_action(app, client):
    app.extensions["mail"].port = 1  # nothing listens there
    app.config["OUTBOX_DELIVERY"] = "background"
    response = post(client, "/auth/reset", {"email": "x@exemple.ca"})
    assert response.status_code == 200
    make_member("y@exemple.ca")
    response = post(client, "/auth/reset", {"email": "y@exemple.ca"})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    app.extensions["outbox_deliverer"].stop()  # it would keep coming back to the dead port


def test_after_the_cap_a_message_is_failed_and_a_coordinator_can_send_it_again(
    app, client, mailbox
):
    queue(to="perdu@exemple.ca")
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    mailbox.refuse = True
    for _ in range(2):
        db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
        deliver_due()
    msg = db.session.scalar(select(OutboxMessage))
    assert msg.state == OutboxState.failed
    mailbox.refuse = False
    login(client, make_coordinator())
    page = client.get("/outbox/?state=failed").get_data(as_text=True)
    assert "perdu@exemple.ca" in page and "451" in page
    response = post(client, f"/outbox/{msg.id}/resend", form_page="/outbox/?state=failed")
    assert response.status_code == 302
    deliver_due()
    assert mailbox.wait_for(1)[0]["To"] == "perdu@exemple.ca"


def test_background_thread_delivers_after_commit(app, client, mailbox):
    app.config["OUTBOX_DELIVERY"] = "background"
    make_member("fond@exemple.ca")
    post(client, "/auth/reset", {"email": "fond@exemple.ca"})
    (msg,) = mailbox.wait_for(1)
    assert msg["To"] == "fond@exemple.ca"


def test_two_senders_never_send_the_same_message_twice(app, mailbox):
    queue(20)
    ids = db.session.scalars(select(OutboxMessage.id)).all()
    barrier = threading.Barrier(2)

    def sender():
        with app.app_context():
            barrier.wait()
            for message_id in ids:
                deliver(message_id)
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    mailbox.wait_for(20)
    time.sleep(0.3)  # a duplicate would arrive right behind
    assert len(mailbox.messages) == 20


def test_emails_have_text_and_html_parts_and_one_line_subjects(mailbox):
    user = make_member("deux@exemple.ca", name="Line\u2028Break")
    from communaute.auth.emails import notify_password_changed

    notify_password_changed(user)
    db.session.commit()
    deliver_due()
    (msg,) = mailbox.wait_for(1)
    assert msg.get_body(("plain",)) is not None
    html = msg.get_body(("html",)).get_content()
    assert '<html lang="fr">' in html
    assert "\n" not in msg["Subject"]


def test_a_subject_in_french_reads_whole_for_each_person_and_travels_in_ascii(mailbox):
    """The same long subject with accents and an emoji, to several people (encoded once,
    kept for the next): each mail app shows it whole; a plain ASCII subject stays as it is."""
    subject = "Inscription confirmée : « Vivre avec la douleur » 🌱 " + "é" * 90
    queue(3)
    first, second, plain = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    first.subject = second.subject = subject
    plain.subject = "Plain subject"
    db.session.commit()
    deliver_due()
    messages = mailbox.wait_for(3)
    assert sorted(str(m["Subject"]) for m in messages) == sorted(
        [subject, subject, "Plain subject"]
    )
    for m in messages:
        [raw] = [value for name, value in m.raw_items() if name == "Subject"]
        assert raw.isascii()
        if str(m["Subject"]) == "Plain subject":
            assert raw.strip() == "Plain subject"
        else:
            assert "=?utf-8?" in raw  # encoded words, which every mail app decodes


def test_member_cannot_see_the_outbox(client):
    login(client, make_member())
    assert client.get("/outbox/").status_code == 403
