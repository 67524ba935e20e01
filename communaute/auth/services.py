"""Account rules: plain functions with explicit inputs; they flush, never commit."""

from __future__ import annotations

import hashlib
from contextlib import suppress
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from communaute import subscriptions
from communaute.audit import EventKind, record_event
from communaute.auth import emails
from communaute.auth.models import ConsentPurpose, ConsentRecord, Participation, Role, User
from communaute.auth.passwords import password_problem
from communaute.db import utcnow
from communaute.errors import DomainError
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l
from communaute.registry import personal_data_providers

CONFIRM_MAX_AGE = 48 * 3600
RESET_MAX_AGE = 3600

_hasher = PasswordHasher()
#: Checked against when an email is unknown, so a login takes the same time either way.
_DUMMY_HASH = _hasher.hash("communaute-dummy-password")


class AccountError(DomainError):
    pass


class TokenError(DomainError):
    pass


class CredentialError(AccountError):
    """A wrong password. The rollback undoes the action; the view then writes ``event`` to
    the security log and commits it alone."""

    def __init__(self, message, *, field: str, user: User):
        super().__init__(message, field=field)
        self.user_id = user.id
        self.event = EventKind.password_check_failed


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    if user is None:
        with suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return False
    try:
        ok = _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if ok and _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return ok


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def record_consent(user: User, purpose: str, *, granted: bool, version: str, text: str) -> None:
    user.consents.append(
        ConsentRecord(purpose=purpose, granted=granted, version=version, text=str(text))
    )


def register_member(
    *,
    email: str,
    display_name: str,
    password: str,
    language: str,
    participation: str | None,
    privacy_text: str,
) -> User:
    """Creates an unconfirmed member and queues the confirmation email.

    Raises AccountError when the address is taken or the password is refused.
    """
    problem = password_problem(password, email=email, name=display_name)
    if problem:
        raise AccountError(problem, field="password")
    if find_by_email(email) is not None:
        # Said plainly: registration cannot hide it, and the owner is told how to get in.
        raise AccountError(
            _l("An account already uses this email address. Log in, or reset your password."),
            field="email",
        )
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        language=language,
        participation=Participation(participation) if participation else None,
        role=Role.member,
    )
    db.session.add(user)
    record_consent(
        user,
        ConsentPurpose.privacy_policy,
        granted=True,
        version=current_app.config["PRIVACY_POLICY_VERSION"],
        text=privacy_text,
    )
    db.session.flush()
    emails.notify_confirm_email(user, make_token("confirm", user.id, user.email))
    return user


def authenticate(email: str, password: str) -> User | None:
    """The account whose address and password these are, or None (logged as a failure).

    For a coordinator this is only the first step: ``record_login`` comes after the code.
    """
    user = find_by_email(email)
    if not check_password(user, password):
        record_event(EventKind.login_failed, user_id=user.id if user else None)
        return None
    return user


def record_login(user: User, second_factor: EventKind | None = None) -> None:
    """A login went through: noted on the account and in the security log (with what the
    second factor was, ``EventKind.second_factor_used`` or ``recovery_code_used``)."""
    user.last_login_at = utcnow()
    record_event(EventKind.login, user_id=user.id)
    if second_factor is not None:
        record_event(second_factor, user_id=user.id)


# Tokens -------------------------------------------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"communaute.{purpose}")


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def make_token(purpose: str, user_id: int, value: str) -> str:
    """A signed token naming a user and a fingerprint of ``value``.

    The fingerprint makes a token die when ``value`` changes: a reset link carries the
    password hash's, so it works once; a confirmation carries the address it confirms.
    """
    return _serializer(purpose).dumps({"u": user_id, "f": _fingerprint(value)})


def read_token(purpose: str, token: str, max_age: int) -> tuple[int, str]:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError(_l("This link has expired. Ask for a new one.")) from exc
    except BadSignature as exc:
        raise TokenError(_l("This link is not valid. Check that you copied it whole.")) from exc
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise TokenError(_l("This link is not valid. Check that you copied it whole."))
    return data["u"], str(data.get("f", ""))


