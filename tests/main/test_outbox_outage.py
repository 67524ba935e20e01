"""The SMTP server down, then back: nothing counted against the emails, none lost, none twice.

A server that cannot be reached is not the message's fault: the message goes back to the
queue as it was (attempts unchanged), the pass stops, and the sender waits its own short
backoff (OUTBOX_OUTAGE_BACKOFF). A message the server refuses still counts.
"""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from communaute.db import utcnow
from communaute.email import (
    CLAIM_TIMEOUT,
    OutboxMessage,
    OutboxState,
    deliver_due,
    queue_email,
)
from communaute.extensions import db
from tests.conftest import Mailbox, free_port

pytestmark = pytest.mark.usefixtures("app")


class LateSmtp(Mailbox):
    """A real SMTP server on a port of its own: down until start(), and after stop().

    It refuses (550) recipients whose address starts with "refuse" and drops the
    connection on those starting with "drop", counting how often each was offered. With
    ``per_connection`` set, it closes a connection (421) after that many messages.
    """

    def __init__(self):
        super().__init__()
        self.port = free_port()
        self.controller = None
        self.offered = Counter()
        self.per_connection = None
        #: With per_connection: the server goes down when it closes the first connection.
        self.down_after_connection = False
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        done = getattr(session, "messages", 0)
        if self.per_connection is not None and done >= self.per_connection:
            if self.down_after_connection:
                self.controller.server.close()  # listens no more: the next connection fails
            server.transport.close()
            return "421 4.7.0 Too many messages, closing"
        session.messages = done + 1
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.offered[address] += 1
        if address.startswith("refuse"):
            return "550 5.1.1 Unknown user"
        if address.startswith("drop"):
            server.transport.close()
            return "421 Closing"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def late_smtp():
    box = LateSmtp()
    yield box
    box.stop()


@pytest.fixture
def app_config(late_smtp):
    return {"MAIL_PORT": late_smtp.port, "OUTBOX_OUTAGE_BACKOFF": (0.1, 0.4)}


def queue(*addresses):
    for to in addresses:
        queue_email(kind="test", to=to, language="fr", template="auth/emails/deleted")
    db.session.commit()


def rows():
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def addresses(n):
    return [f"personne{i}@exemple.ca" for i in range(n)]


def assert_each_once(box, expected):
    messages = box.wait_for(len(expected))
    assert Counter(m["To"] for m in messages) == Counter(expected)


def test_a_server_that_is_down_counts_nothing_and_everything_leaves_when_it_is_back(late_smtp):
    queue(*addresses(5))
    run = deliver_due()
    assert (run.sent, run.failed) == (0, 0)
    assert "ConnectionRefusedError" in run.outage
    first, *others = rows()
    assert {m.state for m in rows()} == {OutboxState.pending}
    assert {m.attempts for m in rows()} == {0}, "an outage is not the message's fault"
    assert all(m.next_attempt_at <= utcnow() for m in rows()), "due again at once"
    assert "ConnectionRefusedError" in first.last_error, "shown in /outbox/"
    assert {m.last_error for m in others} == {None}, "the pass stopped at the first failure"

    assert deliver_due().outage, "still down"
    late_smtp.start()
    assert deliver_due() == (5, 0, None)
    assert_each_once(late_smtp, addresses(5))
    assert {(m.state, m.attempts, m.last_error) for m in rows()} == {(OutboxState.sent, 1, None)}


def test_a_refused_recipient_counts_and_fails_at_the_cap_without_stopping_the_others(
    app, late_smtp
):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    late_smtp.start()
    queue("refuse@exemple.ca", *addresses(2))
    assert deliver_due() == (2, 1, None)
    refused = rows()[0]
    assert refused.state == OutboxState.pending and refused.attempts == 1
    assert "550" in refused.last_error
    assert refused.next_attempt_at > utcnow() + timedelta(seconds=30), "per-message backoff"
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert deliver_due() == (0, 1, None)
    refused = rows()[0]
    assert refused.state == OutboxState.failed and refused.attempts == 2
    assert_each_once(late_smtp, addresses(2))


