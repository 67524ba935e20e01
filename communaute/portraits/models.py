"""Portraits and the log of their consents."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from communaute.auth.models import User
from communaute.db import utcnow
from communaute.extensions import db

NAME_MAX = 120
ROLE_MAX = 120
QUOTE_MAX = 600
ALT_MAX = 300


class ConsentMove(enum.StrEnum):
    given = "given"
    withdrawn = "withdrawn"


class Portrait(db.Model):
    __tablename__ = "portraits"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    role: Mapped[str] = mapped_column(String(ROLE_MAX))
    role_en: Mapped[str | None] = mapped_column(String(ROLE_MAX))
    quote: Mapped[str] = mapped_column(Text)
    quote_en: Mapped[str | None] = mapped_column(Text)
    photo_name: Mapped[str | None] = mapped_column(String(64))
    photo_alt: Mapped[str | None] = mapped_column(String(ALT_MAX))
    photo_alt_en: Mapped[str | None] = mapped_column(String(ALT_MAX))
    #: The member this portrait shows, when they have an account: they can withdraw it.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    #: The day the person agreed to be shown, and who recorded it.
    consent_on: Mapped[date | None] = mapped_column()
    consent_note: Mapped[str | None] = mapped_column(String(500))
    consent_recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: The coordinators' choice to show it, once consent is there.
    published: Mapped[bool] = mapped_column(Boolean, default=True)

    person: Mapped[User | None] = relationship(foreign_keys=[user_id])
    consent_recorded_by: Mapped[User | None] = relationship(foreign_keys=[consent_recorded_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    moves: Mapped[list[PortraitConsentMove]] = relationship(
        back_populates="portrait", cascade="all, delete-orphan", order_by="PortraitConsentMove.id"
    )

    @property
    def has_consent(self) -> bool:
        return self.consent_on is not None and self.withdrawn_at is None

    @property
    def shown(self) -> bool:
        return self.published and self.has_consent


class PortraitConsentMove(db.Model):
    """Each consent given or withdrawn: when, by whom, how (kept with the portrait)."""

    __tablename__ = "portrait_consent_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    portrait_id: Mapped[int] = mapped_column(
        ForeignKey("portraits.id", ondelete="CASCADE"), index=True
    )
    move: Mapped[ConsentMove] = mapped_column(db.Enum(ConsentMove, native_enum=False, length=20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The day the person consented (for "given").
    consent_on: Mapped[date | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(String(500))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    portrait: Mapped[Portrait] = relationship(back_populates="moves")
    actor: Mapped[User | None] = relationship()