def user_for_token(purpose: str, token: str, max_age: int, value_of) -> User:
    """The user a still-valid token names; ``value_of(user)`` gives what it fingerprints."""
    user_id, fingerprint = read_token(purpose, token, max_age)
    user = db.session.get(User, user_id)
    if user is None or value_of(user) is None or _fingerprint(value_of(user)) != fingerprint:
        raise TokenError(_l("This link was already used or is no longer valid."))
    return user


def confirm_email(token: str) -> User:
    """Confirms the address a registration link names (idempotent for the same address)."""
    user = user_for_token("confirm", token, CONFIRM_MAX_AGE, lambda u: u.email)
    if user.confirmed_at is None:
        user.confirmed_at = utcnow()
    return user


def resend_confirmation(user: User) -> None:
    if user.is_confirmed:
        raise AccountError(_l("Your email address is already confirmed."))
    emails.notify_confirm_email(user, make_token("confirm", user.id, user.email))


def request_password_reset(email: str) -> None:
    """Queues a reset link if the address has an account; says nothing either way."""
    user = find_by_email(email)
    if user is not None:
        emails.notify_password_reset(user, make_token("reset", user.id, user.password_hash))


def reset_password(token: str, password: str) -> User:
    user = user_for_token("reset", token, RESET_MAX_AGE, lambda u: u.password_hash)
    set_password(user, password)
    if user.confirmed_at is None:
        # The link reached the inbox: that proves the address as well as a confirmation.
        user.confirmed_at = utcnow()
    return user


def set_password(user: User, password: str) -> None:
    """Sets a new password and ends every session of the account."""
    problem = password_problem(password, email=user.email, name=user.display_name)
    if problem:
        raise AccountError(problem, field="password")
    user.password_hash = hash_password(password)
    user.rotate_session_token()
    record_event(EventKind.password_changed, user_id=user.id)
    emails.notify_password_changed(user)


def change_password(user: User, current: str, new: str) -> None:
    if not check_password(user, current):
        raise CredentialError(
            _l("The current password is not right."), field="current_password", user=user
        )
    set_password(user, new)


def update_profile(user: User, **fields) -> None:
    allowed = {
        "display_name",
        "full_name",
        "language",
        "needs_captions",
        "needs_sign_language",
        "needs_large_print",
        "needs_phone_only",
        "needs_helper",
        "needs_other",
        "coordinator_alerts",
    }
    for key, value in fields.items():
        if key == "participation":
            user.participation = Participation(value) if value else None
        elif key in allowed:
            setattr(user, key, value)
        else:
            raise TypeError(key)


def update_mail_preferences(
    user: User, *, wants_reminders: bool, webinar_news: bool, language: str
) -> None:
    """Reminders on or off, the news of the series (a consent, recorded with its words and
    withdrawable), and the language of every email."""
    user.wants_reminders = bool(wants_reminders)
    user.language = language
    purpose = subscriptions.Purpose.webinar_news
    had = subscriptions.is_subscribed(purpose, user.email)
    if webinar_news and not had:
        sub = subscriptions.subscribe(
            purpose, user.email, language=language, source="preferences", user_id=user.id
        )
        record_consent(user, purpose, granted=True, version="1", text=str(sub.consent_text))
    elif not webinar_news and had:
        sub = subscriptions.find(purpose, user.email)
        subscriptions.withdraw(sub)
        record_consent(user, purpose, granted=False, version="1", text=str(sub.consent_text))
    elif had:
        subscriptions.find(purpose, user.email).language = language


