"""Reminders that run by themselves: the delivery process (the background thread, `flask
outbox worker`) runs the due reminders every REMINDERS_INTERVAL seconds, each sent once
even when two workers run at once; the cron commands stay."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from communaute import create_app
from communaute.db import utcnow
from communaute.email import OutboxMessage, run_due_jobs
from communaute.extensions import db
from communaute.trainings import services as trainings
from communaute.webinars import services as webinars
from tests.conftest import make_config
from tests.factories import make_member
from tests.main.test_outbox_workers import finish, start_workers
from tests.trainings.conftest import make_course, make_session
from tests.webinars.conftest import make_webinar


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context("/"):
        yield


def due_reminders():
    """A training session and a webinar starting within 24 h, one person each; the
    confirmation emails are out of the way."""
    soon = utcnow() + timedelta(hours=20)
    session = make_session(
        make_course(title="Cours bientôt"), starts_at=soon, ends_at=soon + timedelta(hours=2)
    )
    trainings.register_for_session(session, member=make_member("formation@exemple.ca"))
    webinar = make_webinar(days=0.5)
    webinars.sign_up_guest(webinar, email="webinaire@exemple.ca", name="Invitée")
    db.session.execute(delete(OutboxMessage))
    db.session.commit()


def reminder_kinds():
    db.session.expire_all()
    return sorted(db.session.scalars(select(OutboxMessage.kind)))


def test_a_pass_queues_each_due_reminder_once_and_waits_for_the_interval(app):
    due_reminders()
    assert run_due_jobs() == {"trainings.reminders": 1, "webinars.reminders": 1}
    assert reminder_kinds() == ["trainings.reminder", "webinars.reminder"]
    assert run_due_jobs() == {}  # the interval has not passed
    app.extensions["periodic_jobs"]["next"] = 0  # it has now
    assert run_due_jobs() == {"trainings.reminders": 0, "webinars.reminders": 0}
    assert reminder_kinds() == ["trainings.reminder", "webinars.reminder"]


def test_interval_zero_leaves_reminders_to_cron(app):
    due_reminders()
    app.config["REMINDERS_INTERVAL"] = 0
    assert run_due_jobs() == {}
    assert reminder_kinds() == []


def test_two_worker_processes_send_each_reminder_once(app, database_url, mailbox):
    due_reminders()
    said = finish(start_workers(database_url, mailbox.port))
    messages = mailbox.wait_for(2, timeout=30)
    time.sleep(0.5)  # anything sent twice would have arrived by now
    per_address = Counter(m["To"] for m in mailbox.messages)
    assert per_address == {"formation@exemple.ca": 1, "webinaire@exemple.ca": 1}, said
    assert all(m["Subject"].startswith("Rappel") for m in messages)


def test_the_background_thread_of_make_run_sends_them(app, database_url, smtp_server, mailbox):
    due_reminders()
    web = create_app(
        make_config(
            database_url,
            smtp_server.port,
            INSTANCE_PATH=app.instance_path,
            OUTBOX_DELIVERY="background",
            REMINDERS_INTERVAL=3600,
        )
    )
    try:
        assert web.test_client().get("/healthz").status_code == 200  # the first request
        messages = mailbox.wait_for(2, timeout=15)
        assert Counter(m["To"] for m in messages) == {
            "formation@exemple.ca": 1,
            "webinaire@exemple.ca": 1,
        }
    finally:
        web.extensions["outbox_deliverer"].stop()
        with web.app_context():
            db.engine.dispose()
