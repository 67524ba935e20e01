"""Collaboration requests, their coordinators' notes and their message thread."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from communaute.auth.models import User
from communaute.db import utcnow
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l

NAME_MAX = 120
SHORT_MAX = 200
TEXT_MAX = 5_000
MESSAGE_MAX = 5_000


class RequestState(enum.StrEnum):
    new = "new"
    in_progress = "in_progress"
    answered = "answered"
    closed = "closed"


STATE_LABELS = {
    RequestState.new: _l("New"),
    RequestState.in_progress: _l("In progress"),
    RequestState.answered: _l("Answered"),
    RequestState.closed: _l("Closed"),
}


class RequestKind(enum.StrEnum):
    research_project = "research_project"
    speaker = "speaker"
    document_review = "document_review"
    committee = "committee"
    other = "other"


KIND_LABELS = {
    RequestKind.research_project: _l("Patient partners for a research project"),
    RequestKind.speaker: _l("A speaker or a trainer"),
    RequestKind.document_review: _l("A review of a document"),
    RequestKind.committee: _l("A seat on a committee"),
    RequestKind.other: _l("Something else"),
}


class MeetingLanguages(enum.StrEnum):
    fr = "fr"
    en = "en"
    both = "both"


LANGUAGE_LABELS = {
    MeetingLanguages.fr: _l("In French"),
    MeetingLanguages.en: _l("In English"),
    MeetingLanguages.both: _l("In French and in English"),
}


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class CollaborationRequest(db.Model):
    __tablename__ = "collaboration_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    state: Mapped[RequestState] = mapped_column(
        db.Enum(RequestState, native_enum=False, length=20), default=RequestState.new, index=True
    )
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    organisation: Mapped[str] = mapped_column(String(SHORT_MAX))
    position: Mapped[str] = mapped_column(String(SHORT_MAX))
    email: Mapped[str] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[RequestKind] = mapped_column(db.Enum(RequestKind, native_enum=False, length=30))
    project: Mapped[str] = mapped_column(Text)
    involvement: Mapped[str] = mapped_column(Text)
    dates: Mapped[str] = mapped_column(String(SHORT_MAX))
    compensation: Mapped[str] = mapped_column(Text)
    meeting_languages: Mapped[MeetingLanguages] = mapped_column(
        db.Enum(MeetingLanguages, native_enum=False, length=10)
    )
    accessibility: Mapped[str] = mapped_column(Text, default="")
    #: The language of the form when it was sent: the requester's emails are in it.
    language: Mapped[str] = mapped_column(String(5), default="fr")
    #: The account of the requester when they were logged in.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: Part of the private link; a new one would make the old links stop working.
    nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)

    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    messages: Mapped[list[RequestMessage]] = relationship(
        back_populates="request",
        cascade="all, delete-orphan",
        order_by="RequestMessage.id",
    )
    notes: Mapped[list[RequestNote]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestNote.id"
    )

    @property
    def state_label(self):
        return STATE_LABELS[self.state]

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def languages_label(self):
        return LANGUAGE_LABELS[self.meeting_languages]


class RequestMessage(db.Model):
    """The thread with the requester: what a coordinator sent by email, what they answered."""

    __tablename__ = "collaboration_request_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("collaboration_requests.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: True: written by the team (and emailed); False: the requester's answer.
    from_team: Mapped[bool] = mapped_column(Boolean)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)

    request: Mapped[CollaborationRequest] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class RequestNote(db.Model):
    """What coordinators note for each other; the requester never sees it."""

    __tablename__ = "collaboration_request_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("collaboration_requests.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)

    request: Mapped[CollaborationRequest] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()