def request_email_change(user: User, new_email: str, password: str) -> None:
    """Sends a confirmation to the new address; the change happens when it is confirmed."""
    if not check_password(user, password):
        raise CredentialError(
            _l("The current password is not right."), field="current_password", user=user
        )
    if new_email == user.email:
        raise AccountError(_l("This is already your email address."), field="new_email")
    if find_by_email(new_email) is not None:
        raise AccountError(
            _l("Another account already uses this email address."), field="new_email"
        )
    user.pending_email = new_email
    record_event(EventKind.email_change_requested, user_id=user.id)
    emails.notify_confirm_new_email(user, make_token("email", user.id, new_email))


def confirm_email_change(token: str) -> User:
    user = user_for_token("email", token, CONFIRM_MAX_AGE, lambda u: u.pending_email)
    if find_by_email(user.pending_email) is not None:
        raise TokenError(_l("Another account already uses this email address."))
    old = user.email
    subscriptions.follow_address(user, user.pending_email)
    user.email = user.pending_email
    user.pending_email = None
    user.confirmed_at = user.confirmed_at or utcnow()
    record_event(EventKind.email_changed, user_id=user.id)
    emails.notify_email_changed(user, old)
    return user


def promote_coordinator(email: str, name: str, password: str) -> tuple[User, bool]:
    """Creates a confirmed coordinator, or promotes an existing account. (user, created)"""
    user = find_by_email(email)
    created = user is None
    if created:
        problem = password_problem(password, email=email, name=name)
        if problem:
            raise AccountError(problem, field="password")
        user = User(email=email, display_name=name, password_hash=hash_password(password))
        db.session.add(user)
        record_consent(
            user,
            ConsentPurpose.privacy_policy,
            granted=True,
            version=current_app.config["PRIVACY_POLICY_VERSION"],
            text="Compte créé par la ligne de commande (flask users create-coordinator).",
        )
    before = None if created else user.role
    user.role = Role.coordinator
    user.confirmed_at = user.confirmed_at or utcnow()
    db.session.flush()
    if before != Role.coordinator:
        # From the command line: nobody on the site acted, so no actor.
        record_event(
            EventKind.role_changed,
            user_id=user.id,
            detail=f"{before.value if before else 'none'} → {Role.coordinator.value}",
        )
    return user, created


# Law 25: export and deletion ------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_account(user: User) -> dict:
    """Everything the platform holds about ``user``, as JSON-ready data."""
    data = {
        "format": "communaute-export-1",
        "exported_at": utcnow().isoformat(),
        "account": {
            "email": user.email,
            "pending_email": user.pending_email,
            "display_name": user.display_name,
            "full_name": user.full_name,
            "language": user.language,
            "participation": user.participation.value if user.participation else None,
            "role": user.role.value,
            "created_at": _iso(user.created_at),
            "confirmed_at": _iso(user.confirmed_at),
            "last_login_at": _iso(user.last_login_at),
            "accommodations": {
                "captions": user.needs_captions,
                "sign_language": user.needs_sign_language,
                "large_print": user.needs_large_print,
                "phone_only": user.needs_phone_only,
                "helper": user.needs_helper,
                "other": user.needs_other,
            },
        },
        "consents": [
            {
                "purpose": c.purpose,
                "granted": c.granted,
                "version": c.version,
                "text": c.text,
                "recorded_at": _iso(c.recorded_at),
            }
            for c in user.consents
        ],
    }
    for provider in personal_data_providers():
        data[provider.key] = provider.export(user)
    return data


def delete_account(user: User, password: str) -> str:
    """Deletes the account and everything it holds; returns the address to say goodbye to.

    Every registered provider erases its part first, in this same transaction.
    """
    if not check_password(user, password):
        raise CredentialError(_l("The password is not right."), field="password", user=user)
    address, language = user.email, user.language
    for provider in personal_data_providers():
        provider.erase(user)
    db.session.delete(user)
    db.session.flush()
    # Erased with the account, the log keeps only that an account went, and when.
    record_event(EventKind.account_deleted)
    emails.notify_account_deleted(address, language)
    return address
