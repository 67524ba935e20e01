"""Forgotten password, profile, email change, password change."""

import re

from sqlalchemy import select

from communaute.auth.models import User
from communaute.email import OutboxMessage, deliver_due
from communaute.extensions import db
from tests.factories import PASSWORD, login, make_member, post

NEW = "un nouveau mot de passe solide"


def last_link(kind: str) -> str:
    msg = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id.desc())
    ).first()
    assert msg is not None, f"no {kind} email queued"
    return re.search(r"https://communaute\.example(/\S+)", msg.text_body).group(1)


def test_reset_answers_the_same_whether_the_account_exists_or_not(client):
    make_member("vrai@exemple.ca")
    known = post(client, "/auth/reset", {"email": "vrai@exemple.ca"})
    unknown = post(client, "/auth/reset", {"email": "inconnu@exemple.ca"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: r.get_data(as_text=True).replace("vrai@", "X@").replace("inconnu@", "X@")  # noqa: E731
    assert re.sub(r'value="[^"]+"', "", strip(known)) == re.sub(
        r'value="[^"]+"', "", strip(unknown)
    )
    assert db.session.scalar(select(OutboxMessage.recipient)) == "vrai@exemple.ca"


def test_reset_link_works_once_and_ends_other_sessions(app, client):
    user = make_member("vrai@exemple.ca")
    other_device = app.test_client()
    login(other_device, user)
    post(client, "/auth/reset", {"email": "vrai@exemple.ca"})
    path = last_link("auth.reset")
    assert path.startswith("/auth/reset/")
    response = post(client, path, {"password": NEW, "password_confirm": NEW})
    assert response.status_code == 302
    assert other_device.get("/me").status_code == 302, "the other session is over"
    again = client.get(path)
    assert again.status_code == 400
    assert "déjà servi" in again.get_data(as_text=True)
    assert post(client, "/auth/login", {"email": user.email, "password": NEW}).status_code == 302


def test_reset_link_expires_after_an_hour(app, client, monkeypatch):
    make_member("vrai@exemple.ca")
    post(client, "/auth/reset", {"email": "vrai@exemple.ca"})
    path = last_link("auth.reset")
    import time as real_time

    later = real_time.time() + 3601
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    response = client.get(path)
    assert response.status_code == 400
    assert "expiré" in response.get_data(as_text=True)


def test_links_in_emails_ignore_the_host_header(app, client):
    make_member("vrai@exemple.ca")
    app.config["WTF_CSRF_ENABLED"] = False  # the session cookie is not sent to another host
    response = client.post(
        "/auth/reset", data={"email": "vrai@exemple.ca"}, headers={"Host": "evil.example"}
    )
    assert response.status_code == 200
    body = db.session.scalar(select(OutboxMessage.text_body))
    assert "evil.example" not in body
    assert "https://communaute.example/auth/reset/" in body


def test_common_and_short_passwords_are_refused(client):
    user = make_member()
    login(client, user)
    for bad, message in (
        ("motdepasse123", "trop courant"),
        ("court", "entre 12 et 200"),
        ("aaaaaaaaaaaa", "trop facile"),
    ):
        response = post(
            client,
            "/auth/profile/password",
            {"pw-current_password": PASSWORD, "pw-password": bad, "pw-password_confirm": bad},
            form_page="/auth/profile",
        )
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert post(client, "/auth/login", {"email": user.email, "password": PASSWORD})


def test_change_password_asks_for_the_current_one_and_ends_other_sessions(app, client):
    user = make_member()
    login(client, user)
    other = app.test_client()
    login(other, user)
    wrong = post(
        client,
        "/auth/profile/password",
        {
            "pw-current_password": "pas le bon du tout",
            "pw-password": NEW,
            "pw-password_confirm": NEW,
        },
        form_page="/auth/profile",
    )
    assert "actuel n’est pas le bon" in wrong.get_data(as_text=True)
    ok = post(
        client,
        "/auth/profile/password",
        {"pw-current_password": PASSWORD, "pw-password": NEW, "pw-password_confirm": NEW},
        form_page="/auth/profile",
    )
    assert ok.status_code == 302
    assert client.get("/me").status_code == 200, "this session carries on"
    assert other.get("/me").status_code == 302, "the other one is over"


def test_profile_saves_language_and_accommodations(client):
    user = make_member()
    login(client, user)
    response = post(
        client,
        "/auth/profile",
        {
            "display_name": "Jocelyne 🌷",
            "language": "en",
            "participation": "patient_partner",
            "needs_captions": "y",
            "needs_other": "Une pause aux 30 minutes",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.display_name == "Jocelyne 🌷"
    assert user.language == "en"
    assert user.needs_captions and not user.needs_helper
    assert user.accommodation_labels()[-1] == "Une pause aux 30 minutes"
    page = client.get("/auth/profile").get_data(as_text=True)
    assert '<html lang="en">' in page, "the saved language applies at once"


def test_email_change_waits_for_the_new_address(client):
    user = make_member("ancienne@exemple.ca")
    login(client, user)
    response = post(
        client,
        "/auth/profile/email",
        {"email-new_email": "nouvelle@exemple.ca", "email-current_password": PASSWORD},
        form_page="/auth/profile",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "ancienne@exemple.ca"
    msg = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "auth.confirm_new_email")
    )
    assert msg.recipient == "nouvelle@exemple.ca"
    path = last_link("auth.confirm_new_email")
    assert post(client, path).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "nouvelle@exemple.ca"
    told = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "auth.email_changed")
    )
    assert told.recipient == "ancienne@exemple.ca"


def test_email_change_to_an_address_in_use_is_refused(client):
    make_member("prise@exemple.ca")
    user = make_member("moi@exemple.ca")
    login(client, user)
    response = post(
        client,
        "/auth/profile/email",
        {"email-new_email": "PRISE@exemple.ca", "email-current_password": PASSWORD},
        form_page="/auth/profile",
    )
    assert response.status_code == 400
    assert "Un autre compte utilise déjà" in response.get_data(as_text=True)


def test_password_changed_email_is_delivered_in_the_members_language(client, mailbox):
    user = make_member(language="en")
    login(client, user)
    post(
        client,
        "/auth/profile/password",
        {"pw-current_password": PASSWORD, "pw-password": NEW, "pw-password_confirm": NEW},
        form_page="/auth/profile",
    )
    deliver_due()
    (msg,) = mailbox.wait_for(1)
    assert msg["Subject"] == "Your password was changed"
