"""Registration, confirmation, login, logout: the journeys members rely on."""

import re

from sqlalchemy import func, select

from communaute.auth.models import ConsentRecord, User
from communaute.email import OutboxMessage, deliver_due
from communaute.extensions import db
from tests.factories import PASSWORD, csrf_token, login, make_member, post

GOOD = {
    "email": "Alice.Tremblay@Exemple.ca ",
    "display_name": "Alice",
    "password": "les lilas fleurissent en mai",
    "password_confirm": "les lilas fleurissent en mai",
    "language": "fr",
    "participation": "caregiver",
    "accept_privacy": "y",
}


def register(client, **changes):
    data = {**GOOD, **changes}
    return post(client, "/auth/register", data)


def link_in(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"https://communaute\.example(/\S+)", body).group(1)


def test_register_creates_unconfirmed_member_and_sends_confirmation(client, mailbox):
    response = register(client)
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.email == "alice.tremblay@exemple.ca"
    assert not user.is_confirmed
    consent = db.session.scalar(select(ConsentRecord))
    assert consent.purpose == "privacy_policy" and consent.granted and consent.version == "2026-11"
    assert "politique" in consent.text
    deliver_due()
    (msg,) = mailbox.wait_for(1)
    assert msg["To"] == "alice.tremblay@exemple.ca"
    assert msg["Subject"] == "Confirmez votre adresse courriel"
    assert msg.get_body(("html",)) is not None
    assert link_in(msg).startswith("/auth/confirm/")


def test_confirmation_link_needs_a_button_press(client, mailbox):
    register(client)
    deliver_due()
    path = link_in(mailbox.wait_for(1)[0])
    page = client.get(path)
    assert page.status_code == 200
    db.session.expire_all()
    assert not db.session.scalar(select(User)).is_confirmed, "opening the link changed nothing"
    response = post(client, path)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(User)).is_confirmed


def test_tampered_confirmation_link_is_refused(client):
    register(client)
    response = client.get("/auth/confirm/not-a-real-token")
    assert response.status_code == 400
    assert "pas valide" in response.get_data(as_text=True)


def test_same_address_in_another_unicode_form_or_case_is_one_account(client):
    register(client, email="elodie@exemple.ca")
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/me")})
    # "E" + combining acute is the NFD form of "É"
    response = register(client, email="E\u0301LODIE@exemple.ca".replace("E\u0301", "e"))
    assert response.status_code == 200
    assert "déjà" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_nfd_email_is_stored_as_nfc(client):
    # Accents before the @ need MAIL_SMTPUTF8 (tests/main/test_smtputf8.py); in the domain,
    # they are always fine.
    register(client, email="helene@he\u0301le\u0300ne.ca")
    user = db.session.scalar(select(User))
    assert user.email == "helene@h\u00e9l\u00e8ne.ca"


def test_login_is_case_insensitive_and_trimmed(client):
    user = make_member("marc@exemple.ca")
    response = post(
        client,
        "/auth/login",
        {"email": "  MARC@Exemple.CA ", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/me").status_code == 200
    assert user.display_name in client.get("/me").get_data(as_text=True)


def test_wrong_password_does_not_tell_which_part_is_wrong(client):
    make_member("marc@exemple.ca")
    wrong = post(client, "/auth/login", {"email": "marc@exemple.ca", "password": "x" * 12})
    unknown = post(client, "/auth/login", {"email": "nobody@exemple.ca", "password": "x" * 12})
    assert wrong.status_code == unknown.status_code == 200
    message = "L’adresse courriel ou le mot de passe n’est pas le bon."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_next_only_follows_local_paths(client):
    user = make_member()
    for bad in (
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/me")})
        token = csrf_token(client, "/auth/login")
        response = client.post(
            "/auth/login?next=" + bad,
            data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == "/me", bad
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/me")})
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login?next=/auth/profile",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/auth/profile"


def test_logout_ends_a_copied_session_cookie(app, client):
    user = make_member()
    login(client, user)
    thief = app.test_client()
    name = app.config["SESSION_COOKIE_NAME"]  # __Host-session: the public URL is https
    cookie = client.get_cookie(name)
    thief.set_cookie(name, cookie.value)
    assert thief.get("/me").status_code == 200, "the copied cookie works before logout"
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/me")})
    assert thief.get("/me").status_code == 302, "and stops working after it"


def test_logout_needs_post(client):
    user = make_member()
    login(client, user)
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/me").status_code == 200


def test_unconfirmed_member_can_ask_for_the_link_again(client, mailbox):
    register(client)
    response = post(client, "/auth/confirm/resend", form_page="/me")
    assert response.status_code == 302
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == "auth.confirm")
        )
        == 2
    )


def test_english_member_gets_english_email(client, mailbox):
    register(client, language="en")
    deliver_due()
    (msg,) = mailbox.wait_for(1)
    assert msg["Subject"] == "Confirm your email address"
    assert "Bonjour" not in msg.get_body(("plain",)).get_content()
