"""The lunchtime webinar series: webinars, their speakers, and who signed up."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from communaute.db import utcnow
from communaute.extensions import db
from communaute.seats import MoveLog, SeatKind, SeatState, register_kind


class WebinarStatus(enum.StrEnum):
    scheduled = "scheduled"
    cancelled = "cancelled"


#: A sign-up's state is a seat's (communaute/seats.py): confirmed, waiting (the webinar was
#: full: a place is given, in order, when one frees up), cancelled.
SignupState = SeatState


def split_tags(tags: str | None) -> list[str]:
    """The topic tags as typed by the coordinator ("douleur, , proches "), one by one."""
    return [t.strip() for t in (tags or "").split(",") if t.strip()]


class Webinar(db.Model):
    __tablename__ = "webinars"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: The optional English title and description (communaute.content.localized).
    title_en: Mapped[str | None] = mapped_column(String(200))
    description_en: Mapped[str | None] = mapped_column(Text)
    #: Topic tags, comma-separated as typed by the coordinator.
    tags: Mapped[str] = mapped_column(String(300), default="")
    start_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    language: Mapped[str] = mapped_column(String(2), default="fr")
    #: Given only to people who signed up (email, reminder, /me), never on public pages.
    join_url: Mapped[str] = mapped_column(String(500), default="")
    phone_dial_in: Mapped[str] = mapped_column(String(300), default="")
    captioning: Mapped[str] = mapped_column(String(500), default="")
    #: None: no limit.
    capacity: Mapped[int | None]
    status: Mapped[WebinarStatus] = mapped_column(
        db.Enum(WebinarStatus, native_enum=False, length=30), default=WebinarStatus.scheduled
    )
    recording_url: Mapped[str] = mapped_column(String(500), default="")
    resources: Mapped[str] = mapped_column(Text, default="")
    #: Bumped on each reschedule, so calendars replace the event (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime | None]
    #: When the thank-you / missed-you emails went out (once per webinar).
    follow_up_sent_at: Mapped[datetime | None]
    #: The last time a coordinator recorded who attended (None: attendance not taken yet).
    attendance_recorded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    speakers: Mapped[list[Speaker]] = relationship(
        back_populates="webinar", cascade="all, delete-orphan", order_by="Speaker.position"
    )
    signups: Mapped[list[Signup]] = relationship(
        back_populates="webinar", cascade="all, delete-orphan", order_by="Signup.id"
    )

    @property
    def end_at(self) -> datetime:
        return self.start_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.status == WebinarStatus.cancelled

    def is_past(self, now: datetime | None = None) -> bool:
        return self.end_at <= (now or utcnow())

    def is_open(self, now: datetime | None = None) -> bool:
        """Sign-ups are open until the start, for a webinar that is not cancelled."""
        return not self.is_cancelled and self.start_at > (now or utcnow())

    def promotes(self, now: datetime) -> bool:
        """A freed place goes to the waiting list while sign-ups are open (seats core)."""
        return self.is_open(now)

    @property
    def tag_list(self) -> list[str]:
        return split_tags(self.tags)

    def __repr__(self) -> str:
        return f"<Webinar {self.id}>"


class Speaker(db.Model):
    __tablename__ = "webinar_speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    webinar_id: Mapped[int] = mapped_column(
        ForeignKey("webinars.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(120))
    bio: Mapped[str] = mapped_column(String(600), default="")
    is_patient_partner: Mapped[bool] = mapped_column(default=False)

    webinar: Mapped[Webinar] = relationship(back_populates="speakers")


class Signup(db.Model):
    """One person (member or guest) signed up for one webinar: one row per address."""

    __tablename__ = "webinar_signups"
    __table_args__ = (
        UniqueConstraint("webinar_id", "email"),
        Index("ix_webinar_signups_due", "state", "reminder_sent_at"),
        Index("ix_webinar_signups_queue", "webinar_id", "state", "waitlisted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webinar_id: Mapped[int] = mapped_column(
        ForeignKey("webinars.id", ondelete="CASCADE"), index=True
    )
    #: NFC-normalised, lower-cased, so a second sign-up finds the first one.
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: The full name for attestations a guest may give (optional, never public).
    full_name: Mapped[str | None] = mapped_column(String(120))
    #: Set for a member's sign-up; guests have none (their /me finds them by address later).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str] = mapped_column(String(2), default="fr")
    how_heard: Mapped[str | None] = mapped_column(String(200))
    #: What a guest asked for to take part (captions, an interpreter...), as typed; a
    #: member's needs are on the account.
    accessibility_needs: Mapped[str | None] = mapped_column(String(500))
    #: Added to the webinar's SEQUENCE in this person's calendar files: bumped when they
    #: cancel (the CANCEL file must replace the event) and when they come back.
    ics_sequence: Mapped[int] = mapped_column(default=0)
    news_consent: Mapped[bool] = mapped_column(default=False)
    #: The exact words the person ticked, and when (Law 25).
    news_consent_text: Mapped[str | None] = mapped_column(Text)
    news_consent_at: Mapped[datetime | None]
    state: Mapped[SignupState] = mapped_column(
        db.Enum(SignupState, native_enum=False, length=30), default=SignupState.confirmed
    )
    #: Place in the queue: the waiting list is ordered by (waitlisted_at, id), the moment
    #: the person joined it, never by when the row was first made (a returning sign-up
    #: reuses its row and joins the end of the queue).
    waitlisted_at: Mapped[datetime | None]
    attended: Mapped[bool] = mapped_column(default=False)
    #: Claimed with a conditional UPDATE: one reminder, whatever runs at the same time.
    reminder_sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The last time the person signed up (a cancelled sign-up that comes back reuses its
    #: row): the cancellation link names it, so an old link cannot cancel a new sign-up.
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]

    webinar: Mapped[Webinar] = relationship(back_populates="signups")
    user = relationship("User")
    moves: Mapped[list[SignupMove]] = relationship(
        back_populates="signup", cascade="all, delete-orphan", order_by="SignupMove.id"
    )

    @property
    def is_member(self) -> bool:
        return self.user_id is not None

    @property
    def attestation_name(self) -> str:
        """The full name given for attestations: the member's, else the one typed here."""
        return (self.user.full_name if self.user else None) or self.full_name or ""

    def __repr__(self) -> str:
        return f"<Signup {self.id} {self.state}>"


class SignupMove(MoveLog, db.Model):
    """One change of state of a sign-up (communaute.seats.MoveLog)."""

    __tablename__ = "webinar_signup_moves"

    signup_id: Mapped[int] = mapped_column(
        ForeignKey("webinar_signups.id", ondelete="CASCADE"), index=True
    )

    signup: Mapped[Signup] = relationship(back_populates="moves")


register_kind(
    Webinar,
    SeatKind(seat=Signup, parent_id=Signup.webinar_id, move=SignupMove, move_seat="signup"),
)
