"""What coordinators do: move people, run sessions and courses, take attendance.
And what the account's export and deletion need of trainings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import contains_eager, joinedload

from communaute import seats
from communaute.auth.models import User
from communaute.db import utcnow
from communaute.errors import DomainError
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l
from communaute.trainings import emails
from communaute.trainings.models import (
    Course,
    CourseFormat,
    Registration,
    RegistrationMove,
    RegistrationState,
    SessionState,
    TrainingSession,
)
from communaute.trainings.services.catalog import active_registration, confirmed_count
from communaute.trainings.services.registration import (
    RegistrationError,
    cancel_registration,
    promote_from_waitlist,
)


class SessionError(DomainError):
    pass


class CourseError(DomainError):
    pass


# Coordinators: people ----------------------------------------------------------------------


def move_registration(
    reg: Registration,
    *,
    to_state: RegistrationState,
    actor: User,
    reason: str,
    now: datetime | None = None,
) -> list[Registration]:
    """A coordinator moves someone (confirmed, waiting, cancelled), with a reason kept in the log.

    Confirming needs a free seat. Moving to the waiting list puts the person at its end.
    Returns the registrations promoted as a consequence.
    """
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise RegistrationError(_l("Say why you move this person."), field="reason")
    if reg.session is None:
        raise RegistrationError(_l("A self-paced activity has no waiting list."))
    if reg.state == to_state:
        raise RegistrationError(_l("This person is already in that state."), field="to_state")
    if to_state == RegistrationState.cancelled:
        return cancel_registration(reg, actor=actor, reason=reason, now=now)
    session = seats.lock(reg.session)
    db.session.refresh(reg)
    if session.state == SessionState.cancelled:
        raise RegistrationError(_l("This session is cancelled."))
    if (
        reg.state == RegistrationState.cancelled
        and active_registration(session, reg.user) is not None
    ):
        raise RegistrationError(_l("This person already has an active registration."))
    previous = reg.state
    if to_state == RegistrationState.confirmed:
        left = seats.seats_left(session)
        if left is not None and left <= 0:
            raise RegistrationError(
                _l("The session is full. Raise the capacity first, or move someone else."),
                field="to_state",
            )
        seats.confirm(reg, actor=actor, reason=reason, now=now)
        db.session.flush()
        emails.notify_registration_confirmed(reg)
        return []
    seats.send_to_waiting(reg, actor=actor, reason=reason, now=now)
    reg.promotion_token = None
    db.session.flush()
    emails.notify_waitlisted(reg, seats.position(reg))
    if previous == RegistrationState.confirmed:
        # The seat goes to the head of the queue, never straight back to the person moved.
        return promote_from_waitlist(session, now=now, exclude=reg.id)
    return []


# Coordinators: sessions --------------------------------------------------------------------


def _check_session_values(
    starts_at: datetime,
    ends_at: datetime,
    capacity: int | None,
    deadline: datetime | None,
) -> None:
    if ends_at <= starts_at:
        raise SessionError(_l("The end must come after the start."), field="end_time")
    if capacity is not None and capacity < 1:
        raise SessionError(
            _l("The capacity must be a positive whole number, or empty for no limit."),
            field="capacity",
        )
    if deadline is not None and deadline >= starts_at:
        raise SessionError(
            _l("The registration deadline must come before the start."), field="deadline_date"
        )


def create_session(
    course: Course,
    *,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    online_url: str | None = None,
    capacity: int | None = None,
    registration_deadline: datetime | None = None,
    state: SessionState = SessionState.open,
) -> TrainingSession:
    if course.is_self_paced:
        raise SessionError(_l("A self-paced activity has no session."))
    _check_session_values(starts_at, ends_at, capacity, registration_deadline)
    session = TrainingSession(
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_url=online_url or None,
        capacity=capacity,
        registration_deadline=registration_deadline,
        state=SessionState.closed if state == SessionState.closed else SessionState.open,
    )
    db.session.add(session)
    db.session.flush()
    return session


def update_session(
    session: TrainingSession,
    *,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    online_url: str | None = None,
    capacity: int | None = None,
    registration_deadline: datetime | None = None,
    state: SessionState | None = None,
    now: datetime | None = None,
) -> list[Registration]:
    """Changes a session; refuses a capacity below the confirmed count.

    A raised capacity promotes as many people as it frees. When the date, time, place or
    link changes, every active registrant is told. Returns the registrations promoted.
    """
    now = now or utcnow()
    _check_session_values(starts_at, ends_at, capacity, registration_deadline)
    session = seats.lock(session)
    if session.state == SessionState.cancelled:
        raise SessionError(_l("This session is cancelled: it can no longer be changed."))
    if state == SessionState.cancelled:
        raise SessionError(_l("Use the button to cancel the session."), field="state")
    confirmed = confirmed_count(session)
    if capacity is not None and capacity < confirmed:
        raise SessionError(
            _l(
                "%(n)d people are already confirmed: the capacity cannot be lower. "
                "Move or cancel registrations first.",
                n=confirmed,
            ),
            field="capacity",
        )
    changed = (
        session.starts_at != starts_at
        or session.ends_at != ends_at
        or (session.place or "") != (place or "")
        or (session.online_url or None) != (online_url or None)
    )
    session.starts_at = starts_at
    session.ends_at = ends_at
    session.place = place
    session.online_url = online_url or None
    session.capacity = capacity
    session.registration_deadline = registration_deadline
    if state is not None:
        session.state = state
    db.session.flush()
    if changed and session.ends_at > now:  # a typo fixed after the fact bothers nobody
        session.sequence += 1
        for reg in session.registrations:
            if reg.is_active:
                if reg.reminder_sent_at is not None:
                    reg.reminder_sent_at = None  # the new time deserves a new reminder
                emails.notify_session_changed(reg)
    return promote_from_waitlist(session, now=now)


def cancel_session(
    session: TrainingSession, *, actor: User, reason: str = "", now: datetime | None = None
) -> int:
    """Cancels a whole session: every active registration is cancelled and told.

    Returns how many people were told."""
    now = now or utcnow()
    session = seats.lock(session)
    if session.state == SessionState.cancelled:
        raise SessionError(_l("This session is already cancelled."))
    session.state = SessionState.cancelled
    session.sequence += 1
    told = 0
    for reg in session.registrations:
        if reg.is_active:
            previous = seats.cancel(
                reg, actor=actor, reason=reason or "auto:session_cancelled", now=now
            )
            reg.promotion_token = None
            db.session.flush()
            emails.notify_session_cancelled(
                reg, reason, was_confirmed=previous == RegistrationState.confirmed
            )
            told += 1
    db.session.flush()
    return told


def mark_attendance(
    session: TrainingSession, attended_ids: set[int], *, now: datetime | None = None
) -> int:
    """Marks who attended among the confirmed: those in ``attended_ids`` yes, the others no.
    Raises SessionError before the session has started (nothing is recorded then), as the
    import and the check-in do."""
    if not session.is_past(now):
        raise SessionError(_l("Attendance can be taken once the session has started."))
    count = 0
    for reg in session.registrations:
        if reg.state == RegistrationState.confirmed:
            reg.attended = reg.id in attended_ids
            count += reg.attended
    db.session.flush()
    return count


# Coordinators: courses ---------------------------------------------------------------------


def save_course(course: Course | None, **values) -> Course:
    """Creates (course None) or updates a course; the slug must be free."""
    slug = values["slug"]
    taken = db.session.scalar(
        select(Course.id).where(Course.slug == slug, Course.id != (course.id if course else -1))
    )
    if taken:
        raise CourseError(_l("This address is already used by another course."), field="slug")
    if course is None:
        course = Course(published=False)
        db.session.add(course)
    changes_kind = (
        course.id
        and course.format != values["format"]
        and CourseFormat.self_paced in (course.format, values["format"])
    )
    if changes_kind and (
        course.sessions
        or db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.course_id == course.id)
        )
    ):
        raise CourseError(
            _l(
                "This course already has sessions or registrations: its format cannot "
                "change to or from self-paced."
            ),
            field="format",
        )
    for key, value in values.items():
        setattr(course, key, value)
    db.session.flush()
    return course


def set_published(course: Course, published: bool) -> None:
    course.published = published
    db.session.flush()


@dataclass
class CourseSummary:
    sessions: int
    confirmed: int
    waiting: int
    attended: int
    marked: int

    @property
    def attendance_rate(self) -> int | None:
        """Percent of those marked who attended; None when nobody is marked yet."""
        if not self.marked:
            return None
        return round(100 * self.attended / self.marked)


def course_summaries(course_ids) -> dict[int, CourseSummary]:
    """Course id -> its summary, for many courses in two grouped queries."""
    ids = list(course_ids)
    if not ids:
        return {}
    sessions = dict(
        db.session.execute(
            select(TrainingSession.course_id, func.count())
            .where(TrainingSession.course_id.in_(ids))
            .group_by(TrainingSession.course_id)
        ).all()
    )
    counts = {i: {} for i in ids}
    attended = dict.fromkeys(ids, 0)
    marked = dict.fromkeys(ids, 0)
    rows = db.session.execute(
        select(
            Registration.course_id,
            Registration.state,
            func.count(),
            func.count(case((Registration.attended.is_(True), 1))),
            func.count(Registration.attended),
        )
        .where(Registration.course_id.in_(ids))
        .group_by(Registration.course_id, Registration.state)
    )
    for course_id, state, n, n_attended, n_marked in rows:
        counts[course_id][state] = n
        if state == RegistrationState.confirmed:
            attended[course_id] = n_attended
            marked[course_id] = n_marked
    return {
        i: CourseSummary(
            sessions=sessions.get(i, 0),
            confirmed=counts[i].get(RegistrationState.confirmed, 0),
            waiting=counts[i].get(RegistrationState.waiting, 0),
            attended=attended[i],
            marked=marked[i],
        )
        for i in ids
    }


def course_summary(course: Course) -> CourseSummary:
    return course_summaries([course.id])[course.id]


# Personal data -----------------------------------------------------------------------------


def export_member(user: User) -> list[dict]:
    regs = db.session.scalars(
        select(Registration).where(Registration.user_id == user.id).order_by(Registration.id)
    )
    return [
        {
            "course": reg.course.title,
            "session_start": reg.session.starts_at.isoformat() if reg.session else None,
            "state": reg.state.value,
            "attended": reg.attended,
            "registered_at": reg.created_at.isoformat(),
            "cancelled_at": reg.cancelled_at.isoformat() if reg.cancelled_at else None,
            "history": [
                {
                    "from": m.from_state,
                    "to": m.to_state,
                    "reason": m.reason,
                    "at": m.created_at.isoformat(),
                }
                for m in reg.moves
            ],
        }
        for reg in regs
    ]


def erase_member(user: User) -> None:
    """Deletes the member's registrations and their log; keeps moves they made as a coordinator,
    without their name. A freed seat goes to the next person on the waiting list."""
    now = utcnow()
    regs = db.session.scalars(select(Registration).where(Registration.user_id == user.id)).all()
    freed = {
        reg.session
        for reg in regs
        if reg.session is not None
        and reg.state == RegistrationState.confirmed
        and reg.session.starts_at > now
    }
    db.session.execute(
        update(RegistrationMove)
        .where(RegistrationMove.actor_id == user.id)
        .values(actor_id=None)
        .execution_options(synchronize_session=False)
    )
    reg_ids = [r.id for r in regs]
    if reg_ids:
        db.session.execute(
            RegistrationMove.__table__.delete().where(RegistrationMove.registration_id.in_(reg_ids))
        )
        db.session.execute(Registration.__table__.delete().where(Registration.id.in_(reg_ids)))
    db.session.expire_all()
    for session in freed:
        promote_from_waitlist(seats.lock(session), now=now)


# Coordinators: the roster ------------------------------------------------------------------


def registrations_with_users(session_id: int) -> list[Registration]:
    """Every registration of a session (by id), each with its member, in one query."""
    return db.session.scalars(
        select(Registration)
        .where(Registration.session_id == session_id)
        .order_by(Registration.id)
        .options(joinedload(Registration.user))
    ).all()


def roster_groups(session: TrainingSession) -> dict[RegistrationState, list[Registration]]:
    """The registrations by state; the waiting ones in queue order."""
    groups = {state: [] for state in RegistrationState}
    for reg in registrations_with_users(session.id):
        groups[reg.state].append(reg)
    # The same registrations, their users already loaded: one query, in queue order.
    groups[RegistrationState.waiting] = seats.waiting_list(session)
    return groups


def session_log(session: TrainingSession, *, limit: int = 200) -> list[RegistrationMove]:
    """The latest moves on a session's registrations, newest first, with who and whom."""
    return db.session.scalars(
        select(RegistrationMove)
        .join(Registration)
        .where(Registration.session_id == session.id)
        .order_by(RegistrationMove.id.desc())
        .limit(limit)
        .options(
            contains_eager(RegistrationMove.registration).joinedload(Registration.user),
            joinedload(RegistrationMove.actor),
        )
    ).all()
