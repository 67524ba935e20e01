"""The second factor of coordinators: a code from an authentication app (TOTP, RFC 6238).

Enrolment shows a new key as a QR code (drawn here by segno, no script from elsewhere) and as
text to type by hand; the second factor is on once a code from the app proves the app holds the
key. Ten recovery codes are given then, shown once, stored as Argon2 hashes, each good once.
A code is accepted 30 seconds either side of now (phones drift), and never twice: the time
step of the last accepted code is kept, and no code of that step or an earlier one opens a
session again. Another coordinator can reset someone's second factor; they enrol again at
their next login.

These functions flush, never commit. A refused code raises ``SecondFactorError``, whose
``event`` the view writes to the security log after the rollback.
"""

from __future__ import annotations

import secrets
import time
import unicodedata
from datetime import UTC, datetime

import pyotp
import segno
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete

from communaute.audit import EventKind, record_event
from communaute.auth import emails
from communaute.auth.models import RecoveryCode, User
from communaute.auth.services import CredentialError, check_password
from communaute.db import utcnow
from communaute.errors import DomainError
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l

ISSUER = "Expériences"
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_DIGITS = 10
TOTP_DIGITS = 6
#: Codes of the previous and the next 30-second step are accepted too.
VALID_WINDOW = 1
#: Lighter than the passwords' (a login may check ten of them), still salted and slow:
#: OWASP's minimum for Argon2id (19 MiB, 2 passes).
_recovery_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class SecondFactorError(DomainError):
    """A code was refused. ``event`` is what the security log should say (None: nothing)."""

    def __init__(self, message, *, user: User | None = None, event: EventKind | None = None):
        super().__init__(message, field="code")
        self.user_id = user.id if user is not None else None
        self.event = event


def new_secret() -> str:
    return pyotp.random_base32()  # 32 characters: 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_data_uri(secret: str, account: str) -> str:
    """The enrolment QR code as an SVG ``data:`` URI (the CSP allows ``img-src data:``)."""
    qr = segno.make(provisioning_uri(secret, account), error="m")
    return qr.svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


def grouped(secret: str, size: int = 4) -> str:
    """The key in groups of four, to type by hand: ``ABCD EFGH ...``."""
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


def clean_code(text: str) -> str | None:
    """The digits of a typed code, or None when it holds anything but digits.

    Spaces and hyphens are dropped (``123 456``, ``12345-67890``); digits of any script become
    ASCII (a phone set to Arabic types ``١٢٣٤٥٦``). A superscript or a letter is not a digit.
    """
    out = []
    for char in text:
        if char in " -\u00a0\u202f\t":
            continue
        value = unicodedata.decimal(char, None)
        if value is None:
            return None
        out.append(str(value))
    return "".join(out)


def _matching_step(secret: str, code: str, now: float) -> int | None:
    totp = pyotp.TOTP(secret)
    step = totp.timecode(datetime.fromtimestamp(now, UTC))
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        if secrets.compare_digest(totp.generate_otp(step + offset), code):
            return step + offset
    return None


def _not_right(user: User | None, event: EventKind | None) -> SecondFactorError:
    return SecondFactorError(
        _l(
            "This code is not right. Type the 6 digits your app shows now (check that the "
            "phone's time is right), or one of your recovery codes."
        ),
        user=user,
        event=event,
    )


def _digits(user: User | None, code: str, event: EventKind | None) -> str:
    digits = clean_code(code)
    if not digits:
        raise SecondFactorError(
            _l("Type the code with the digits 0 to 9: 6 digits, or 10 for a recovery code."),
            user=user,
        )
    if len(digits) not in (TOTP_DIGITS, RECOVERY_CODE_DIGITS):
        raise _not_right(user, event)
    return digits


def enable(user: User, secret: str, code: str, *, now: float | None = None) -> list[str]:
    """Turns the second factor on once ``code`` proves the app holds ``secret``.

    Ends every other session of the account (they never gave a code). Returns the recovery
    codes, to show once. Raises SecondFactorError.
    """
    digits = _digits(user, code, None)
    step = _matching_step(secret, digits, time.time() if now is None else now)
    if step is None:
        raise SecondFactorError(
            _l(
                "This code is not right. Check that you typed the key of this page in your "
                "app, then type the 6 digits it shows now."
            ),
            user=user,
        )
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = new_recovery_codes(user)
    user.rotate_session_token()
    record_event(EventKind.second_factor_enabled, user_id=user.id)
    emails.notify_second_factor_enabled(user)
    return codes


def new_recovery_codes(user: User) -> list[str]:
    """Replaces the account's recovery codes with ten new ones; returns them (shown once)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice("0123456789") for _ in range(RECOVERY_CODE_DIGITS))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    db.session.expire(user, ["recovery_codes"])
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hasher.hash(code)))
    return [f"{code[:5]} {code[5:]}" for code in codes]


def renew_recovery_codes(user: User, password: str) -> list[str]:
    """Ten new recovery codes once the password is given again; the old ones stop working."""
    if not check_password(user, password):
        raise CredentialError(
            _l("The current password is not right."), field="current_password", user=user
        )
    codes = new_recovery_codes(user)
    record_event(EventKind.recovery_codes_renewed, user_id=user.id)
    return codes


def verify(user: User, code: str, *, now: float | None = None) -> EventKind:
    """Checks a login's code: from the app, or one of the recovery codes (then used up).

    Returns what was used (``second_factor_used`` or ``recovery_code_used``). Raises
    SecondFactorError for a wrong, malformed or replayed code.
    """
    digits = _digits(user, code, EventKind.second_factor_failed)
    if user.totp_secret is None:
        raise _not_right(user, EventKind.second_factor_failed)
    if len(digits) == TOTP_DIGITS:
        step = _matching_step(user.totp_secret, digits, time.time() if now is None else now)
        if step is None:
            raise _not_right(user, EventKind.second_factor_failed)
        if user.totp_last_step is not None and step <= user.totp_last_step:
            raise SecondFactorError(
                _l("This code was already used. Wait for the next one in your app."),
                user=user,
                event=EventKind.second_factor_failed,
            )
        user.totp_last_step = step
        return EventKind.second_factor_used
    for recovery in user.recovery_codes:
        if recovery.used_at is None and _recovery_matches(recovery.code_hash, digits):
            recovery.used_at = utcnow()
            return EventKind.recovery_code_used
    raise _not_right(user, EventKind.second_factor_failed)


def _recovery_matches(code_hash: str, digits: str) -> bool:
    try:
        return _recovery_hasher.verify(code_hash, digits)
    except (VerificationError, InvalidHashError):
        return False


def recovery_codes_left(user: User) -> int:
    return sum(1 for code in user.recovery_codes if code.used_at is None)


def reset(user: User, *, actor: User) -> None:
    """Another coordinator turns ``user``'s second factor off: they enrol again at their next
    login. Ends every session of the account, logs the act and tells the person by email."""
    if actor.id == user.id:
        raise DomainError(_l("Another coordinator must reset your second factor: ask one of them."))
    if not user.has_second_factor:
        raise DomainError(_l("This account has no second factor to reset."))
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.expire(user, ["recovery_codes"])
    user.rotate_session_token()
    record_event(EventKind.second_factor_reset, user_id=user.id, actor_id=actor.id)
    emails.notify_second_factor_reset(user, actor)
