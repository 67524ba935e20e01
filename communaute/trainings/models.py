"""Courses, their sessions, registrations and the log of every move on a registration."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from communaute.auth.models import User
from communaute.db import utcnow
from communaute.extensions import db
from communaute.i18n import fold, lazy_pgettext
from communaute.i18n import lazy_gettext as _l
from communaute.seats import MoveLog, SeatKind, SeatState, register_kind


class CourseFormat(enum.StrEnum):
    online = "online"
    in_person = "in_person"
    hybrid = "hybrid"
    self_paced = "self_paced"


class Audience(enum.StrEnum):
    patient_partners = "patient_partners"
    caregivers = "caregivers"
    researchers = "researchers"
    clinicians = "clinicians"
    everyone = "everyone"


class SessionState(enum.StrEnum):
    open = "open"
    closed = "closed"
    cancelled = "cancelled"


#: A registration's state is a seat's (communaute/seats.py): confirmed, waiting, cancelled.
RegistrationState = SeatState


FORMAT_LABELS = {
    CourseFormat.online: _l("Online, live"),
    CourseFormat.in_person: _l("In person"),
    CourseFormat.hybrid: _l("Hybrid (in person or online)"),
    CourseFormat.self_paced: _l("Self-paced, at your own pace"),
}
AUDIENCE_LABELS = {
    Audience.patient_partners: _l("Patient partners"),
    Audience.caregivers: _l("Caregivers"),
    Audience.researchers: _l("Researchers"),
    Audience.clinicians: _l("Clinicians"),
    Audience.everyone: _l("Everyone"),
}
LANGUAGE_LABELS = {"fr": _l("French"), "en": _l("English")}
SESSION_STATE_LABELS = {
    SessionState.open: _l("Registration open"),
    SessionState.closed: _l("Registration closed"),
    SessionState.cancelled: lazy_pgettext("feminine", "Cancelled"),
}
REGISTRATION_STATE_LABELS = {
    RegistrationState.confirmed: _l("Confirmed"),
    RegistrationState.waiting: _l("On the waiting list"),
    RegistrationState.cancelled: lazy_pgettext("feminine", "Cancelled"),
}

#: Reasons the system records on its own moves, shown translated in the log.
SYSTEM_REASONS = {
    "auto:promoted": _l("A seat freed up: promoted from the waiting list"),
    "auto:given_back": _l("Seat given back from the email link"),
    "auto:session_cancelled": _l("Session cancelled"),
    "auto:switched": _l("Moved to another date of the same course by the member"),
}


class Course(db.Model):
    """A training course, or a self-paced learning activity (no session, a material link)."""

    __tablename__ = "training_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500))
    #: Plain text; paragraphs and bare links are rendered safely.
    description: Mapped[str] = mapped_column(Text, default="")
    #: The optional English of what the coordinator wrote (communaute.content.localized):
    #: an English reader sees the French, marked as such, where these are empty.
    title_en: Mapped[str | None] = mapped_column(String(200))
    summary_en: Mapped[str | None] = mapped_column(String(500))
    description_en: Mapped[str | None] = mapped_column(Text)
    duration_en: Mapped[str | None] = mapped_column(String(100))
    prerequisites_en: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(2), default="fr")
    format: Mapped[CourseFormat] = mapped_column(
        db.Enum(CourseFormat, native_enum=False, length=30)
    )
    audience: Mapped[Audience] = mapped_column(db.Enum(Audience, native_enum=False, length=30))
    #: Free text: "3 heures", "2 demi-journées".
    duration: Mapped[str] = mapped_column(String(100), default="")
    prerequisites: Mapped[str] = mapped_column(String(500), default="")
    #: For self-paced activities: given to the member as soon as they register.
    material_url: Mapped[str | None] = mapped_column(String(500))
    published: Mapped[bool] = mapped_column(default=False)
    #: False: one seat per member across the course's sessions (a second date offers to
    #: switch); True: a member may take several sessions (a series of separate meetings).
    allows_several: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Title, summary and description folded (communaute.i18n.fold), with the English title
    #: and summary when there are some: what the catalog's search compares, without accents or case, the same on SQLite and PostgreSQL.
    search_text: Mapped[str] = mapped_column(Text, default="")

    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="course", order_by="TrainingSession.starts_at"
    )

    @property
    def is_self_paced(self) -> bool:
        return self.format == CourseFormat.self_paced

    def visible_to(self, user) -> bool:
        return self.published or bool(user and user.is_authenticated and user.is_coordinator)

    def refresh_search_text(self) -> None:
        self.search_text = fold(
            " ".join(
                part or ""
                for part in (
                    self.title,
                    self.summary,
                    self.description,
                    self.title_en,
                    self.summary_en,
                )
            )
        )

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class TrainingSession(db.Model):
    __tablename__ = "training_sessions"
    __table_args__ = (
        # A course's sessions, and its next one: the catalog sorts courses by it.
        Index("ix_training_sessions_course_starts", "course_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(300), default="")
    #: Shown only to confirmed registrants (their page and their emails).
    online_url: Mapped[str | None] = mapped_column(String(500))
    #: None: no limit.
    capacity: Mapped[int | None]
    registration_deadline: Mapped[datetime | None]
    state: Mapped[SessionState] = mapped_column(
        db.Enum(SessionState, native_enum=False, length=30), default=SessionState.open
    )
    #: Goes up at each change people are told about: the calendar SEQUENCE, so calendar
    #: apps replace the event instead of ignoring the update.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(back_populates="sessions")
    registrations: Mapped[list[Registration]] = relationship(
        back_populates="session", order_by="Registration.id"
    )

    def is_past(self, now: datetime | None = None) -> bool:
        return self.starts_at <= (now or utcnow())

    def promotes(self, now: datetime) -> bool:
        """A freed seat goes to the waiting list until the session begins (seats core)."""
        return self.state != SessionState.cancelled and self.starts_at > now

    def __repr__(self) -> str:
        return f"<TrainingSession {self.id}>"


ACTIVE = "state <> 'cancelled'"


class Registration(db.Model):
    """A member's place in a session (or access to a self-paced activity)."""

    __tablename__ = "training_registrations"
    __table_args__ = (
        # The last guard against doubles: one active registration per member and session,
        # and one per member and self-paced activity.
        Index(
            "uq_training_registrations_active",
            "session_id",
            "user_id",
            unique=True,
            sqlite_where=text(ACTIVE + " AND session_id IS NOT NULL"),
            postgresql_where=text(ACTIVE + " AND session_id IS NOT NULL"),
        ),
        Index(
            "uq_training_registrations_active_self_paced",
            "course_id",
            "user_id",
            unique=True,
            sqlite_where=text(ACTIVE + " AND session_id IS NULL"),
            postgresql_where=text(ACTIVE + " AND session_id IS NULL"),
        ),
        Index("ix_training_registrations_queue", "session_id", "state", "waitlisted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("training_courses.id", ondelete="CASCADE"), index=True
    )
    #: None for a self-paced activity.
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[RegistrationState] = mapped_column(
        db.Enum(RegistrationState, native_enum=False, length=30)
    )
    #: Place in the queue: the waiting list is ordered by (waitlisted_at, id).
    waitlisted_at: Mapped[datetime | None]
    #: None: not marked yet.
    attended: Mapped[bool | None]
    #: Set on promotion: the one-click link in the email to give the seat back.
    promotion_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    reminder_sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship()
    session: Mapped[TrainingSession | None] = relationship(back_populates="registrations")
    user: Mapped[User] = relationship()
    moves: Mapped[list[RegistrationMove]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="RegistrationMove.id"
    )

    @property
    def is_active(self) -> bool:
        return self.state != RegistrationState.cancelled

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.state}>"


class RegistrationMove(MoveLog, db.Model):
    """One change of state of a registration (communaute.seats.MoveLog)."""

    __tablename__ = "training_registration_moves"

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("training_registrations.id", ondelete="CASCADE"), index=True
    )

    registration: Mapped[Registration] = relationship(back_populates="moves")


register_kind(
    TrainingSession,
    SeatKind(
        seat=Registration,
        parent_id=Registration.session_id,
        move=RegistrationMove,
        move_seat="registration",
    ),
)


@event.listens_for(Course, "before_insert")
@event.listens_for(Course, "before_update")
def _fold_for_search(mapper, connection, course: Course) -> None:
    course.refresh_search_text()
