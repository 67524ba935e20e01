"""Member accounts and the consents they gave."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from communaute.db import utcnow
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l


class Role(enum.StrEnum):
    member = "member"
    coordinator = "coordinator"


class Participation(enum.StrEnum):
    patient_partner = "patient_partner"
    caregiver = "caregiver"
    citizen = "citizen"
    health_worker = "health_worker"
    researcher = "researcher"
    other = "other"


PARTICIPATION_LABELS = {
    Participation.patient_partner: _l("Patient partner"),
    Participation.caregiver: _l("Caregiver"),
    Participation.citizen: _l("Citizen"),
    Participation.health_worker: _l("Health or social services worker"),
    Participation.researcher: _l("Researcher"),
    Participation.other: _l("Other"),
}

#: Accommodation needs: column name -> label. Asked once, shown on every roster.
ACCOMMODATIONS = {
    "needs_captions": _l("Captions"),
    "needs_sign_language": _l("LSQ or ASL interpretation"),
    "needs_large_print": _l("Large print documents"),
    "needs_phone_only": _l("Takes part by phone only"),
    "needs_helper": _l("Comes with a helper"),
}


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: NFC-normalised, lower-cased: one account per address, whatever the Unicode form.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    #: The full name for attestations of attendance (optional): coordinators and the
    #: person's own certificates show it, never a public page.
    full_name: Mapped[str | None] = mapped_column(String(120))
    #: Coordinators: "each" (an email per event), "digest" (daily at 8:00) or "none"
    #: (communaute/coordination/alerts.py).
    coordinator_alerts: Mapped[str] = mapped_column(
        String(10), default="each", server_default="each"
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(2), default="fr")
    participation: Mapped[Participation | None] = mapped_column(
        db.Enum(Participation, native_enum=False, length=30)
    )
    role: Mapped[Role] = mapped_column(
        db.Enum(Role, native_enum=False, length=20), default=Role.member
    )
    confirmed_at: Mapped[datetime | None]
    #: A new address waiting for its own confirmation before it replaces ``email``.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    #: Flask-Login's alternative id: changing it ends every session, copied cookies included.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    needs_captions: Mapped[bool] = mapped_column(default=False)
    needs_sign_language: Mapped[bool] = mapped_column(default=False)
    needs_large_print: Mapped[bool] = mapped_column(default=False)
    needs_phone_only: Mapped[bool] = mapped_column(default=False)
    needs_helper: Mapped[bool] = mapped_column(default=False)
    needs_other: Mapped[str | None] = mapped_column(String(500))
    #: Reminders the day before a session or a webinar (mail preferences); on by default.
    wants_reminders: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    #: The key of the second factor (TOTP, base32), shared with the person's app at enrolment.
    #: None until the second factor is set up (and again after a coordinator resets it).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    #: The 30-second time step of the last code accepted: that code, and older ones, never
    #: open a session again (a code seen over a shoulder or in a log cannot be replayed).
    totp_last_step: Mapped[int | None]
    #: The secret part of the address of my calendar feed (/calendar/<token>.ics); None: no
    #: feed. A new one makes the old address stop working.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    consents: Mapped[list[ConsentRecord]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ConsentRecord.id"
    )
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RecoveryCode.id"
    )

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.coordinator

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    def accommodation_labels(self) -> list[str]:
        """The needs a coordinator should see on a roster, in the reader's language."""
        labels = [str(label) for field, label in ACCOMMODATIONS.items() if getattr(self, field)]
        if self.needs_other:
            labels.append(self.needs_other)
        return labels

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class ConsentPurpose(enum.StrEnum):
    privacy_policy = "privacy_policy"
    #: News of the webinar series (communaute.subscriptions keeps who receives it).
    webinar_news = "webinar_news"


class ConsentRecord(db.Model):
    """One consent given or withdrawn, with the exact words shown at the time (Law 25).

    Rows are only added, never changed: the latest row per purpose is the current state.
    """

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(50))
    granted: Mapped[bool]
    version: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="consents")


class RecoveryCode(db.Model):
    """One of the ten codes given at enrolment, for the day the phone is lost. Works once."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: Argon2: the code itself is shown once and never stored.
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="recovery_codes")
