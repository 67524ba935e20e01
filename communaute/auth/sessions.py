"""How long a login lasts, and the half-login between a coordinator's password and code.

| who                              | logged out after, without activity | logged out after, at most |
|----------------------------------|------------------------------------|---------------------------|
| member, "keep me logged in"      | (never)                            | 30 days                   |
| member                           | 2 hours                            | 12 hours                  |
| coordinator (remember-me or not) | 30 minutes                         | 12 hours                  |

The times are stamps in the session cookie, which is signed with ``SECRET_KEY``: the browser
can neither move them nor forge them, and no server keeps anything. "Keep me logged in" makes
the session cookie outlive the browser (``session.permanent``, ``PERMANENT_SESSION_LIFETIME``);
Flask-Login's own remember-me cookie is not used. A session without stamps (made before
these rules, or by hand) is over. Logging out anywhere still ends every session of the account:
the session names the account by its session token (``User.session_token``).

A coordinator's password opens no session: it starts a *pending login* (the account, its
session token, the remember-me choice, where to go next) that lives 15 minutes, until the code
is right or the second factor is set up.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import timedelta

from communaute.auth.models import User
from communaute.extensions import db

REMEMBER_AT_MOST = timedelta(days=30)
MEMBER_AT_MOST = timedelta(hours=12)
MEMBER_IDLE = timedelta(hours=2)
COORDINATOR_AT_MOST = timedelta(hours=12)
COORDINATOR_IDLE = timedelta(minutes=30)
#: The idle stamp is rewritten at most this often (the cookie is not re-sent on every request).
TOUCH_EVERY = 60
PENDING_FOR = timedelta(minutes=15)

LOGIN_AT = "login_at"
SEEN_AT = "seen_at"
#: True once this session gave a second-factor code (or set the second factor up).
SECOND_FACTOR = "second_factor"
PENDING = "pending_login"


def limits(user: User, *, remember: bool) -> tuple[timedelta, timedelta | None]:
    """(at most, idle) for this account and choice; idle None: no idle timeout."""
    if user.is_coordinator:
        return COORDINATOR_AT_MOST, COORDINATOR_IDLE
    if remember:
        return REMEMBER_AT_MOST, None
    return MEMBER_AT_MOST, MEMBER_IDLE


def begin(session, *, remember: bool, second_factor: bool, now: float) -> None:
    """Stamps a session that Flask-Login just logged in."""
    session.permanent = bool(remember)
    session[LOGIN_AT] = int(now)
    session[SEEN_AT] = int(now)
    session[SECOND_FACTOR] = bool(second_factor)


def expired(session, user: User, now: float) -> bool:
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return True
    at_most, idle = limits(user, remember=session.permanent)
    if now - login_at > at_most.total_seconds():
        return True
    return idle is not None and now - seen_at > idle.total_seconds()


def touch(session, now: float) -> None:
    if now - session.get(SEEN_AT, 0) >= TOUCH_EVERY:
        session[SEEN_AT] = int(now)


# The pending login of a coordinator -------------------------------------------------------


def begin_pending(
    session: MutableMapping, user: User, *, remember: bool, next_url: str | None, now: float
) -> None:
    session[PENDING] = {
        "user": user.id,
        "token": user.session_token,
        "remember": bool(remember),
        "next": next_url,
        "since": int(now),
    }


def pending_user(session: MutableMapping, now: float) -> User | None:
    """The account whose password was just given here, while the pending login lasts.

    None once it is older than PENDING_FOR, or when the account's session token changed
    meanwhile (password changed, logged out everywhere, second factor reset).
    """
    data = session.get(PENDING)
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    if not isinstance(data.get("since"), int) or now - data["since"] > PENDING_FOR.total_seconds():
        return None
    user = db.session.get(User, data["user"])
    if user is None or user.session_token != data.get("token") or not user.is_coordinator:
        return None
    return user


def pending_choice(session: MutableMapping) -> tuple[bool, str | None]:
    """(remember, next_url) chosen on the login form."""
    data = session.get(PENDING) or {}
    return bool(data.get("remember")), data.get("next")


def pending_account_key(session: MutableMapping) -> str | None:
    data = session.get(PENDING)
    if isinstance(data, dict) and isinstance(data.get("user"), int):
        return f"account:{data['user']}"
    return None
