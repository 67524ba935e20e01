"""Addresses with accents: refused where they cannot be delivered, delivered where they can."""

import re
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from communaute.auth.models import User
from communaute.email import OutboxMessage, OutboxState, deliver_due, queue_email
from communaute.extensions import db
from communaute.webinars.models import Signup
from tests.conftest import free_port
from tests.factories import csrf_token
from tests.webinars.conftest import make_webinar

REFUSED = (
    "Nous ne pouvons pas encore envoyer de courriels à une adresse qui a des accents ou "
    "d’autres lettres particulières avant le @. Veuillez utiliser une autre adresse."
)
ACCOUNT = {
    "display_name": "José",
    "password": "les lilas fleurissent en mai",
    "password_confirm": "les lilas fleurissent en mai",
    "language": "fr",
    "participation": "",
    "accept_privacy": "y",
}


def error_of(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', html)
    return match.group(1).strip() if match else ""


def register(client, email):
    data = {**ACCOUNT, "email": email, "csrf_token": csrf_token(client, "/auth/register")}
    return client.post("/auth/register", data=data)


class TestWithoutSmtpUtf8:
    def test_register_refuses_an_address_it_could_never_confirm(self, client):
        response = register(client, "josé@exemple.ca")
        assert response.status_code == 200
        assert error_of(response.get_data(as_text=True), "email") == REFUSED
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0

    def test_guest_sign_up_and_reset_refuse_it_too(self, client):
        webinar = make_webinar()
        token = csrf_token(client, f"/webinars/{webinar.id}")
        signup = client.post(
            f"/webinars/{webinar.id}/signup",
            data={
                "csrf_token": token,
                "name": "José",
                "email": "josé@exemple.ca",
                "language": "fr",
            },
        )
        assert REFUSED in signup.get_data(as_text=True)
        assert db.session.scalar(select(func.count()).select_from(Signup)) == 0
        token = csrf_token(client, "/auth/reset")
        reset = client.post("/auth/reset", data={"csrf_token": token, "email": "josé@exemple.ca"})
        assert error_of(reset.get_data(as_text=True), "email") == REFUSED

    def test_an_accent_in_the_domain_is_fine_and_delivered(self, client, mailbox):
        assert register(client, "lea@café.ca").status_code == 302
        assert db.session.scalar(select(User.email)) == "lea@café.ca"
        assert deliver_due() == (1, 0, None)
        (msg,) = mailbox.wait_for(1)
        assert msg["To"] == "lea@xn--caf-dma.ca"

    def test_an_old_row_for_such_an_address_fails_at_once_and_the_rest_leaves(self, app, mailbox):
        for to in ("josé@exemple.ca", "ok@exemple.ca"):
            queue_email(kind="test", to=to, language="fr", template="auth/emails/deleted")
        db.session.commit()
        assert deliver_due() == (1, 1, None)
        failed = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.recipient != "ok@exemple.ca")
        )
        assert failed.state == OutboxState.failed, "no point in 8 retries"
        assert failed.attempts == 1
        assert "MAIL_SMTPUTF8" in failed.last_error
        assert [m["To"] for m in mailbox.wait_for(1)] == ["ok@exemple.ca"]


class Utf8Mailbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def utf8_smtp():
    box = Utf8Mailbox()
    box.port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port, enable_SMTPUTF8=True)
    controller.start()
    yield box
    controller.stop()


class TestWithSmtpUtf8:
    @pytest.fixture
    def app_config(self, utf8_smtp):
        return {"MAIL_SMTPUTF8": True, "MAIL_PORT": utf8_smtp.port}

    def test_the_address_is_accepted_and_the_confirmation_arrives(self, client, utf8_smtp):
        assert register(client, "josé@exemple.ca").status_code == 302
        assert db.session.scalar(select(User.email)) == "josé@exemple.ca"
        assert deliver_due() == (1, 0, None)
        (envelope,) = utf8_smtp.envelopes
        assert envelope.rcpt_tos == ["josé@exemple.ca"]
        assert "SMTPUTF8" in envelope.mail_options
        received = message_from_bytes(envelope.original_content, policy=policy.default)
        assert received["To"] == "josé@exemple.ca"
        assert "Bonjour José" in received.get_body(("plain",)).get_content()
