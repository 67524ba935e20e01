"""The rules of trainings: registration, waiting list, coordinator changes, reminders.

Every function takes explicit inputs (never the request), raises a ``DomainError`` subclass
with a translated message, and flushes without committing: the caller commits once.

Capacity is enforced in the database: before counting confirmed seats, the session row is
locked (``SELECT ... FOR UPDATE`` on PostgreSQL), so concurrent registrations on any number
of workers or servers take turns; a partial unique index keeps one active registration per
member and session as the last guard.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from communaute.auth.models import User
from communaute.db import utcnow
from communaute.errors import DomainError
from communaute.extensions import db
from communaute.trainings import emails
from communaute.trainings.models import (
    Audience,
    Course,
    CourseFormat,
    Registration,
    RegistrationMove,
    RegistrationState,
    SessionState,
    TrainingSession,
)

PAGE_SIZE = 10


class RegistrationError(DomainError):
    pass


class SessionError(DomainError):
    pass


class CourseError(DomainError):
    pass


# Reading ---------------------------------------------------------------------------------


def confirmed_count(session: TrainingSession) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.session_id == session.id,
            Registration.state == RegistrationState.confirmed,
        )
    )


def waiting_count(session: TrainingSession) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.session_id == session.id,
            Registration.state == RegistrationState.waiting,
        )
    )


def seats_left(session: TrainingSession) -> int | None:
    """None: no limit."""
    if session.capacity is None:
        return None
    return max(session.capacity - confirmed_count(session), 0)


def state_counts(session_ids) -> dict[int, dict[RegistrationState, int]]:
    """Session id -> registrations counted by state, in one grouped query."""
    ids = list(session_ids)
    counts: dict[int, dict[RegistrationState, int]] = {i: {} for i in ids}
    if not ids:
        return counts
    rows = db.session.execute(
        select(Registration.session_id, Registration.state, func.count())
        .where(Registration.session_id.in_(ids))
        .group_by(Registration.session_id, Registration.state)
    )
    for session_id, state, n in rows:
        counts[session_id][state] = n
    return counts


def seats_left_of(sessions, counts: dict | None = None) -> dict[int, int | None]:
    """Session id -> ``seats_left()`` for many sessions, from one grouped count.

    ``counts`` (from ``state_counts``) when the caller already has them."""
    sessions = [s for s in sessions if s is not None]
    limited = [s.id for s in sessions if s.capacity is not None]
    if counts is None:
        counts = state_counts(limited)
    return {
        s.id: None
        if s.capacity is None
        else max(s.capacity - counts[s.id].get(RegistrationState.confirmed, 0), 0)
        for s in sessions
    }


def waitlist_positions(registrations) -> dict[int, int]:
    """Registration id -> ``waitlist_position()`` for the waiting ones, in one query."""
    ids = [r.id for r in registrations if r.state == RegistrationState.waiting]
    if not ids:
        return {}
    ahead = aliased(Registration)
    rows = db.session.execute(
        select(Registration.id, func.count(ahead.id))
        .outerjoin(
            ahead,
            and_(
                ahead.session_id == Registration.session_id,
                ahead.state == RegistrationState.waiting,
                or_(
                    ahead.waitlisted_at < Registration.waitlisted_at,
                    and_(
                        ahead.waitlisted_at == Registration.waitlisted_at,
                        ahead.id < Registration.id,
                    ),
                ),
            ),
        )
        .where(Registration.id.in_(ids))
        .group_by(Registration.id)
    )
    return {reg_id: n + 1 for reg_id, n in rows}


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list; None when not waiting."""
    if registration.state != RegistrationState.waiting:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.session_id == registration.session_id,
            Registration.state == RegistrationState.waiting,
            or_(
                Registration.waitlisted_at < registration.waitlisted_at,
                and_(
                    Registration.waitlisted_at == registration.waitlisted_at,
                    Registration.id < registration.id,
                ),
            ),
        )
    )
    return ahead + 1


def waiting_list(session: TrainingSession) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.session_id == session.id,
                Registration.state == RegistrationState.waiting,
            )
            .order_by(Registration.waitlisted_at, Registration.id)
        )
    )


def course_registrations(course: Course, member: User) -> dict[int, Registration]:
    """Session id -> the member's active registration, for every session of ``course``."""
    regs = db.session.scalars(
        select(Registration).where(
            Registration.session_id.in_(
                select(TrainingSession.id).where(TrainingSession.course_id == course.id)
            ),
            Registration.user_id == member.id,
            Registration.state != RegistrationState.cancelled,
        )
    )
    return {reg.session_id: reg for reg in regs}


def active_registration(session: TrainingSession, member: User) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.session_id == session.id,
            Registration.user_id == member.id,
            Registration.state != RegistrationState.cancelled,
        )
    )


