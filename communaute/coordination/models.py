"""Messages from a coordinator to the people of a session or a webinar, and who got each."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from communaute.auth.models import User
from communaute.db import utcnow
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l

SUBJECT_MAX = 150
BODY_MAX = 5_000


class Audience(enum.StrEnum):
    confirmed = "confirmed"
    waiting = "waiting"
    attended = "attended"
    absent = "absent"
    everyone = "everyone"


AUDIENCE_LABELS = {
    Audience.confirmed: _l("Confirmed"),
    Audience.waiting: _l("On the waiting list"),
    Audience.attended: _l("Attended"),
    Audience.absent: _l("Did not attend"),
    Audience.everyone: _l("Everyone (confirmed and waiting)"),
}


class ParentKind(enum.StrEnum):
    session = "session"
    webinar = "webinar"


class RosterMessage(db.Model):
    """One message a coordinator sent to some of the people of a session or a webinar."""

    __tablename__ = "coordination_messages"
    __table_args__ = (Index("ix_coordination_messages_parent", "parent_kind", "parent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_kind: Mapped[ParentKind] = mapped_column(
        db.Enum(ParentKind, native_enum=False, length=20)
    )
    #: A training session's or a webinar's id (no foreign key: one table for both kinds).
    parent_id: Mapped[int]
    audience: Mapped[Audience] = mapped_column(db.Enum(Audience, native_enum=False, length=20))
    subject_fr: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    body_fr: Mapped[str] = mapped_column(Text)
    #: For the people whose language is English; empty: they get the French one.
    subject_en: Mapped[str] = mapped_column(String(SUBJECT_MAX), default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    #: Made when the form is shown: the same form sent twice (a double click, two tabs, a
    #: retried request) is the same message, sent once.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    sender_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    recipient_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    sender: Mapped[User | None] = relationship()
    recipients: Mapped[list[RosterMessageRecipient]] = relationship(
        back_populates="message", cascade="all, delete-orphan"
    )

    @property
    def audience_label(self):
        return AUDIENCE_LABELS[self.audience]


class RosterMessageRecipient(db.Model):
    """One person a message went to: never twice for the same message (the unique key)."""

    __tablename__ = "coordination_message_recipients"
    __table_args__ = (UniqueConstraint("message_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("coordination_messages.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str] = mapped_column(String(2), default="fr")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[RosterMessage] = relationship(back_populates="recipients")
