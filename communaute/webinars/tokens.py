"""The cancellation link of a sign-up: no login needed, and it names one sign-up only."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from communaute.errors import DomainError
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l
from communaute.webinars.models import Signup

#: A cancellation link works this long (it names the sign-up and its address).
CANCEL_MAX_AGE = 180 * 24 * 3600


class TokenError(DomainError):
    pass


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt="communaute.webinars.cancel"
    )


def _fingerprint(signup: Signup) -> str:
    """The address and the moment of this sign-up: a link made before the person cancelled
    and signed up again names the earlier sign-up, not the new one."""
    joined = signup.joined_at.isoformat() if signup.joined_at else ""
    return hashlib.sha256(f"{signup.email}\n{joined}".encode()).hexdigest()[:16]


def _names(data: dict, signup: Signup) -> bool:
    if "j" in data:
        return data["j"] == _fingerprint(signup)
    # A link sent before links named the moment (address only) still works for a sign-up
    # that was never cancelled and made again since.
    legacy = hashlib.sha256(signup.email.encode()).hexdigest()[:16]
    return data.get("f") == legacy and signup.joined_at == signup.created_at


def make_cancel_token(signup: Signup) -> str:
    """A signed link naming the sign-up, its address and when it was made."""
    return _serializer().dumps({"s": signup.id, "j": _fingerprint(signup)})


def signup_for_token(token: str, *, max_age: int = CANCEL_MAX_AGE) -> Signup:
    """The sign-up a valid cancellation token names. Raises TokenError otherwise."""
    invalid = _l("This link is not valid. Check that you copied it whole.")
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError(_l("This link has expired.")) from exc
    except BadSignature as exc:
        raise TokenError(invalid) from exc
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise TokenError(invalid)
    signup = db.session.get(Signup, data["s"]) if 0 < data["s"] < 2**31 else None
    if signup is None or not _names(data, signup):
        raise TokenError(
            _l(
                "This link belongs to a sign-up that no longer exists. "
                "Use the link in your latest email."
            )
        )
    return signup
