"""Factories: members, coordinators and logged-in clients without copy-paste."""

from __future__ import annotations

import itertools
import re

import pyotp
from sqlalchemy import update

from communaute.auth.models import Role, User
from communaute.auth.services import hash_password, record_consent
from communaute.db import utcnow
from communaute.extensions import db

PASSWORD = "une-longue-phrase-de-passe"
#: The second factor's key of every coordinator made here (make_coordinator).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_HASH: str | None = None
_counter = itertools.count(1)


def _hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    return _HASH


def make_member(
    email: str | None = None,
    *,
    name: str = "Membre Test",
    confirmed: bool = True,
    language: str = "fr",
    role: Role = Role.member,
    commit: bool = True,
    **fields,
) -> User:
    n = next(_counter)
    user = User(
        email=email or f"membre{n}@exemple.ca",
        display_name=name,
        password_hash=_hash(),
        language=language,
        role=role,
        confirmed_at=utcnow() if confirmed else None,
        **fields,
    )
    db.session.add(user)
    record_consent(user, "privacy_policy", granted=True, version="2026-11", text="test")
    if commit:
        db.session.commit()
    return user


def make_coordinator(email: str | None = None, *, second_factor: bool = True, **kw) -> User:
    """A coordinator whose second factor is set up with TOTP_SECRET (``second_factor=False``:
    one who will be sent to enrolment at login)."""
    if second_factor:
        kw.setdefault("totp_secret", TOTP_SECRET)
        kw.setdefault("totp_enabled_at", utcnow())
    return make_member(email, role=Role.coordinator, name=kw.pop("name", "Coordination"), **kw)


def fresh_code(user_id: int, secret: str = TOTP_SECRET) -> str:
    """The app's code of now, made usable again for this account.

    A code is accepted once per 30-second step; tests log the same coordinator in several
    times within one step, so the last accepted step is forgotten first (as if the previous
    login were more than a minute old).
    """
    db.session.execute(update(User).where(User.id == user_id).values(totp_last_step=None))
    db.session.commit()
    return pyotp.TOTP(secret).now()


#: The CSRF token in a page's forms (the hidden field, as Flask-WTF and our macro write it).
CSRF_FIELD = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def token_in(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def csrf_token(client, path: str = "/auth/login") -> str:
    return token_in(client.get(path, follow_redirects=True).get_data(as_text=True))


def login(client, user: User, password: str = PASSWORD):
    """Logs ``user`` in; a coordinator gives the code of their second factor too (the two
    steps of their login), so the session is a full coordinator's session."""
    token = csrf_token(client, "/auth/login")
    email, user_id = user.email, user.id
    response = client.post(
        "/auth/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    if response.headers["Location"].startswith("/auth/login/code"):
        response = client.post(
            "/auth/login/code",
            data={
                "code": fresh_code(user_id),
                "csrf_token": csrf_token(client, "/auth/login/code"),
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def post(client, path: str, data: dict | None = None, *, form_page: str | None = None, **kw):
    """POST with a valid CSRF token taken from ``form_page`` (default: the path itself)."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client, form_page or path))
    return client.post(path, data=data, **kw)
