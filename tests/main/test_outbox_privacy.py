"""The outbox holds personal data too: exported, erased, and not kept longer than needed."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from communaute.db import utcnow
from communaute.email import OutboxMessage, OutboxState, deliver_due, queue_email
from communaute.extensions import db
from tests.factories import PASSWORD, csrf_token, login, make_coordinator, make_member, post
from tests.webinars.conftest import make_webinar


def guest_sign_up(client, webinar, email):
    token = csrf_token(client, f"/webinars/{webinar.id}")
    response = client.post(
        f"/webinars/{webinar.id}/signup",
        data={"csrf_token": token, "name": "Léa Côté", "email": email, "language": "fr"},
    )
    assert response.status_code == 302


def rows_to(address: str) -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage).where(func.lower(OutboxMessage.recipient) == address)
    ).all()


def test_emails_sent_to_my_address_before_my_account_are_in_my_export(app, client):
    guest_sign_up(app.test_client(), make_webinar(), "Lea@Exemple.ca")
    (confirmation,) = rows_to("lea@exemple.ca")
    assert confirmation.user_id is None, "sent to a guest: no account then"
    queue_email(kind="test", to=" LEA@exemple.CA", language="fr", template="auth/emails/deleted")
    queue_email(kind="other", to="autre@exemple.ca", language="fr", template="auth/emails/deleted")
    db.session.commit()

    login(client, make_member("lea@exemple.ca"))
    data = json.loads(client.get("/auth/export").get_data(as_text=True))
    assert [(e["kind"], e["to"]) for e in data["emails"]] == [
        ("webinars.confirmed", "lea@exemple.ca"),
        ("test", "lea@exemple.ca"),
    ]


def test_deleting_my_account_erases_them_and_the_goodbye_leaves_no_trace(app, client, mailbox):
    guest_sign_up(app.test_client(), make_webinar(), "partir@exemple.ca")
    make_member("reste@exemple.ca")
    guest_sign_up(app.test_client(), make_webinar(), "reste@exemple.ca")
    login(client, make_member("partir@exemple.ca"))
    response = post(client, "/auth/delete", {"password": PASSWORD, "understand": "y"})
    assert response.status_code == 302

    (goodbye,) = rows_to("partir@exemple.ca")
    assert goodbye.kind == "auth.deleted"
    assert deliver_due().sent == 2  # the goodbye, and the other person's confirmation
    assert [m["To"] for m in mailbox.wait_for(2)].count("partir@exemple.ca") == 1
    db.session.expire_all()
    assert rows_to("partir@exemple.ca") == [], "once sent, the goodbye row is gone too"
    assert len(rows_to("reste@exemple.ca")) == 1, "another person's emails stay"


def test_a_goodbye_that_fails_stays_until_it_leaves(app, client, mailbox):
    login(client, make_member("partir@exemple.ca"))
    post(client, "/auth/delete", {"password": PASSWORD, "understand": "y"})
    mailbox.refuse = True
    deliver_due()
    (goodbye,) = rows_to("partir@exemple.ca")
    assert goodbye.state == OutboxState.pending and goodbye.attempts == 1
    mailbox.refuse = False
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert deliver_due().sent == 1
    db.session.expire_all()
    assert rows_to("partir@exemple.ca") == []


# Retention ------------------------------------------------------------------------------


def aged(to: str, state: OutboxState, days: float) -> int:
    msg = queue_email(kind="test", to=to, language="fr", template="auth/emails/deleted")
    db.session.flush()
    when = utcnow() - timedelta(days=days)
    msg.state, msg.created_at = state, when
    msg.sent_at = when if state == OutboxState.sent else None
    db.session.commit()
    return msg.id


def body(message_id: int) -> tuple:
    db.session.expire_all()
    m = db.session.get(OutboxMessage, message_id)
    return (m.text_body, m.html_body, m.attachments, m.purged_at is not None)


def test_the_worker_deletes_the_text_of_emails_sent_more_than_30_days_ago(app):
    old = aged("vieux@exemple.ca", OutboxState.sent, days=31)
    recent = aged("recent@exemple.ca", OutboxState.sent, days=29)
    failed = aged("echec@exemple.ca", OutboxState.failed, days=90)
    result = app.test_cli_runner().invoke(args=["outbox", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert body(old) == ("", "", [], True)
    kept = body(recent)
    assert "compte" in kept[0] and "<html" in kept[1] and kept[3] is False
    assert body(failed)[0] != "", "a failed email keeps its text until resent or dismissed"
    m = db.session.get(OutboxMessage, old)
    assert (m.recipient, m.state) == ("vieux@exemple.ca", OutboxState.sent), "the record stays"


class TestARetentionOfAWeek:
    @pytest.fixture
    def app_config(self):
        return {"OUTBOX_RETENTION_DAYS": 7}

    def test_the_retention_is_a_setting(self, app):
        old = aged("huit@exemple.ca", OutboxState.sent, days=8)
        recent = aged("six@exemple.ca", OutboxState.sent, days=6)
        deliver_due()
        assert body(old)[3] is True
        assert body(recent)[3] is False


def test_a_purged_email_cannot_be_sent_again(app, client):
    old = aged("vieux@exemple.ca", OutboxState.sent, days=400)
    deliver_due()
    login(client, make_coordinator())
    page = client.get("/outbox/?state=sent").get_data(as_text=True)
    assert f'action="/outbox/{old}/resend"' not in page
    assert "Texte supprimé le" in page
    response = post(client, f"/outbox/{old}/resend", form_page="/outbox/?state=sent")
    assert response.status_code == 302
    assert "ne peut pas être renvoyé" in client.get("/outbox/").get_data(as_text=True)
    assert db.session.get(OutboxMessage, old).state == OutboxState.sent


# Dismiss --------------------------------------------------------------------------------


def test_a_coordinator_dismisses_a_failed_email(app, client):
    failed = aged("perdu@exemple.ca", OutboxState.failed, days=2)
    login(client, make_coordinator())
    page = client.get("/outbox/?state=failed").get_data(as_text=True)
    assert f'action="/outbox/{failed}/dismiss"' in page
    assert f'action="/outbox/{failed}/resend"' in page
    response = post(client, f"/outbox/{failed}/dismiss", form_page="/outbox/?state=failed")
    assert response.status_code == 302
    after = client.get("/outbox/?state=failed").get_data(as_text=True)
    assert "perdu@exemple.ca ne sera pas envoyé" in after
    assert "<td>perdu@exemple.ca</td>" not in after, "out of the failed list"
    assert "<td>perdu@exemple.ca</td>" in client.get("/outbox/?state=dismissed").get_data(
        as_text=True
    )
    assert body(failed) == ("", "", [], True)
    assert db.session.get(OutboxMessage, failed).state == OutboxState.dismissed


def test_only_a_coordinator_dismisses_and_only_a_failed_email(app, client):
    pending = aged("attente@exemple.ca", OutboxState.pending, days=0)
    failed = aged("perdu@exemple.ca", OutboxState.failed, days=1)
    login(client, make_member())
    assert post(client, f"/outbox/{failed}/dismiss", form_page="/me").status_code == 403
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/me")})
    login(client, make_coordinator())
    post(client, f"/outbox/{pending}/dismiss", form_page="/outbox/")
    assert db.session.get(OutboxMessage, pending).state == OutboxState.pending
    assert db.session.get(OutboxMessage, failed).state == OutboxState.failed


def test_the_migration_goes_down_and_up_again(app):
    """0006_hardening: the downgrade leaves a schema the previous code can use."""
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    dismissed = aged("perdu@exemple.ca", OutboxState.failed, days=1)
    db.session.execute(
        update(OutboxMessage).values(state=OutboxState.dismissed, purged_at=utcnow())
    )
    db.session.commit()
    db.session.remove()
    downgrade(revision="0005_seats_core")  # the revision before 0006_hardening
    try:
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("outbox_messages")}
        assert {"forget_when_sent", "purged_at"} & columns == set()
        with db.engine.connect() as conn:
            state = conn.execute(sa.text("SELECT state FROM outbox_messages")).scalar()
        assert state == "failed"
    finally:
        upgrade()
    assert db.session.get(OutboxMessage, dismissed).forget_when_sent is False


def test_an_unconfirmed_account_with_a_guests_address_neither_reads_nor_erases_her_emails(
    app, client
):
    """Anyone may open an account with someone else's address; it proves nothing."""
    guest_sign_up(app.test_client(), make_webinar(), "lea@exemple.ca")
    login(client, make_member("lea@exemple.ca", confirmed=False))
    data = json.loads(client.get("/auth/export").get_data(as_text=True))
    assert [e["kind"] for e in data["emails"]] == []
    post(client, "/auth/delete", {"password": PASSWORD, "understand": "y"})
    kinds = sorted(m.kind for m in rows_to("lea@exemple.ca"))
    assert kinds == ["auth.deleted", "webinars.confirmed"], "the guest's email is still hers"


def test_emails_of_another_account_at_the_same_address_stay_theirs(app, client):
    before = make_member("ancien@exemple.ca")
    queue_email(
        kind="test",
        to="ancien@exemple.ca",
        user_id=before.id,
        language="fr",
        template="auth/emails/deleted",
    )
    before.email = "nouveau@exemple.ca"  # gave the address up
    db.session.commit()
    login(client, make_member("ancien@exemple.ca"))
    data = json.loads(client.get("/auth/export").get_data(as_text=True))
    assert data["emails"] == []