def self_paced_registration(course: Course, member: User) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.course_id == course.id,
            Registration.session_id.is_(None),
            Registration.user_id == member.id,
            Registration.state != RegistrationState.cancelled,
        )
    )


@dataclass
class CatalogPage:
    courses: list[Course]
    page: int
    pages: int
    total: int
    #: course id -> its next upcoming session (or None)
    next_session: dict


def catalog(
    *,
    q: str = "",
    lang: str = "",
    format: str = "",
    audience: str = "",
    page: int = 1,
    now: datetime | None = None,
    per_page: int = PAGE_SIZE,
) -> CatalogPage:
    """Published courses matching every filter given; those with the soonest session first."""
    now = now or utcnow()
    next_start = (
        select(func.min(TrainingSession.starts_at))
        .where(
            TrainingSession.course_id == Course.id,
            TrainingSession.starts_at > now,
            TrainingSession.state != SessionState.cancelled,
        )
        .correlate(Course)
        .scalar_subquery()
    )
    query = select(Course).where(Course.published.is_(True))
    if q:
        like = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                func.lower(Course.title).like(like, escape="\\"),
                func.lower(Course.summary).like(like, escape="\\"),
                func.lower(Course.description).like(like, escape="\\"),
            )
        )
    if lang in ("fr", "en"):
        query = query.where(Course.language == lang)
    if format in CourseFormat.__members__:
        query = query.where(Course.format == CourseFormat(format))
    if audience in Audience.__members__:
        query = query.where(Course.audience == Audience(audience))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    courses = list(
        db.session.scalars(
            query.order_by(case((next_start.is_(None), 1), else_=0), next_start, Course.title)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    nxt = dict.fromkeys((course.id for course in courses), None)
    if courses:
        # The next session of every course on the page, in one query.
        ranked = (
            select(
                TrainingSession,
                func.row_number()
                .over(
                    partition_by=TrainingSession.course_id,
                    order_by=(TrainingSession.starts_at, TrainingSession.id),
                )
                .label("rank"),
            )
            .where(
                TrainingSession.course_id.in_(list(nxt)),
                TrainingSession.starts_at > now,
                TrainingSession.state != SessionState.cancelled,
            )
            .subquery()
        )
        first = aliased(TrainingSession, ranked)
        for session in db.session.scalars(select(first).where(ranked.c.rank == 1)):
            nxt[session.course_id] = session
    return CatalogPage(courses, page, pages, total, nxt)


def upcoming_sessions(limit: int = 3, now: datetime | None = None) -> list[TrainingSession]:
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(TrainingSession)
            .join(Course)
            .where(
                Course.published.is_(True),
                TrainingSession.starts_at > now,
                TrainingSession.state == SessionState.open,
            )
            .order_by(TrainingSession.starts_at)
            .limit(limit)
        )
    )


def member_registrations(member: User, now: datetime | None = None) -> dict:
    """A member's registrations sorted for /me: upcoming, waiting, past, self-paced."""
    now = now or utcnow()
    regs = db.session.scalars(
        select(Registration)
        .where(Registration.user_id == member.id, Registration.state != RegistrationState.cancelled)
        .order_by(Registration.id)
        .options(joinedload(Registration.session), joinedload(Registration.course))
    ).all()
    positions = waitlist_positions(
        reg
        for reg in regs
        if reg.session is not None
        and reg.session.starts_at > now
        and reg.session.state != SessionState.cancelled
    )
    out = {"upcoming": [], "waiting": [], "past": [], "self_paced": []}
    for reg in regs:
        if reg.session is None:
            out["self_paced"].append(reg)
        elif reg.session.starts_at <= now:
            if reg.state == RegistrationState.confirmed:
                out["past"].append(reg)
        elif reg.session.state == SessionState.cancelled:
            continue
        elif reg.state == RegistrationState.waiting:
            out["waiting"].append((reg, positions[reg.id]))
        else:
            out["upcoming"].append(reg)
    out["upcoming"].sort(key=lambda r: r.session.starts_at)
    out["waiting"].sort(key=lambda p: p[0].session.starts_at)
    out["past"].sort(key=lambda r: r.session.starts_at, reverse=True)
    return out


# Registration ------------------------------------------------------------------------------


