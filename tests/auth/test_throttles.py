"""Throttles: the endpoints that check a password, and every endpoint that emails an address
the requester typed (limited per requester and per recipient)."""

import pytest
from sqlalchemy import func, select

from communaute.email import OutboxMessage
from communaute.extensions import db
from tests.factories import PASSWORD, csrf_token, login, make_member, post
from tests.webinars.conftest import make_webinar

TOO_MANY = "Trop d’essais"


def queued(kind: str, to: str | None = None) -> int:
    query = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == kind)
    if to:
        query = query.where(OutboxMessage.recipient == to)
    return db.session.scalar(query)


WRONG_CURRENT = {
    "/auth/profile/password": lambda: {
        "pw-current_password": "pas le bon mot de passe",
        "pw-password": "un nouveau mot de passe solide",
        "pw-password_confirm": "un nouveau mot de passe solide",
    },
    "/auth/profile/email": lambda: {
        "email-new_email": "ailleurs@exemple.ca",
        "email-current_password": "pas le bon mot de passe",
    },
    "/auth/delete": lambda: {"password": "pas le bon mot de passe", "understand": "y"},
}


@pytest.mark.parametrize("path", list(WRONG_CURRENT))
def test_wrong_current_passwords_meet_a_clear_429(client, path):
    user = make_member()
    login(client, user)
    token = csrf_token(client, "/auth/profile")
    codes = []
    for _ in range(25):
        response = client.post(path, data={**WRONG_CURRENT[path](), "csrf_token": token})
        codes.append(response.status_code)
    assert 429 in codes, codes
    assert codes[0] != 429, "the first wrong password gets its message, not a 429"
    assert response.status_code == 429
    assert TOO_MANY in response.get_data(as_text=True)


def test_the_right_password_still_works_after_a_few_typos(client):
    user = make_member()
    login(client, user)
    token = csrf_token(client, "/auth/profile")
    for _ in range(3):
        client.post("/auth/delete", data={**WRONG_CURRENT["/auth/delete"](), "csrf_token": token})
    response = client.post(
        "/auth/profile/email",
        data={
            "email-new_email": "ailleurs@exemple.ca",
            "email-current_password": PASSWORD,
            "csrf_token": token,
        },
    )
    assert response.status_code == 302


def test_email_change_cannot_send_25_confirmations_to_arbitrary_addresses(client):
    user = make_member()
    login(client, user)
    token = csrf_token(client, "/auth/profile")
    codes = []
    for n in range(25):
        response = client.post(
            "/auth/profile/email",
            data={
                "email-new_email": f"victime{n}@exemple.ca",
                "email-current_password": PASSWORD,
                "csrf_token": token,
            },
        )
        codes.append(response.status_code)
    assert codes[0] == 302
    assert codes[-1] == 429
    assert queued("auth.confirm_new_email") <= 10


def _from(n: int) -> dict:
    """A request from another client address (another requester)."""
    return {"REMOTE_ADDR": f"203.0.113.{n}"}


def test_reset_emails_to_one_address_are_limited_whoever_asks(client):
    make_member("victime@exemple.ca")
    token = csrf_token(client, "/auth/reset")
    codes = [
        client.post(
            "/auth/reset",
            data={"email": "victime@exemple.ca", "csrf_token": token},
            environ_base=_from(n),
        ).status_code
        for n in range(1, 26)
    ]
    assert codes[0] == 200
    assert codes[-1] == 429
    assert queued("auth.reset", "victime@exemple.ca") <= 5
    other = client.post(
        "/auth/reset",
        data={"email": "autre@exemple.ca", "csrf_token": token},
        environ_base=_from(99),
    )
    assert other.status_code == 200, "another address is not held back"


def test_the_recipient_limit_ignores_case_and_unicode_form(client):
    make_member("hélène@exemple.ca")
    token = csrf_token(client, "/auth/reset")
    spellings = ["hélène@exemple.ca", "HÉLÈNE@exemple.ca", "he\u0301le\u0300ne@exemple.ca"]
    codes = [
        client.post(
            "/auth/reset",
            data={"email": spellings[n % 3], "csrf_token": token},
            environ_base=_from(n),
        ).status_code
        for n in range(1, 26)
    ]
    assert codes[-1] == 429


def test_email_change_to_one_address_is_limited_across_accounts(app):
    codes = []
    for n in range(25):
        client = app.test_client()
        client.environ_base.update(_from(n + 1))
        login(client, make_member())
        response = client.post(
            "/auth/profile/email",
            data={
                "email-new_email": "victime@exemple.ca",
                "email-current_password": PASSWORD,
                "csrf_token": csrf_token(client, "/auth/profile"),
            },
        )
        codes.append(response.status_code)
    assert codes[0] == 302
    assert codes[-1] == 429
    assert queued("auth.confirm_new_email", "victime@exemple.ca") <= 5


def test_register_is_limited_per_recipient(app):
    from tests.auth.test_accounts import GOOD

    codes = []
    for n in range(1, 26):
        client = app.test_client()  # each time a new visitor, from another address
        client.environ_base.update(_from(n))
        data = {**GOOD, "email": "victime@exemple.ca"}
        codes.append(post(client, "/auth/register", data).status_code)
    assert codes[0] == 302
    assert codes[-1] == 429


def test_guest_signups_for_one_address_are_limited_whoever_asks(client):
    webinar = make_webinar()
    path = f"/webinars/{webinar.id}/signup"
    token = csrf_token(client, f"/webinars/{webinar.id}")
    codes = [
        client.post(
            path,
            data={
                "name": "Invitée",
                "email": "victime@exemple.ca",
                "language": "fr",
                "csrf_token": token,
            },
            environ_base=_from(n),
        ).status_code
        for n in range(1, 26)
    ]
    assert codes[0] == 302
    assert codes[-1] == 429
    sent = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.recipient == "victime@exemple.ca")
    )
    assert sent <= 10