def test_a_message_the_server_keeps_dropping_counts_and_does_not_hold_up_the_queue(late_smtp):
    late_smtp.start()
    queue("drop@exemple.ca", *addresses(2))
    assert deliver_due() == (2, 1, None)
    dropped = rows()[0]
    assert dropped.state == OutboxState.pending and dropped.attempts == 1
    assert "SMTPServerDisconnected" in dropped.last_error
    assert late_smtp.offered["drop@exemple.ca"] == 2, "tried once more on a new connection"
    assert_each_once(late_smtp, addresses(2))


def test_one_connection_carries_the_pass_and_a_server_closing_it_costs_a_reconnection(
    late_smtp,
):
    late_smtp.start()
    late_smtp.per_connection = 3
    queue(*addresses(7))
    assert deliver_due() == (7, 0, None)
    assert_each_once(late_smtp, addresses(7))
    assert late_smtp.connections == 3, "3 + 3 + 1 messages"
    assert {(m.state, m.attempts) for m in rows()} == {(OutboxState.sent, 1)}


def test_what_was_sent_before_the_server_went_down_is_recorded_sent_and_never_sent_again(
    late_smtp,
):
    """The messages the server accepted are recorded with their chunk: a server going down in
    the middle of one leaves those recorded sent and the rest waiting, none counted."""
    late_smtp.start()
    late_smtp.per_connection, late_smtp.down_after_connection = 3, True
    queue(*addresses(5))
    run = deliver_due()
    assert (run.sent, run.failed) == (3, 0) and run.outage
    assert [(m.state, m.attempts) for m in rows()] == [(OutboxState.sent, 1)] * 3 + [
        (OutboxState.pending, 0)
    ] * 2
    assert all(m.sent_at is not None for m in rows()[:3])
    late_smtp.stop()
    late_smtp.per_connection = None
    late_smtp.start()
    assert deliver_due() == (2, 0, None)
    assert_each_once(late_smtp, addresses(5))
    assert {(m.state, m.attempts) for m in rows()} == {(OutboxState.sent, 1)}


def test_a_message_claimed_by_a_sender_that_died_is_taken_up_after_the_claim_timeout(
    late_smtp,
):
    late_smtp.start()
    queue("recent@exemple.ca", "stale@exemple.ca")
    db.session.execute(update(OutboxMessage).values(state=OutboxState.sending))
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.recipient == "stale@exemple.ca")
        .values(next_attempt_at=utcnow() - CLAIM_TIMEOUT - timedelta(seconds=1))
    )
    db.session.commit()
    assert deliver_due() == (1, 0, None)
    assert_each_once(late_smtp, ["stale@exemple.ca"])
    assert [m.state for m in rows()] == [OutboxState.sending, OutboxState.sent]


def test_the_background_thread_comes_back_by_itself_when_the_server_returns(app, late_smtp):
    app.config["OUTBOX_DELIVERY"] = "background"
    deliverer = app.extensions["outbox_deliverer"]
    try:
        queue(*addresses(3))  # the commit wakes the thread, which finds the server down
        deadline = time.monotonic() + 5
        # The message being sent is put back with the error, then the rest of its chunk.
        while time.monotonic() < deadline:
            now = rows()
            if any(m.last_error for m in now) and all(m.state != OutboxState.sending for m in now):
                break
            time.sleep(0.05)
        assert {(m.state, m.attempts) for m in rows()} == {(OutboxState.pending, 0)}
        late_smtp.start()  # no new commit: the thread tries again on its own
        assert_each_once(late_smtp, addresses(3))
    finally:
        deliverer.stop()
    assert {m.state for m in rows()} == {OutboxState.sent}


def test_the_worker_waits_out_the_outage_then_delivers_everything(app, late_smtp):
    queue(*addresses(4))
    threading.Timer(1.0, late_smtp.start).start()
    result = app.test_cli_runner().invoke(
        args=["outbox", "worker", "--once", "--interval", "0.05", "--outage-backoff", "0.1", "0.4"]
    )
    assert result.exit_code == 0, result.output
    assert "Serveur SMTP injoignable" in result.output
    assert "4 envoyé(s), 0 en échec." in result.output
    assert_each_once(late_smtp, addresses(4))
    assert {(m.state, m.attempts) for m in rows()} == {(OutboxState.sent, 1)}