def _lock(session: TrainingSession) -> TrainingSession:
    """Takes the session row lock (PostgreSQL) and reloads it: others wait their turn."""
    return db.session.scalars(
        select(TrainingSession)
        .where(TrainingSession.id == session.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _log(
    reg: Registration,
    from_state: RegistrationState | None,
    to_state: RegistrationState,
    *,
    actor: User | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> None:
    db.session.add(
        RegistrationMove(
            registration=reg,
            actor_id=actor.id if actor else None,
            from_state=from_state.value if from_state else None,
            to_state=to_state.value,
            reason=reason[:500],
            created_at=now or utcnow(),
        )
    )


def check_can_register(session: TrainingSession, member: User, now: datetime | None = None):
    """Raises RegistrationError with the reason a member cannot register for ``session``."""
    now = now or utcnow()
    if not member.is_confirmed:
        raise RegistrationError(
            _l("Confirm your email address first. We can send you the link again.")
        )
    if not session.course.published:
        raise RegistrationError(_l("This course is not published yet: registration is not open."))
    if session.state == SessionState.cancelled:
        raise RegistrationError(_l("This session is cancelled."))
    if session.starts_at <= now:
        raise RegistrationError(_l("This session has already taken place."))
    if session.state == SessionState.closed:
        raise RegistrationError(_l("Registration for this session is closed."))
    if session.registration_deadline and session.registration_deadline <= now:
        raise RegistrationError(_l("The registration deadline for this session has passed."))


def register_for_session(
    session: TrainingSession, *, member: User, now: datetime | None = None
) -> tuple[Registration, bool]:
    """Registers ``member``: confirmed while seats remain, otherwise on the waiting list.

    Returns (registration, created). Registering again returns the active registration
    (created False) and queues nothing. Raises RegistrationError when registration is not
    possible. Queues the "confirmed" or "waiting list" email.
    """
    now = now or utcnow()
    check_can_register(session, member, now)
    session = _lock(session)
    check_can_register(session, member, now)  # the state may have changed while we waited
    existing = active_registration(session, member)
    if existing is not None:
        return existing, False
    seats = seats_left(session)
    state = RegistrationState.confirmed if seats is None or seats > 0 else RegistrationState.waiting
    reg = Registration(
        course_id=session.course_id,
        session_id=session.id,
        user_id=member.id,
        state=state,
        created_at=now,
        confirmed_at=now if state == RegistrationState.confirmed else None,
        waitlisted_at=now if state == RegistrationState.waiting else None,
    )
    existing = _insert_once(reg, lambda: active_registration(session, member))
    if existing is not None:
        return existing, False
    _log(reg, None, state, actor=member, now=now)
    db.session.flush()
    if state == RegistrationState.confirmed:
        emails.notify_registration_confirmed(reg)
    else:
        emails.notify_waitlisted(reg, waitlist_position(reg))
    return reg, True


def _insert_once(reg: Registration, find_existing) -> Registration | None:
    """Adds ``reg``; if the unique index says the member already holds one (another request
    of theirs won the race), returns that one instead and keeps the transaction usable."""
    try:
        with db.session.begin_nested():
            db.session.add(reg)
            db.session.flush()
    except IntegrityError:
        existing = find_existing()
        if existing is None:
            raise
        return existing
    return None


def register_for_self_paced(
    course: Course, *, member: User, now: datetime | None = None
) -> tuple[Registration, bool]:
    """Gives ``member`` access to a self-paced activity at once. Returns (registration, created)."""
    now = now or utcnow()
    if not member.is_confirmed:
        raise RegistrationError(
            _l("Confirm your email address first. We can send you the link again.")
        )
    if not course.published:
        raise RegistrationError(_l("This course is not published yet: registration is not open."))
    if not course.is_self_paced:
        raise RegistrationError(_l("Choose a session to register for this course."))
    existing = self_paced_registration(course, member)
    if existing is not None:
        return existing, False
    reg = Registration(
        course_id=course.id,
        session_id=None,
        user_id=member.id,
        state=RegistrationState.confirmed,
        created_at=now,
        confirmed_at=now,
    )
    existing = _insert_once(reg, lambda: self_paced_registration(course, member))
    if existing is not None:
        return existing, False
    _log(reg, None, RegistrationState.confirmed, actor=member, now=now)
    db.session.flush()
    emails.notify_material_access(reg)
    return reg, True


def promote_from_waitlist(
    session: TrainingSession, *, now: datetime | None = None, exclude: int | None = None
) -> list[Registration]:
    """Confirms as many people from the head of the waiting list as there are free seats.

    The caller holds the session lock. Each person promoted gets an email with a link to
    give the seat back.
    """
    now = now or utcnow()
    if session.state == SessionState.cancelled or session.starts_at <= now:
        return []
    free = seats_left(session)
    queue = [r for r in waiting_list(session) if r.id != exclude]
    if free is not None:
        queue = queue[:free]
    for reg in queue:
        reg.state = RegistrationState.confirmed
        reg.confirmed_at = now
        reg.promotion_token = secrets.token_urlsafe(32)
        _log(
            reg,
            RegistrationState.waiting,
            RegistrationState.confirmed,
            now=now,
            reason="auto:promoted",
        )
    db.session.flush()
    for reg in queue:
        emails.notify_promoted(reg)
    return queue


def cancel_registration(
    reg: Registration,
    *,
    actor: User,
    reason: str = "",
    now: datetime | None = None,
    notify: bool = True,
) -> list[Registration]:
    """Cancels ``reg`` (allowed until the session starts) and promotes the next in line.

    Returns the registrations promoted. Queues the cancellation email (and the promotions').
    """
    now = now or utcnow()
    if reg.state == RegistrationState.cancelled:
        raise RegistrationError(_l("This registration is already cancelled."))
    session = reg.session
    if session is not None:
        if session.starts_at <= now:
            raise RegistrationError(
                _l("This session has already started: it can no longer be cancelled.")
            )
        session = _lock(session)
        db.session.refresh(reg)
        if reg.state == RegistrationState.cancelled:
            raise RegistrationError(_l("This registration is already cancelled."))
    previous = reg.state
    reg.state = RegistrationState.cancelled
    reg.cancelled_at = now
    reg.promotion_token = None
    _log(reg, previous, RegistrationState.cancelled, actor=actor, reason=reason, now=now)
    db.session.flush()
    if notify:
        emails.notify_registration_cancelled(
            reg, was_confirmed=previous == RegistrationState.confirmed
        )
    if session is not None and previous == RegistrationState.confirmed:
        return promote_from_waitlist(session, now=now)
    return []


def registration_for_token(token: str) -> Registration | None:
    if not token or len(token) > 64 or not re.fullmatch(r"[A-Za-z0-9_-]+", token):
        return None
    return db.session.scalar(
        select(Registration).where(
            Registration.promotion_token == token,
            Registration.state == RegistrationState.confirmed,
        )
    )


def give_back_seat(reg: Registration, *, now: datetime | None = None) -> list[Registration]:
    """The promoted member gives the seat back from the email link: the next one gets it."""
    return cancel_registration(reg, actor=reg.user, reason="auto:given_back", now=now)


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
    session = _lock(reg.session)
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
        left = seats_left(session)
        if left is not None and left <= 0:
            raise RegistrationError(
                _l("The session is full. Raise the capacity first, or move someone else."),
                field="to_state",
            )
        reg.state = RegistrationState.confirmed
        reg.confirmed_at = now
        reg.cancelled_at = None
        _log(reg, previous, to_state, actor=actor, reason=reason, now=now)
        db.session.flush()
        emails.notify_registration_confirmed(reg)
        return []
    reg.state = RegistrationState.waiting
    reg.waitlisted_at = now
    reg.cancelled_at = None
    reg.promotion_token = None
    _log(reg, previous, to_state, actor=actor, reason=reason, now=now)
    db.session.flush()
    emails.notify_waitlisted(reg, waitlist_position(reg))
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
    session = _lock(session)
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
    session = _lock(session)
    if session.state == SessionState.cancelled:
        raise SessionError(_l("This session is already cancelled."))
    session.state = SessionState.cancelled
    session.sequence += 1
    told = 0
    for reg in session.registrations:
        if reg.is_active:
            previous = reg.state
            reg.state = RegistrationState.cancelled
            reg.cancelled_at = now
            reg.promotion_token = None
            _log(
                reg,
                previous,
                RegistrationState.cancelled,
                actor=actor,
                reason=reason or "auto:session_cancelled",
                now=now,
            )
            db.session.flush()
            emails.notify_session_cancelled(
                reg, reason, was_confirmed=previous == RegistrationState.confirmed
            )
            told += 1
    db.session.flush()
    return told


def mark_attendance(session: TrainingSession, attended_ids: set[int]) -> int:
    """Marks who attended among the confirmed: those in ``attended_ids`` yes, the others no."""
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


# Reminders ---------------------------------------------------------------------------------


def send_reminders(now: datetime | None = None) -> int:
    """Queues the reminder of every confirmed registration whose session starts within 24 h.

    Each registration is claimed with one conditional UPDATE before its email is queued, so
    two runs at the same moment never send it twice. Commits per registration.
    """
    now = now or utcnow()
    ids = db.session.scalars(
        select(Registration.id)
        .join(TrainingSession, Registration.session_id == TrainingSession.id)
        .where(
            Registration.state == RegistrationState.confirmed,
            Registration.reminder_sent_at.is_(None),
            TrainingSession.state != SessionState.cancelled,
            TrainingSession.starts_at > now,
            TrainingSession.starts_at <= now + timedelta(hours=24),
        )
        .order_by(Registration.id)
    ).all()
    db.session.commit()
    sent = 0
    for reg_id in ids:
        claimed = db.session.execute(
            update(Registration)
            .where(Registration.id == reg_id, Registration.reminder_sent_at.is_(None))
            .values(reminder_sent_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            db.session.rollback()
            continue
        reg = db.session.get(Registration, reg_id)
        emails.notify_reminder(reg)
        db.session.commit()
        sent += 1
    return sent


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
        promote_from_waitlist(_lock(session), now=now)
